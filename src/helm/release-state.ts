/**
 * Reading what helm prints about releases, for helm 3 and 4 alike. Pure: no process is run here.
 *
 * Checked against helm v3.17 and v4.1 (test/integration/helm/release.test.ts):
 * - `status -o json` prints name, namespace, version (the revision, a number), info.status,
 *   info.description and the user-supplied config, but NOT the chart: helm strips it.
 * - `list -o json` prints the chart as one "<name>-<version>" string and the revision as a string.
 */
import { BtpAwsError } from "../errors.js";

export interface StatusJson {
  status: string;
  revision: number;
  description: string;
}

export interface ListedRelease {
  name: string;
  namespace: string;
  status: string;
  /** "<chart name>-<chart version>", as helm prints it. */
  chart: string;
  revision: number;
}

/**
 * The values hash lives in the release's description (`helm upgrade --description`): helm 3.1+
 * and 4 accept the flag, `status -o json` returns it, and it is per revision. Labels need helm
 * 3.13+ and are not shown by status; a value key would be rejected by charts whose
 * values.schema.json forbids unknown keys (cert-manager's does).
 */
const DESCRIPTION_PREFIX = "btp-aws values-hash=";

export function describeValues(hash: string): string {
  return `${DESCRIPTION_PREFIX}${hash}`;
}

/** The hash btp-aws recorded, or undefined when the revision was made otherwise (or failed). */
export function hashFromDescription(description: string): string | undefined {
  const match = /^btp-aws values-hash=([0-9a-f]{64})$/.exec(description.trim());
  return match?.[1];
}

function unreadable(command: string, why: string): BtpAwsError {
  // The output itself is not quoted: `status` output carries the release's values.
  return new BtpAwsError(`helm ${command} printed JSON btp-aws cannot read: ${why}`, {
    hint: "use helm 3.8+ or 4.x; if it is one, report this with the helm version",
  });
}

function parse(command: string, stdout: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    throw unreadable(command, "not JSON");
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Revisions come as numbers from status and as strings from list. */
function revisionOf(value: unknown): number | undefined {
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : undefined;
}

export function parseStatusJson(stdout: string): StatusJson {
  const json = parse("status", stdout);
  if (!isRecord(json) || !isRecord(json.info)) throw unreadable("status", "no info object");
  const revision = revisionOf(json.version);
  if (typeof json.info.status !== "string" || revision === undefined) throw unreadable("status", "no info.status or version");
  const description = typeof json.info.description === "string" ? json.info.description : "";
  return { status: json.info.status, revision, description };
}

export function parseListJson(stdout: string): ListedRelease[] {
  // helm prints nothing at all (not "[]") for an empty list in some versions.
  if (stdout.trim() === "") return [];
  const json = parse("list", stdout);
  if (!Array.isArray(json)) throw unreadable("list", "not a list");
  return json.map((item) => {
    if (!isRecord(item)) throw unreadable("list", "an entry is not an object");
    const { name, namespace, status, chart } = item;
    const revision = revisionOf(item.revision);
    if (typeof name !== "string" || typeof namespace !== "string" || typeof status !== "string" || typeof chart !== "string" || revision === undefined) {
      throw unreadable("list", "an entry lacks name, namespace, status, chart or revision");
    }
    return { name, namespace, status, chart, revision };
  });
}

const SEMVER_TAIL = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * "cert-manager-v1.21.2" → { name: "cert-manager", version: "v1.21.2" }. The version is the
 * longest tail after a "-" that is a semantic version; chart names may contain dashes and
 * versions pre-release dashes ("x-1.0.0-rc.1").
 */
export function splitChartLabel(label: string): { name: string; version: string } | undefined {
  for (let i = label.indexOf("-"); i > 0; i = label.indexOf("-", i + 1)) {
    const version = label.slice(i + 1);
    if (SEMVER_TAIL.test(version)) return { name: label.slice(0, i), version };
  }
  return undefined;
}

/** Chart versions compare equal with or without the leading "v" ("v1.21.2" = "1.21.2"). */
export function sameChartVersion(a: string, b: string): boolean {
  return a.replace(/^v/, "") === b.replace(/^v/, "");
}

/** A release stuck half-way: another helm is working on it, or one was killed. */
export function isPending(status: string): boolean {
  return status.startsWith("pending-") || status === "uninstalling";
}

/** Regex for `helm list --filter` that matches exactly this release name (names are DNS labels). */
export function exactNameFilter(name: string): string {
  return `^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;
}
