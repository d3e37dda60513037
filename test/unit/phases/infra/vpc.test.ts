/**
 * infra/vpc with the SDK mocked: decisions, call shapes and every error path, including what
 * moto cannot show (pending and failed NAT gateways, blackhole routes, AssociateKmsKey, limits,
 * AccessDenied). The mocks answer from a small in-memory world that create calls also update.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import {
  AllocateAddressCommand, AssociateRouteTableCommand, AttachInternetGatewayCommand, CreateFlowLogsCommand, CreateInternetGatewayCommand, CreateNatGatewayCommand,
  CreateRouteCommand, CreateRouteTableCommand, CreateSubnetCommand, CreateTagsCommand, CreateVpcCommand, DescribeAddressesCommand, DescribeAvailabilityZonesCommand,
  DescribeFlowLogsCommand, DescribeInternetGatewaysCommand, DescribeNatGatewaysCommand, DescribeRouteTablesCommand, DescribeSubnetsCommand, DescribeVpcAttributeCommand,
  DescribeVpcsCommand, EC2Client, EC2ServiceException, ModifySubnetAttributeCommand, ModifyVpcAttributeCommand, ReplaceRouteCommand, ReplaceRouteTableAssociationCommand,
  type Address, type AvailabilityZone, type Filter, type FlowLog, type InternetGateway, type NatGateway, type RouteTable, type Subnet, type Tag, type Vpc,
} from "@aws-sdk/client-ec2";
import {
  AssociateKmsKeyCommand, CloudWatchLogsClient, CloudWatchLogsServiceException, CreateLogGroupCommand, DescribeLogGroupsCommand, ListTagsForResourceCommand,
  PutRetentionPolicyCommand, TagResourceCommand, type LogGroup,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateRoleCommand, GetRoleCommand, GetRolePolicyCommand, IAMClient, IAMServiceException, NoSuchEntityException, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand, type Role,
} from "@aws-sdk/client-iam";
import { classifyOperation } from "../../../../src/aws/call-counter.js";
import { createAwsClients } from "../../../../src/aws/clients.js";
import { platformTags, tagList } from "../../../../src/aws/tags.js";
import type { WaitSettings } from "../../../../src/aws/wait.js";
import type { Config } from "../../../../src/config/schema.js";
import { BtpAwsError } from "../../../../src/errors.js";
import { flowLogTrustPolicy, flowLogWritePolicy } from "../../../../src/phases/infra/vpc-flow-log-iam.js";
import { vpcStep } from "../../../../src/phases/infra/vpc.js";
import type { StepOutputs } from "../../../../src/plan/types.js";
import { testConfig } from "../../../support/config.js";
import { recordingReporter, type RecordingReporter } from "../../../support/reporter.js";

const ACCOUNT = "123456789012";
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1111-2222`;
const OUTPUTS: Record<string, StepOutputs> = {
  "prepare/credentials": { account: ACCOUNT, principal: `arn:aws:iam::${ACCOUNT}:user/ops` },
  "infra/kms": { keyId: "1111-2222", keyArn: KEY_ARN, alias: "alias/btp-btp-test" },
};
const ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];
const PRIVATE = ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"];
const PUBLIC = ["10.0.96.0/19", "10.0.128.0/19", "10.0.160.0/19"];
const VPC = "btp-btp-test-vpc";
const GROUP = "/btp-aws/btp-test/vpc-flow-logs";
const GROUP_ARN = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:${GROUP}`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/btp-btp-test-flow-logs`;

const production = testConfig({ environment: "production" });
const development = testConfig();

const ec2 = mockClient(EC2Client);
const logs = mockClient(CloudWatchLogsClient);
const iam = mockClient(IAMClient);

function ec2Error(name: string, message = `${name} happened`) {
  return new EC2ServiceException({ name, $fault: "client", $metadata: { httpStatusCode: 400 }, message });
}

// ---------------------------------------------------------------- the world the mocks answer from

interface World {
  zones: AvailabilityZone[];
  vpcs: Vpc[];
  dns: { support: boolean; hostnames: boolean };
  subnets: Subnet[];
  igws: InternetGateway[];
  addresses: Address[];
  nats: NatGateway[];
  /** State of NAT gateways as they are created, then as each describe sees them. */
  natStates: string[];
  tables: RouteTable[];
  flowLogs: FlowLog[];
  logGroup: LogGroup | undefined;
  logTags: Record<string, string>;
  role: Role | undefined;
  rolePolicy: string | undefined;
}

const tags = (config: Config, name: string, extra: Record<string, string> = {}): { Key: string; Value: string }[] => tagList(platformTags(config, { ...extra, Name: name }));
const tagValue = (list: Tag[] | undefined, key: string) => list?.find((t) => t.Key === key)?.Value;

function subnetTags(config: Config, tier: "private" | "public", zone: string): Tag[] {
  const role = tier === "public" ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb";
  return tags(config, `${VPC}-${tier}-${zone}`, { [role]: "1", "kubernetes.io/cluster/btp-btp-test": "shared", "btp-aws:tier": tier });
}

