/**
 * The longest chain of waits through the plan, from typical real-world durations. It is the
 * lower bound of any install's wall time, however parallel: `plan` shows it, and the benchmark
 * divides the measured makespan by it.
 */
import type { Config } from "../config/schema.js";
import type { Step } from "./types.js";

/** Typical seconds per step on AWS (provisioning dominated); unlisted steps count as 5 s. */
export const TYPICAL_SECONDS: Readonly<Record<string, number>> = {
  "prepare/tools": 1,
  "prepare/credentials": 1,
  "infra/kms": 5,
  // VPC, subnets, internet gateway, public routes: a dozen quick calls. The NAT gateways (~2 min)
  // are their own step, which only the node group waits for: in a real install they provision
  // while the EKS cluster does, instead of two minutes before it starts.
  "infra/vpc": 15,
  "infra/nat-gateways": 150, // NAT gateways ~2 min, then the private routes
  "infra/security-groups": 5,
  "infra/iam-roles": 10,
  "infra/s3": 5,
  "infra/acm": 180, // DNS validation ~3 min
  "infra/secrets": 5,
  "infra/eks": 600, // ~10 min
  "infra/irsa": 15,
  "infra/nodegroup": 240, // ~4 min
  "infra/eks-addons": 90,
  "infra/rds": 900, // Multi-AZ ~15 min
  "infra/elasticache": 600, // ~10 min
  "infra/monitoring": 10,
};

/** What a step not in the table counts for. */
export const DEFAULT_SECONDS = 5;

/** A step's typical duration in milliseconds: waits poll more often around it (aws/wait.ts). */
export function typicalMs(stepId: string): number {
  return (TYPICAL_SECONDS[stepId] ?? DEFAULT_SECONDS) * 1000;
}

/**
 * cluster.mode existing: these steps only discover the adopted cluster's network, NAT gateways,
 * control plane and node groups (a dozen reads), instead of provisioning them for minutes.
 */
const DISCOVERY_STEPS = ["infra/vpc", "infra/nat-gateways", "infra/eks", "infra/nodegroup"] as const;
const DISCOVERY_SECONDS = 1;

/**
 * TYPICAL_SECONDS for this config: an adopted cluster is discovered, not built, and a dependency
 * that is not in mode aws skips its step without an AWS call. `plan` uses these; the benchmark
 * keeps TYPICAL_SECONDS, since it installs the production example (a created cluster, mode aws).
 */
export function typicalSeconds(config: Pick<Config, "cluster" | "database" | "cache" | "storage">): Readonly<Record<string, number>> {
  const seconds: Record<string, number> = { ...TYPICAL_SECONDS };
  if (config.cluster.mode === "existing") for (const id of DISCOVERY_STEPS) seconds[id] = DISCOVERY_SECONDS;
  if (config.database.mode !== "aws") seconds["infra/rds"] = 0;
  if (config.cache.mode !== "aws") seconds["infra/elasticache"] = 0;
  if (config.storage.mode !== "aws") seconds["infra/s3"] = 0;
  return seconds;
}

export interface CriticalPath {
  steps: string[];
  seconds: number;
}

export function criticalPath(steps: readonly Pick<Step, "id" | "needs">[], durations: Readonly<Record<string, number>> = TYPICAL_SECONDS): CriticalPath {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const memo = new Map<string, CriticalPath>();
  const longest = (id: string): CriticalPath => {
    const cached = memo.get(id);
    if (cached) return cached;
    const step = byId.get(id);
    const own = durations[id] ?? DEFAULT_SECONDS;
    // Needs outside the selection are already done: they cost nothing in this run.
    const before = (step?.needs ?? []).filter((n) => byId.has(n)).map(longest).reduce<CriticalPath>((a, b) => (b.seconds > a.seconds ? b : a), { steps: [], seconds: 0 });
    const result = { steps: [...before.steps, id], seconds: before.seconds + own };
    memo.set(id, result);
    return result;
  };
  return steps.map((s) => longest(s.id)).reduce<CriticalPath>((a, b) => (b.seconds > a.seconds ? b : a), { steps: [], seconds: 0 });
}
