/** ElastiCache nodes in a region, for the "Nodes per Region" quota. Read-only. */
import type { ElastiCacheClient } from "@aws-sdk/client-elasticache";
import { loadSdk } from "./sdk.js";

export interface CacheClusterNodes {
  id: string;
  /** The replication group the cluster is a member of (Redis/Valkey), if any. */
  replicationGroupId: string | undefined;
  nodes: number;
}

export async function listCacheClusters(elasticache: ElastiCacheClient): Promise<CacheClusterNodes[]> {
  const { paginateDescribeCacheClusters } = await loadSdk("@aws-sdk/client-elasticache");
  const clusters: CacheClusterNodes[] = [];
  for await (const page of paginateDescribeCacheClusters({ client: elasticache }, {})) {
    for (const c of page.CacheClusters ?? []) {
      if (c.CacheClusterId) clusters.push({ id: c.CacheClusterId, replicationGroupId: c.ReplicationGroupId, nodes: c.NumCacheNodes ?? 1 });
    }
  }
  return clusters;
}
