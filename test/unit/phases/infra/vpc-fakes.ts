/**
 * The SDK mocks infra/vpc and infra/nat-gateways are unit-tested with: EC2, CloudWatch Logs and
 * IAM answer from a small in-memory world of a complete network, which create calls also update.
 * What moto cannot show (pending and failed NAT gateways, blackhole routes, AssociateKmsKey,
 * limits, AccessDenied) is set up in this world by the tests.
 */
import { expect } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import {
  AllocateAddressCommand, AssociateRouteTableCommand, AttachInternetGatewayCommand, CreateFlowLogsCommand, CreateInternetGatewayCommand, CreateNatGatewayCommand,
  CreateRouteCommand, CreateRouteTableCommand, CreateSubnetCommand, CreateTagsCommand, CreateVpcCommand, DescribeAddressesCommand, DescribeAvailabilityZonesCommand,
  DescribeFlowLogsCommand, DescribeInternetGatewaysCommand, DescribeNatGatewaysCommand, DescribeRouteTablesCommand, DescribeSubnetsCommand, DescribeVpcAttributeCommand,
  DescribeVpcsCommand, EC2Client, EC2ServiceException, ModifySubnetAttributeCommand, ModifyVpcAttributeCommand, ReplaceRouteCommand, ReplaceRouteTableAssociationCommand,
  type Address, type AvailabilityZone, type Filter, type FlowLog, type InternetGateway, type NatGateway, type RouteTable, type Subnet, type Tag, type Vpc,
} from "@aws-sdk/client-ec2";
import {
  AssociateKmsKeyCommand, CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand, ListTagsForResourceCommand,
  PutRetentionPolicyCommand, TagResourceCommand, type LogGroup,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateRoleCommand, GetRoleCommand, GetRolePolicyCommand, IAMClient, NoSuchEntityException, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand, type Role,
} from "@aws-sdk/client-iam";
import { classifyOperation } from "../../../../src/aws/call-counter.js";
import { createAwsClients } from "../../../../src/aws/clients.js";
import { platformTags, tagList } from "../../../../src/aws/tags.js";
import type { WaitSettings } from "../../../../src/aws/wait.js";
import type { Config } from "../../../../src/config/schema.js";
import { BtpAwsError } from "../../../../src/errors.js";
import { flowLogTrustPolicy, flowLogWritePolicy } from "../../../../src/phases/infra/vpc-flow-log-iam.js";
import type { Step, StepOutputs } from "../../../../src/plan/types.js";
import { testConfig } from "../../../support/config.js";
import { recordingReporter, type RecordingReporter } from "../../../support/reporter.js";
import type { InfraServices } from "../../../../src/phases/infra/services.js";

export const ACCOUNT = "123456789012";
export const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1111-2222`;
export const OUTPUTS: Record<string, StepOutputs> = {
  "prepare/credentials": { account: ACCOUNT, principal: `arn:aws:iam::${ACCOUNT}:user/ops` },
  "infra/kms": { keyId: "1111-2222", keyArn: KEY_ARN, alias: "alias/btp-btp-test" },
};
export const ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];
export const PRIVATE = ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"];
export const PUBLIC = ["10.0.96.0/19", "10.0.128.0/19", "10.0.160.0/19"];
export const VPC = "btp-btp-test-vpc";
export const GROUP = "/btp-aws/btp-test/vpc-flow-logs";
export const GROUP_ARN = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:${GROUP}`;
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/btp-btp-test-flow-logs`;

export const production = testConfig({ environment: "production" });
export const development = testConfig();

export const ec2 = mockClient(EC2Client);
export const logs = mockClient(CloudWatchLogsClient);
export const iam = mockClient(IAMClient);

export function ec2Error(name: string, message = `${name} happened`) {
  return new EC2ServiceException({ name, $fault: "client", $metadata: { httpStatusCode: 400 }, message });
}

// ---------------------------------------------------------------- the world the mocks answer from

export interface World {
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

export const tags = (config: Config, name: string, extra: Record<string, string> = {}): { Key: string; Value: string }[] => tagList(platformTags(config, { ...extra, Name: name }));
export const tagValue = (list: Tag[] | undefined, key: string) => list?.find((t) => t.Key === key)?.Value;

export function subnetTags(config: Config, tier: "private" | "public", zone: string): Tag[] {
  const role = tier === "public" ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb";
  return tags(config, `${VPC}-${tier}-${zone}`, { [role]: "1", "kubernetes.io/cluster/btp-btp-test": "shared", "btp-aws:tier": tier });
}

/** Everything infra/vpc would have built for `config`, as EC2, Logs and IAM describe it. */
export function completeWorld(config: Config): World {
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
export function matches(filters: Filter[] | undefined, fields: Record<string, (string | undefined)[]>): boolean {
  return (filters ?? []).every((f) => {
    const values = fields[f.Name!];
    if (!values) throw new Error(`the fake does not know filter ${f.Name!}`);
    return values.some((v) => v !== undefined && f.Values!.includes(v));
  });
}

let counter = 0;
/** Ids of created resources count from 1 again in each test. */
export function resetIds(): void {
  counter = 0;
}
export const nextId = (prefix: string) => `${prefix}-new-${++counter}`;

export function install(w: World): void {
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

export const aws = () => createAwsClients({ region: "eu-west-1", userAgentSuffix: "btp-aws/test", credentials: () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "b" }) });

/** Virtual time: waits advance a clock instead of sleeping. */
export function virtualTime(): WaitSettings & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return { scale: 1, slept, now: () => now, sleep: (ms) => { slept.push(ms); now += ms; return Promise.resolve(); } };
}

type NetworkStep = Step<Pick<InfraServices, "aws" | "wait">>;

export interface Ran {
  outputs: StepOutputs;
  report: RecordingReporter;
}

/** Runs `step` against the mocks with the given outputs of earlier steps. */
export async function runStep(step: NetworkStep, config: Config, outputs: Record<string, StepOutputs>, previous?: StepOutputs, wait: WaitSettings = virtualTime()): Promise<Ran> {
  const report = recordingReporter();
  const recorded = await step.run({ config, services: { aws: aws(), wait }, outputs, previous, signal: new AbortController().signal }, report);
  return { outputs: recorded ?? {}, report };
}

export async function stepFailure(step: NetworkStep, config: Config, outputs: Record<string, StepOutputs>, previous?: StepOutputs): Promise<BtpAwsError> {
  const error = await runStep(step, config, outputs, previous).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BtpAwsError);
  return error as BtpAwsError;
}

/** "EC2.CreateRoute"-style names of every mutating call the mocks saw, in order. */
export function mutations(): string[] {
  return ([["EC2", ec2], ["CloudWatchLogs", logs], ["IAM", iam]] as const).flatMap(([service, mock]) =>
    mock.calls().map((c) => `${service}.${(c.args[0] as object).constructor.name.replace(/Command$/, "")}`)).filter((op) => classifyOperation(op.split(".")[1]!) === "mutating");
}

/** infra/vpc's outputs for the complete world. */
export const VPC_OUTPUTS: StepOutputs = {
  vpcId: "vpc-1", vpcCidr: "10.0.0.0/16", availabilityZones: ZONES, publicSubnetIds: ["subnet-public-0", "subnet-public-1", "subnet-public-2"],
  privateSubnetIds: ["subnet-private-0", "subnet-private-1", "subnet-private-2"], internetGatewayId: "igw-1", publicRouteTableId: "rtb-public",
};

export function resetMocks(): void {
  ec2.reset();
  logs.reset();
  iam.reset();
}
