/**
 * The whole prepare and infra phases against moto, through the real runner, state file and
 * adapters — what `btp-aws install --only prepare,infra --yes` does, in-process so the EKS
 * operations moto lacks can be served (test/support/eks-moto-gaps.ts).
 */
import { motoInstallServices } from "../../support/infra.js";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeNatGatewaysCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand, DescribeFlowLogsCommand, RevokeSecurityGroupIngressCommand } from "@aws-sdk/client-ec2";
import { DescribeDBInstancesCommand } from "@aws-sdk/client-rds";
import { DescribeReplicationGroupsCommand } from "@aws-sdk/client-elasticache";
import { DeleteAliasCommand, ListAliasesCommand } from "@aws-sdk/client-kms";
import { GetBucketVersioningCommand, PutBucketVersioningCommand } from "@aws-sdk/client-s3";
import { ListClustersCommand } from "@aws-sdk/client-eks";
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { GetResourcesCommand } from "@aws-sdk/client-resource-groups-tagging-api";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { installSteps } from "../../../src/cli/steps.js";
import type { ConfigInput } from "../../../src/config/schema.js";
import { selectSteps } from "../../../src/plan/select.js";
import { runSteps } from "../../../src/runner/scheduler.js";
import type { RunResult } from "../../../src/runner/types.js";
import { openState, type FileStateStore } from "../../../src/state/file-store.js";
import { motoClients, type TestClients } from "../../support/aws.js";
import { testConfig } from "../../support/config.js";
import { motoControl } from "../../support/moto.js";

const moto = motoControl(inject("motoEndpoint"));
const helm = inject("helm");

interface Install {
  aws: TestClients;
  store: FileStateStore;
  run(): Promise<RunResult>;
}

async function installer(overrides: Partial<ConfigInput>, zoneId: string): Promise<Install & { config: ReturnType<typeof testConfig> }> {
  const config = testConfig({
    dns: { domain: "btp.example.com", hostedZoneId: zoneId, hostedZoneName: "example.com", acmeEmail: "ops@example.com" },
    monitoring: { alarmEmail: "oncall@example.com", monthlyBudgetUsd: 2000 },
    tags: { team: "chain" },
    ...overrides,
  });
  const aws = motoClients(moto.endpoint);
  const services = await motoInstallServices(aws, helm.v4.path);
  const store = await openState({ dir: await mkdtemp(join(tmpdir(), "btp-aws-infra-")), platform: config.platform, region: config.aws.region });
  const all = installSteps();
  const selected = selectSteps(all, { only: ["prepare", "infra"] });
  return { config, aws, store, run: () => runSteps(selected, { config, services, store, allSteps: all, concurrency: 8 }) };
}

function expectSucceeded(result: RunResult, store: FileStateStore): void {
  const failures = result.failed.map((id) => `${id}: ${store.current().steps[id]?.error?.message ?? ""}`);
  expect(failures).toEqual([]);
  expect(result.status).toBe("succeeded");
}

