import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import {
  DescribeAddressesCommand, DescribeAvailabilityZonesCommand, DescribeInstancesCommand, DescribeInstanceTypesCommand, DescribeNatGatewaysCommand,
  DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client, EC2ServiceException,
} from "@aws-sdk/client-ec2";
import { DescribeDBInstancesCommand, RDSClient, RDSServiceException } from "@aws-sdk/client-rds";
import { DescribeCacheClustersCommand, ElastiCacheClient } from "@aws-sdk/client-elasticache";
import { AccessDeniedException, GetAWSDefaultServiceQuotaCommand, GetServiceQuotaCommand, NoSuchResourceException, ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { quotasStep } from "../../../../src/phases/prepare/index.js";
import { isStandardFamily, natMeasurement } from "../../../../src/phases/prepare/quota-checks.js";
import { failureReason } from "../../../../src/aws/service-quotas.js";
import type { NatGatewayInZone } from "../../../../src/aws/ec2-usage.js";
import { awsTestConfig } from "../../../support/aws-modes.js";
import { testConfig } from "../../../support/config.js";
import { failure, run, services } from "./helpers.js";

const ec2 = mockClient(EC2Client);
const rds = mockClient(RDSClient);
const elasticache = mockClient(ElastiCacheClient);
const quotas = mockClient(ServiceQuotasClient);
afterEach(() => {
  for (const mock of [ec2, rds, elasticache, quotas]) mock.reset();
});

const VCPUS: Record<string, number> = { "m5.xlarge": 4, "m5.2xlarge": 8, "t3.micro": 2, "c5.large": 2, "g5.xlarge": 4, "p4d.24xlarge": 96 };
const ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];
const platformTag = (platform = "btp-test") => [{ Key: "btp-aws:platform", Value: platform }];

interface World {
  vpcs?: { tags?: { Key: string; Value: string }[] }[];
  nats?: { zone: string; tags?: { Key: string; Value: string }[] }[];
  addresses?: { tags?: { Key: string; Value: string }[] }[];
  instances?: { type: string; lifecycle?: "spot"; tags?: { Key: string; Value: string }[] }[];
  dbs?: string[];
  caches?: { id: string; group?: string; nodes: number }[];
  quotas?: Record<string, number | Error>;
  defaults?: Record<string, number | Error>;
}

const DEFAULT_QUOTAS = { "L-F678F1CE": 5, "L-FE5A380F": 5, "L-0263D0A3": 5, "L-1216C47A": 640, "L-7B6409FD": 40, "L-DFE45DF3": 300 };

function world(w: World = {}): void {
  ec2.on(DescribeVpcsCommand).resolves({ Vpcs: (w.vpcs ?? [{}]).map((v, i) => ({ VpcId: `vpc-${i}`, Tags: v.tags })) });
  ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: [...ZONES].reverse().map((ZoneName) => ({ ZoneName, State: "available" })) });
  const nats = w.nats ?? [];
  ec2.on(DescribeNatGatewaysCommand).resolves({ NatGateways: nats.map((n, i) => ({ NatGatewayId: `nat-${i}`, SubnetId: `subnet-${n.zone}`, Tags: n.tags })) });
  ec2.on(DescribeSubnetsCommand).callsFake((input: { SubnetIds: string[] }) => ({ Subnets: input.SubnetIds.map((id) => ({ SubnetId: id, AvailabilityZone: id.slice("subnet-".length) })) }));
  ec2.on(DescribeAddressesCommand).resolves({ Addresses: (w.addresses ?? []).map((a, i) => ({ AllocationId: `eipalloc-${i}`, Tags: a.tags })) });
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: (w.instances ?? []).map((inst, i) => ({ InstanceId: `i-${i}`, InstanceType: inst.type, InstanceLifecycle: inst.lifecycle, Tags: inst.tags })) as never }] });
  ec2.on(DescribeInstanceTypesCommand).callsFake((input: { InstanceTypes: string[] }) => {
    const unknown = input.InstanceTypes.filter((t) => VCPUS[t] === undefined);
    if (unknown.length > 0) throw new EC2ServiceException({ name: "InvalidInstanceType", $fault: "client", $metadata: { httpStatusCode: 400 }, message: `The following supplied instance types do not exist: [${unknown.join(", ")}]` });
    return { InstanceTypes: input.InstanceTypes.map((t) => ({ InstanceType: t, VCpuInfo: { DefaultVCpus: VCPUS[t] } })) };
  });
  rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: (w.dbs ?? []).map((DBInstanceIdentifier) => ({ DBInstanceIdentifier })) });
  elasticache.on(DescribeCacheClustersCommand).resolves({ CacheClusters: (w.caches ?? []).map((c) => ({ CacheClusterId: c.id, ReplicationGroupId: c.group, NumCacheNodes: c.nodes })) });
  const answers: Record<string, number | Error | undefined> = { ...DEFAULT_QUOTAS, ...w.quotas };
  quotas.on(GetServiceQuotaCommand).callsFake((input: { ServiceCode: string; QuotaCode: string }) => {
    const answer = answers[input.QuotaCode];
    if (answer instanceof Error) throw answer;
    return { Quota: { ServiceCode: input.ServiceCode, QuotaCode: input.QuotaCode, Value: answer } };
  });
  quotas.on(GetAWSDefaultServiceQuotaCommand).callsFake((input: { ServiceCode: string; QuotaCode: string }) => {
    const answer = w.defaults?.[input.QuotaCode];
    if (answer === undefined) throw Object.assign(new SyntaxError("Unexpected token '<'"), { $metadata: { httpStatusCode: 500 } });
    if (answer instanceof Error) throw answer;
    return { Quota: { ServiceCode: input.ServiceCode, QuotaCode: input.QuotaCode, Value: answer } };
  });
}

