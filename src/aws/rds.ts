/** The RDS calls the installer makes, as domain operations. "Not found" is `undefined`. */
import type { DBInstance, RDSClient } from "@aws-sdk/client-rds";
import { awsErrorCode } from "./errors.js";
import { tagList, tagMap, type TagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

export interface DbSubnetGroup {
  name: string;
  arn: string;
  vpcId: string | undefined;
  subnetIds: string[];
}

export interface DbParameterGroup {
  name: string;
  arn: string;
  family: string;
}

/** Settings that ModifyDBInstance may have queued but not applied yet. */
export interface DbPendingValues {
  instanceClass?: string | undefined;
  allocatedStorage?: number | undefined;
  storageType?: string | undefined;
  multiAz?: boolean | undefined;
  backupRetentionPeriod?: number | undefined;
  engineVersion?: string | undefined;
}

export interface DbInstanceInfo {
  id: string;
  arn: string;
  /** available, creating, modifying, backing-up, storage-optimization, failed … */
  status: string;
  engine: string;
  engineVersion: string;
  instanceClass: string;
  allocatedStorage: number;
  storageType: string;
  storageEncrypted: boolean;
  kmsKeyId: string | undefined;
  multiAz: boolean;
  backupRetentionPeriod: number;
  deletionProtection: boolean;
  publiclyAccessible: boolean;
  copyTagsToSnapshot: boolean;
  autoMinorVersionUpgrade: boolean;
  securityGroupIds: string[];
  subnetGroupName: string | undefined;
  parameterGroupNames: string[];
  endpoint: { address: string; port: number } | undefined;
  pending: DbPendingValues;
  tags: Record<string, string>;
}

/** What CreateDBInstance receives. `masterPassword` is sent once and never kept. */
export interface DbInstanceSpec {
  id: string;
  engineVersion: string;
  instanceClass: string;
  allocatedStorage: number;
  storageType: string;
  kmsKeyId: string;
  multiAz: boolean;
  backupRetentionPeriod: number;
  deletionProtection: boolean;
  securityGroupIds: string[];
  subnetGroupName: string;
  parameterGroupName: string;
  masterUsername: string;
  masterPassword: string;
  tags: TagMap;
}

/** The ModifyDBInstance fields the installer repairs; only the differing ones are set. */
export interface DbInstanceChanges {
  instanceClass?: string;
  allocatedStorage?: number;
  storageType?: string;
  multiAz?: boolean;
  backupRetentionPeriod?: number;
  deletionProtection?: boolean;
  securityGroupIds?: string[];
  publiclyAccessible?: boolean;
  parameterGroupName?: string;
  engineVersion?: string;
  copyTagsToSnapshot?: boolean;
  autoMinorVersionUpgrade?: boolean;
}

function notFound(error: unknown, codes: readonly string[]): boolean {
  return codes.includes(awsErrorCode(error) ?? "");
}

export async function findDbSubnetGroup(rds: RDSClient, name: string): Promise<DbSubnetGroup | undefined> {
  const { DescribeDBSubnetGroupsCommand } = await loadSdk("@aws-sdk/client-rds");
  try {
    const { DBSubnetGroups } = await rds.send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: name }));
    const g = DBSubnetGroups?.[0];
    if (!g?.DBSubnetGroupName || !g.DBSubnetGroupArn) return undefined;
    return { name: g.DBSubnetGroupName, arn: g.DBSubnetGroupArn, vpcId: g.VpcId, subnetIds: (g.Subnets ?? []).flatMap((s) => (s.SubnetIdentifier ? [s.SubnetIdentifier] : [])) };
  } catch (error) {
    if (notFound(error, ["DBSubnetGroupNotFoundFault"])) return undefined;
    throw error;
  }
}

export async function createDbSubnetGroup(rds: RDSClient, spec: { name: string; description: string; subnetIds: readonly string[]; tags: TagMap }): Promise<DbSubnetGroup> {
  const { CreateDBSubnetGroupCommand } = await loadSdk("@aws-sdk/client-rds");
  const { DBSubnetGroup: g } = await rds.send(new CreateDBSubnetGroupCommand({
    DBSubnetGroupName: spec.name,
    DBSubnetGroupDescription: spec.description,
    SubnetIds: [...spec.subnetIds],
    Tags: tagList(spec.tags),
  }));
  if (!g?.DBSubnetGroupArn) throw new Error("rds:CreateDBSubnetGroup returned no ARN");
  return { name: spec.name, arn: g.DBSubnetGroupArn, vpcId: g.VpcId, subnetIds: [...spec.subnetIds] };
}

