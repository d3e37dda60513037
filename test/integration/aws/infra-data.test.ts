/**
 * infra/secrets, infra/rds and infra/elasticache against moto: each resource created once with
 * the configured encryption and sizes, adopted on a re-run with zero mutating calls, repaired in
 * place when changed out of band, and drift reported. The generated passwords never leave
 * Secrets Manager: not in outputs, reports or error messages.
 *
 * The VPC, subnets and security groups are created here with the SDK (their steps belong to
 * another part of the tree); the KMS key comes from the real infra/kms step.
 *
 * moto is reset once per file: a reset after EC2 has been used costs ~7 s, and EC2's first use
 * as much again. Each test works on a platform of its own, so the tests stay independent.
 */
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand } from "@aws-sdk/client-ec2";
import { CreateReplicationGroupCommand, DescribeReplicationGroupsCommand, ListTagsForResourceCommand as ListCacheTagsCommand, ModifyReplicationGroupCommand } from "@aws-sdk/client-elasticache";
import { CreateKeyCommand } from "@aws-sdk/client-kms";
import { DescribeDBInstancesCommand, DescribeDBParameterGroupsCommand, DescribeDBParametersCommand, DescribeDBSubnetGroupsCommand, ModifyDBInstanceCommand, ModifyDBParameterGroupCommand } from "@aws-sdk/client-rds";
import { CreateSecretCommand, DeleteSecretCommand, DescribeSecretCommand, GetSecretValueCommand, UpdateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { afterEach, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import type { Config, ConfigInput } from "../../../src/config/schema.js";
import { BtpAwsError } from "../../../src/errors.js";
import { elasticacheStep } from "../../../src/phases/infra/elasticache.js";
import { kmsStep } from "../../../src/phases/infra/kms.js";
import { infraNames, type InfraNames } from "../../../src/phases/infra/names.js";
import { rdsStep } from "../../../src/phases/infra/rds.js";
import { secretsStep } from "../../../src/phases/infra/secrets.js";
import type { StepOutputs } from "../../../src/plan/types.js";
import { motoClients, type TestClients } from "../../support/aws.js";
import { awsTestConfig as testConfig } from "../../support/aws-modes.js";
import { PREPARE_OUTPUTS, infraServices, runStep, type TestInfraServices } from "../../support/infra.js";
import { motoControl } from "../../support/moto.js";
import type { RecordingReporter } from "../../support/reporter.js";

const moto = motoControl(inject("motoEndpoint"));
const DATA_STEPS = [secretsStep, rdsStep, elasticacheStep] as const;

let platforms = 0;
/** A platform of the test's own, so the tests share one moto without meeting each other. */
function platformConfig(overrides: Partial<Omit<ConfigInput, "aws">> = {}): Config {
  platforms += 1;
  return testConfig({ platform: `data-${platforms}`, tags: { team: "chain" }, ...overrides });
}
/** Another config for the same platform (a changed config on the next run). */
function sameConfig(config: Config, overrides: Partial<Omit<ConfigInput, "aws">>): Config {
  return testConfig({ platform: config.platform, environment: config.environment, tags: config.tags, ...overrides });
}
function platformTags(config: Config) {
  return [{ Key: "btp-aws:platform", Value: config.platform }, { Key: "btp-aws:managed-by", Value: "btp-aws" }, { Key: "team", Value: "chain" }];
}

/** Clients for setup and assertions, apart from the step's counted ones. */
let world: TestClients;
let services: TestInfraServices;
let shared: Record<string, StepOutputs>;

/** One VPC with two private subnets and the security groups, shared by every test's platform. */
async function network(): Promise<Record<string, StepOutputs>> {
  const ec2 = await world.ec2();
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  const subnet = async (cidr: string, az: string) => (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: az }))).Subnet!.SubnetId!;
  const privateSubnetIds = [await subnet("10.0.128.0/20", "eu-west-1a"), await subnet("10.0.144.0/20", "eu-west-1b")];
  const group = async (name: string) => (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: name, Description: name }))).GroupId!;
  return {
    "infra/vpc": { vpcId, vpcCidr: "10.0.0.0/16", availabilityZones: ["eu-west-1a", "eu-west-1b"], publicSubnetIds: [], privateSubnetIds, internetGatewayId: "igw-none", natGatewayIds: [] },
    "infra/security-groups": { nodeSecurityGroupId: await group("nodes"), albSecurityGroupId: await group("alb"), databaseSecurityGroupId: await group("db"), cacheSecurityGroupId: await group("cache") },
  };
}

