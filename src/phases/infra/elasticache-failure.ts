/** ElastiCache errors in terms of the config: which field AWS rejected, which quota ran out. */
import type { AwsCallTarget } from "../../aws/errors.js";
import type { Config } from "../../config/schema.js";
import type { BtpAwsError } from "../../errors.js";
import { explainFailure } from "./aws-failure.js";

// The SDK names modelled errors by their class (…Exception, …Fault); unmodelled ones keep the wire code.
const INVALID = new Set([
  "InvalidParameterValue", "InvalidParameterValueException", "InvalidParameterCombination", "InvalidParameterCombinationException",
  "InsufficientCacheClusterCapacity", "InsufficientCacheClusterCapacityFault",
]);

const NODES = "ElastiCache nodes per Region (service quotas: elasticache, Nodes per Region)";
const QUOTAS: Readonly<Record<string, string>> = {
  NodeQuotaForCustomerExceeded: NODES,
  NodeQuotaForCustomerExceededFault: NODES,
  ClusterQuotaForCustomerExceeded: "ElastiCache clusters per Region (service quotas: elasticache)",
  ClusterQuotaForCustomerExceededFault: "ElastiCache clusters per Region (service quotas: elasticache)",
  NodeQuotaForClusterExceeded: "nodes per cluster (service quotas: elasticache)",
  NodeQuotaForClusterExceededFault: "nodes per cluster (service quotas: elasticache)",
  CacheSubnetGroupQuotaExceeded: "subnet groups per Region (service quotas: elasticache, Subnet groups per Region)",
  CacheSubnetGroupQuotaExceededFault: "subnet groups per Region (service quotas: elasticache, Subnet groups per Region)",
};

export function cacheFailure(error: unknown, config: Config, action: string, target: AwsCallTarget, secrets: readonly string[]): BtpAwsError {
  const { nodeType, engine, engineVersion, replicas, multiAz } = config.cache;
  return explainFailure(error, {
    action,
    service: "ElastiCache",
    target,
    invalidCodes: INVALID,
    // First match wins: the node type is named before the version in combination messages.
    fields: [
      { field: "cache.nodeType", value: nodeType, mentions: new RegExp(`node type|CacheNodeType|${nodeType.replaceAll(".", "\\.")}`, "i") },
      { field: "cache.engineVersion", value: `${engine} ${engineVersion}`, mentions: /version/i },
      { field: "cache.engine", value: engine, mentions: /engine/i },
      { field: "cache.replicas", value: String(replicas), mentions: /NumCacheClusters|replica|number of (cache )?(clusters|nodes)/i },
      { field: "cache.multiAz", value: String(multiAz), mentions: /Multi-?AZ|automatic failover/i },
    ],
    quotas: QUOTAS,
    secrets,
  });
}