/** Everything infra/vpc would have built for `config`, as EC2, Logs and IAM describe it. */
function completeWorld(config: Config): World {
  const perAz = config.network.natGateways === "per-az";
  const subnets: Subnet[] = (["private", "public"] as const).flatMap((tier) => (tier === "private" ? PRIVATE : PUBLIC).map((cidr, i) => ({
    SubnetId: `subnet-${tier}-${i}`, VpcId: "vpc-1", CidrBlock: cidr, AvailabilityZone: ZONES[i], State: "available" as const, MapPublicIpOnLaunch: tier === "public", Tags: subnetTags(config, tier, ZONES[i]!),
  })));
  const nats: NatGateway[] = (perAz ? [0, 1, 2] : [0]).map((i) => ({ NatGatewayId: `nat-${i}`, SubnetId: `subnet-public-${i}`, VpcId: "vpc-1", State: "available", Tags: tags(config, `${VPC}-nat-${ZONES[i]!}`) }));
  const tables: RouteTable[] = [
    { RouteTableId: "rtb-main", VpcId: "vpc-1", Routes: [{ DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active" }], Associations: [{ RouteTableAssociationId: "rtbassoc-main", Main: true }] },
    {
      RouteTableId: "rtb-public", VpcId: "vpc-1", Tags: tags(config, `${VPC}-public`),
      Routes: [{ DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active" }, { DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-1", State: "active" }],
      Associations: [0, 1, 2].map((i) => ({ RouteTableAssociationId: `rtbassoc-public-${i}`, SubnetId: `subnet-public-${i}`, RouteTableId: "rtb-public", Main: false })),
    },
    ...[0, 1, 2].map((i) => ({
      RouteTableId: `rtb-private-${i}`, VpcId: "vpc-1", Tags: tags(config, `${VPC}-private-${ZONES[i]!}`),
      Routes: [{ DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active" as const }, { DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: `nat-${perAz ? i : 0}`, State: "active" as const }],
      Associations: [{ RouteTableAssociationId: `rtbassoc-private-${i}`, SubnetId: `subnet-private-${i}`, RouteTableId: `rtb-private-${i}`, Main: false }],
    })),
  ];
  const flowLogs = config.network.flowLogs;
  return {
    zones: ZONES.map((z, i) => ({ ZoneName: z, ZoneId: `euw1-az${i + 1}`, State: "available", ZoneType: "availability-zone" })),
    vpcs: [{ VpcId: "vpc-1", CidrBlock: "10.0.0.0/16", State: "available", Tags: tags(config, VPC) }],
    dns: { support: true, hostnames: true },
    subnets,
    igws: [{ InternetGatewayId: "igw-1", Attachments: [{ VpcId: "vpc-1", State: "attached" }], Tags: tags(config, `${VPC}-igw`) }],
    addresses: [],
    nats,
    natStates: [],
    tables,
    flowLogs: flowLogs ? [{ FlowLogId: "fl-1", ResourceId: "vpc-1", TrafficType: "ALL", LogDestinationType: "cloud-watch-logs", LogGroupName: GROUP, DeliverLogsPermissionArn: ROLE_ARN, DeliverLogsStatus: "SUCCESS", Tags: tags(config, `${VPC}-flow-log`) }] : [],
    logGroup: flowLogs ? { logGroupName: GROUP, logGroupArn: GROUP_ARN, arn: `${GROUP_ARN}:*`, retentionInDays: 90, kmsKeyId: KEY_ARN } : undefined,
    logTags: Object.fromEntries(tags(config, GROUP).map((t) => [t.Key, t.Value])),
    role: flowLogs ? { RoleName: "btp-btp-test-flow-logs", Arn: ROLE_ARN, Path: "/", RoleId: "AROA1", CreateDate: new Date(), AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(flowLogTrustPolicy("aws", "eu-west-1", ACCOUNT))), Tags: tags(config, "btp-btp-test-flow-logs") } : undefined,
    rolePolicy: flowLogs ? encodeURIComponent(JSON.stringify(flowLogWritePolicy(GROUP_ARN, "aws", "eu-west-1", ACCOUNT))) : undefined,
  };
}

/** The EC2 filters the step uses, applied to one item's fields; an unknown filter fails loudly. */
function matches(filters: Filter[] | undefined, fields: Record<string, (string | undefined)[]>): boolean {
  return (filters ?? []).every((f) => {
    const values = fields[f.Name!];
    if (!values) throw new Error(`the fake does not know filter ${f.Name!}`);
    return values.some((v) => v !== undefined && f.Values!.includes(v));
  });
}

let counter = 0;
const nextId = (prefix: string) => `${prefix}-new-${++counter}`;

function install(w: World): void {
  ec2.on(DescribeAvailabilityZonesCommand).callsFake(() => ({ AvailabilityZones: w.zones }));
  ec2.on(DescribeVpcsCommand).callsFake((i: { Filters?: Filter[] }) => ({ Vpcs: w.vpcs.filter((v) => matches(i.Filters, { "vpc-id": [v.VpcId], "tag:Name": [tagValue(v.Tags, "Name")] })) }));
  ec2.on(CreateVpcCommand).callsFake((i: { CidrBlock: string }) => {
    const vpc: Vpc = { VpcId: nextId("vpc"), CidrBlock: i.CidrBlock, State: "available" };
    w.vpcs.push(vpc);
    return { Vpc: vpc };
  });
  ec2.on(DescribeVpcAttributeCommand).callsFake((i: { Attribute: string }) => (i.Attribute === "enableDnsSupport" ? { EnableDnsSupport: { Value: w.dns.support } } : { EnableDnsHostnames: { Value: w.dns.hostnames } }));
  ec2.on(ModifyVpcAttributeCommand).resolves({});
  ec2.on(DescribeSubnetsCommand).callsFake((i: { Filters?: Filter[] }) => ({ Subnets: w.subnets.filter((s) => matches(i.Filters, { "vpc-id": [s.VpcId], "subnet-id": [s.SubnetId] })) }));
  ec2.on(CreateSubnetCommand).callsFake((i: { VpcId: string; CidrBlock: string; AvailabilityZone: string }) => {
    const subnet: Subnet = { SubnetId: nextId("subnet"), VpcId: i.VpcId, CidrBlock: i.CidrBlock, AvailabilityZone: i.AvailabilityZone, State: "available", MapPublicIpOnLaunch: false };
    w.subnets.push(subnet);
    return { Subnet: subnet };
  });
  ec2.on(ModifySubnetAttributeCommand).resolves({});
  ec2.on(CreateTagsCommand).resolves({});
  ec2.on(DescribeInternetGatewaysCommand).callsFake((i: { Filters?: Filter[] }) => ({
    InternetGateways: w.igws.filter((g) => matches(i.Filters, { "attachment.vpc-id": (g.Attachments ?? []).map((a) => a.VpcId), "tag:Name": [tagValue(g.Tags, "Name")] })),
  }));
  ec2.on(CreateInternetGatewayCommand).resolves({ InternetGateway: { InternetGatewayId: "igw-new" } });
  ec2.on(AttachInternetGatewayCommand).resolves({});
  ec2.on(DescribeAddressesCommand).callsFake((i: { Filters?: Filter[] }) => ({ Addresses: w.addresses.filter((a) => matches(i.Filters, { "tag:Name": [tagValue(a.Tags, "Name")], "tag:btp-aws:platform": [tagValue(a.Tags, "btp-aws:platform")] })) }));
  ec2.on(AllocateAddressCommand).callsFake(() => ({ AllocationId: nextId("eipalloc"), PublicIp: "203.0.113.10" }));
  ec2.on(DescribeNatGatewaysCommand).callsFake((i: { Filter?: Filter[]; NatGatewayIds?: string[] }) => {
    // Each describe moves created gateways one state along natStates.
    for (const nat of w.nats) {
      if (nat.NatGatewayId!.includes("-new-") && w.natStates.length > 0) nat.State = w.natStates.shift() as NatGateway["State"];
    }
    return { NatGateways: w.nats.filter((n) => matches(i.Filter, { "vpc-id": [n.VpcId] }) && (!i.NatGatewayIds || i.NatGatewayIds.includes(n.NatGatewayId!))) };
  });
  ec2.on(CreateNatGatewayCommand).callsFake((i: { SubnetId: string }) => {
    const nat: NatGateway = { NatGatewayId: nextId("nat"), SubnetId: i.SubnetId, VpcId: "vpc-1", State: w.natStates.length > 0 ? (w.natStates.shift() as NatGateway["State"]) : "available" };
    w.nats.push(nat);
    return { NatGateway: nat };
  });
  ec2.on(DescribeRouteTablesCommand).callsFake(() => ({ RouteTables: w.tables }));
  ec2.on(CreateRouteTableCommand).callsFake((i: { VpcId: string }) => {
    const table: RouteTable = { RouteTableId: nextId("rtb"), VpcId: i.VpcId, Routes: [], Associations: [] };
    w.tables.push(table);
    return { RouteTable: table };
  });
  ec2.on(CreateRouteCommand).resolves({ Return: true });
  ec2.on(ReplaceRouteCommand).resolves({});
  ec2.on(AssociateRouteTableCommand).resolves({ AssociationId: "rtbassoc-new" });
  ec2.on(ReplaceRouteTableAssociationCommand).resolves({ NewAssociationId: "rtbassoc-new" });
  ec2.on(DescribeFlowLogsCommand).callsFake(() => ({ FlowLogs: w.flowLogs }));
  ec2.on(CreateFlowLogsCommand).resolves({ FlowLogIds: ["fl-new"], Unsuccessful: [] });

  logs.on(DescribeLogGroupsCommand).callsFake(() => ({ logGroups: w.logGroup ? [{ logGroupName: `${GROUP}-other` }, w.logGroup] : [] }));
  logs.on(ListTagsForResourceCommand).callsFake(() => ({ tags: w.logTags }));
  logs.on(CreateLogGroupCommand).resolves({});
  logs.on(PutRetentionPolicyCommand).resolves({});
  logs.on(AssociateKmsKeyCommand).resolves({});
  logs.on(TagResourceCommand).resolves({});

  iam.on(GetRoleCommand).callsFake(() => {
    if (!w.role) throw new NoSuchEntityException({ message: "The role with name btp-btp-test-flow-logs cannot be found.", $metadata: {} });
    return { Role: w.role };
  });
  iam.on(GetRolePolicyCommand).callsFake(() => {
    if (w.rolePolicy === undefined) throw new NoSuchEntityException({ message: "The role policy cannot be found.", $metadata: {} });
    return { RoleName: "btp-btp-test-flow-logs", PolicyName: "write-vpc-flow-logs", PolicyDocument: w.rolePolicy };
  });
  iam.on(CreateRoleCommand).resolves({ Role: { RoleName: "btp-btp-test-flow-logs", Arn: ROLE_ARN, Path: "/", RoleId: "AROA1", CreateDate: new Date() } });
  iam.on(PutRolePolicyCommand).resolves({});
  iam.on(UpdateAssumeRolePolicyCommand).resolves({});
}

// ---------------------------------------------------------------- running the step

const aws = () => createAwsClients({ region: "eu-west-1", userAgentSuffix: "btp-aws/test", credentials: () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "b" }) });

/** Virtual time: waits advance a clock instead of sleeping. */
function virtualTime(): WaitSettings & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return { scale: 1, slept, now: () => now, sleep: (ms) => { slept.push(ms); now += ms; return Promise.resolve(); } };
}

async function run(config: Config, previous?: StepOutputs, wait: WaitSettings = virtualTime()): Promise<{ outputs: StepOutputs; report: RecordingReporter }> {
  const report = recordingReporter();
  const outputs = await vpcStep.run({ config, services: { aws: aws(), wait }, outputs: OUTPUTS, previous, signal: new AbortController().signal }, report);
  return { outputs: outputs ?? {}, report };
}

async function failure(config: Config, previous?: StepOutputs): Promise<BtpAwsError> {
  const error = await run(config, previous).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BtpAwsError);
  return error as BtpAwsError;
}

