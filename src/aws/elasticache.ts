/** The ElastiCache calls the installer makes, as domain operations. "Not found" is `undefined`. */
import type { ElastiCacheClient, ReplicationGroup } from "@aws-sdk/client-elasticache";
import { awsErrorCode } from "./errors.js";
import { tagList, tagMap, type TagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

export interface CacheSubnetGroupInfo {
  name: string;
  arn: string;
  vpcId: string | undefined;
  subnetIds: string[];
}

export interface ReplicationGroupInfo {
  id: string;
  arn: string;
  /** creating, available, modifying, deleting, create-failed, snapshotting */
  status: string;
  /** redis or valkey; older API responses leave it out. */
  engine: string | undefined;
  nodeType: string;
  /** enabled, disabled, enabling, disabling */
  automaticFailover: string;
  /** enabled, disabled */
  multiAz: string;
  transitEncryption: boolean;
  atRestEncryption: boolean;
  authTokenEnabled: boolean;
  kmsKeyId: string | undefined;
  primaryEndpoint: { address: string; port: number } | undefined;
  memberClusters: string[];
  /** A queued failover change (enabled, disabled); node type changes show as status "modifying". */
  pendingAutomaticFailover: string | undefined;
}

/** What CreateReplicationGroup receives. `authToken` is sent once and never kept. */
export interface ReplicationGroupSpec {
  id: string;
  description: string;
  engine: string;
  engineVersion: string;
  nodeType: string;
  numCacheClusters: number;
  authToken: string;
  kmsKeyId: string;
  automaticFailover: boolean;
  multiAz: boolean;
  securityGroupIds: string[];
  subnetGroupName: string;
  tags: TagMap;
}

export interface ReplicationGroupChanges {
  nodeType?: string;
  automaticFailover?: boolean;
  multiAz?: boolean;
}

function isNotFound(error: unknown, codes: readonly string[]): boolean {
  return codes.includes(awsErrorCode(error) ?? "");
}

export async function findCacheSubnetGroup(ec: ElastiCacheClient, name: string): Promise<CacheSubnetGroupInfo | undefined> {
  const { DescribeCacheSubnetGroupsCommand } = await loadSdk("@aws-sdk/client-elasticache");
  try {
    const { CacheSubnetGroups } = await ec.send(new DescribeCacheSubnetGroupsCommand({ CacheSubnetGroupName: name }));
    const g = CacheSubnetGroups?.[0];
    if (!g?.CacheSubnetGroupName || !g.ARN) return undefined;
    return { name: g.CacheSubnetGroupName, arn: g.ARN, vpcId: g.VpcId, subnetIds: (g.Subnets ?? []).flatMap((s) => (s.SubnetIdentifier ? [s.SubnetIdentifier] : [])) };
  } catch (error) {
    if (isNotFound(error, ["CacheSubnetGroupNotFoundFault"])) return undefined;
    throw error;
  }
}

export async function createCacheSubnetGroup(ec: ElastiCacheClient, spec: { name: string; description: string; subnetIds: readonly string[]; tags: TagMap }): Promise<void> {
  const { CreateCacheSubnetGroupCommand } = await loadSdk("@aws-sdk/client-elasticache");
  await ec.send(new CreateCacheSubnetGroupCommand({
    CacheSubnetGroupName: spec.name,
    CacheSubnetGroupDescription: spec.description,
    SubnetIds: [...spec.subnetIds],
    Tags: tagList(spec.tags),
  }));
}

export async function setCacheSubnetGroupSubnets(ec: ElastiCacheClient, name: string, subnetIds: readonly string[]): Promise<void> {
  const { ModifyCacheSubnetGroupCommand } = await loadSdk("@aws-sdk/client-elasticache");
  await ec.send(new ModifyCacheSubnetGroupCommand({ CacheSubnetGroupName: name, SubnetIds: [...subnetIds] }));
}

function groupInfo(g: ReplicationGroup): ReplicationGroupInfo | undefined {
  if (!g.ReplicationGroupId || !g.ARN) return undefined;
  const primary = g.NodeGroups?.[0]?.PrimaryEndpoint;
  return {
    id: g.ReplicationGroupId,
    arn: g.ARN,
    status: g.Status ?? "unknown",
    engine: g.Engine,
    nodeType: g.CacheNodeType ?? "",
    automaticFailover: g.AutomaticFailover ?? "disabled",
    multiAz: g.MultiAZ ?? "disabled",
    transitEncryption: g.TransitEncryptionEnabled === true,
    atRestEncryption: g.AtRestEncryptionEnabled === true,
    authTokenEnabled: g.AuthTokenEnabled === true,
    kmsKeyId: g.KmsKeyId,
    primaryEndpoint: primary?.Address ? { address: primary.Address, port: primary.Port ?? 6379 } : undefined,
    memberClusters: g.MemberClusters ?? [],
    pendingAutomaticFailover: g.PendingModifiedValues?.AutomaticFailoverStatus,
  };
}

export async function findReplicationGroup(ec: ElastiCacheClient, id: string): Promise<ReplicationGroupInfo | undefined> {
  const { DescribeReplicationGroupsCommand } = await loadSdk("@aws-sdk/client-elasticache");
  try {
    const { ReplicationGroups } = await ec.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }));
    const found = ReplicationGroups?.[0];
    return found ? groupInfo(found) : undefined;
  } catch (error) {
    if (isNotFound(error, ["ReplicationGroupNotFoundFault"])) return undefined;
    throw error;
  }
}

