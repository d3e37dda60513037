import {
  AddTagsToResourceCommand, CreateDBInstanceCommand, CreateDBParameterGroupCommand, CreateDBSubnetGroupCommand, DescribeDBInstancesCommand, DescribeDBParameterGroupsCommand,
  DescribeDBParametersCommand, DescribeDBSubnetGroupsCommand, DescribeEventsCommand, ListTagsForResourceCommand, ModifyDBInstanceCommand, ModifyDBParameterGroupCommand, ModifyDBSubnetGroupCommand,
  type DBInstance,
} from "@aws-sdk/client-rds";
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbInstanceInfo } from "../../../../src/aws/rds.js";
import { rdsStep } from "../../../../src/phases/infra/rds.js";
import { databaseSpec, planInstance } from "../../../../src/phases/infra/rds-spec.js";
import { awsTestConfig as testConfig } from "../../../support/aws-modes.js";
import { awsError, fakeServices, KEY_ARN, mocks, rejection, run, SECRET_ARN } from "./data-fakes.js";

const config = testConfig({ tags: { team: "chain" } });
const ID = "btp-btp-test-db";
const TAGS = [{ Key: "team", Value: "chain" }, { Key: "Name", Value: ID }, { Key: "btp-aws:platform", Value: "btp-test" }, { Key: "btp-aws:managed-by", Value: "btp-aws" }];
const PASSWORD = "Pa55word-from-the-platform-secret-xyz12";
const m = mocks();
const services = () => fakeServices(m.clients);

/** An instance exactly as the development config asks for it. */
function instance(overrides: Partial<DBInstance> = {}): DBInstance {
  return {
    DBInstanceIdentifier: ID, DBInstanceArn: `arn:aws:rds:eu-west-1:123456789012:db:${ID}`, DBInstanceStatus: "available", Engine: "postgres", EngineVersion: "16.4",
    DBInstanceClass: "db.t4g.medium", AllocatedStorage: 100, StorageType: "gp3", StorageEncrypted: true, KmsKeyId: KEY_ARN, MultiAZ: false, BackupRetentionPeriod: 7,
    DeletionProtection: false, PubliclyAccessible: false, CopyTagsToSnapshot: true, AutoMinorVersionUpgrade: true,
    VpcSecurityGroups: [{ VpcSecurityGroupId: "sg-db", Status: "active" }], DBSubnetGroup: { DBSubnetGroupName: ID },
    DBParameterGroups: [{ DBParameterGroupName: "btp-btp-test-postgres", ParameterApplyStatus: "in-sync" }],
    Endpoint: { Address: `${ID}.abc.eu-west-1.rds.amazonaws.com`, Port: 5432 }, TagList: TAGS, ...overrides,
  };
}

/** Subnet and parameter groups that exist as configured. */
function groupsExist() {
  m.rds.on(DescribeDBSubnetGroupsCommand).resolves({ DBSubnetGroups: [{ DBSubnetGroupName: ID, DBSubnetGroupArn: "arn:subgrp", Subnets: [{ SubnetIdentifier: "subnet-a" }, { SubnetIdentifier: "subnet-b" }] }] });
  m.rds.on(DescribeDBParameterGroupsCommand).resolves({ DBParameterGroups: [{ DBParameterGroupName: "btp-btp-test-postgres", DBParameterGroupArn: "arn:pg", DBParameterGroupFamily: "postgres16" }] });
  m.rds.on(ListTagsForResourceCommand, { ResourceName: "arn:subgrp" }).resolves({ TagList: TAGS });
  m.rds.on(ListTagsForResourceCommand, { ResourceName: "arn:pg" }).resolves({ TagList: TAGS.map((t) => (t.Key === "Name" ? { Key: "Name", Value: "btp-btp-test-postgres" } : t)) });
  m.rds.on(DescribeDBParametersCommand).resolves({ Parameters: [{ ParameterName: "rds.force_ssl", ParameterValue: "1" }] });
}

const mutating = () => m.rds.calls().map((c) => c.args[0].constructor.name).filter((n) => !/^(Describe|List)/.test(n));