export async function setDbSubnetGroupSubnets(rds: RDSClient, name: string, description: string, subnetIds: readonly string[]): Promise<void> {
  const { ModifyDBSubnetGroupCommand } = await loadSdk("@aws-sdk/client-rds");
  await rds.send(new ModifyDBSubnetGroupCommand({ DBSubnetGroupName: name, DBSubnetGroupDescription: description, SubnetIds: [...subnetIds] }));
}

export async function findDbParameterGroup(rds: RDSClient, name: string): Promise<DbParameterGroup | undefined> {
  const { DescribeDBParameterGroupsCommand } = await loadSdk("@aws-sdk/client-rds");
  try {
    const { DBParameterGroups } = await rds.send(new DescribeDBParameterGroupsCommand({ DBParameterGroupName: name }));
    const g = DBParameterGroups?.find((group) => group.DBParameterGroupName === name);
    if (!g?.DBParameterGroupArn) return undefined;
    return { name, arn: g.DBParameterGroupArn, family: g.DBParameterGroupFamily ?? "" };
  } catch (error) {
    if (notFound(error, ["DBParameterGroupNotFoundFault", "DBParameterGroupNotFound"])) return undefined;
    throw error;
  }
}

export async function createDbParameterGroup(rds: RDSClient, spec: { name: string; family: string; description: string; tags: TagMap }): Promise<DbParameterGroup> {
  const { CreateDBParameterGroupCommand } = await loadSdk("@aws-sdk/client-rds");
  const { DBParameterGroup: g } = await rds.send(new CreateDBParameterGroupCommand({
    DBParameterGroupName: spec.name,
    DBParameterGroupFamily: spec.family,
    Description: spec.description,
    Tags: tagList(spec.tags),
  }));
  if (!g?.DBParameterGroupArn) throw new Error("rds:CreateDBParameterGroup returned no ARN");
  return { name: spec.name, arn: g.DBParameterGroupArn, family: spec.family };
}

/** Parameters set explicitly in the group (source "user"), by name; engine defaults are left out. */
export async function userParameters(rds: RDSClient, group: string): Promise<Record<string, string>> {
  const { paginateDescribeDBParameters } = await loadSdk("@aws-sdk/client-rds");
  const values: Record<string, string> = {};
  for await (const page of paginateDescribeDBParameters({ client: rds }, { DBParameterGroupName: group, Source: "user" })) {
    for (const p of page.Parameters ?? []) if (p.ParameterName && p.ParameterValue !== undefined) values[p.ParameterName] = p.ParameterValue;
  }
  return values;
}

/** Static parameters apply at the next reboot, dynamic ones at once: pending-reboot suits both. */
export async function setParameters(rds: RDSClient, group: string, values: Readonly<Record<string, string>>): Promise<void> {
  const { ModifyDBParameterGroupCommand } = await loadSdk("@aws-sdk/client-rds");
  await rds.send(new ModifyDBParameterGroupCommand({
    DBParameterGroupName: group,
    Parameters: Object.entries(values).map(([ParameterName, ParameterValue]) => ({ ParameterName, ParameterValue, ApplyMethod: "pending-reboot" })),
  }));
}

function instanceInfo(d: DBInstance): DbInstanceInfo | undefined {
  if (!d.DBInstanceIdentifier || !d.DBInstanceArn) return undefined;
  const p = d.PendingModifiedValues;
  return {
    id: d.DBInstanceIdentifier,
    arn: d.DBInstanceArn,
    status: d.DBInstanceStatus ?? "unknown",
    engine: d.Engine ?? "",
    engineVersion: d.EngineVersion ?? "",
    instanceClass: d.DBInstanceClass ?? "",
    allocatedStorage: d.AllocatedStorage ?? 0,
    storageType: d.StorageType ?? "",
    storageEncrypted: d.StorageEncrypted === true,
    kmsKeyId: d.KmsKeyId,
    multiAz: d.MultiAZ === true,
    backupRetentionPeriod: d.BackupRetentionPeriod ?? 0,
    deletionProtection: d.DeletionProtection === true,
    publiclyAccessible: d.PubliclyAccessible === true,
    copyTagsToSnapshot: d.CopyTagsToSnapshot === true,
    autoMinorVersionUpgrade: d.AutoMinorVersionUpgrade === true,
    securityGroupIds: (d.VpcSecurityGroups ?? []).flatMap((g) => (g.VpcSecurityGroupId ? [g.VpcSecurityGroupId] : [])),
    subnetGroupName: d.DBSubnetGroup?.DBSubnetGroupName,
    parameterGroupNames: (d.DBParameterGroups ?? []).flatMap((g) => (g.DBParameterGroupName ? [g.DBParameterGroupName] : [])),
    endpoint: d.Endpoint?.Address ? { address: d.Endpoint.Address, port: d.Endpoint.Port ?? 5432 } : undefined,
    pending: {
      instanceClass: p?.DBInstanceClass,
      allocatedStorage: p?.AllocatedStorage,
      storageType: p?.StorageType,
      multiAz: p?.MultiAZ,
      backupRetentionPeriod: p?.BackupRetentionPeriod,
      engineVersion: p?.EngineVersion,
    },
    tags: tagMap(d.TagList),
  };
}

