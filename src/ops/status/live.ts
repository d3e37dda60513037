/**
 * The live half of `btp-aws status`: one line per main resource, found the way doctor finds it
 * (state id, else name, else tag), saying whether it exists and in what state. Reads only; a
 * resource that cannot be looked up is "unknown" with the reason, never a failed command.
 */
import { errorMessage } from "../../errors.js";
import { IN_CLUSTER_RELEASES, type Dependency } from "../doctor/dependency-modes.js";
import type { Facts } from "../doctor/facts.js";

export interface LiveResource {
  /** "VPC", "EKS cluster", … */
  resource: string;
  /** The id or name it was looked up by (or found as). */
  name: string;
  /** true: found; false: not found; null: could not be checked. */
  exists: boolean | null;
  /** AWS's own status word ("available", "ACTIVE", "ISSUED"), "missing" or "unknown". */
  status: string;
  /** Whether that status is the one a working platform has. */
  healthy: boolean;
  detail?: string;
}

type Probe = () => Promise<Omit<LiveResource, "resource">>;

/**
 * A dependency that is not the managed AWS service has nothing to look up in AWS: its line says
 * where it runs instead (doctor checks an in-cluster release's pods and volumes).
 */
function elsewhere(facts: Facts, dependency: Dependency): Probe | undefined {
  const mode = facts.modes[dependency];
  if (mode === "aws") return undefined;
  const { release, namespace } = IN_CLUSTER_RELEASES[dependency];
  return () => Promise.resolve(mode === "in-cluster"
    ? { name: `helm release ${namespace}/${release}`, exists: null, status: "in-cluster", healthy: true, detail: "not an AWS resource: `btp-aws doctor` checks its pods and volumes" }
    : { name: "external endpoint", exists: null, status: "external", healthy: true, detail: "not managed by btp-aws: `btp-aws install --only verify` checks it from the cluster" });
}

const missing = (name: string): Omit<LiveResource, "resource"> => ({ name, exists: false, status: "missing", healthy: false });

function probes(facts: Facts): [string, Probe][] {
  return [
    ["VPC", async () => {
      const vpc = await facts.vpc();
      return vpc ? { name: vpc.vpcId, exists: true, status: vpc.state, healthy: vpc.state === "available", detail: vpc.cidr } : missing(facts.names.vpc);
    }],
    ["EKS cluster", async () => {
      const c = await facts.cluster();
      return c ? { name: c.name, exists: true, status: c.status, healthy: c.status === "ACTIVE", detail: `Kubernetes ${c.version}` } : missing(facts.clusterName);
    }],
    ["node group", async () => {
      const g = await facts.nodeGroup();
      return g ? { name: g.name, exists: true, status: g.status, healthy: g.status === "ACTIVE", detail: `desired ${g.scaling.desired}, min ${g.scaling.min}, max ${g.scaling.max}` } : missing(facts.nodeGroupName);
    }],
    ["database", elsewhere(facts, "database") ?? (async () => {
      const d = await facts.database();
      return d ? { name: d.id, exists: true, status: d.status, healthy: d.status === "available", detail: `${d.instanceClass}, PostgreSQL ${d.engineVersion}${d.multiAz ? ", Multi-AZ" : ""}` } : missing(facts.databaseId);
    })],
    ["cache", elsewhere(facts, "cache") ?? (async () => {
      const g = await facts.cache();
      return g ? { name: g.id, exists: true, status: g.status, healthy: g.status === "available", detail: g.nodeType } : missing(facts.cacheId);
    })],
    ["bucket", elsewhere(facts, "storage") ?? (async () => {
      const { ref, presence } = await facts.bucket();
      if (presence.state === "missing") return missing(ref.name);
      if (presence.state === "forbidden") return { name: ref.name, exists: null, status: "unknown", healthy: false, detail: "access denied (403)" };
      return { name: ref.name, exists: true, status: "exists", healthy: true };
    })],
    ["KMS key", async () => {
      const k = await facts.key();
      return k ? { name: k.keyId, exists: true, status: k.state, healthy: k.state === "Enabled", detail: facts.names.keyAlias } : missing(facts.names.keyAlias);
    }],
    ["certificate", async () => {
      const c = await facts.certificate();
      if (!c) return missing("(none)");
      return { name: c.domain, exists: true, status: c.status, healthy: c.status === "ISSUED", ...(c.notAfter ? { detail: `expires ${c.notAfter.toISOString().slice(0, 10)}` } : {}) };
    }],
    ["secret", async () => {
      const s = await facts.secret();
      if (!s) return missing(facts.names.secret);
      return s.deletedDate ? { name: s.name, exists: true, status: "scheduled for deletion", healthy: false } : { name: s.name, exists: true, status: "exists", healthy: true };
    }],
  ];
}

/** Every main resource at once; the order is the order infra builds them in, roughly. */
export async function liveResources(facts: Facts): Promise<LiveResource[]> {
  return Promise.all(probes(facts).map(async ([resource, probe]) => {
    try {
      return { resource, ...(await probe()) };
    } catch (error) {
      return { resource, name: "", exists: null, status: "unknown", healthy: false, detail: `could not check: ${errorMessage(error).split("\n")[0] ?? ""}` };
    }
  }));
}

const NOT_AWS = new Set(["in-cluster", "external"]);
const MARK = (r: LiveResource) => (NOT_AWS.has(r.status) ? "·" : r.exists === null ? "?" : !r.exists ? "✘" : r.healthy ? "✔" : "⚠");

export function renderLive(rows: readonly LiveResource[], region: string): string {
  const width = Math.max(...rows.map((r) => r.resource.length));
  const lines = [`live (AWS, ${region}):`];
  for (const r of rows) {
    const what = [r.name, r.status].filter((s) => s !== "").join(": ");
    lines.push(`  ${MARK(r)} ${r.resource.padEnd(width)}  ${what}${r.detail ? ` (${r.detail})` : ""}`);
  }
  return lines.join("\n");
}