beforeEach(() => {
  m.rds.on(DescribeEventsCommand).resolves({ Events: [] });
});
afterEach(() => {
  m.rds.reset();
  m.sm.reset();
});

describe("infra/rds: creating", () => {
  beforeEach(() => {
    m.rds.on(DescribeDBSubnetGroupsCommand).rejects(awsError("DBSubnetGroupNotFoundFault", "not found"));
    m.rds.on(CreateDBSubnetGroupCommand).resolves({ DBSubnetGroup: { DBSubnetGroupArn: "arn:subgrp", VpcId: "vpc-1" } });
    m.rds.on(DescribeDBParameterGroupsCommand).rejects(awsError("DBParameterGroupNotFound", "not found"));
    m.rds.on(CreateDBParameterGroupCommand).resolves({ DBParameterGroup: { DBParameterGroupArn: "arn:pg" } });
    m.sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: JSON.stringify({ databasePassword: PASSWORD, redisAuthToken: "redis-token-abcdefghijkl" }) });
  });

  it("declares its needs and describes itself", () => {
    expect(rdsStep.needs).toEqual(["infra/vpc", "infra/kms", "infra/security-groups", "infra/secrets"]);
    expect(rdsStep.describe(testConfig({ environment: "production" }))).toEqual([
      "create or adopt RDS PostgreSQL 16 btp-btp-test-db: db.r6g.large, 100 GiB gp3 encrypted with alias/btp-btp-test, Multi-AZ on, 7-day backups, deletion protection on",
      "subnet group btp-btp-test-db on the private subnets; parameter group btp-btp-test-postgres with rds.force_ssl=1",
    ]);
  });

  it("creates the groups and the instance with the password from the secret, then waits until it is available", async () => {
    m.rds.on(DescribeDBInstancesCommand)
      .rejectsOnce(awsError("DBInstanceNotFoundFault", "DBInstance btp-btp-test-db not found."))
      .resolvesOnce({ DBInstances: [instance({ DBInstanceStatus: "creating", Endpoint: undefined })] })
      .resolvesOnce({ DBInstances: [instance({ DBInstanceStatus: "backing-up" })] })
      .resolves({ DBInstances: [instance()] });
    const s = services();
    const { outputs, report } = await run(rdsStep, config, s);

    expect(m.rds.commandCalls(CreateDBSubnetGroupCommand)[0]!.args[0].input).toEqual({
      DBSubnetGroupName: ID, DBSubnetGroupDescription: "btp-aws platform btp-test: private subnets", SubnetIds: ["subnet-a", "subnet-b"], Tags: TAGS,
    });
    expect(m.rds.commandCalls(CreateDBParameterGroupCommand)[0]!.args[0].input).toMatchObject({ DBParameterGroupName: "btp-btp-test-postgres", DBParameterGroupFamily: "postgres16" });
    expect(m.rds.commandCalls(ModifyDBParameterGroupCommand)[0]!.args[0].input).toEqual({
      DBParameterGroupName: "btp-btp-test-postgres", Parameters: [{ ParameterName: "rds.force_ssl", ParameterValue: "1", ApplyMethod: "pending-reboot" }],
    });
    expect(m.rds.commandCalls(CreateDBInstanceCommand)[0]!.args[0].input).toEqual({
      DBInstanceIdentifier: ID, Engine: "postgres", EngineVersion: "16", DBInstanceClass: "db.t4g.medium", AllocatedStorage: 100, StorageType: "gp3",
      StorageEncrypted: true, KmsKeyId: KEY_ARN, MultiAZ: false, BackupRetentionPeriod: 7, DeletionProtection: false, PubliclyAccessible: false,
      VpcSecurityGroupIds: ["sg-db"], DBSubnetGroupName: ID, DBParameterGroupName: "btp-btp-test-postgres", MasterUsername: "btp_admin", MasterUserPassword: PASSWORD,
      CopyTagsToSnapshot: true, AutoMinorVersionUpgrade: true, Tags: [{ Key: "team", Value: "chain" }, { Key: "Name", Value: ID }, { Key: "btp-aws:platform", Value: "btp-test" }, { Key: "btp-aws:managed-by", Value: "btp-aws" }],
    });
    expect(outputs).toEqual({ dbInstanceId: ID, dbArn: `arn:aws:rds:eu-west-1:123456789012:db:${ID}`, dbEndpoint: `${ID}.abc.eu-west-1.rds.amazonaws.com`, dbPort: 5432 });
    expect(report.statuses).toEqual([`looking for ${ID}`, `creating ${ID}`, "creating, 0s", "backing-up, 30s"]);
    expect(report.infos).toEqual([`created RDS instance ${ID} (PostgreSQL 16.4, db.t4g.medium, 100 GiB, Multi-AZ off)`]);
    expect(s.registered).toContain(PASSWORD);
    expect(JSON.stringify({ outputs, report })).not.toContain(PASSWORD);
  });

  it("names database.instanceClass when RDS rejects the class, and never shows the password", async () => {
    m.rds.on(DescribeDBInstancesCommand).rejects(awsError("DBInstanceNotFoundFault", "not found"));
    m.rds.on(CreateDBInstanceCommand).rejects(awsError("InvalidParameterCombination", `RDS does not support creating a DB instance with the following combination: DBInstanceClass=db.x9.large, Engine=postgres, EngineVersion=16, MasterUserPassword=${PASSWORD}.`));
    const error = await rejection(run(rdsStep, testConfig({ database: { instanceClass: "db.x9.large" } }), services()));
    expect(error.message).toBe("database.instanceClass: RDS rejected db.x9.large: InvalidParameterCombination: RDS does not support creating a DB instance with the following combination: DBInstanceClass=db.x9.large, Engine=postgres, EngineVersion=16, MasterUserPassword=[redacted].");
    expect(error.hint).toBe("change database.instanceClass in the config to a value RDS offers in eu-west-1, then run again");
  });

  it("names database.engineVersion when RDS does not know the version", async () => {
    m.rds.on(DescribeDBInstancesCommand).rejects(awsError("DBInstanceNotFoundFault", "not found"));
    m.rds.on(CreateDBInstanceCommand).rejects(awsError("InvalidParameterCombination", "Cannot find version 16.99 for postgres"));
    const error = await rejection(run(rdsStep, testConfig({ database: { engineVersion: "16.99" } }), services()));
    expect(error.message).toBe("database.engineVersion: RDS rejected 16.99: InvalidParameterCombination: Cannot find version 16.99 for postgres");
  });

  it("names the quota when the account has no DB instances left", async () => {
    m.rds.on(DescribeDBInstancesCommand).rejects(awsError("DBInstanceNotFoundFault", "not found"));
    m.rds.on(CreateDBInstanceCommand).rejects(awsError("InstanceQuotaExceeded", "DB Instance quota exceeded"));
    const error = await rejection(run(rdsStep, config, services()));
    expect(error.message).toBe(`create RDS instance ${ID} (rds:CreateDBInstance): InstanceQuotaExceeded: the account reached its limit of DB instances (service quotas: rds L-7B6409FD): DB Instance quota exceeded`);
  });

  it("names the action when access is denied", async () => {
    m.rds.on(DescribeDBInstancesCommand).rejects(awsError("DBInstanceNotFoundFault", "not found"));
    m.rds.on(CreateDBInstanceCommand).rejects(awsError("AccessDenied", "not authorized to perform: rds:CreateDBInstance"));
    const error = await rejection(run(rdsStep, config, services()));
    expect(error.message).toBe(`not allowed to create RDS instance ${ID} (rds:CreateDBInstance): AccessDenied: not authorized to perform: rds:CreateDBInstance`);
  });

  it("shows the RDS events when the new instance fails", async () => {
    m.rds.on(DescribeDBInstancesCommand)
      .rejectsOnce(awsError("DBInstanceNotFoundFault", "not found"))
      .resolves({ DBInstances: [instance({ DBInstanceStatus: "incompatible-network" })] });
    m.rds.on(DescribeEventsCommand).resolves({ Events: [{ Message: "DB instance created" }, { Message: "The subnet has no free IP addresses" }] });
    const error = await rejection(run(rdsStep, config, services()));
    expect(error.message).toBe(`RDS instance ${ID} to become available: it is incompatible-network: DB instance created; The subnet has no free IP addresses`);
  });

  it("gives up after an hour of waiting, saying what it saw", async () => {
    m.rds.on(DescribeDBInstancesCommand).rejectsOnce(awsError("DBInstanceNotFoundFault", "not found")).resolves({ DBInstances: [instance({ DBInstanceStatus: "creating" })] });
    const s = services();
    const error = await rejection(run(rdsStep, config, s));
    expect(error.message).toBe(`timed out waiting for RDS instance ${ID} to become available: still creating after 60m00s`);
    expect(s.slept()).toBe(60 * 60_000);
  });

  it("stops when the platform secret lacks the password", async () => {
    m.rds.on(DescribeDBInstancesCommand).rejects(awsError("DBInstanceNotFoundFault", "not found"));
    m.sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ redisAuthToken: "redis-token-abcdefghijkl" }) });
    const error = await rejection(run(rdsStep, config, services()));
    expect(error.message).toBe(`secret ${SECRET_ARN} has no databasePassword`);
    expect(m.rds.commandCalls(CreateDBInstanceCommand)).toEqual([]);
  });
});

