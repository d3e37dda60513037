/**
 * What verify/dependencies checks: the host and port of every dependency in external mode, as
 * the platform's pods will dial them. A bucket without an endpoint is Amazon S3's regional
 * endpoint; an S3-compatible endpoint is reached on its URL's port (443 for https).
 */
import type { Config } from "../../config/schema.js";

export type Dependency = "database" | "cache" | "storage";

export interface ReachTarget {
  dependency: Dependency;
  host: string;
  port: number;
  /** "database db.example.com:5432" */
  label: string;
}

const target = (dependency: Dependency, host: string, port: number): ReachTarget => ({ dependency, host, port, label: `${dependency} ${host}:${port}` });

function storageTarget(config: Pick<Config, "aws" | "storage">): ReachTarget | undefined {
  const external = config.storage.external;
  if (external === undefined) return undefined;
  if (external.endpoint === undefined) return target("storage", `s3.${external.region ?? config.aws.region}.amazonaws.com`, 443);
  const url = new URL(external.endpoint);
  return target("storage", url.hostname, url.port === "" ? 443 : Number(url.port));
}

export function reachTargets(config: Pick<Config, "aws" | "database" | "cache" | "storage">): ReachTarget[] {
  const targets: (ReachTarget | undefined)[] = [
    config.database.mode === "external" && config.database.external ? target("database", config.database.external.host, config.database.external.port) : undefined,
    config.cache.mode === "external" && config.cache.external ? target("cache", config.cache.external.host, config.cache.external.port) : undefined,
    config.storage.mode === "external" ? storageTarget(config) : undefined,
  ];
  return targets.filter((t): t is ReachTarget => t !== undefined);
}
