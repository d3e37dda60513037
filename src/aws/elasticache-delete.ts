/** The ElastiCache calls destroy makes. A cache holds no data worth a final snapshot: it is rebuilt by the platform. */
import type { ElastiCacheClient } from "@aws-sdk/client-elasticache";
import { deleteUnlessGone } from "./idempotent-delete.js";
import { loadSdk } from "./sdk.js";

export async function deleteReplicationGroup(ec: ElastiCacheClient, id: string): Promise<boolean> {
  const { DeleteReplicationGroupCommand } = await loadSdk("@aws-sdk/client-elasticache");
  return deleteUnlessGone(["ReplicationGroupNotFoundFault"], () => ec.send(new DeleteReplicationGroupCommand({ ReplicationGroupId: id, RetainPrimaryCluster: false })));
}

export async function deleteCacheSubnetGroup(ec: ElastiCacheClient, name: string): Promise<boolean> {
  const { DeleteCacheSubnetGroupCommand } = await loadSdk("@aws-sdk/client-elasticache");
  return deleteUnlessGone(["CacheSubnetGroupNotFoundFault"], () => ec.send(new DeleteCacheSubnetGroupCommand({ CacheSubnetGroupName: name })));
}