export async function createReplicationGroup(ec: ElastiCacheClient, spec: ReplicationGroupSpec): Promise<void> {
  const { CreateReplicationGroupCommand } = await loadSdk("@aws-sdk/client-elasticache");
  await ec.send(new CreateReplicationGroupCommand({
    ReplicationGroupId: spec.id,
    ReplicationGroupDescription: spec.description,
    Engine: spec.engine,
    EngineVersion: spec.engineVersion,
    CacheNodeType: spec.nodeType,
    NumCacheClusters: spec.numCacheClusters,
    // AuthToken requires TransitEncryptionEnabled (FACTS.md).
    TransitEncryptionEnabled: true,
    AuthToken: spec.authToken,
    AtRestEncryptionEnabled: true,
    KmsKeyId: spec.kmsKeyId,
    AutomaticFailoverEnabled: spec.automaticFailover,
    MultiAZEnabled: spec.multiAz,
    SecurityGroupIds: spec.securityGroupIds,
    CacheSubnetGroupName: spec.subnetGroupName,
    Tags: tagList(spec.tags),
  }));
}

/** Applies the changes now rather than in the next maintenance window. */
export async function modifyReplicationGroup(ec: ElastiCacheClient, id: string, changes: ReplicationGroupChanges): Promise<void> {
  const { ModifyReplicationGroupCommand } = await loadSdk("@aws-sdk/client-elasticache");
  await ec.send(new ModifyReplicationGroupCommand({
    ReplicationGroupId: id,
    ApplyImmediately: true,
    CacheNodeType: changes.nodeType,
    AutomaticFailoverEnabled: changes.automaticFailover,
    MultiAZEnabled: changes.multiAz,
  }));
}

export async function elasticacheTags(ec: ElastiCacheClient, arn: string): Promise<Record<string, string>> {
  const { ListTagsForResourceCommand } = await loadSdk("@aws-sdk/client-elasticache");
  const { TagList } = await ec.send(new ListTagsForResourceCommand({ ResourceName: arn }));
  return tagMap(TagList);
}

export async function tagElasticacheResource(ec: ElastiCacheClient, arn: string, tags: TagMap): Promise<void> {
  const { AddTagsToResourceCommand } = await loadSdk("@aws-sdk/client-elasticache");
  await ec.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: tagList(tags) }));
}

/** The replication group's events of the last hour, newest last: what a failed wait should show. */
export async function recentCacheEvents(ec: ElastiCacheClient, id: string, limit = 5): Promise<string[]> {
  const { DescribeEventsCommand } = await loadSdk("@aws-sdk/client-elasticache");
  const { Events } = await ec.send(new DescribeEventsCommand({ SourceIdentifier: id, SourceType: "replication-group", Duration: 60 }));
  return (Events ?? []).flatMap((e) => (e.Message ? [e.Message] : [])).slice(-limit);
}