/** The outputs the data steps need: network from the SDK, the key from the real infra/kms step. */
async function prerequisites(config: Config): Promise<Record<string, StepOutputs>> {
  const kms = await runStep(kmsStep, config, services, PREPARE_OUTPUTS);
  const outputs = { ...PREPARE_OUTPUTS, ...shared, "infra/kms": kms.outputs };
  services.aws.counter.reset();
  return outputs;
}

interface DataRun {
  outputs: Record<string, StepOutputs>;
  reports: Record<string, RecordingReporter>;
}

/** Runs secrets, rds and elasticache in order, as the runner would after their needs. */
async function install(config: Config, given: Record<string, StepOutputs>, previous?: DataRun): Promise<DataRun> {
  const outputs = { ...given };
  const reports: Record<string, RecordingReporter> = {};
  for (const step of DATA_STEPS) {
    const result = await runStep(step, config, services, outputs, previous?.outputs[step.id]);
    outputs[step.id] = result.outputs;
    reports[step.id] = result.report;
  }
  return { outputs, reports };
}

async function secretValue(arn: unknown): Promise<Record<string, string>> {
  const sm = await world.secretsManager();
  return JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: String(arn) }))).SecretString!) as Record<string, string>;
}

async function dbInstance(id: string) {
  const rds = await world.rds();
  return (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances![0]!;
}

async function cacheGroup(id: string) {
  const ec = await world.elasticache();
  return (await ec.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }))).ReplicationGroups![0]!;
}

async function failure(promise: Promise<unknown>): Promise<BtpAwsError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BtpAwsError);
  return error as BtpAwsError;
}

/** Everything a user or a log could see. */
function visibleText(run: DataRun, errors: readonly BtpAwsError[] = []): string {
  const lines = Object.values(run.reports).flatMap((r) => [...r.statuses, ...r.infos, ...r.warnings, ...r.skipped]);
  return [JSON.stringify(run.outputs), ...lines, ...errors.flatMap((e) => [e.message, e.hint ?? ""])].join("\n");
}