describe("infra/rds: an existing instance", () => {
  beforeEach(groupsExist);

  it("is adopted with read calls only, without reading the password", async () => {
    m.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [instance()] });
    const { outputs, report } = await run(rdsStep, config, services());
    expect(mutating()).toEqual([]);
    expect(m.sm.calls()).toEqual([]);
    expect(report.skipped).toEqual([`RDS instance ${ID} exists as configured (db.t4g.medium, available)`]);
    expect(outputs).toMatchObject({ dbInstanceId: ID, dbPort: 5432 });
  });

  it("repairs what ModifyDBInstance can change, in one call applied immediately", async () => {
    m.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [instance({ DBInstanceClass: "db.t4g.small", AllocatedStorage: 50, StorageType: "gp2", MultiAZ: true, BackupRetentionPeriod: 1, DeletionProtection: true, VpcSecurityGroups: [{ VpcSecurityGroupId: "sg-default" }], PubliclyAccessible: true })] });
    const { report } = await run(rdsStep, config, services());
    expect(m.rds.commandCalls(ModifyDBInstanceCommand)[0]!.args[0].input).toEqual({
      DBInstanceIdentifier: ID, ApplyImmediately: true, DBInstanceClass: "db.t4g.medium", AllocatedStorage: 100, StorageType: "gp3", MultiAZ: false,
      BackupRetentionPeriod: 7, DeletionProtection: false, VpcSecurityGroupIds: ["sg-db"], PubliclyAccessible: false,
    });
    expect(report.infos).toEqual([
      `RDS instance ${ID}: storage 50 → 100 GiB; instance class db.t4g.small → db.t4g.medium; storage type gp2 → gp3; Multi-AZ off; backup retention 1 → 7 days; deletion protection off; security groups sg-default → sg-db; public accessibility off`,
    ]);
  });

  it("counts modifications already pending as done", async () => {
    m.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [instance({ DBInstanceClass: "db.t4g.small", PendingModifiedValues: { DBInstanceClass: "db.t4g.medium" } })] });
    await run(rdsStep, config, services());
    expect(mutating()).toEqual([]);
  });

  it("waits for a busy instance before comparing", async () => {
    const modifying = { DBInstances: [instance({ DBInstanceStatus: "modifying" })] };
    m.rds.on(DescribeDBInstancesCommand).resolvesOnce(modifying).resolvesOnce(modifying).resolves({ DBInstances: [instance()] });
    const { report } = await run(rdsStep, config, services());
    expect(report.statuses).toEqual([`looking for ${ID}`, "modifying, 0s"]);
    expect(report.skipped).toHaveLength(1);
  });

  it("sets rds.force_ssl back to 1 and adds missing tags", async () => {
    m.rds.on(DescribeDBParametersCommand).resolves({ Parameters: [{ ParameterName: "rds.force_ssl", ParameterValue: "0" }] });
    m.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [instance({ TagList: [{ Key: "btp-aws:platform", Value: "btp-test" }] })] });
    const { report } = await run(rdsStep, config, services());
    expect(m.rds.commandCalls(ModifyDBParameterGroupCommand)).toHaveLength(1);
    expect(m.rds.commandCalls(AddTagsToResourceCommand)[0]!.args[0].input).toEqual({ ResourceName: `arn:aws:rds:eu-west-1:123456789012:db:${ID}`, Tags: [{ Key: "team", Value: "chain" }, { Key: "Name", Value: ID }, { Key: "btp-aws:managed-by", Value: "btp-aws" }] });
    expect(report.infos).toEqual([`RDS instance ${ID}: DB parameter group btp-btp-test-postgres: set rds.force_ssl=1; added tags team, Name, btp-aws:managed-by`]);
  });

  it("moves the subnet group to the private subnets the VPC step reports", async () => {
    m.rds.on(DescribeDBSubnetGroupsCommand).resolves({ DBSubnetGroups: [{ DBSubnetGroupName: ID, DBSubnetGroupArn: "arn:subgrp", Subnets: [{ SubnetIdentifier: "subnet-old" }] }] });
    m.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [instance()] });
    const { report } = await run(rdsStep, config, services());
    expect(m.rds.commandCalls(ModifyDBSubnetGroupCommand)[0]!.args[0].input).toEqual({ DBSubnetGroupName: ID, DBSubnetGroupDescription: "btp-aws platform btp-test: private subnets", SubnetIds: ["subnet-a", "subnet-b"] });
    expect(report.infos).toEqual([`RDS instance ${ID}: DB subnet group ${ID}: subnets subnet-old → subnet-a, subnet-b`]);
  });

  it.each([
    [{ AllocatedStorage: 200 }, "allocated storage is 200 GiB, more than database.storageGiB 100: RDS cannot shrink storage"],
    [{ StorageEncrypted: false, KmsKeyId: undefined }, "storage is not encrypted: RDS cannot encrypt an existing instance (restore an encrypted snapshot copy instead)"],
    [{ KmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/other" }, "storage is encrypted with arn:aws:kms:eu-west-1:123456789012:key/other, not the platform key alias/btp-btp-test: RDS cannot change an instance's key"],
    [{ EngineVersion: "17.2" }, "engine version 17.2 is newer than database.engineVersion 16: RDS cannot downgrade a major version"],
    [{ EngineVersion: "15.8" }, "engine version 15.8 is older than database.engineVersion 16: btp-aws does not start major version upgrades (they need a postgres16 parameter group and downtime); upgrade deliberately or set database.engineVersion to 15"],
  ] as const)("reports drift %j before changing anything", async (overrides, drift) => {
    m.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [instance(overrides)] });
    const error = await rejection(run(rdsStep, config, services()));
    expect(error.message).toBe(`RDS instance ${ID} differs from the config in ways RDS cannot change in place: ${drift}`);
    expect(mutating()).toEqual([]);
  });

  it("refuses an instance that is not the platform's", async () => {
    m.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [instance({ TagList: [] })] });
    const error = await rejection(run(rdsStep, config, services()));
    expect(error.message).toBe(`RDS instance ${ID} exists but is not managed by btp-aws for platform btp-test (no btp-aws:platform=btp-test tag)`);
  });

  it("refuses a subnet group that is not the platform's", async () => {
    m.rds.on(DescribeDBInstancesCommand).rejects(awsError("DBInstanceNotFoundFault", "not found"));
    m.rds.on(ListTagsForResourceCommand, { ResourceName: "arn:subgrp" }).resolves({ TagList: [] });
    const error = await rejection(run(rdsStep, config, services()));
    expect(error.message).toBe(`DB subnet group ${ID} exists but is not managed by btp-aws for platform btp-test (no btp-aws:platform=btp-test tag)`);
  });

  it("refuses a parameter group of another PostgreSQL major version", async () => {
    m.rds.on(DescribeDBInstancesCommand).rejects(awsError("DBInstanceNotFoundFault", "not found"));
    const error = await rejection(run(rdsStep, testConfig({ database: { engineVersion: "17" } }), services()));
    expect(error.message).toBe("DB parameter group btp-btp-test-postgres is for postgres16, but database.engineVersion needs postgres17: a parameter group's family cannot change");
  });

  it("tells how to start a stopped instance", async () => {
    m.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [instance({ DBInstanceStatus: "stopped" })] });
    const error = await rejection(run(rdsStep, config, services()));
    expect(error.message).toBe(`RDS instance ${ID} is stopped`);
    expect(error.hint).toBe(`start it (aws rds start-db-instance --db-instance-identifier ${ID} --region eu-west-1), then run again`);
  });

  it("names database.instanceClass when a class change is rejected", async () => {
    m.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [instance()] });
    m.rds.on(ModifyDBInstanceCommand).rejects(awsError("InsufficientDBInstanceCapacity", "Cannot modify: not enough capacity for db.r6g.4xlarge in eu-west-1a"));
    const error = await rejection(run(rdsStep, testConfig({ database: { instanceClass: "db.r6g.4xlarge" } }), services()));
    expect(error.message).toBe("database.instanceClass: RDS rejected db.r6g.4xlarge: InsufficientDBInstanceCapacity: Cannot modify: not enough capacity for db.r6g.4xlarge in eu-west-1a");
  });
});