export async function findDbInstance(rds: RDSClient, id: string): Promise<DbInstanceInfo | undefined> {
  const { DescribeDBInstancesCommand } = await loadSdk("@aws-sdk/client-rds");
  try {
    const { DBInstances } = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
    const found = DBInstances?.[0];
    return found ? instanceInfo(found) : undefined;
  } catch (error) {
    if (notFound(error, ["DBInstanceNotFoundFault", "DBInstanceNotFound"])) return undefined;
    throw error;
  }
}

export async function createDbInstance(rds: RDSClient, spec: DbInstanceSpec): Promise<void> {
  const { CreateDBInstanceCommand } = await loadSdk("@aws-sdk/client-rds");
  await rds.send(new CreateDBInstanceCommand({
    DBInstanceIdentifier: spec.id,
    Engine: "postgres",
    EngineVersion: spec.engineVersion,
    DBInstanceClass: spec.instanceClass,
    AllocatedStorage: spec.allocatedStorage,
    StorageType: spec.storageType,
    StorageEncrypted: true,
    KmsKeyId: spec.kmsKeyId,
    MultiAZ: spec.multiAz,
    BackupRetentionPeriod: spec.backupRetentionPeriod,
    DeletionProtection: spec.deletionProtection,
    PubliclyAccessible: false,
    VpcSecurityGroupIds: spec.securityGroupIds,
    DBSubnetGroupName: spec.subnetGroupName,
    DBParameterGroupName: spec.parameterGroupName,
    MasterUsername: spec.masterUsername,
    MasterUserPassword: spec.masterPassword,
    CopyTagsToSnapshot: true,
    AutoMinorVersionUpgrade: true,
    Tags: tagList(spec.tags),
  }));
}

/** Applies the changes now rather than in the next maintenance window. */
export async function modifyDbInstance(rds: RDSClient, id: string, changes: DbInstanceChanges): Promise<void> {
  const { ModifyDBInstanceCommand } = await loadSdk("@aws-sdk/client-rds");
  await rds.send(new ModifyDBInstanceCommand({
    DBInstanceIdentifier: id,
    ApplyImmediately: true,
    DBInstanceClass: changes.instanceClass,
    AllocatedStorage: changes.allocatedStorage,
    StorageType: changes.storageType,
    MultiAZ: changes.multiAz,
    BackupRetentionPeriod: changes.backupRetentionPeriod,
    DeletionProtection: changes.deletionProtection,
    VpcSecurityGroupIds: changes.securityGroupIds,
    PubliclyAccessible: changes.publiclyAccessible,
    DBParameterGroupName: changes.parameterGroupName,
    EngineVersion: changes.engineVersion,
    CopyTagsToSnapshot: changes.copyTagsToSnapshot,
    AutoMinorVersionUpgrade: changes.autoMinorVersionUpgrade,
  }));
}

/** Tags of a subnet group or parameter group (instances carry theirs in DescribeDBInstances). */
export async function rdsTags(rds: RDSClient, arn: string): Promise<Record<string, string>> {
  const { ListTagsForResourceCommand } = await loadSdk("@aws-sdk/client-rds");
  const { TagList } = await rds.send(new ListTagsForResourceCommand({ ResourceName: arn }));
  return tagMap(TagList);
}

export async function tagRdsResource(rds: RDSClient, arn: string, tags: TagMap): Promise<void> {
  const { AddTagsToResourceCommand } = await loadSdk("@aws-sdk/client-rds");
  await rds.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: tagList(tags) }));
}

/** The instance's events of the last hour, newest last: what a failed wait should show. */
export async function recentDbEvents(rds: RDSClient, id: string, limit = 5): Promise<string[]> {
  const { DescribeEventsCommand } = await loadSdk("@aws-sdk/client-rds");
  const { Events } = await rds.send(new DescribeEventsCommand({ SourceIdentifier: id, SourceType: "db-instance", Duration: 60 }));
  return (Events ?? []).flatMap((e) => (e.Message ? [e.Message] : [])).slice(-limit);
}