const noSuchResource = () => new NoSuchResourceException({ message: "The request failed because the specified service does not exist.", $metadata: { httpStatusCode: 400 } });
const VCPU = "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances";
const ALL_CODES = ["L-F678F1CE", "L-FE5A380F", "L-0263D0A3", "L-1216C47A", "L-7B6409FD", "L-DFE45DF3"];
const development = awsTestConfig(); // single NAT, 3 AZs, max 50 × m5.xlarge, 1 replica, RDS and ElastiCache
const production = testConfig({ environment: "production" }); // a NAT per AZ

describe("prepare/quotas", () => {
  beforeEach(() => world());

  it("describes what the plan needs", () => {
    expect(quotasStep.describe(production)).toEqual([
      "compare service quotas in eu-west-1 with what the plan needs: 1 VPC, 3 NAT gateways and 3 Elastic IPs, vCPUs for 50 × m5.xlarge, 1 RDS instance, 2 ElastiCache nodes (servicequotas:GetServiceQuota)",
    ]);
  });

  it("reports every quota with room, in a fixed order", async () => {
    const { outputs, report } = await run(quotasStep, development);
    expect(report.infos).toEqual([
      "VPCs per Region: need 1, quota 5 with 1 in use: enough",
      "NAT gateways per Availability Zone: need 1, quota 5 with 0 in use in eu-west-1a: enough",
      "EC2-VPC Elastic IPs: need 1, quota 5 with 0 in use: enough",
      `${VCPU}: need 200 vCPUs (50 nodes × 4), quota 640 with 0 in use: enough`,
      "RDS DB instances: need 1, quota 40 with 0 in use: enough",
      "ElastiCache nodes per Region: need 2, quota 300 with 0 in use: enough",
    ]);
    expect(report.warnings).toEqual([]);
    expect(outputs).toEqual({ checked: ALL_CODES, unknown: [] });
    // The checks run at once; their calls arrive in any order.
    expect(quotas.commandCalls(GetServiceQuotaCommand).map((c) => c.args[0].input).sort((a, b) => String(a.QuotaCode).localeCompare(String(b.QuotaCode)))).toEqual([
      { ServiceCode: "ec2", QuotaCode: "L-0263D0A3" }, { ServiceCode: "ec2", QuotaCode: "L-1216C47A" }, { ServiceCode: "rds", QuotaCode: "L-7B6409FD" },
      { ServiceCode: "elasticache", QuotaCode: "L-DFE45DF3" }, { ServiceCode: "vpc", QuotaCode: "L-F678F1CE" }, { ServiceCode: "vpc", QuotaCode: "L-FE5A380F" },
    ]);
  });

  it("warns with the quota code and the increase command when VPCs are short", async () => {
    world({ vpcs: [{}, {}, {}, {}, {}] });
    const { outputs, report } = await run(quotasStep, development);
    expect(report.warnings).toEqual([
      "VPCs per Region: need 1, quota 5 with 5 in use (service-quotas vpc L-F678F1CE); request an increase: aws service-quotas request-service-quota-increase --service-code vpc --quota-code L-F678F1CE --desired-value 6 --region eu-west-1",
    ]);
    expect(outputs.checked).toEqual(ALL_CODES);
  });

  it("needs room for a NAT gateway in as many zones as production has gateways", async () => {
    world({ nats: [{ zone: "eu-west-1a" }, { zone: "eu-west-1a" }, { zone: "eu-west-1b" }, { zone: "eu-west-1b" }, { zone: "eu-west-1c" }, { zone: "eu-west-1c" }], quotas: { "L-FE5A380F": 2 } });
    const { report } = await run(quotasStep, production);
    expect(report.warnings).toEqual([
      "NAT gateways per Availability Zone: need 1 in each of 3 AZs, quota 2 with 2 in use in eu-west-1c (service-quotas vpc L-FE5A380F); request an increase: aws service-quotas request-service-quota-increase --service-code vpc --quota-code L-FE5A380F --desired-value 3 --region eu-west-1",
    ]);
    // One full zone does not matter to a single gateway: it goes where there is room.
    world({ nats: [{ zone: "eu-west-1a" }, { zone: "eu-west-1a" }], quotas: { "L-FE5A380F": 2 } });
    expect((await run(quotasStep, development)).report.infos).toContain("NAT gateways per Availability Zone: need 1, quota 2 with 0 in use in eu-west-1b: enough");
  });

  it("asks for the zones and the NAT gateways at the same time", async () => {
    // Found by test/bench (makespan): every infra step waits for this check. The zones' answer is
    // held until the gateways have been asked for: asked one after the other, it would never come.
    let gatewaysAsked!: () => void;
    const asked = new Promise<void>((resolve) => (gatewaysAsked = resolve));
    ec2.on(DescribeNatGatewaysCommand).callsFake(() => (gatewaysAsked(), { NatGateways: [] }));
    ec2.on(DescribeAvailabilityZonesCommand).callsFake(async () => (await asked, { AvailabilityZones: ZONES.map((ZoneName) => ({ ZoneName, State: "available" })) }));
    const { report } = await run(quotasStep, development);
    expect(report.infos).toContain("NAT gateways per Availability Zone: need 1, quota 5 with 0 in use in eu-west-1a: enough");
  }, 5_000);

  it("asks for the node types' vCPUs and the running instances at the same time", async () => {
    // The same: the node types' answer is held until the running instances have been asked for.
    let instancesAsked!: () => void;
    const asked = new Promise<void>((resolve) => (instancesAsked = resolve));
    ec2.on(DescribeInstancesCommand).callsFake(() => (instancesAsked(), { Reservations: [{ Instances: [{ InstanceId: "i-1", InstanceType: "m5.2xlarge" }] }] }));
    ec2.on(DescribeInstanceTypesCommand).callsFake(async (input: { InstanceTypes: string[] }) => (await asked, { InstanceTypes: input.InstanceTypes.map((t) => ({ InstanceType: t, VCpuInfo: { DefaultVCpus: VCPUS[t] } })) }));
    const { report } = await run(quotasStep, development);
    expect(report.infos).toContain(`${VCPU}: need 200 vCPUs (50 nodes × 4), quota 640 with 8 in use: enough`);
  }, 5_000);

  it("warns when Elastic IPs are short for the NAT gateways", async () => {
    world({ addresses: [{}, {}, {}] });
    const { report } = await run(quotasStep, production);
    expect(report.warnings).toEqual([
      "EC2-VPC Elastic IPs: need 3, quota 5 with 3 in use (service-quotas ec2 L-0263D0A3); request an increase: aws service-quotas request-service-quota-increase --service-code ec2 --quota-code L-0263D0A3 --desired-value 6 --region eu-west-1",
    ]);
  });

  it("counts running on-demand standard vCPUs against the node group's maximum", async () => {
    world({
      instances: [{ type: "m5.2xlarge" }, { type: "t3.micro" }, { type: "c5.large", lifecycle: "spot" }, { type: "p4d.24xlarge" }, { type: "m5.xlarge", tags: [{ Key: "eks:cluster-name", Value: "btp-btp-test" }] }],
      quotas: { "L-1216C47A": 160 },
    });
    const { report } = await run(quotasStep, testConfig({ cluster: { instanceTypes: ["m5.xlarge", "m5.2xlarge"], maxNodes: 20 } }));
    // Need 20 × 8 = 160, less the 4 of the cluster's own node; in use 8 + 2 + 4 (spot and p4d do not count).
    expect(report.warnings).toEqual([
      `${VCPU}: need 156 vCPUs (20 nodes × 8, less 4 already running), quota 160 with 14 in use (service-quotas ec2 L-1216C47A); request an increase: aws service-quotas request-service-quota-increase --service-code ec2 --quota-code L-1216C47A --desired-value 170 --region eu-west-1`,
    ]);
  });

  it("skips the vCPU quota when the node types draw on another one", async () => {
    const { report, outputs } = await run(quotasStep, testConfig({ cluster: { instanceTypes: ["g5.xlarge"] } }));
    expect(report.infos).toContain(`${VCPU}: nothing more needed (the node instance types (g5.xlarge) draw on other vCPU quotas)`);
    expect(outputs.checked).toContain("L-1216C47A");
  });

  it("on a first run asks for each quota while it counts usage, not after", async () => {
    // Found by test/bench (makespan): every infra step waits for this check, and asking one
    // after the other put two more round trips on the install's critical path.
    let asked!: () => void;
    const quotaAsked = new Promise<void>((resolve) => (asked = resolve));
    const answer = quotas.on(GetServiceQuotaCommand);
    answer.callsFake((input: { ServiceCode: string; QuotaCode: string }) => {
      if (input.QuotaCode === "L-F678F1CE") asked();
      return { Quota: { ServiceCode: input.ServiceCode, QuotaCode: input.QuotaCode, Value: 5 } };
    });
    // The VPC count answers only once its quota has been asked: sequential code would hang here.
    ec2.on(DescribeVpcsCommand).callsFake(async () => {
      await quotaAsked;
      return { Vpcs: [{ VpcId: "vpc-0" }] };
    });
    const { report } = await run(quotasStep, development);
    expect(report.infos[0]).toBe("VPCs per Region: need 1, quota 5 with 1 in use: enough");
  });

  it("stops on an instance type EC2 does not know, naming the config field", async () => {
    const error = await failure(run(quotasStep, testConfig({ cluster: { instanceTypes: ["m5.nope"] } })));
    expect(error.message).toBe("cluster.instanceTypes: EC2 in eu-west-1 does not offer m5.nope: The following supplied instance types do not exist: [m5.nope]");
    expect(error.hint).toBe("choose instance types the region offers (aws ec2 describe-instance-type-offerings --region eu-west-1)");
  });

  it("on a re-run, needs nothing for what the platform already has, and asks no quota for it", async () => {
    world({
      vpcs: [{ tags: platformTag() }, {}, {}, {}, {}],
      nats: [{ zone: "eu-west-1a", tags: platformTag() }],
      addresses: [{ tags: platformTag() }],
      instances: Array.from({ length: 50 }, () => ({ type: "m5.xlarge", tags: platformTag() })),
      dbs: ["btp-btp-test-db"],
      caches: [{ id: "btp-btp-test-redis-001", group: "btp-btp-test-redis", nodes: 1 }, { id: "btp-btp-test-redis-002", group: "btp-btp-test-redis", nodes: 1 }],
    });
    const { report, outputs } = await run(quotasStep, development, services(), { checked: ALL_CODES, unknown: [] });
    expect(report.infos).toEqual([
      "VPCs per Region: nothing more needed (platform btp-test already has its VPC)",
      "NAT gateways per Availability Zone: nothing more needed (platform btp-test already has its 1 NAT gateway)",
      "EC2-VPC Elastic IPs: nothing more needed (platform btp-test already has its 1 Elastic IP)",
      `${VCPU}: nothing more needed (the nodes of cluster btp-btp-test already use 200 vCPUs, the plan's 200 at most)`,
      "RDS DB instances: nothing more needed (btp-btp-test-db exists)",
      "ElastiCache nodes per Region: nothing more needed (btp-btp-test-redis already has its 2 nodes)",
    ]);
    expect(quotas.commandCalls(GetServiceQuotaCommand)).toEqual([]);
    expect(outputs).toEqual({ checked: ALL_CODES, unknown: [] });
  });

  it("needs no VPC, NAT gateway, Elastic IP or node vCPUs for an adopted cluster, and asks EC2 nothing", async () => {
    // A full region: with cluster.mode create every one of these four would warn.
    world({ vpcs: [{}, {}, {}, {}, {}], nats: ZONES.flatMap((zone) => Array.from({ length: 5 }, () => ({ zone }))), addresses: [{}, {}, {}, {}, {}], instances: Array.from({ length: 160 }, () => ({ type: "m5.xlarge" })) });
    const adopted = testConfig({ environment: "production", cluster: { mode: "existing", name: "team-eks" } });
    expect(quotasStep.describe(adopted)).toEqual([
      "compare service quotas in eu-west-1 with what the plan needs: no VPC, NAT gateway or node vCPUs (adopted cluster: uses its own network and nodes), 1 RDS instance, 2 ElastiCache nodes (servicequotas:GetServiceQuota)",
    ]);
    const { report, outputs } = await run(quotasStep, adopted);
    expect(report.infos.slice(0, 4)).toEqual([
      "VPCs per Region: nothing more needed (adopted cluster: uses its own network and nodes)",
      "NAT gateways per Availability Zone: nothing more needed (adopted cluster: uses its own network and nodes)",
      "EC2-VPC Elastic IPs: nothing more needed (adopted cluster: uses its own network and nodes)",
      `${VCPU}: nothing more needed (adopted cluster: uses its own network and nodes)`,
    ]);
    expect(report.warnings).toEqual([]);
    expect(ec2.calls()).toEqual([]);
    expect(quotas.commandCalls(GetServiceQuotaCommand).map((c) => c.args[0].input.QuotaCode).sort()).toEqual(["L-7B6409FD", "L-DFE45DF3"]);
    expect(outputs).toEqual({ checked: ALL_CODES, unknown: [] });

    // The same region with cluster.mode create: all four are short.
    const created = await run(quotasStep, testConfig({ environment: "production" }));
    expect(created.report.warnings.map((w) => w.split(":")[0])).toEqual(["VPCs per Region", "NAT gateways per Availability Zone", "EC2-VPC Elastic IPs", VCPU.split(":")[0]]);
  });

  it("needs no RDS instance or ElastiCache node when those dependencies are not aws, and asks neither service", async () => {
    world({ dbs: Array.from({ length: 40 }, (_, i) => `other-${i}`), caches: [{ id: "other", nodes: 300 }] });
    const config = testConfig({ cluster: { maxNodes: 20 }, database: { mode: "in-cluster" }, cache: { mode: "external", external: { host: "redis.example.com" } } });
    expect(quotasStep.describe(config)[0]).toBe("compare service quotas in eu-west-1 with what the plan needs: 1 VPC, 1 NAT gateway and 1 Elastic IP, vCPUs for 20 × m5.xlarge (servicequotas:GetServiceQuota)");
    const { report } = await run(quotasStep, config);
    expect(report.infos.slice(-2)).toEqual([
      "RDS DB instances: nothing more needed (database.mode is in-cluster: no RDS instance)",
      "ElastiCache nodes per Region: nothing more needed (cache.mode is external: no ElastiCache nodes)",
    ]);
    expect(report.warnings).toEqual([]);
    expect(quotas.commandCalls(GetServiceQuotaCommand).map((c) => c.args[0].input.QuotaCode)).not.toContain("L-7B6409FD");
    expect(quotas.commandCalls(GetServiceQuotaCommand).map((c) => c.args[0].input.QuotaCode)).not.toContain("L-DFE45DF3");
    expect([rds.calls().length, elasticache.calls().length]).toEqual([0, 0]);
    // The same full region with both in aws mode: both are short.
    const managed = await run(quotasStep, awsTestConfig({ cluster: { maxNodes: 20 } }));
    expect(managed.report.warnings.map((w) => w.split(":")[0])).toEqual(["RDS DB instances", "ElastiCache nodes per Region"]);
  });

  it("warns when ElastiCache nodes are short", async () => {
    world({ caches: [{ id: "other", nodes: 299 }] });
    const { report } = await run(quotasStep, development);
    expect(report.warnings).toEqual([
      "ElastiCache nodes per Region: need 2, quota 300 with 299 in use (service-quotas elasticache L-DFE45DF3); request an increase: aws service-quotas request-service-quota-increase --service-code elasticache --quota-code L-DFE45DF3 --desired-value 301 --region eu-west-1",
    ]);
  });

  it("falls back to the AWS default when a quota has no applied value", async () => {
    world({ quotas: { "L-7B6409FD": noSuchResource() }, defaults: { "L-7B6409FD": 40 } });
    const { report, outputs } = await run(quotasStep, development);
    expect(report.infos).toContain("RDS DB instances: need 1, quota 40 (AWS default) with 0 in use: enough");
    expect(quotas.commandCalls(GetAWSDefaultServiceQuotaCommand).map((c) => c.args[0].input)).toEqual([{ ServiceCode: "rds", QuotaCode: "L-7B6409FD" }]);
    expect(outputs.unknown).toEqual([]);
  });

  it("says which quotas Service Quotas cannot answer, and does not fail", async () => {
    world({
      quotas: { "L-0263D0A3": noSuchResource(), "L-7B6409FD": new AccessDeniedException({ message: "denied", $metadata: { httpStatusCode: 400 } }) },
      defaults: { "L-0263D0A3": new AccessDeniedException({ message: "denied", $metadata: { httpStatusCode: 400 } }) },
    });
    const { report, outputs } = await run(quotasStep, development);
    expect(report.infos).toContain("EC2-VPC Elastic IPs: Service Quotas cannot answer here (GetServiceQuota: NoSuchResourceException; GetAWSDefaultServiceQuota: AccessDeniedException); not checked");
    expect(report.infos).toContain("RDS DB instances: Service Quotas cannot answer here (GetServiceQuota: AccessDeniedException); not checked");
    // AccessDenied is not worth a second question.
    expect(quotas.commandCalls(GetAWSDefaultServiceQuotaCommand).map((c) => c.args[0].input.QuotaCode)).toEqual(["L-0263D0A3"]);
    expect(outputs).toEqual({ checked: ["L-F678F1CE", "L-FE5A380F", "L-1216C47A", "L-DFE45DF3"], unknown: ["L-0263D0A3", "L-7B6409FD"] });
  });

  it("reports an unparseable answer (moto's page for an action it lacks) by its HTTP status", async () => {
    world({ quotas: { "L-DFE45DF3": noSuchResource() } });
    const { report } = await run(quotasStep, development);
    expect(report.infos).toContain("ElastiCache nodes per Region: Service Quotas cannot answer here (GetServiceQuota: NoSuchResourceException; GetAWSDefaultServiceQuota: HTTP 500); not checked");
  });

  it("says when it cannot count what is in use, and does not fail", async () => {
    rds.on(DescribeDBInstancesCommand).rejects(new RDSServiceException({ name: "AccessDenied", $fault: "client", $metadata: { httpStatusCode: 403 }, message: "denied" }));
    const { report, outputs } = await run(quotasStep, development);
    expect(report.infos).toContain("RDS DB instances: could not count what is in use (rds:DescribeDBInstances: AccessDenied); not checked");
    expect(outputs.unknown).toEqual(["L-7B6409FD"]);
  });
});