/** "EC2.CreateRoute"-style names of every mutating call the mocks saw, in order. */
function mutations(): string[] {
  return ([["EC2", ec2], ["CloudWatchLogs", logs], ["IAM", iam]] as const).flatMap(([service, mock]) =>
    mock.calls().map((c) => `${service}.${(c.args[0] as object).constructor.name.replace(/Command$/, "")}`)).filter((op) => classifyOperation(op.split(".")[1]!) === "mutating");
}

const ADOPTED: StepOutputs = {
  vpcId: "vpc-1", vpcCidr: "10.0.0.0/16", availabilityZones: ZONES, publicSubnetIds: ["subnet-public-0", "subnet-public-1", "subnet-public-2"],
  privateSubnetIds: ["subnet-private-0", "subnet-private-1", "subnet-private-2"], internetGatewayId: "igw-1", natGatewayIds: ["nat-0", "nat-1", "nat-2"],
};

let world: World;
beforeEach(() => {
  counter = 0;
});
afterEach(() => {
  ec2.reset();
  logs.reset();
  iam.reset();
});

describe("infra/vpc: plan", () => {
  it("needs the account and the platform key, and describes the production and development networks", () => {
    expect(vpcStep.needs).toEqual(["prepare/credentials", "infra/kms"]);
    expect(vpcStep.describe(production)).toEqual([
      "create or adopt VPC btp-btp-test-vpc 10.0.0.0/16 over 3 AZs",
      "private subnets 10.0.0.0/19, 10.0.32.0/19, 10.0.64.0/19; public subnets 10.0.96.0/19, 10.0.128.0/19, 10.0.160.0/19",
      "internet gateway, 3 NAT gateways (one per AZ), route tables, flow logs to CloudWatch Logs /btp-aws/btp-test/vpc-flow-logs",
    ]);
    expect(vpcStep.describe(development)[2]).toBe("internet gateway, 1 NAT gateway, route tables");
  });
});