describe("planInstance", () => {
  const refs = { securityGroupId: "sg-db", key: { keyId: "1111-2222", keyArn: KEY_ARN, alias: "alias/btp-btp-test" }, tags: {} };
  const info = (overrides: Partial<DbInstanceInfo> = {}): DbInstanceInfo => ({
    id: ID, arn: "arn", status: "available", engine: "postgres", engineVersion: "16.4", instanceClass: "db.t4g.medium", allocatedStorage: 100, storageType: "gp3",
    storageEncrypted: true, kmsKeyId: KEY_ARN, multiAz: false, backupRetentionPeriod: 7, deletionProtection: false, publiclyAccessible: false, copyTagsToSnapshot: true,
    autoMinorVersionUpgrade: true, securityGroupIds: ["sg-db"], subnetGroupName: ID, parameterGroupNames: ["btp-btp-test-postgres"], endpoint: undefined, pending: {}, tags: {}, ...overrides,
  });

  it("treats a major-only config version as any minor of it", () => {
    expect(planInstance(info({ engineVersion: "16.6" }), databaseSpec(config, refs))).toEqual({ changes: {}, repairs: [], drift: [] });
  });

  it("upgrades an older minor version in place when the config names a minor", () => {
    const plan = planInstance(info({ engineVersion: "16.2" }), databaseSpec(testConfig({ database: { engineVersion: "16.4" } }), refs));
    expect(plan).toEqual({ changes: { engineVersion: "16.4" }, repairs: ["engine version 16.2 → 16.4"], drift: [] });
  });

  it("attaches the platform parameter group and turns tag copying and minor upgrades back on", () => {
    const plan = planInstance(info({ parameterGroupNames: ["default.postgres16"], copyTagsToSnapshot: false, autoMinorVersionUpgrade: false }), databaseSpec(config, refs));
    expect(plan.changes).toEqual({ parameterGroupName: "btp-btp-test-postgres", copyTagsToSnapshot: true, autoMinorVersionUpgrade: true });
    expect(plan.repairs).toEqual(["parameter group default.postgres16 → btp-btp-test-postgres (applies at the next reboot)", "copy tags to snapshots on", "automatic minor version upgrades on"]);
  });

  it("calls another subnet group drift", () => {
    expect(planInstance(info({ subnetGroupName: "default" }), databaseSpec(config, refs)).drift).toEqual([`subnet group is default, not ${ID}`]);
  });
});
