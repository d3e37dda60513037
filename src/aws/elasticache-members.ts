/**
 * The cache clusters (nodes) of an ElastiCache replication group: ElastiCache publishes CPU and
 * memory metrics per node (dimension CacheClusterId), not per group.
 */
import type { ElastiCacheClient } from "@aws-sdk/client-elasticache";
import { awsErrorCode } from "./errors.js";

/** Member cluster ids, e.g. btp-prod-redis-001; undefined when the group does not exist. */
export async function replicationGroupMembers(elasticache: ElastiCacheClient, replicationGroupId: string): Promise<string[] | undefined> {
  const { DescribeReplicationGroupsCommand } = await import("@aws-sdk/client-elasticache");
  try {
    const { ReplicationGroups } = await elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: replicationGroupId }));
    return ReplicationGroups?.[0]?.MemberClusters ?? [];
  } catch (error) {
    if (awsErrorCode(error) === "ReplicationGroupNotFoundFault") return undefined;
    throw error;
  }
}
