import {
  AddTagsToResourceCommand, CreateCacheSubnetGroupCommand, CreateReplicationGroupCommand, DescribeCacheSubnetGroupsCommand, DescribeEventsCommand, DescribeReplicationGroupsCommand,
  InvalidParameterValueException, InvalidReplicationGroupStateFault, ListTagsForResourceCommand, ModifyCacheSubnetGroupCommand, ModifyReplicationGroupCommand,
  type ReplicationGroup,
} from "@aws-sdk/client-elasticache";
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { elasticacheStep } from "../../../../src/phases/infra/elasticache.js";
import { awsTestConfig as testConfig } from "../../../support/aws-modes.js";
import { awsError, fakeServices, KEY_ARN, mocks, rejection, run, SECRET_ARN } from "./data-fakes.js";

const config = testConfig({ tags: { team: "chain" } });
const production = testConfig({ environment: "production", tags: { team: "chain" } });
const ID = "btp-btp-test-redis";
const ARN = `arn:aws:elasticache:eu-west-1:123456789012:replicationgroup:${ID}`;
const SUBNET_GROUP_ARN = `arn:aws:elasticache:eu-west-1:123456789012:subnetgroup:${ID}`;
const TAGS = [{ Key: "team", Value: "chain" }, { Key: "Name", Value: ID }, { Key: "btp-aws:platform", Value: "btp-test" }, { Key: "btp-aws:managed-by", Value: "btp-aws" }];
const TOKEN = "Redis-auth-token-from-the-platform-secret-0123456789abcdefghijklmnop";
const m = mocks();
const services = () => fakeServices(m.clients);
const mutating = () => m.ec.calls().map((c) => c.args[0].constructor.name).filter((n) => !/^(Describe|List)/.test(n));

/** A replication group as the development config asks for it. */
function group(overrides: Partial<ReplicationGroup> = {}): ReplicationGroup {
  return {
    ReplicationGroupId: ID, ARN, Status: "available", Engine: "redis", CacheNodeType: "cache.t4g.medium", AutomaticFailover: "disabled", MultiAZ: "disabled",
    TransitEncryptionEnabled: true, AuthTokenEnabled: true, AtRestEncryptionEnabled: true, KmsKeyId: KEY_ARN, MemberClusters: [`${ID}-001`, `${ID}-002`],
    NodeGroups: [{ NodeGroupId: "0001", PrimaryEndpoint: { Address: `master.${ID}.abc.euw1.cache.amazonaws.com`, Port: 6379 } }], ...overrides,
  };
}

function subnetGroupExists(subnets = ["subnet-a", "subnet-b"]) {
  m.ec.on(DescribeCacheSubnetGroupsCommand).resolves({ CacheSubnetGroups: [{ CacheSubnetGroupName: ID, ARN: SUBNET_GROUP_ARN, Subnets: subnets.map((SubnetIdentifier) => ({ SubnetIdentifier })) }] });
  m.ec.on(ListTagsForResourceCommand).resolves({ TagList: TAGS });
}

beforeEach(() => {
  m.ec.on(DescribeEventsCommand).resolves({ Events: [] });
  m.sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: JSON.stringify({ databasePassword: "db-password-0123456789", redisAuthToken: TOKEN }) });
});
afterEach(() => {
  m.ec.reset();
  m.sm.reset();
});

