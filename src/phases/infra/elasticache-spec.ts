/**
 * What the Redis (or Valkey) replication group should look like, and how an existing one differs:
 * pure functions, so every decision of infra/elasticache is testable without AWS.
 *
 * Node type, automatic failover and Multi-AZ change in place (ModifyReplicationGroup). Encryption
 * in transit or at rest, its key, the AUTH token's presence and the engine are fixed at creation
 * as far as btp-aws is concerned: those differences are drift.
 */
import type { ReplicationGroupChanges, ReplicationGroupInfo } from "../../aws/elasticache.js";
import type { TagMap } from "../../aws/tags.js";
import type { Config } from "../../config/schema.js";
import { infraNames } from "./names.js";
import { isPlatformKey, type PlatformKey } from "./platform-key.js";

export interface CacheSpec {
  id: string;
  engine: string;
  engineVersion: string;
  nodeType: string;
  numCacheClusters: number;
  /** Automatic failover and Multi-AZ go together: Multi-AZ needs failover, and failover a replica. */
  multiAz: boolean;
  securityGroupIds: string[];
  subnetGroupName: string;
  key: PlatformKey;
  tags: TagMap;
}

export interface CachePlan {
  /** Applied one call each: ElastiCache refuses some combinations in one modification. */
  changes: ReplicationGroupChanges[];
  repairs: string[];
  drift: string[];
}

export function cacheSpec(config: Config, refs: { securityGroupId: string; key: PlatformKey; tags: TagMap }): CacheSpec {
  const names = infraNames(config);
  return {
    id: names.cache,
    engine: config.cache.engine,
    engineVersion: config.cache.engineVersion,
    nodeType: config.cache.nodeType,
    numCacheClusters: config.cache.replicas + 1,
    multiAz: config.cache.multiAz,
    securityGroupIds: [refs.securityGroupId],
    subnetGroupName: names.cacheSubnetGroup,
    key: refs.key,
    tags: refs.tags,
  };
}

function enabled(status: string | undefined): boolean {
  return status === "enabled" || status === "enabling";
}

export function planCache(group: ReplicationGroupInfo, spec: CacheSpec): CachePlan {
  const changes: ReplicationGroupChanges[] = [];
  const repairs: string[] = [];
  const drift: string[] = [];

  if (group.engine !== undefined && group.engine !== spec.engine) drift.push(`engine is ${group.engine}, not cache.engine ${spec.engine}`);
  if (!group.transitEncryption) drift.push("encryption in transit (TLS) is off: the platform connects with TLS and an AUTH token");
  else if (!group.authTokenEnabled) drift.push("it has no AUTH token: the platform authenticates with the token in the platform secret");
  if (!group.atRestEncryption) drift.push("encryption at rest is off: ElastiCache cannot turn it on for an existing replication group");
  else if (!isPlatformKey(group.kmsKeyId, spec.key)) drift.push(`data at rest is encrypted with ${group.kmsKeyId ?? "the AWS managed key"}, not the platform key ${spec.key.alias}`);

  const failover = enabled(group.pendingAutomaticFailover ?? group.automaticFailover);
  const multiAz = group.multiAz === "enabled";
  if (failover !== spec.multiAz || multiAz !== spec.multiAz) {
    changes.push({ automaticFailover: spec.multiAz, multiAz: spec.multiAz });
    repairs.push(`automatic failover and Multi-AZ ${spec.multiAz ? "on" : "off"}`);
  }
  if (group.nodeType !== spec.nodeType) {
    changes.push({ nodeType: spec.nodeType });
    repairs.push(`node type ${group.nodeType} → ${spec.nodeType}`);
  }
  return { changes, repairs, drift };
}