describe("quota helpers", () => {
  it("tells standard families from those with their own quotas", () => {
    const standard = ["m5.xlarge", "t3.micro", "c7gn.large", "r6idn.large", "i4i.large", "im4gn.large", "is4gen.large", "d3en.xlarge", "h1.2xlarge", "z1d.large", "a1.large", "m7i-flex.large"];
    const other = ["g5.xlarge", "p4d.24xlarge", "inf2.xlarge", "trn1.2xlarge", "dl1.24xlarge", "hpc7g.4xlarge", "x2gd.large", "u-6tb1.metal", "mac2.metal", "f1.2xlarge", "vt1.3xlarge"];
    expect(standard.filter((t) => !isStandardFamily(t))).toEqual([]);
    expect(other.filter(isStandardFamily)).toEqual([]);
  });

  it("picks the zone that decides whether the gateways fit", () => {
    const nat = (zone: string, platform?: string): NatGatewayInZone => ({ id: "n", zone, tags: platform ? { "btp-aws:platform": platform } : {} });
    expect(natMeasurement(2, ZONES, [nat("eu-west-1a"), nat("eu-west-1b"), nat("eu-west-1b")], "p")).toEqual({ need: 1, needText: "1 in each of 2 AZs", used: 1, where: "eu-west-1a" });
    // One of ours exists in 1a: the remaining two go elsewhere.
    expect(natMeasurement(3, ZONES, [nat("eu-west-1a", "p"), nat("eu-west-1c")], "p")).toEqual({ need: 1, needText: "1 in each of 2 AZs", used: 1, where: "eu-west-1c" });
    expect(natMeasurement(1, [], [], "p")).toEqual({ need: 1, used: 0 });
  });

  it("names failures by code, or by HTTP status when the answer was unreadable", () => {
    expect(failureReason(noSuchResource())).toBe("NoSuchResourceException");
    expect(failureReason(Object.assign(new SyntaxError("Unexpected token"), { $metadata: { httpStatusCode: 500 } }))).toBe("HTTP 500");
    expect(failureReason(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toBe("ECONNREFUSED");
    expect(failureReason(new Error("plain"))).toBe("unknown error");
  });
});