describe("infra/elasticache: creating", () => {
  beforeEach(() => {
    m.ec.on(DescribeCacheSubnetGroupsCommand).rejects(awsError("CacheSubnetGroupNotFoundFault", "not found"));
    m.ec.on(CreateCacheSubnetGroupCommand).resolves({});
  });

  it("declares its needs and describes itself", () => {
    expect(elasticacheStep.needs).toEqual(["infra/vpc", "infra/kms", "infra/security-groups", "infra/secrets"]);
    expect(elasticacheStep.describe(production)).toEqual([
      "create or adopt ElastiCache redis 7.1 replication group btp-btp-test-redis: 2 × cache.r6g.large, TLS and AUTH token, encrypted at rest with alias/btp-btp-test, automatic failover and Multi-AZ on",
      "subnet group btp-btp-test-redis on the private subnets",
    ]);
  });

  it("creates the subnet group and the replication group with the token from the secret, then waits", async () => {
    m.ec.on(DescribeReplicationGroupsCommand)
      .rejectsOnce(awsError("ReplicationGroupNotFoundFault", "not found"))
      .resolvesOnce({ ReplicationGroups: [group({ Status: "creating", NodeGroups: [] })] })
      .resolves({ ReplicationGroups: [group()] });
    const s = services();
    const { outputs, report } = await run(elasticacheStep, config, s);

    expect(m.ec.commandCalls(CreateCacheSubnetGroupCommand)[0]!.args[0].input).toEqual({
      CacheSubnetGroupName: ID, CacheSubnetGroupDescription: "btp-aws platform btp-test: private subnets", SubnetIds: ["subnet-a", "subnet-b"], Tags: TAGS,
    });
    expect(m.ec.commandCalls(CreateReplicationGroupCommand)[0]!.args[0].input).toEqual({
      ReplicationGroupId: ID, ReplicationGroupDescription: "btp-aws platform btp-test", Engine: "redis", EngineVersion: "7.1", CacheNodeType: "cache.t4g.medium",
      NumCacheClusters: 2, TransitEncryptionEnabled: true, AuthToken: TOKEN, AtRestEncryptionEnabled: true, KmsKeyId: KEY_ARN, AutomaticFailoverEnabled: false,
      MultiAZEnabled: false, SecurityGroupIds: ["sg-cache"], CacheSubnetGroupName: ID, Tags: TAGS,
    });
    expect(outputs).toEqual({ replicationGroupId: ID, redisEndpoint: `master.${ID}.abc.euw1.cache.amazonaws.com`, redisPort: 6379 });
    expect(report.statuses).toEqual([`looking for ${ID}`, `creating ${ID}`, "creating, 0s"]);
    expect(report.infos).toEqual([`created ElastiCache replication group ${ID} (redis 7.1, 2 × cache.t4g.medium, failover disabled)`]);
    expect(s.registered).toContain(TOKEN);
    expect(JSON.stringify({ outputs, report })).not.toContain(TOKEN);
  });

  it("turns on automatic failover and Multi-AZ in production", async () => {
    m.ec.on(DescribeReplicationGroupsCommand).rejectsOnce(awsError("ReplicationGroupNotFoundFault", "not found")).resolves({ ReplicationGroups: [group({ AutomaticFailover: "enabled", MultiAZ: "enabled" })] });
    await run(elasticacheStep, production, services());
    expect(m.ec.commandCalls(CreateReplicationGroupCommand)[0]!.args[0].input).toMatchObject({ CacheNodeType: "cache.r6g.large", AutomaticFailoverEnabled: true, MultiAZEnabled: true, NumCacheClusters: 2 });
  });

  it("creates a Valkey group when cache.engine says so", async () => {
    m.ec.on(DescribeReplicationGroupsCommand).rejectsOnce(awsError("ReplicationGroupNotFoundFault", "not found")).resolves({ ReplicationGroups: [group({ Engine: "valkey" })] });
    await run(elasticacheStep, testConfig({ cache: { engine: "valkey", engineVersion: "8.0", replicas: 2 } }), services());
    expect(m.ec.commandCalls(CreateReplicationGroupCommand)[0]!.args[0].input).toMatchObject({ Engine: "valkey", EngineVersion: "8.0", NumCacheClusters: 3 });
  });

  it("names cache.nodeType when ElastiCache rejects it, and never shows the token", async () => {
    m.ec.on(DescribeReplicationGroupsCommand).rejects(awsError("ReplicationGroupNotFoundFault", "not found"));
    m.ec.on(CreateReplicationGroupCommand).rejects(new InvalidParameterValueException({ message: `Invalid node type: cache.x9.huge (AuthToken ${TOKEN})`, $metadata: {} }));
    const error = await rejection(run(elasticacheStep, testConfig({ cache: { nodeType: "cache.x9.huge" } }), services()));
    expect(error.message).toBe("cache.nodeType: ElastiCache rejected cache.x9.huge: InvalidParameterValueException: Invalid node type: cache.x9.huge (AuthToken [redacted])");
  });

  it("names cache.engineVersion when the version does not exist", async () => {
    m.ec.on(DescribeReplicationGroupsCommand).rejects(awsError("ReplicationGroupNotFoundFault", "not found"));
    m.ec.on(CreateReplicationGroupCommand).rejects(new InvalidParameterValueException({ message: "Cannot find version 7.1 for valkey", $metadata: {} }));
    const error = await rejection(run(elasticacheStep, testConfig({ cache: { engine: "valkey" } }), services()));
    expect(error.message).toBe("cache.engineVersion: ElastiCache rejected valkey 7.1: InvalidParameterValueException: Cannot find version 7.1 for valkey");
  });

  it("names the quota when the account has no nodes left", async () => {
    m.ec.on(DescribeReplicationGroupsCommand).rejects(awsError("ReplicationGroupNotFoundFault", "not found"));
    m.ec.on(CreateReplicationGroupCommand).rejects(awsError("NodeQuotaForCustomerExceededFault", "Quota exceeded for nodes"));
    const error = await rejection(run(elasticacheStep, config, services()));
    expect(error.message).toBe(`create ElastiCache replication group ${ID} (elasticache:CreateReplicationGroup): NodeQuotaForCustomerExceededFault: the account reached its limit of ElastiCache nodes per Region (service quotas: elasticache, Nodes per Region): Quota exceeded for nodes`);
  });

  it("names the action when access is denied", async () => {
    m.ec.on(DescribeReplicationGroupsCommand).rejects(awsError("AccessDenied", "not authorized to perform: elasticache:DescribeReplicationGroups"));
    const error = await rejection(run(elasticacheStep, config, services()));
    expect(error.message).toBe(`not allowed to look up ElastiCache replication group ${ID} (elasticache:DescribeReplicationGroups, elasticache:ListTagsForResource): AccessDenied: not authorized to perform: elasticache:DescribeReplicationGroups`);
  });

  it("refuses Multi-AZ without a replica before calling AWS", async () => {
    const error = await rejection(run(elasticacheStep, testConfig({ cache: { replicas: 0, multiAz: true } }), services()));
    expect(error.message).toBe("cache.multiAz needs at least one replica (cache.replicas ≥ 1): automatic failover promotes a replica");
    expect(m.ec.calls()).toEqual([]);
  });

  it("shows ElastiCache's events when creation fails", async () => {
    m.ec.on(DescribeReplicationGroupsCommand).rejectsOnce(awsError("ReplicationGroupNotFoundFault", "not found")).resolves({ ReplicationGroups: [group({ Status: "create-failed" })] });
    m.ec.on(DescribeEventsCommand).resolves({ Events: [{ Message: "Failed to create cache cluster: insufficient capacity" }] });
    const error = await rejection(run(elasticacheStep, config, services()));
    expect(error.message).toBe(`ElastiCache replication group ${ID} to become available: it is create-failed: Failed to create cache cluster: insufficient capacity`);
  });
});