describe("infra/secrets, infra/rds, infra/elasticache against moto", () => {
  beforeAll(async () => {
    await moto.reset();
    world = motoClients(moto.endpoint);
    shared = await network();
    return () => world.destroy();
  });
  beforeEach(() => {
    services = infraServices(moto.endpoint);
  });
  afterEach(() => services.aws.destroy());

  it("creates the secret, database and cache once, as the development config asks", async () => {
    const config = platformConfig();
    const n: InfraNames = infraNames(config);
    const given = await prerequisites(config);
    const keyArn = String(given["infra/kms"]!.keyArn);
    const run = await install(config, given);

    // Secrets Manager: one secret, encrypted with the platform key, every generated credential in it.
    const sm = await world.secretsManager();
    const secret = await sm.send(new DescribeSecretCommand({ SecretId: n.secret }));
    expect(run.outputs["infra/secrets"]).toEqual({ secretArn: secret.ARN, secretName: n.secret, keys: ["databasePassword", "ipfsClusterSecret", "jwtSigningKey", "redisAuthToken", "stateEncryptionKey"] });
    expect(secret.KmsKeyId).toBe(keyArn);
    expect(secret.Tags).toEqual(expect.arrayContaining([...platformTags(config), { Key: "Name", Value: n.secret }]));
    const credentials = await secretValue(secret.ARN);
    expect(Object.keys(credentials).sort()).toEqual(["databasePassword", "ipfsClusterSecret", "jwtSigningKey", "redisAuthToken", "stateEncryptionKey"]);

    // RDS: sizes and switches from the development defaults, encrypted with the platform key.
    const db = await dbInstance(n.database);
    expect(db).toMatchObject({
      Engine: "postgres", EngineVersion: "16", DBInstanceClass: "db.t4g.medium", AllocatedStorage: 100, StorageType: "gp3",
      StorageEncrypted: true, KmsKeyId: keyArn, MultiAZ: false, BackupRetentionPeriod: 7, DeletionProtection: false, PubliclyAccessible: false,
      MasterUsername: "btp_admin", CopyTagsToSnapshot: true, AutoMinorVersionUpgrade: true,
      VpcSecurityGroups: [{ VpcSecurityGroupId: given["infra/security-groups"]!.databaseSecurityGroupId, Status: "active" }],
      DBParameterGroups: [expect.objectContaining({ DBParameterGroupName: n.databaseParameterGroup })],
    });
    expect(db.DBSubnetGroup?.DBSubnetGroupName).toBe(n.databaseSubnetGroup);
    expect(db.TagList).toEqual(expect.arrayContaining(platformTags(config)));
    const rds = await world.rds();
    const subnets = (await rds.send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: n.databaseSubnetGroup }))).DBSubnetGroups![0]!.Subnets!.map((s) => s.SubnetIdentifier);
    expect(subnets.sort()).toEqual([...(given["infra/vpc"]!.privateSubnetIds as string[])].sort());
    const group = (await rds.send(new DescribeDBParameterGroupsCommand({ DBParameterGroupName: n.databaseParameterGroup }))).DBParameterGroups![0]!;
    expect(group.DBParameterGroupFamily).toBe("postgres16");
    const parameters = (await rds.send(new DescribeDBParametersCommand({ DBParameterGroupName: n.databaseParameterGroup }))).Parameters!;
    expect(parameters.find((p) => p.ParameterName === "rds.force_ssl")?.ParameterValue).toBe("1");
    expect(run.outputs["infra/rds"]).toEqual({ dbInstanceId: n.database, dbArn: db.DBInstanceArn, dbEndpoint: db.Endpoint!.Address, dbPort: 5432 });

    // ElastiCache: TLS, AUTH token, encryption at rest with the platform key, no failover in development.
    const cache = await cacheGroup(n.cache);
    expect(cache).toMatchObject({
      Status: "available", Engine: "redis", CacheNodeType: "cache.t4g.medium", TransitEncryptionEnabled: true, AuthTokenEnabled: true,
      AtRestEncryptionEnabled: true, KmsKeyId: keyArn, AutomaticFailover: "disabled", MultiAZ: "disabled",
    });
    const ec = await world.elasticache();
    expect((await ec.send(new ListCacheTagsCommand({ ResourceName: cache.ARN }))).TagList).toEqual(expect.arrayContaining(platformTags(config)));
    expect(run.outputs["infra/elasticache"]).toEqual({ replicationGroupId: n.cache, redisEndpoint: cache.NodeGroups![0]!.PrimaryEndpoint!.Address, redisPort: 6379 });

    // Exactly once each, and nothing else that changes anything.
    const counts = services.aws.counter.snapshot().byOperation;
    const created = ["ElastiCache.CreateCacheSubnetGroup", "ElastiCache.CreateReplicationGroup", "RDS.CreateDBInstance", "RDS.CreateDBParameterGroup", "RDS.CreateDBSubnetGroup", "RDS.ModifyDBParameterGroup", "SecretsManager.CreateSecret"];
    expect(services.aws.counter.mutatingOperations().sort()).toEqual(created);
    for (const operation of created) expect(counts[operation], operation).toBe(1);
    expect(run.reports["infra/secrets"]!.infos).toEqual([`created secret ${n.secret} (${n.keyAlias}) with 5 generated credentials`]);
    expect(run.reports["infra/rds"]!.infos).toEqual([`created RDS instance ${n.database} (PostgreSQL 16, db.t4g.medium, 100 GiB, Multi-AZ off)`]);
    expect(run.reports["infra/elasticache"]!.infos).toEqual([`created ElastiCache replication group ${n.cache} (redis 7.1, 2 × cache.t4g.medium, failover disabled)`]);

    // The generated passwords are registered for redaction and appear nowhere a user could see.
    expect(services.registeredSecrets).toEqual(expect.arrayContaining([credentials.databasePassword, credentials.redisAuthToken]));
    const text = visibleText(run);
    for (const value of Object.values(credentials)) expect(text).not.toContain(value);
  });

  it("creates a production database and cache: larger classes, Multi-AZ, deletion protection, failover", async () => {
    const config = platformConfig({ environment: "production" });
    const n = infraNames(config);
    const run = await install(config, await prerequisites(config));
    expect(await dbInstance(n.database)).toMatchObject({ DBInstanceClass: "db.r6g.large", MultiAZ: true, DeletionProtection: true, BackupRetentionPeriod: 7, StorageEncrypted: true });
    expect(await cacheGroup(n.cache)).toMatchObject({ CacheNodeType: "cache.r6g.large", AutomaticFailover: "enabled", MultiAZ: "enabled", TransitEncryptionEnabled: true, AtRestEncryptionEnabled: true });
    expect(run.reports["infra/rds"]!.infos).toEqual([`created RDS instance ${n.database} (PostgreSQL 16, db.r6g.large, 100 GiB, Multi-AZ on)`]);
    expect(run.reports["infra/elasticache"]!.infos).toEqual([`created ElastiCache replication group ${n.cache} (redis 7.1, 2 × cache.r6g.large, failover enabled)`]);
  });

  it("adopts everything on a re-run with zero mutating calls and never regenerates the secret", async () => {
    const config = platformConfig({ environment: "production" });
    const n = infraNames(config);
    const given = await prerequisites(config);
    const first = await install(config, given);
    const before = await secretValue(first.outputs["infra/secrets"]!.secretArn);
    services.aws.counter.reset();
    const registered = services.registeredSecrets.length;

    const second = await install(config, given, first);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    expect(second.outputs).toEqual(first.outputs);
    expect(await secretValue(first.outputs["infra/secrets"]!.secretArn)).toEqual(before);
    // Adoption reads no secret value: DescribeSecret only, nothing new to redact.
    expect(services.aws.counter.snapshot().byOperation["SecretsManager.GetSecretValue"]).toBeUndefined();
    expect(services.registeredSecrets.length).toBe(registered);
    expect(second.reports["infra/secrets"]!.skipped).toEqual([`secret ${n.secret} exists, encrypted with ${n.keyAlias}, holding databasePassword, redisAuthToken, jwtSigningKey, stateEncryptionKey, ipfsClusterSecret`]);
    expect(second.reports["infra/rds"]!.skipped).toEqual([`RDS instance ${n.database} exists as configured (db.r6g.large, available)`]);
    expect(second.reports["infra/elasticache"]!.skipped).toEqual([`ElastiCache replication group ${n.cache} exists as configured (cache.r6g.large, failover enabled)`]);
    const text = visibleText(second);
    for (const value of Object.values(before)) expect(text).not.toContain(value);
  });

  it("applies an instance class and node type change in place", async () => {
    const config = platformConfig();
    const n = infraNames(config);
    const given = await prerequisites(config);
    const first = await install(config, given);
    services.aws.counter.reset();

    const bigger = sameConfig(config, { database: { instanceClass: "db.r6g.xlarge" }, cache: { nodeType: "cache.r6g.large" } });
    const second = await install(bigger, given, first);
    expect(services.aws.counter.mutatingOperations().sort()).toEqual(["ElastiCache.ModifyReplicationGroup", "RDS.ModifyDBInstance"]);
    expect((await dbInstance(n.database)).DBInstanceClass).toBe("db.r6g.xlarge");
    expect((await cacheGroup(n.cache)).CacheNodeType).toBe("cache.r6g.large");
    expect(second.outputs).toEqual(first.outputs);
    expect(second.reports["infra/rds"]!.infos).toEqual([`RDS instance ${n.database}: instance class db.t4g.medium → db.r6g.xlarge`]);
    expect(second.reports["infra/elasticache"]!.infos).toEqual([`ElastiCache replication group ${n.cache}: node type cache.t4g.medium → cache.r6g.large`]);
  });

  it("repairs settings changed out of band, without reading or regenerating any credential", async () => {
    const config = platformConfig({ environment: "production" });
    const n = infraNames(config);
    const given = await prerequisites(config);
    const first = await install(config, given);
    const before = await secretValue(first.outputs["infra/secrets"]!.secretArn);
    // Out of band: the secret re-encrypted with another key, backups and deletion protection
    // turned down, TLS no longer forced, the cache's failover switched off.
    const otherKey = (await (await world.kms()).send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    await (await world.secretsManager()).send(new UpdateSecretCommand({ SecretId: String(first.outputs["infra/secrets"]!.secretArn), KmsKeyId: otherKey }));
    const rds = await world.rds();
    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: n.database, BackupRetentionPeriod: 1, DeletionProtection: false, ApplyImmediately: true }));
    await rds.send(new ModifyDBParameterGroupCommand({ DBParameterGroupName: n.databaseParameterGroup, Parameters: [{ ParameterName: "rds.force_ssl", ParameterValue: "0", ApplyMethod: "pending-reboot" }] }));
    await (await world.elasticache()).send(new ModifyReplicationGroupCommand({ ReplicationGroupId: n.cache, AutomaticFailoverEnabled: false, MultiAZEnabled: false, ApplyImmediately: true }));
    services.aws.counter.reset();

    const second = await install(config, given, first);
    expect(second.reports["infra/secrets"]!.infos).toEqual([`secret ${n.secret}: switched encryption from ${otherKey} to ${n.keyAlias}`]);
    expect(second.reports["infra/rds"]!.infos).toEqual([`RDS instance ${n.database}: DB parameter group ${n.databaseParameterGroup}: set rds.force_ssl=1; backup retention 1 → 7 days; deletion protection on`]);
    expect(second.reports["infra/elasticache"]!.infos).toEqual([`ElastiCache replication group ${n.cache}: automatic failover and Multi-AZ on`]);
    expect(await dbInstance(n.database)).toMatchObject({ BackupRetentionPeriod: 7, DeletionProtection: true });
    expect(await cacheGroup(n.cache)).toMatchObject({ AutomaticFailover: "enabled", MultiAZ: "enabled" });
    expect((await (await world.secretsManager()).send(new DescribeSecretCommand({ SecretId: n.secret }))).KmsKeyId).toBe(given["infra/kms"]!.keyArn);
    expect(services.aws.counter.snapshot().byOperation["SecretsManager.GetSecretValue"]).toBeUndefined();
    expect(await secretValue(first.outputs["infra/secrets"]!.secretArn)).toEqual(before);

    services.aws.counter.reset();
    await install(config, given, second);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
  });

  it("reports drift it cannot repair, names it, and leaks no credential in the message", async () => {
    const config = platformConfig();
    const n = infraNames(config);
    const given = await prerequisites(config);
    const first = await install(config, given);
    const credentials = await secretValue(first.outputs["infra/secrets"]!.secretArn);
    services.aws.counter.reset();

    const shrink = await failure(runStep(rdsStep, sameConfig(config, { database: { storageGiB: 50 } }), services, first.outputs));
    expect(shrink.message).toBe(`RDS instance ${n.database} differs from the config in ways RDS cannot change in place: allocated storage is 100 GiB, more than database.storageGiB 50: RDS cannot shrink storage`);
    const downgrade = await failure(runStep(rdsStep, sameConfig(config, { database: { engineVersion: "15" } }), services, first.outputs));
    expect(downgrade.message).toBe(`RDS instance ${n.database} differs from the config in ways RDS cannot change in place: engine version 16 is newer than database.engineVersion 15: RDS cannot downgrade a major version`);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    const text = visibleText(first, [shrink, downgrade]);
    for (const value of Object.values(credentials)) expect(text).not.toContain(value);
  });

  it("refuses a cache without TLS, and a same-named secret or cache that is not the platform's", async () => {
    const config = platformConfig();
    const n = infraNames(config);
    const given = await prerequisites(config);
    const sm = await world.secretsManager();
    await sm.send(new CreateSecretCommand({ Name: n.secret, SecretString: "{}" }));
    const foreignSecret = await failure(runStep(secretsStep, config, services, given));
    expect(foreignSecret.message).toBe(`secret ${n.secret} exists but is not managed by btp-aws for platform ${config.platform} (no btp-aws:platform=${config.platform} tag)`);

    const ec = await world.elasticache();
    await ec.send(new CreateReplicationGroupCommand({
      ReplicationGroupId: n.cache, ReplicationGroupDescription: "plain", CacheNodeType: "cache.t4g.medium", TransitEncryptionEnabled: false,
      AtRestEncryptionEnabled: true, KmsKeyId: String(given["infra/kms"]!.keyArn), Tags: platformTags(config),
    }));
    const outputs = { ...given, "infra/secrets": { secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:unused", secretName: "unused" } };
    services.aws.counter.reset();
    const drift = await failure(runStep(elasticacheStep, config, services, outputs));
    expect(drift.message).toBe(`ElastiCache replication group ${n.cache} differs from the config in ways btp-aws cannot change in place: encryption in transit (TLS) is off: the platform connects with TLS and an AUTH token`);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);

    const other = platformConfig();
    await ec.send(new CreateReplicationGroupCommand({ ReplicationGroupId: infraNames(other).cache, ReplicationGroupDescription: "theirs", TransitEncryptionEnabled: true, AuthToken: "a-token-that-is-long", AtRestEncryptionEnabled: true }));
    const foreignCache = await failure(runStep(elasticacheStep, other, services, outputs));
    expect(foreignCache.message).toBe(`ElastiCache replication group ${infraNames(other).cache} exists but is not managed by btp-aws for platform ${other.platform} (no btp-aws:platform=${other.platform} tag)`);
  });

  it("stops at a secret scheduled for deletion with the command that restores it", async () => {
    const config = platformConfig();
    const n = infraNames(config);
    const given = await prerequisites(config);
    const created = await runStep(secretsStep, config, services, given);
    await (await world.secretsManager()).send(new DeleteSecretCommand({ SecretId: String(created.outputs.secretArn), RecoveryWindowInDays: 7 }));
    const error = await failure(runStep(secretsStep, config, services, given, created.outputs));
    expect(error.message).toMatch(new RegExp(`^secret ${n.secret.replace("/", "\\/")} is scheduled for deletion \\(on \\d{4}-\\d\\d-\\d\\dT.*\\): it holds the platform's credentials$`));
    expect(error.hint).toBe(`restore it (aws secretsmanager restore-secret --secret-id ${n.secret} --region eu-west-1), then run again`);
  });
});
