/**
 * Whether an adopted cluster's Kubernetes version can carry the platform. Two calendars apply:
 * the platform supports the current Kubernetes version and the two before it (SettleMint's
 * infrastructure requirements), and EKS supports each version for 14 months of standard support
 * and 12 of paid extended support (doctor's calendar, src/ops/doctor/eks-support.ts).
 * Outside either: refuse. Inside both but past or near the end of standard support: warn.
 */
import { EKS_END_OF_STANDARD_SUPPORT, standardSupport } from "../../ops/doctor/eks-support.js";

/** EKS extended support lasts 12 months after standard support ends. */
const EXTENDED_SUPPORT_MONTHS = 12;
/** The platform supports the newest Kubernetes minor and this many before it. */
const PLATFORM_MINORS_BEHIND = 2;

export type VersionVerdict =
  | { state: "ok"; detail: string }
  | { state: "warn"; detail: string }
  | { state: "unsupported"; detail: string };

function minor(version: string): number | undefined {
  const match = /^1\.(\d+)$/.exec(version.trim());
  return match ? Number(match[1]) : undefined;
}

function addMonths(day: string, months: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.toISOString().slice(0, 10);
}

export function clusterVersionVerdict(version: string, now: Date, table: Readonly<Record<string, string>> = EKS_END_OF_STANDARD_SUPPORT): VersionVerdict {
  const asked = minor(version);
  if (asked === undefined) return { state: "unsupported", detail: `Kubernetes version "${version}" is not a 1.x minor version` };
  const newest = Math.max(...Object.keys(table).map((v) => minor(v) ?? 0));
  const oldestForPlatform = newest - PLATFORM_MINORS_BEHIND;
  if (asked < oldestForPlatform) {
    return { state: "unsupported", detail: `Kubernetes ${version} is older than the platform supports (1.${oldestForPlatform} to 1.${newest}: the current version and the two before it)` };
  }
  const support = standardSupport(version, now, table);
  switch (support.state) {
    case "supported":
      return { state: "ok", detail: `Kubernetes ${version}, in EKS standard support until ${support.endsOn}` };
    case "ending":
      return { state: "warn", detail: `Kubernetes ${version} leaves EKS standard support on ${support.endsOn} (in ${support.daysLeft} days); extended support is billed per cluster hour` };
    case "ended": {
      const extendedEnds = addMonths(support.endsOn, EXTENDED_SUPPORT_MONTHS);
      if (now.getTime() >= Date.parse(`${extendedEnds}T00:00:00Z`)) {
        return { state: "unsupported", detail: `Kubernetes ${version} left EKS extended support on ${extendedEnds}` };
      }
      return { state: "warn", detail: `Kubernetes ${version} left EKS standard support on ${support.endsOn}: the cluster runs on extended support (billed per cluster hour) until ${extendedEnds}` };
    }
    case "newer":
      return { state: "ok", detail: `Kubernetes ${version}, newer than btp-aws's support calendar (${support.newestKnown})` };
    default:
      return { state: "unsupported", detail: `Kubernetes ${version} is not in EKS's support calendar` };
  }
}