describe("infra/elasticache: an existing replication group", () => {
  beforeEach(() => subnetGroupExists());

  it("is adopted with read calls only, without reading the token", async () => {
    m.ec.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [group()] });
    const { outputs, report } = await run(elasticacheStep, config, services());
    expect(mutating()).toEqual([]);
    expect(m.sm.calls()).toEqual([]);
    expect(report.skipped).toEqual([`ElastiCache replication group ${ID} exists as configured (cache.t4g.medium, failover disabled)`]);
    expect(outputs).toMatchObject({ replicationGroupId: ID, redisPort: 6379 });
  });

  it("changes failover and Multi-AZ, then the node type, one modification at a time", async () => {
    m.ec.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [group({ CacheNodeType: "cache.t4g.small" })] });
    const { report } = await run(elasticacheStep, production, services());
    expect(m.ec.commandCalls(ModifyReplicationGroupCommand).map((c) => c.args[0].input)).toEqual([
      { ReplicationGroupId: ID, ApplyImmediately: true, AutomaticFailoverEnabled: true, MultiAZEnabled: true },
      { ReplicationGroupId: ID, ApplyImmediately: true, CacheNodeType: "cache.r6g.large" },
    ]);
    expect(report.infos).toEqual([`ElastiCache replication group ${ID}: automatic failover and Multi-AZ on; node type cache.t4g.small → cache.r6g.large`]);
  });

  it("waits and retries when the previous modification is still being applied", async () => {
    m.ec.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [group({ CacheNodeType: "cache.t4g.small" })] });
    m.ec.on(ModifyReplicationGroupCommand).rejectsOnce(new InvalidReplicationGroupStateFault({ message: "Replication group must be in available state", $metadata: {} })).resolves({});
    await run(elasticacheStep, config, services());
    expect(m.ec.commandCalls(ModifyReplicationGroupCommand)).toHaveLength(2);
  });

  it("treats a failover change already under way as done", async () => {
    m.ec.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [group({ AutomaticFailover: "enabling", MultiAZ: "enabled" })] });
    const { report } = await run(elasticacheStep, testConfig({ environment: "production", cache: { nodeType: "cache.t4g.medium" }, tags: { team: "chain" } }), services());
    expect(mutating()).toEqual([]);
    expect(report.skipped).toHaveLength(1);
  });

  it("adds missing tags and moves the subnet group to the private subnets", async () => {
    subnetGroupExists(["subnet-old"]);
    m.ec.on(ListTagsForResourceCommand, { ResourceName: ARN }).resolves({ TagList: [{ Key: "btp-aws:platform", Value: "btp-test" }] });
    m.ec.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [group()] });
    const { report } = await run(elasticacheStep, config, services());
    expect(m.ec.commandCalls(ModifyCacheSubnetGroupCommand)[0]!.args[0].input).toEqual({ CacheSubnetGroupName: ID, SubnetIds: ["subnet-a", "subnet-b"] });
    expect(m.ec.commandCalls(AddTagsToResourceCommand)[0]!.args[0].input).toEqual({ ResourceName: ARN, Tags: [{ Key: "team", Value: "chain" }, { Key: "Name", Value: ID }, { Key: "btp-aws:managed-by", Value: "btp-aws" }] });
    expect(report.infos).toEqual([`ElastiCache replication group ${ID}: cache subnet group ${ID}: subnets subnet-old → subnet-a, subnet-b; added tags team, Name, btp-aws:managed-by`]);
  });

  it.each([
    [{ TransitEncryptionEnabled: false }, "encryption in transit (TLS) is off: the platform connects with TLS and an AUTH token"],
    [{ AuthTokenEnabled: false }, "it has no AUTH token: the platform authenticates with the token in the platform secret"],
    [{ AtRestEncryptionEnabled: false, KmsKeyId: undefined }, "encryption at rest is off: ElastiCache cannot turn it on for an existing replication group"],
    [{ KmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/other" }, "data at rest is encrypted with arn:aws:kms:eu-west-1:123456789012:key/other, not the platform key alias/btp-btp-test"],
    [{ Engine: "valkey" }, "engine is valkey, not cache.engine redis"],
  ] as const)("reports drift %j before changing anything", async (overrides, drift) => {
    m.ec.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [group(overrides)] });
    const error = await rejection(run(elasticacheStep, config, services()));
    expect(error.message).toBe(`ElastiCache replication group ${ID} differs from the config in ways btp-aws cannot change in place: ${drift}`);
    expect(mutating()).toEqual([]);
  });

  it("refuses a replication group that is not the platform's", async () => {
    m.ec.on(ListTagsForResourceCommand, { ResourceName: ARN }).resolves({ TagList: [] });
    m.ec.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [group()] });
    const error = await rejection(run(elasticacheStep, config, services()));
    expect(error.message).toBe(`ElastiCache replication group ${ID} exists but is not managed by btp-aws for platform btp-test (no btp-aws:platform=btp-test tag)`);
  });

  it("refuses a subnet group that is not the platform's", async () => {
    m.ec.on(ListTagsForResourceCommand, { ResourceName: SUBNET_GROUP_ARN }).resolves({ TagList: [] });
    m.ec.on(DescribeReplicationGroupsCommand).rejectsOnce(awsError("ReplicationGroupNotFoundFault", "not found"));
    const error = await rejection(run(elasticacheStep, config, services()));
    expect(error.message).toBe(`cache subnet group ${ID} exists but is not managed by btp-aws for platform btp-test (no btp-aws:platform=btp-test tag)`);
    expect(m.sm.calls()).toEqual([]);
  });
});
