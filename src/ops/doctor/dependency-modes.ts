/**
 * Which dependency modes (database, cache, object storage) the day-2 commands act on. The config
 * (or the state's copy of the last install's) decides; a state written before the modes existed
 * has none, and everything was the managed AWS service then, so a missing mode reads as "aws".
 */
import type { DependencyMode } from "../../config/schema.js";
import { DEPENDENCIES_NAMESPACE, IN_CLUSTER_CACHE, IN_CLUSTER_DATABASE, IN_CLUSTER_STORAGE } from "../../phases/dependencies/names.js";

export type Dependency = "database" | "cache" | "storage";
export const DEPENDENCIES: readonly Dependency[] = ["database", "cache", "storage"];

export type DependencyModes = Readonly<Record<Dependency, DependencyMode>>;

export const ALL_AWS: DependencyModes = { database: "aws", cache: "aws", storage: "aws" };

type ModeSource = { readonly [K in Dependency]?: { readonly mode?: DependencyMode | undefined } | undefined };

/** The modes of a config; a config without a section or mode (older state) counts as aws. */
export function dependencyModes(config: ModeSource | undefined): DependencyModes {
  return { database: config?.database?.mode ?? "aws", cache: config?.cache?.mode ?? "aws", storage: config?.storage?.mode ?? "aws" };
}

/** The infra step that makes each managed service; with another mode it records `{ mode }` instead. */
const MANAGED_STEP: Readonly<Record<Dependency, string>> = { database: "infra/rds", cache: "infra/elasticache", storage: "infra/s3" };

/**
 * The modes the last install ran with, read from its step outputs: a completed managed-service
 * step recorded either `mode` (in-cluster, external) or the service it made (aws). Undefined
 * unless all three steps are recorded (no state, or an install that stopped before them).
 */
export function recordedModes(outputs: Readonly<Record<string, Readonly<Record<string, unknown>>>>): DependencyModes | undefined {
  const modes: Partial<Record<Dependency, DependencyMode>> = {};
  for (const dependency of DEPENDENCIES) {
    const recorded = outputs[MANAGED_STEP[dependency]];
    if (recorded === undefined) return undefined;
    const mode = recorded.mode;
    modes[dependency] = mode === "in-cluster" || mode === "external" ? mode : "aws";
  }
  return modes as DependencyModes;
}

/** The in-cluster helm release of each dependency, in the namespace they share. */
export const IN_CLUSTER_RELEASES: Readonly<Record<Dependency, { release: string; namespace: string; what: string }>> = {
  database: { release: IN_CLUSTER_DATABASE.release, namespace: DEPENDENCIES_NAMESPACE, what: "PostgreSQL" },
  cache: { release: IN_CLUSTER_CACHE.release, namespace: DEPENDENCIES_NAMESPACE, what: "Redis" },
  storage: { release: IN_CLUSTER_STORAGE.release, namespace: DEPENDENCIES_NAMESPACE, what: "MinIO" },
};

/** Whether any dependency runs in the cluster: then its volumes, snapshots and releases matter. */
export function anyInCluster(modes: DependencyModes): boolean {
  return DEPENDENCIES.some((d) => modes[d] === "in-cluster");
}
