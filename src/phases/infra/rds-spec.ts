/**
 * What the database should look like, and how an existing instance differs from it: pure
 * functions, so every decision of infra/rds is testable without AWS.
 *
 * A difference is either a repair (ModifyDBInstance can change it in place, ApplyImmediately) or
 * drift (RDS cannot change it without a new instance, which btp-aws never creates silently).
 */
import type { DbInstanceChanges, DbInstanceInfo } from "../../aws/rds.js";
import type { TagMap } from "../../aws/tags.js";
import type { Config } from "../../config/schema.js";
import { infraNames } from "./names.js";
import { isPlatformKey, type PlatformKey } from "./platform-key.js";

export const MASTER_USERNAME = "btp_admin";
export const STORAGE_TYPE = "gp3";

export interface DatabaseSpec {
  id: string;
  engineVersion: string;
  instanceClass: string;
  allocatedStorage: number;
  multiAz: boolean;
  backupRetentionPeriod: number;
  deletionProtection: boolean;
  securityGroupIds: string[];
  subnetGroupName: string;
  parameterGroupName: string;
  parameterGroupFamily: string;
  key: PlatformKey;
  tags: TagMap;
}

export interface InstancePlan {
  changes: DbInstanceChanges;
  /** One line per change, for the report: "instance class db.t4g.medium → db.r6g.large". */
  repairs: string[];
  /** What cannot change in place, each with why. */
  drift: string[];
}

/** "16.4" → [16, 4]; the major version is the first number for PostgreSQL 10 and newer. */
function versionParts(version: string): number[] {
  return version.split(".").map((part) => Number.parseInt(part, 10)).map((n) => (Number.isNaN(n) ? 0 : n));
}

export function majorVersion(version: string): number {
  return versionParts(version)[0] ?? 0;
}

