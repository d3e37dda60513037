/**
 * When Amazon EKS ends standard support for each Kubernetes minor version (UTC dates). After
 * that date a cluster runs on extended support, billed per cluster hour, for 12 more months.
 *
 * Source: the "Amazon EKS Kubernetes release calendar" in the EKS user guide
 * (docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html), as published for
 * 1.29–1.34; 1.35 from the same calendar as tracked by endoflife.date/amazon-eks (released
 * on EKS in late January 2026). Standard support is 14 months from the EKS release. Table as of
 * 2026-11: add a row when EKS releases a version.
 */
export const EKS_END_OF_STANDARD_SUPPORT: Readonly<Record<string, string>> = {
  "1.29": "2025-03-23",
  "1.30": "2025-07-23",
  "1.31": "2025-11-26",
  "1.32": "2026-03-23",
  "1.33": "2026-07-29",
  "1.34": "2026-12-02",
  "1.35": "2027-03-27",
};

/** Warn this long before standard support ends: EKS announces the date at least 60 days ahead. */
export const SUPPORT_WARNING_DAYS = 60;

export type SupportAnswer =
  | { state: "supported"; endsOn: string; daysLeft: number }
  | { state: "ending"; endsOn: string; daysLeft: number }
  | { state: "ended"; endsOn: string; daysAgo: number }
  /** Newer than the table: released after it was written, so inside standard support. */
  | { state: "newer"; newestKnown: string }
  /** Older than the table: long out of standard support. */
  | { state: "older"; oldestKnown: string }
  | { state: "unknown" };

const DAY_MS = 86_400_000;

function minor(version: string): number | undefined {
  const match = /^1\.(\d+)$/.exec(version.trim());
  return match ? Number(match[1]) : undefined;
}

export function standardSupport(version: string, now: Date, table: Readonly<Record<string, string>> = EKS_END_OF_STANDARD_SUPPORT): SupportAnswer {
  const endsOn = table[version];
  if (endsOn !== undefined) {
    const left = Date.parse(`${endsOn}T00:00:00Z`) - now.getTime();
    if (left <= 0) return { state: "ended", endsOn, daysAgo: Math.floor(-left / DAY_MS) };
    const days = Math.floor(left / DAY_MS);
    return days < SUPPORT_WARNING_DAYS ? { state: "ending", endsOn, daysLeft: days } : { state: "supported", endsOn, daysLeft: days };
  }
  const asked = minor(version);
  const known = Object.keys(table).map((v) => ({ v, m: minor(v) ?? 0 })).sort((a, b) => a.m - b.m);
  if (asked === undefined || known.length === 0) return { state: "unknown" };
  if (asked > known.at(-1)!.m) return { state: "newer", newestKnown: known.at(-1)!.v };
  if (asked < known[0]!.m) return { state: "older", oldestKnown: known[0]!.v };
  return { state: "unknown" };
}