describe("install --only prepare,infra against moto", () => {
  let zoneId: string;
  // A fresh moto each time: moto gives every EKS cluster in a region the same OIDC issuer, so
  // two platforms in one moto would (rightly) fight over the OIDC provider.
  beforeEach(async () => {
    await moto.reset();
    zoneId = await moto.seedHostedZone("example.com");
  });

  it("production: creates every resource once, then re-runs with zero mutating calls, then repairs out-of-band changes", async () => {
    const install = await installer({ platform: "prod1", environment: "production" }, zoneId);
    const started = Date.now();
    const first = await install.run();
    expectSucceeded(first, install.store);
    const firstCalls = install.aws.counter.snapshot();
    console.log(`[infra] production install against moto: ${((Date.now() - started) / 1000).toFixed(1)} s, ${firstCalls.read} read and ${firstCalls.mutating} mutating calls`);

    const ec2 = await install.aws.ec2();
    const tagFilter = [{ Name: "tag:btp-aws:platform", Values: ["prod1"] }];
    const vpcs = (await ec2.send(new DescribeVpcsCommand({ Filters: tagFilter }))).Vpcs ?? [];
    expect(vpcs).toHaveLength(1);
    expect((await ec2.send(new DescribeSubnetsCommand({ Filters: tagFilter }))).Subnets).toHaveLength(6);
    const nats = ((await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: "vpc-id", Values: [vpcs[0]!.VpcId!] }] }))).NatGateways ?? []).filter((n) => n.State === "available");
    expect(nats).toHaveLength(3);
    expect((await ec2.send(new DescribeFlowLogsCommand({ Filter: [{ Name: "resource-id", Values: [vpcs[0]!.VpcId!] }] }))).FlowLogs).toHaveLength(1);
    const db = (await (await install.aws.rds()).send(new DescribeDBInstancesCommand({}))).DBInstances ?? [];
    expect(db.map((d) => [d.DBInstanceIdentifier, d.MultiAZ, d.StorageEncrypted, d.DeletionProtection])).toEqual([["btp-prod1-db", true, true, true]]);
    const redis = (await (await install.aws.elasticache()).send(new DescribeReplicationGroupsCommand({}))).ReplicationGroups ?? [];
    expect(redis.map((r) => [r.ReplicationGroupId, r.TransitEncryptionEnabled, r.AtRestEncryptionEnabled, r.AutomaticFailover])).toEqual([["btp-prod1-redis", true, true, "enabled"]]);
    expect((await (await install.aws.eks()).send(new ListClustersCommand({}))).clusters).toEqual(["btp-prod1"]);
    // Everything the tagging API knows carries both platform tags and the user's tag.
    const tagged = (await (await install.aws.tagging()).send(new GetResourcesCommand({ TagFilters: [{ Key: "btp-aws:platform", Values: ["prod1"] }] }))).ResourceTagMappingList ?? [];
    expect(tagged.length).toBeGreaterThan(10);
    for (const resource of tagged) expect(resource.Tags, resource.ResourceARN).toEqual(expect.arrayContaining([{ Key: "btp-aws:managed-by", Value: "btp-aws" }, { Key: "team", Value: "chain" }]));
    // No secret reaches the state file: none of the platform secret's values (infra/secrets
    // records the key names only), and no password field.
    const stateText = JSON.stringify(install.store.current());
    const platformSecretArn = String(install.store.current().steps["infra/secrets"]!.outputs.secretArn);
    const stored = JSON.parse((await (await install.aws.secretsManager()).send(new GetSecretValueCommand({ SecretId: platformSecretArn }))).SecretString!) as Record<string, string>;
    expect(Object.keys(stored)).toHaveLength(5);
    for (const value of Object.values(stored)) expect(stateText).not.toContain(value);
    expect(stateText).not.toMatch(/"password"/i);

    install.aws.counter.reset();
    const again = Date.now();
    expectSucceeded(await install.run(), install.store);
    const rerun = install.aws.counter.snapshot();
    console.log(`[infra] no-op re-run against moto: ${((Date.now() - again) / 1000).toFixed(1)} s, ${rerun.read} read and ${rerun.mutating} mutating calls`);
    expect(install.aws.counter.mutatingOperations()).toEqual([]);

    // Out of band: a database ingress rule removed, bucket versioning suspended, the key alias deleted.
    const sgOutputs = install.store.current().steps["infra/security-groups"]!.outputs;
    const dbGroup = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [String(sgOutputs.databaseSecurityGroupId)] }))).SecurityGroups![0]!;
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: dbGroup.GroupId, IpPermissions: dbGroup.IpPermissions }));
    const bucket = String(install.store.current().steps["infra/s3"]!.outputs.bucket);
    const s3 = await install.aws.s3();
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Suspended" } }));
    const kms = await install.aws.kms();
    await kms.send(new DeleteAliasCommand({ AliasName: "alias/btp-prod1" }));
    install.aws.counter.reset();
    expectSucceeded(await install.run(), install.store);
    expect(install.aws.counter.mutatingOperations().sort()).toEqual(["EC2.AuthorizeSecurityGroupIngress", "KMS.CreateAlias", "S3.PutBucketVersioning"]);
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe("Enabled");
    expect((await kms.send(new ListAliasesCommand({}))).Aliases?.some((a) => a.AliasName === "alias/btp-prod1")).toBe(true);
    const repaired = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [dbGroup.GroupId!] }))).SecurityGroups![0]!;
    expect(repaired.IpPermissions?.map((p) => [p.FromPort, p.UserIdGroupPairs?.map((g) => g.GroupId)])).toEqual([[5432, [String(sgOutputs.nodeSecurityGroupId)]]]);
    install.aws.destroy();
  });

  it("development with the managed services: one NAT gateway, no flow logs, single-AZ database and cache", async () => {
    // Development defaults to in-cluster dependencies (install-dependency-modes.test.ts); aws here.
    const install = await installer({ platform: "dev1", environment: "development", database: { mode: "aws" }, cache: { mode: "aws" }, storage: { mode: "aws" } }, zoneId);
    expectSucceeded(await install.run(), install.store);
    const ec2 = await install.aws.ec2();
    const vpc = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:btp-aws:platform", Values: ["dev1"] }] }))).Vpcs![0]!;
    const nats = ((await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: "vpc-id", Values: [vpc.VpcId!] }] }))).NatGateways ?? []).filter((n) => n.State === "available");
    expect(nats).toHaveLength(1);
    expect((await ec2.send(new DescribeFlowLogsCommand({ Filter: [{ Name: "resource-id", Values: [vpc.VpcId!] }] }))).FlowLogs).toEqual([]);
    const db = (await (await install.aws.rds()).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "btp-dev1-db" }))).DBInstances![0]!;
    expect([db.MultiAZ, db.DeletionProtection, db.DBInstanceClass]).toEqual([false, false, "db.t4g.medium"]);
    const redis = (await (await install.aws.elasticache()).send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: "btp-dev1-redis" }))).ReplicationGroups![0]!;
    expect(redis.AutomaticFailover).toBe("disabled");
    install.aws.destroy();
  });
});