/** Negative when a < b, comparing only as many parts as `b` names ("16" matches any 16.x). */
function compareVersions(a: string, b: string): number {
  const [pa, pb] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < pb.length; i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Parameter group families are per major version: postgres16. */
export function parameterGroupFamily(engineVersion: string): string {
  return `postgres${majorVersion(engineVersion)}`;
}

export function databaseSpec(config: Config, refs: { securityGroupId: string; key: PlatformKey; tags: TagMap }): DatabaseSpec {
  const names = infraNames(config);
  return {
    id: names.database,
    engineVersion: config.database.engineVersion,
    instanceClass: config.database.instanceClass,
    allocatedStorage: config.database.storageGiB,
    multiAz: config.database.multiAz,
    backupRetentionPeriod: config.database.backupRetentionDays,
    deletionProtection: config.database.deletionProtection,
    securityGroupIds: [refs.securityGroupId],
    subnetGroupName: names.databaseSubnetGroup,
    parameterGroupName: names.databaseParameterGroup,
    parameterGroupFamily: parameterGroupFamily(config.database.engineVersion),
    key: refs.key,
    tags: refs.tags,
  };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function versionDrift(actual: string, wanted: string): string | undefined {
  const [have, want] = [majorVersion(actual), majorVersion(wanted)];
  if (have > want) return `engine version ${actual} is newer than database.engineVersion ${wanted}: RDS cannot downgrade a major version`;
  if (have < want) {
    return `engine version ${actual} is older than database.engineVersion ${wanted}: btp-aws does not start major version upgrades (they need a ${parameterGroupFamily(wanted)} parameter group and downtime); upgrade deliberately or set database.engineVersion to ${have}`;
  }
  return undefined;
}

/** What differs between the instance and the spec; pending modifications count as done. */
export function planInstance(instance: DbInstanceInfo, spec: DatabaseSpec): InstancePlan {
  const changes: DbInstanceChanges = {};
  const repairs: string[] = [];
  const drift: string[] = [];
  const effective = {
    instanceClass: instance.pending.instanceClass ?? instance.instanceClass,
    allocatedStorage: instance.pending.allocatedStorage ?? instance.allocatedStorage,
    storageType: instance.pending.storageType ?? instance.storageType,
    multiAz: instance.pending.multiAz ?? instance.multiAz,
    backupRetentionPeriod: instance.pending.backupRetentionPeriod ?? instance.backupRetentionPeriod,
    engineVersion: instance.pending.engineVersion ?? instance.engineVersion,
  };

  if (instance.engine !== "postgres") drift.push(`engine is ${instance.engine}, not postgres`);
  if (!instance.storageEncrypted) drift.push("storage is not encrypted: RDS cannot encrypt an existing instance (restore an encrypted snapshot copy instead)");
  else if (!isPlatformKey(instance.kmsKeyId, spec.key)) drift.push(`storage is encrypted with ${instance.kmsKeyId ?? "the AWS managed key"}, not the platform key ${spec.key.alias}: RDS cannot change an instance's key`);
  const versionProblem = versionDrift(effective.engineVersion, spec.engineVersion);
  if (versionProblem !== undefined) drift.push(versionProblem);
  else if (compareVersions(effective.engineVersion, spec.engineVersion) < 0) {
    changes.engineVersion = spec.engineVersion;
    repairs.push(`engine version ${effective.engineVersion} → ${spec.engineVersion}`);
  }
  if (instance.subnetGroupName !== spec.subnetGroupName) drift.push(`subnet group is ${instance.subnetGroupName ?? "none"}, not ${spec.subnetGroupName}`);
  if (effective.allocatedStorage > spec.allocatedStorage) {
    drift.push(`allocated storage is ${effective.allocatedStorage} GiB, more than database.storageGiB ${spec.allocatedStorage}: RDS cannot shrink storage`);
  } else if (effective.allocatedStorage < spec.allocatedStorage) {
    changes.allocatedStorage = spec.allocatedStorage;
    repairs.push(`storage ${effective.allocatedStorage} → ${spec.allocatedStorage} GiB`);
  }

  if (effective.instanceClass !== spec.instanceClass) {
    changes.instanceClass = spec.instanceClass;
    repairs.push(`instance class ${effective.instanceClass} → ${spec.instanceClass}`);
  }
  if (effective.storageType !== STORAGE_TYPE) {
    changes.storageType = STORAGE_TYPE;
    repairs.push(`storage type ${effective.storageType} → ${STORAGE_TYPE}`);
  }
  if (effective.multiAz !== spec.multiAz) {
    changes.multiAz = spec.multiAz;
    repairs.push(`Multi-AZ ${spec.multiAz ? "on" : "off"}`);
  }
  if (effective.backupRetentionPeriod !== spec.backupRetentionPeriod) {
    changes.backupRetentionPeriod = spec.backupRetentionPeriod;
    repairs.push(`backup retention ${effective.backupRetentionPeriod} → ${spec.backupRetentionPeriod} days`);
  }
  if (instance.deletionProtection !== spec.deletionProtection) {
    changes.deletionProtection = spec.deletionProtection;
    repairs.push(`deletion protection ${spec.deletionProtection ? "on" : "off"}`);
  }
  if (!sameSet(instance.securityGroupIds, spec.securityGroupIds)) {
    changes.securityGroupIds = [...spec.securityGroupIds];
    repairs.push(`security groups ${instance.securityGroupIds.join(", ") || "none"} → ${spec.securityGroupIds.join(", ")}`);
  }
  if (instance.publiclyAccessible) {
    changes.publiclyAccessible = false;
    repairs.push("public accessibility off");
  }
  if (!instance.parameterGroupNames.includes(spec.parameterGroupName)) {
    changes.parameterGroupName = spec.parameterGroupName;
    repairs.push(`parameter group ${instance.parameterGroupNames.join(", ") || "none"} → ${spec.parameterGroupName} (applies at the next reboot)`);
  }
  if (!instance.copyTagsToSnapshot) {
    changes.copyTagsToSnapshot = true;
    repairs.push("copy tags to snapshots on");
  }
  if (!instance.autoMinorVersionUpgrade) {
    changes.autoMinorVersionUpgrade = true;
    repairs.push("automatic minor version upgrades on");
  }
  return { changes, repairs, drift };
}