describe("infra/vpc: adoption", () => {
  it("adopts a complete production network with reads only", async () => {
    install((world = completeWorld(production)));
    const { outputs, report } = await run(production, ADOPTED);
    expect(outputs).toEqual(ADOPTED);
    expect(mutations()).toEqual([]);
    expect(report.skipped).toEqual([`VPC vpc-1 (${VPC}, 10.0.0.0/16) is in place: 6 subnets over eu-west-1a, eu-west-1b, eu-west-1c, internet gateway igw-1, 3 NAT gateways, 4 route tables, flow logs into ${GROUP}`]);
    // Flow-log reads: exact names, the log group by prefix (the neighbour is ignored).
    expect(logs.commandCalls(DescribeLogGroupsCommand)[0]!.args[0].input).toEqual({ logGroupNamePrefix: GROUP });
    expect(logs.commandCalls(ListTagsForResourceCommand)[0]!.args[0].input).toEqual({ resourceArn: GROUP_ARN });
    expect(ec2.commandCalls(DescribeFlowLogsCommand)[0]!.args[0].input).toEqual({ Filter: [{ Name: "resource-id", Values: ["vpc-1"] }] });
  });

  it("finds the VPC by Name and platform tag when state has no id, and never asks for zones when subnets say where they are", async () => {
    install((world = completeWorld(development)));
    const { outputs } = await run(development);
    expect(outputs.vpcId).toBe("vpc-1");
    expect(ec2.commandCalls(DescribeVpcsCommand).map((c) => c.args[0].input.Filters)).toEqual([[{ Name: "tag:Name", Values: [VPC] }]]);
    expect(ec2.commandCalls(DescribeAvailabilityZonesCommand)).toHaveLength(0);
    expect(mutations()).toEqual([]);
  });

  it("refuses a same-named VPC without the platform tag", async () => {
    world = completeWorld(development);
    world.vpcs = [{ VpcId: "vpc-9", CidrBlock: "10.0.0.0/16", State: "available", Tags: [{ Key: "Name", Value: VPC }] }];
    install(world);
    const error = await failure(development);
    expect(error.message).toBe(`VPC ${VPC} (vpc-9) exists but is not managed by btp-aws for platform btp-test (no tag btp-aws:platform=btp-test)`);
    expect(error.hint).toBe("tag it btp-aws:platform=btp-test if btp-aws should adopt it, or choose another platform name");
    expect(mutations()).toEqual([]);
  });

  it("refuses to guess between two VPCs of the platform", async () => {
    world = completeWorld(development);
    world.vpcs.push({ VpcId: "vpc-2", CidrBlock: "10.0.0.0/16", State: "available", Tags: tags(development, VPC) });
    install(world);
    expect((await failure(development)).message).toBe(`found 2 VPCs named ${VPC} for platform btp-test: vpc-1, vpc-2`);
  });

  it("reports a different CIDR as drift, naming both, before changing anything", async () => {
    install((world = completeWorld(development)));
    const error = await failure(testConfig({ network: { vpcCidr: "10.8.0.0/16" } }), { vpcId: "vpc-1" });
    expect(error.message).toBe(`VPC vpc-1 (${VPC}) has CIDR 10.0.0.0/16 but network.vpcCidr is 10.8.0.0/16: a VPC's CIDR cannot change in place`);
    expect(error.hint).toBe("set network.vpcCidr back to 10.0.0.0/16, or remove the platform's VPC (btp-aws destroy) so it can be created again");
    expect(mutations()).toEqual([]);
  });

  it("reports platform subnets outside the layout (network.azCount changed) as drift", async () => {
    install((world = completeWorld(development)));
    const error = await failure(testConfig({ network: { azCount: 2 } }), { vpcId: "vpc-1" });
    expect(error.message).toMatch(/^VPC vpc-1 has platform subnets outside the layout for network.vpcCidr 10.0.0.0\/16 and network.azCount 2: subnet-private-0 \(10.0.0.0\/19\), .*: subnets cannot be re-cut in place$/);
    expect(mutations()).toEqual([]);
  });

  it("turns DNS hostnames and a public subnet's MapPublicIpOnLaunch back on, and adds missing tags only", async () => {
    world = completeWorld(development);
    world.dns.hostnames = false;
    world.subnets.find((s) => s.SubnetId === "subnet-public-1")!.MapPublicIpOnLaunch = false;
    world.subnets.find((s) => s.SubnetId === "subnet-private-2")!.Tags = [{ Key: "Name", Value: `${VPC}-private-eu-west-1c` }, { Key: "btp-aws:platform", Value: "btp-test" }];
    install(world);
    const { report } = await run(development, ADOPTED);
    expect(ec2.commandCalls(ModifyVpcAttributeCommand).map((c) => c.args[0].input)).toEqual([{ VpcId: "vpc-1", EnableDnsHostnames: { Value: true } }]);
    expect(ec2.commandCalls(ModifySubnetAttributeCommand).map((c) => c.args[0].input)).toEqual([{ SubnetId: "subnet-public-1", MapPublicIpOnLaunch: { Value: true } }]);
    expect(ec2.commandCalls(CreateTagsCommand).map((c) => c.args[0].input)).toEqual([{
      Resources: ["subnet-private-2"],
      Tags: [{ Key: "kubernetes.io/role/internal-elb", Value: "1" }, { Key: "kubernetes.io/cluster/btp-btp-test", Value: "shared" }, { Key: "btp-aws:tier", Value: "private" }, { Key: "btp-aws:managed-by", Value: "btp-aws" }],
    }]);
    expect(report.infos).toEqual([
      `VPC vpc-1 (${VPC}): turned DNS hostnames back on; added tags kubernetes.io/role/internal-elb, kubernetes.io/cluster/btp-btp-test, btp-aws:tier, btp-aws:managed-by to private subnet subnet-private-2; turned MapPublicIpOnLaunch back on for public subnet subnet-public-1`,
    ]);
  });

  it("re-attaches a detached internet gateway of the platform instead of creating one", async () => {
    world = completeWorld(development);
    world.igws[0]!.Attachments = [];
    install(world);
    const { report } = await run(development, ADOPTED);
    expect(ec2.commandCalls(CreateInternetGatewayCommand)).toHaveLength(0);
    expect(ec2.commandCalls(AttachInternetGatewayCommand).map((c) => c.args[0].input)).toEqual([{ InternetGatewayId: "igw-1", VpcId: "vpc-1" }]);
    expect(report.infos).toEqual([`VPC vpc-1 (${VPC}): re-attached internet gateway igw-1`]);
  });
});

describe("infra/vpc: creating", () => {
  function emptyAccount(config: Config): World {
    return { ...completeWorld(config), vpcs: [], dns: { support: true, hostnames: false }, subnets: [], igws: [], nats: [], tables: [], flowLogs: [], logGroup: undefined, role: undefined, rolePolicy: undefined };
  }

  it("creates every part with its tags in the create call, and the public subnets with MapPublicIpOnLaunch", async () => {
    install((world = emptyAccount(development)));
    const { outputs, report } = await run(development);
    expect(ec2.commandCalls(CreateVpcCommand)[0]!.args[0].input).toEqual({ CidrBlock: "10.0.0.0/16", TagSpecifications: [{ ResourceType: "vpc", Tags: tags(development, VPC) }] });
    // A new VPC has DNS support on and DNS hostnames off.
    expect(ec2.commandCalls(ModifyVpcAttributeCommand).map((c) => c.args[0].input)).toEqual([{ VpcId: "vpc-new-1", EnableDnsHostnames: { Value: true } }]);
    expect(ec2.commandCalls(CreateSubnetCommand).map((c) => c.args[0].input)).toEqual([
      ...PRIVATE.map((cidr, i) => ({ VpcId: "vpc-new-1", CidrBlock: cidr, AvailabilityZone: ZONES[i], TagSpecifications: [{ ResourceType: "subnet", Tags: subnetTags(development, "private", ZONES[i]!) }] })),
      ...PUBLIC.map((cidr, i) => ({ VpcId: "vpc-new-1", CidrBlock: cidr, AvailabilityZone: ZONES[i], TagSpecifications: [{ ResourceType: "subnet", Tags: subnetTags(development, "public", ZONES[i]!) }] })),
    ]);
    expect(ec2.commandCalls(ModifySubnetAttributeCommand).map((c) => c.args[0].input.SubnetId)).toEqual(["subnet-new-5", "subnet-new-6", "subnet-new-7"]);
    expect(ec2.commandCalls(AllocateAddressCommand)[0]!.args[0].input).toEqual({ Domain: "vpc", TagSpecifications: [{ ResourceType: "elastic-ip", Tags: tags(development, `${VPC}-nat-eu-west-1a`) }] });
    expect(ec2.commandCalls(CreateNatGatewayCommand).map((c) => c.args[0].input)).toEqual([
      { SubnetId: "subnet-new-5", AllocationId: "eipalloc-new-8", ConnectivityType: "public", TagSpecifications: [{ ResourceType: "natgateway", Tags: tags(development, `${VPC}-nat-eu-west-1a`) }] },
    ]);
    expect(ec2.commandCalls(CreateRouteCommand).map((c) => c.args[0].input)).toEqual([
      { RouteTableId: "rtb-new-10", DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-new" },
      ...["rtb-new-11", "rtb-new-12", "rtb-new-13"].map((RouteTableId) => ({ RouteTableId, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-new-9" })),
    ]);
    expect(ec2.commandCalls(AssociateRouteTableCommand).map((c) => c.args[0].input)).toEqual([
      ...["subnet-new-5", "subnet-new-6", "subnet-new-7"].map((SubnetId) => ({ RouteTableId: "rtb-new-10", SubnetId })),
      { RouteTableId: "rtb-new-11", SubnetId: "subnet-new-2" }, { RouteTableId: "rtb-new-12", SubnetId: "subnet-new-3" }, { RouteTableId: "rtb-new-13", SubnetId: "subnet-new-4" },
    ]);
    expect(outputs).toEqual({
      vpcId: "vpc-new-1", vpcCidr: "10.0.0.0/16", availabilityZones: ZONES, privateSubnetIds: ["subnet-new-2", "subnet-new-3", "subnet-new-4"],
      publicSubnetIds: ["subnet-new-5", "subnet-new-6", "subnet-new-7"], internetGatewayId: "igw-new", natGatewayIds: ["nat-new-9"],
    });
    expect(report.infos).toEqual([`created VPC vpc-new-1 (${VPC}, 10.0.0.0/16): 6 subnets over eu-west-1a, eu-west-1b, eu-west-1c, internet gateway igw-new, 1 NAT gateway, 4 route tables`]);
  });

  it("uses the first available zones of type availability-zone, skipping impaired and Local Zones", async () => {
    world = emptyAccount(development);
    world.zones = [
      { ZoneName: "eu-west-1a", State: "available", ZoneType: "availability-zone" },
      { ZoneName: "eu-west-1b", State: "impaired", ZoneType: "availability-zone" },
      { ZoneName: "eu-west-1-lhr-1a", State: "available", ZoneType: "local-zone" },
      { ZoneName: "eu-west-1d", State: "available", ZoneType: "availability-zone" },
      { ZoneName: "eu-west-1c", State: "available", ZoneType: "availability-zone" },
    ];
    install(world);
    const { outputs } = await run(development);
    expect(outputs.availabilityZones).toEqual(["eu-west-1a", "eu-west-1c", "eu-west-1d"]);
  });

  it("names network.azCount when the region has too few usable zones", async () => {
    world = emptyAccount(development);
    world.zones = world.zones.slice(0, 2);
    install(world);
    const error = await failure(development);
    expect(error.message).toBe("network.azCount: eu-west-1 has 2 available availability zones (eu-west-1a, eu-west-1b), the config asks for 3");
    expect(error.hint).toBe("set network.azCount to 2 or fewer, then run again");
  });

  it.each([
    ["UnauthorizedOperation", "You are not authorized to perform this operation.", "not allowed to create VPC btp-btp-test-vpc (ec2:CreateVpc): UnauthorizedOperation: You are not authorized to perform this operation."],
    ["VpcLimitExceeded", "The maximum number of VPCs has been reached.", "create VPC btp-btp-test-vpc (ec2:CreateVpc): VpcLimitExceeded: the account is at its limit of VPCs per Region (service quotas: vpc L-F678F1CE)"],
    ["InvalidVpc.Range", "The CIDR '10.0.0.0/16' is invalid.", "network.vpcCidr: AWS rejected 10.0.0.0/16 (create VPC btp-btp-test-vpc (ec2:CreateVpc)): InvalidVpc.Range: The CIDR '10.0.0.0/16' is invalid."],
  ])("explains %s from CreateVpc", async (code, message, expected) => {
    install((world = emptyAccount(development)));
    ec2.on(CreateVpcCommand).rejects(ec2Error(code, message));
    expect((await failure(development)).message).toBe(expected);
  });

  it.each([
    ["AllocateAddress", AllocateAddressCommand, "AddressLimitExceeded", "allocate Elastic IP btp-btp-test-vpc-nat-eu-west-1c (ec2:AllocateAddress): AddressLimitExceeded: the account is at its limit of EC2-VPC Elastic IPs (service quotas: ec2 L-0263D0A3)"],
    ["CreateNatGateway", CreateNatGatewayCommand, "NatGatewayLimitExceeded", "create NAT gateway btp-btp-test-vpc-nat-eu-west-1c in subnet subnet-public-2 (ec2:CreateNatGateway): NatGatewayLimitExceeded: the account is at its limit of NAT gateways per Availability Zone (service quotas: vpc L-FE5A380F)"],
  ] as const)("names the quota when %s fails with %s", async (_name, command, code, expected) => {
    world = completeWorld(production);
    world.nats.pop();
    install(world);
    ec2.on(command).rejects(ec2Error(code));
    expect((await failure(production, ADOPTED)).message).toBe(expected);
  });
});

describe("infra/vpc: NAT gateways (moto makes them available at once)", () => {
  function missingThirdNat(): World {
    const w = completeWorld(production);
    w.nats.pop();
    return w;
  }

  it("waits while a new gateway is pending, polling every 15 s, then points the route at it", async () => {
    world = missingThirdNat();
    world.natStates = ["pending", "pending", "pending", "available"];
    install(world);
    const wait = virtualTime();
    const report = recordingReporter();
    await vpcStep.run({ config: production, services: { aws: aws(), wait }, outputs: OUTPUTS, previous: ADOPTED, signal: new AbortController().signal }, report);
    expect(report.statuses.filter((s) => s.startsWith("pending"))).toEqual(["pending (0 of 1 available), 0s", "pending (0 of 1 available), 15s"]);
    expect(wait.slept).toEqual([15_000, 15_000]);
    expect(ec2.commandCalls(ReplaceRouteCommand).map((c) => c.args[0].input)).toEqual([{ RouteTableId: "rtb-private-2", DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-new-2" }]);
  });

  it("sets up the flow logs while a new gateway is pending, and routes to it only once it is available", async () => {
    // Found by test/bench (makespan): flow logs waited for the NAT gateways they do not need.
    world = missingThirdNat();
    Object.assign(world, { flowLogs: [], logGroup: undefined, role: undefined, rolePolicy: undefined, natStates: ["pending", "pending", "available"] });
    install(world);
    let release!: () => void;
    const slept: number[] = [];
    const wait: WaitSettings = { scale: 1, now: () => 0, sleep: (ms) => new Promise<void>((resolve) => (slept.push(ms), (release = resolve))) };
    const running = run(production, ADOPTED, wait);
    // The NAT wait holds its first sleep until released; meanwhile the flow logs finish.
    for (let i = 0; i < 200 && (slept.length === 0 || ec2.commandCalls(CreateFlowLogsCommand).length === 0); i++) await new Promise((resolve) => setImmediate(resolve));
    expect([slept, ec2.commandCalls(CreateFlowLogsCommand).length, ec2.commandCalls(ReplaceRouteCommand).length]).toEqual([[15_000], 1, 0]);
    release();
    await running;
    expect(ec2.commandCalls(ReplaceRouteCommand).map((c) => c.args[0].input.NatGatewayId)).toEqual(["nat-new-2"]);
  });

  it("reuses a free Elastic IP of the platform for that zone", async () => {
    world = missingThirdNat();
    world.addresses = [{ AllocationId: "eipalloc-kept", PublicIp: "203.0.113.7", Tags: tags(production, `${VPC}-nat-eu-west-1c`) }];
    install(world);
    const { report } = await run(production, ADOPTED);
    expect(ec2.commandCalls(AllocateAddressCommand)).toHaveLength(0);
    expect(ec2.commandCalls(CreateNatGatewayCommand)[0]!.args[0].input.AllocationId).toBe("eipalloc-kept");
    expect(report.infos).toEqual([`VPC vpc-1 (${VPC}): created NAT gateway nat-new-1 in eu-west-1c (Elastic IP eipalloc-kept); re-pointed route 0.0.0.0/0 in rtb-private-2 (${VPC}-private-eu-west-1c) from nat-2 to nat-new-1`]);
  });

  it("fails with AWS's reason when a gateway fails", async () => {
    world = missingThirdNat();
    world.natStates = ["pending", "failed"];
    install(world);
    ec2.on(DescribeNatGatewaysCommand, { NatGatewayIds: ["nat-new-2"] }).resolves({ NatGateways: [{ NatGatewayId: "nat-new-2", State: "failed", FailureCode: "Gateway.NotAttached", FailureMessage: "Network vpc-1 has no Internet gateway attached" }] });
    const error = await failure(production, ADOPTED);
    expect(error.message).toBe("NAT gateways nat-new-2 to become available: it is failed: nat-new-2: Gateway.NotAttached: Network vpc-1 has no Internet gateway attached");
  });

  it("gives up after 10 minutes with what it last saw", async () => {
    world = missingThirdNat();
    world.natStates = Array.from({ length: 100 }, () => "pending");
    install(world);
    const error = await failure(production, ADOPTED);
    expect(error.message).toBe("timed out waiting for NAT gateways nat-new-2 to become available: still pending (0 of 1 available) after 10m00s");
    expect(error.hint).toBe("AWS may still finish: run the same command again to keep waiting; a failed gateway shows its reason in the VPC console");
  });

  it("in single mode routes every zone through the first gateway and warns about the idle ones", async () => {
    world = completeWorld(production);
    install(world);
    const single = testConfig({ environment: "production", network: { natGateways: "single" } });
    const { outputs, report } = await run(single, ADOPTED);
    expect(outputs.natGatewayIds).toEqual(["nat-0"]);
    expect(ec2.commandCalls(ReplaceRouteCommand).map((c) => c.args[0].input)).toEqual(["rtb-private-1", "rtb-private-2"].map((RouteTableId) => ({ RouteTableId, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-0" })));
    expect(report.warnings).toEqual(["nat-1", "nat-2"].map((id, i) => `NAT gateway ${id} (subnet subnet-public-${i + 1}) is no longer routed to (network.natGateways is single): delete it to stop its hourly charge`));
  });
});

describe("infra/vpc: routes and associations", () => {
  it("replaces a blackhole route (target deleted), which moto never reports", async () => {
    world = completeWorld(development);
    const route = world.tables.find((t) => t.RouteTableId === "rtb-private-0")!.Routes!.find((r) => r.DestinationCidrBlock === "0.0.0.0/0")!;
    route.State = "blackhole";
    install(world);
    const { report } = await run(development, ADOPTED);
    expect(ec2.commandCalls(ReplaceRouteCommand).map((c) => c.args[0].input)).toEqual([{ RouteTableId: "rtb-private-0", DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-0" }]);
    expect(report.infos).toEqual([`VPC vpc-1 (${VPC}): re-pointed route 0.0.0.0/0 in rtb-private-0 (${VPC}-private-eu-west-1a) from nat-0 (blackhole) to nat-0`]);
  });

  it("moves a subnet associated with another table back in one call", async () => {
    world = completeWorld(development);
    const stray = world.tables.find((t) => t.RouteTableId === "rtb-private-1")!.Associations!;
    stray.push({ RouteTableAssociationId: "rtbassoc-stray", SubnetId: "subnet-private-2", RouteTableId: "rtb-private-1", Main: false });
    world.tables.find((t) => t.RouteTableId === "rtb-private-2")!.Associations = [];
    install(world);
    const { report } = await run(development, ADOPTED);
    expect(ec2.commandCalls(ReplaceRouteTableAssociationCommand).map((c) => c.args[0].input)).toEqual([{ AssociationId: "rtbassoc-stray", RouteTableId: "rtb-private-2" }]);
    expect(ec2.commandCalls(AssociateRouteTableCommand)).toHaveLength(0);
    expect(report.infos).toEqual([`VPC vpc-1 (${VPC}): moved subnet subnet-private-2 from route table rtb-private-1 back to rtb-private-2`]);
  });

  it("recreates a deleted private route table with its route and association", async () => {
    world = completeWorld(development);
    world.tables = world.tables.filter((t) => t.RouteTableId !== "rtb-private-1");
    install(world);
    const { report } = await run(development, ADOPTED);
    expect(ec2.commandCalls(CreateRouteTableCommand)[0]!.args[0].input).toEqual({ VpcId: "vpc-1", TagSpecifications: [{ ResourceType: "route-table", Tags: tags(development, `${VPC}-private-eu-west-1b`) }] });
    expect(mutations()).toEqual(["EC2.CreateRouteTable", "EC2.CreateRoute", "EC2.AssociateRouteTable"]);
    expect(report.infos).toEqual([`VPC vpc-1 (${VPC}): created route table rtb-new-1 (${VPC}-private-eu-west-1b)`]);
  });
});

describe("infra/vpc: flow logs", () => {
  it("creates the group (90 days, KMS), the role with its trust and policy, and an ALL-traffic flow log", async () => {
    world = completeWorld(production);
    Object.assign(world, { flowLogs: [], logGroup: undefined, role: undefined, rolePolicy: undefined });
    install(world);
    const { report } = await run(production, ADOPTED);
    expect(logs.commandCalls(CreateLogGroupCommand)[0]!.args[0].input).toEqual({ logGroupName: GROUP, kmsKeyId: KEY_ARN, tags: platformTags(production, { Name: GROUP }) });
    expect(logs.commandCalls(PutRetentionPolicyCommand)[0]!.args[0].input).toEqual({ logGroupName: GROUP, retentionInDays: 90 });
    const role = iam.commandCalls(CreateRoleCommand)[0]!.args[0].input;
    expect(JSON.parse(role.AssumeRolePolicyDocument!)).toEqual(flowLogTrustPolicy("aws", "eu-west-1", ACCOUNT));
    expect(role.Tags).toEqual(tags(production, "btp-btp-test-flow-logs"));
    expect(JSON.parse(iam.commandCalls(PutRolePolicyCommand)[0]!.args[0].input.PolicyDocument!)).toEqual(flowLogWritePolicy(GROUP_ARN, "aws", "eu-west-1", ACCOUNT));
    expect(ec2.commandCalls(CreateFlowLogsCommand)[0]!.args[0].input).toEqual({
      ResourceType: "VPC", ResourceIds: ["vpc-1"], TrafficType: "ALL", LogDestinationType: "cloud-watch-logs", LogGroupName: GROUP, DeliverLogsPermissionArn: ROLE_ARN,
      TagSpecifications: [{ ResourceType: "vpc-flow-log", Tags: tags(production, `${VPC}-flow-log`) }],
    });
    expect(report.infos).toEqual([`VPC vpc-1 (${VPC}): created log group ${GROUP} (90 days, KMS-encrypted); created IAM role btp-btp-test-flow-logs; created flow log fl-new (ALL traffic) into ${GROUP}`]);
  });

  it("puts the platform key and 90-day retention back on an adopted group (AssociateKmsKey: not in moto)", async () => {
    world = completeWorld(production);
    world.logGroup = { ...world.logGroup, retentionInDays: 30, kmsKeyId: undefined };
    install(world);
    const { report } = await run(production, ADOPTED);
    expect(logs.commandCalls(AssociateKmsKeyCommand)[0]!.args[0].input).toEqual({ logGroupName: GROUP, kmsKeyId: KEY_ARN });
    expect(logs.commandCalls(PutRetentionPolicyCommand)[0]!.args[0].input).toEqual({ logGroupName: GROUP, retentionInDays: 90 });
    expect(report.infos).toEqual([`VPC vpc-1 (${VPC}): set the retention of log group ${GROUP} back to 90 days (was 30); encrypted log group ${GROUP} with the platform key again (was unencrypted)`]);
  });

  it("restores a changed trust policy and a deleted inline policy", async () => {
    world = completeWorld(production);
    world.role = { ...world.role!, AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] })) };
    world.rolePolicy = undefined;
    install(world);
    const { report } = await run(production, ADOPTED);
    expect(JSON.parse(iam.commandCalls(UpdateAssumeRolePolicyCommand)[0]!.args[0].input.PolicyDocument!)).toEqual(flowLogTrustPolicy("aws", "eu-west-1", ACCOUNT));
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(1);
    expect(report.infos).toEqual([`VPC vpc-1 (${VPC}): restored the trust policy of IAM role btp-btp-test-flow-logs; restored policy write-vpc-flow-logs of IAM role btp-btp-test-flow-logs`]);
  });

  it("refuses a log group and a role that are not the platform's", async () => {
    world = completeWorld(production);
    world.logTags = { Name: GROUP };
    install(world);
    expect((await failure(production, ADOPTED)).message).toBe(`log group ${GROUP} exists but is not managed by btp-aws for platform btp-test (no tag btp-aws:platform=btp-test)`);
    ec2.reset(); logs.reset(); iam.reset();
    world = completeWorld(production);
    world.role = { ...world.role!, Tags: [] };
    install(world);
    expect((await failure(production, ADOPTED)).message).toBe("IAM role btp-btp-test-flow-logs exists but is not managed by btp-aws for platform btp-test (no tag btp-aws:platform=btp-test)");
  });

  it("reports a flow log into our group with other settings as drift (flow logs cannot be modified)", async () => {
    world = completeWorld(production);
    world.flowLogs[0]!.TrafficType = "REJECT";
    install(world);
    const error = await failure(production, ADOPTED);
    expect(error.message).toBe(`flow log fl-1 of VPC vpc-1 into ${GROUP} has traffic type REJECT (wanted ALL): flow logs cannot be changed in place`);
    expect(error.hint).toBe("delete it (aws ec2 delete-flow-logs --flow-log-ids fl-1) and run again to recreate it");
  });

  it("warns when the flow log cannot deliver", async () => {
    world = completeWorld(production);
    Object.assign(world.flowLogs[0]!, { DeliverLogsStatus: "FAILED", DeliverLogsErrorMessage: "Access error" });
    install(world);
    const { report } = await run(production, ADOPTED);
    expect(report.warnings).toEqual([`flow log fl-1 cannot deliver to ${GROUP}: Access error`]);
  });

  it("names the quota on IAM LimitExceeded, the actions on AccessDenied, and a rejected flow log", async () => {
    world = completeWorld(production);
    Object.assign(world, { flowLogs: [], role: undefined, rolePolicy: undefined });
    install(world);
    iam.on(CreateRoleCommand).rejects(new IAMServiceException({ name: "LimitExceeded", $fault: "client", $metadata: {}, message: "Cannot exceed quota for RolesPerAccount: 1000" }));
    expect((await failure(production, ADOPTED)).message).toBe("create IAM role btp-btp-test-flow-logs (iam:CreateRole): LimitExceeded: the account is at its limit of IAM roles per account (service quotas: iam L-FE177D64)");

    ec2.reset(); logs.reset(); iam.reset();
    world = completeWorld(production);
    world.flowLogs = [];
    install(world);
    ec2.on(CreateFlowLogsCommand).rejects(ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));
    expect((await failure(production, ADOPTED)).message).toBe("not allowed to create the flow log of VPC vpc-1 (ec2:CreateFlowLogs, iam:PassRole): UnauthorizedOperation: You are not authorized to perform this operation.");

    ec2.on(CreateFlowLogsCommand).resolves({ FlowLogIds: [], Unsuccessful: [{ ResourceId: "vpc-1", Error: { Code: "400", Message: "Access Denied for LogDestination" } }] });
    expect((await failure(production, ADOPTED)).message).toBe("create the flow log of VPC vpc-1 (ec2:CreateFlowLogs, iam:PassRole): 400: Access Denied for LogDestination");

    logs.on(DescribeLogGroupsCommand).rejects(new CloudWatchLogsServiceException({ name: "AccessDeniedException", $fault: "client", $metadata: {}, message: "no logs:DescribeLogGroups" }));
    expect((await failure(production, ADOPTED)).message).toBe(`not allowed to find log group ${GROUP} (logs:DescribeLogGroups): AccessDeniedException: no logs:DescribeLogGroups`);
  });

  it("needs the platform key's ARN only when flow logs are on", async () => {
    install((world = completeWorld(production)));
    const report = recordingReporter();
    const error = await vpcStep.run({ config: production, services: { aws: aws(), wait: virtualTime() }, outputs: { "prepare/credentials": OUTPUTS["prepare/credentials"]! }, previous: ADOPTED, signal: new AbortController().signal }, report).catch((e: unknown) => e);
    expect((error as Error).message).toBe("output keyArn of step infra/kms is missing from the state");
    ec2.reset(); logs.reset(); iam.reset();
    install((world = completeWorld(development)));
    await expect(vpcStep.run({ config: development, services: { aws: aws(), wait: virtualTime() }, outputs: {}, previous: { ...ADOPTED, natGatewayIds: ["nat-0"] }, signal: new AbortController().signal }, report)).resolves.toMatchObject({ vpcId: "vpc-1" });
  });
});
