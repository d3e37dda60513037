/**
 * infra/vpc with the SDK mocked (vpc-fakes.ts): decisions, call shapes and every error path of
 * the VPC, its subnets, internet gateway and public route table. The NAT gateways, private routes
 * and flow logs are infra/nat-gateways (nat-gateways.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AssociateRouteTableCommand, AttachInternetGatewayCommand, CreateInternetGatewayCommand, CreateRouteCommand, CreateRouteTableCommand, CreateSubnetCommand, CreateTagsCommand,
  CreateVpcCommand, DescribeAvailabilityZonesCommand, DescribeFlowLogsCommand, DescribeInternetGatewaysCommand, DescribeNatGatewaysCommand, DescribeRouteTablesCommand,
  DescribeSubnetsCommand, DescribeVpcsCommand,
  ModifySubnetAttributeCommand, ModifyVpcAttributeCommand,
} from "@aws-sdk/client-ec2";
import type { Config } from "../../../../src/config/schema.js";
import type { BtpAwsError } from "../../../../src/errors.js";
import { vpcStep } from "../../../../src/phases/infra/vpc.js";
import type { StepOutputs } from "../../../../src/plan/types.js";
import { testConfig } from "../../../support/config.js";
import {
  OUTPUTS, PRIVATE, PUBLIC, VPC, VPC_OUTPUTS, ZONES, completeWorld, development, ec2, ec2Error, iam, install, logs, mutations, production, resetIds, resetMocks,
  runStep, stepFailure, subnetTags, tags, type Ran, type World,
} from "./vpc-fakes.js";

/** infra/vpc needs only the account: not the platform key, which only the flow logs use. */
const NEEDED: Record<string, StepOutputs> = { "prepare/credentials": OUTPUTS["prepare/credentials"]! };
const run = (config: Config, previous?: StepOutputs): Promise<Ran> => runStep(vpcStep, config, NEEDED, previous);
const failure = (config: Config, previous?: StepOutputs): Promise<BtpAwsError> => stepFailure(vpcStep, config, NEEDED, previous);

let world: World;
beforeEach(() => {
  resetIds();
});
afterEach(() => {
  resetMocks();
});

describe("infra/vpc: plan", () => {
  it("needs only the account (not the platform key), and describes the network without its NAT gateways", () => {
    expect(vpcStep.needs).toEqual(["prepare/credentials"]);
    expect(vpcStep.describe(production)).toEqual([
      "create or adopt VPC btp-btp-test-vpc 10.0.0.0/16 over 3 AZs",
      "private subnets 10.0.0.0/19, 10.0.32.0/19, 10.0.64.0/19; public subnets 10.0.96.0/19, 10.0.128.0/19, 10.0.160.0/19",
      "internet gateway, public route table",
    ]);
    expect(vpcStep.describe(development)).toEqual(vpcStep.describe(production));
  });
});

describe("infra/vpc: adoption", () => {
  it("adopts a complete production network with reads only, and never looks at NAT gateways or flow logs", async () => {
    install((world = completeWorld(production)));
    const { outputs, report } = await run(production, VPC_OUTPUTS);
    expect(outputs).toEqual(VPC_OUTPUTS);
    expect(mutations()).toEqual([]);
    expect(report.skipped).toEqual([`VPC vpc-1 (${VPC}, 10.0.0.0/16) is in place: 6 subnets over eu-west-1a, eu-west-1b, eu-west-1c, internet gateway igw-1, public route table rtb-public`]);
    // Those are infra/nat-gateways' work now.
    expect([ec2.commandCalls(DescribeNatGatewaysCommand).length, ec2.commandCalls(DescribeFlowLogsCommand).length, logs.calls().length, iam.calls().length]).toEqual([0, 0, 0, 0]);
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
    const { report } = await run(development, VPC_OUTPUTS);
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
    const { report } = await run(development, VPC_OUTPUTS);
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
    // The fake numbers what it makes in call order; the route table is made beside the subnets.
    const publicIds = outputs.publicSubnetIds as string[];
    const table = outputs.publicRouteTableId as string;
    expect(table).toMatch(/^rtb-new-\d+$/);
    expect(ec2.commandCalls(ModifySubnetAttributeCommand).map((c) => c.args[0].input.SubnetId)).toEqual(publicIds);
    expect(ec2.commandCalls(CreateRouteCommand).map((c) => c.args[0].input)).toEqual([{ RouteTableId: table, DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-new" }]);
    expect(ec2.commandCalls(AssociateRouteTableCommand).map((c) => c.args[0].input)).toEqual(publicIds.map((SubnetId) => ({ RouteTableId: table, SubnetId })));
    // No NAT gateway, Elastic IP or private table: the cluster can be created without them.
    expect(mutations().filter((op) => /Address|NatGateway|FlowLogs|LogGroup|Role/.test(op))).toEqual([]);
    expect(ec2.commandCalls(CreateRouteTableCommand)).toHaveLength(1);
    // A VPC made by this run has no subnets and only its main table: neither is looked up.
    expect([ec2.commandCalls(DescribeSubnetsCommand).length, ec2.commandCalls(DescribeRouteTablesCommand).length]).toEqual([0, 0]);
    expect(outputs).toEqual({
      vpcId: "vpc-new-1", vpcCidr: "10.0.0.0/16", availabilityZones: ZONES, privateSubnetIds: [expect.stringMatching(/^subnet-new-/), expect.stringMatching(/^subnet-new-/), expect.stringMatching(/^subnet-new-/)],
      publicSubnetIds: [expect.stringMatching(/^subnet-new-/), expect.stringMatching(/^subnet-new-/), expect.stringMatching(/^subnet-new-/)], internetGatewayId: "igw-new", publicRouteTableId: table,
    });
    expect(new Set([...(outputs.privateSubnetIds as string[]), ...publicIds]).size).toBe(6);
    expect(report.infos).toEqual([`created VPC vpc-new-1 (${VPC}, 10.0.0.0/16): 6 subnets over eu-west-1a, eu-west-1b, eu-west-1c, internet gateway igw-new, public route table ${table}`]);
  });

  it("creates the six subnets, looks for the internet gateway and makes the public route table at the same time, not one after another", async () => {
    // Found by test/bench (makespan): infra/vpc is on the path to the EKS cluster, and its calls
    // were made in sequence. Every CreateSubnet is held until all six, the gateway lookup and the
    // route table have been asked for: made one at a time, the first would wait forever and the
    // test time out.
    install((world = emptyAccount(development)));
    const held: (() => void)[] = [];
    let gatewayAsked = false;
    let tableAsked = false;
    const released = () => held.length === 6 && gatewayAsked && tableAsked;
    ec2.on(DescribeInternetGatewaysCommand).callsFake(() => ((gatewayAsked = true), released() && held.forEach((go) => go()), { InternetGateways: [] }));
    ec2.on(CreateRouteTableCommand).callsFake((i: { VpcId: string }) => {
      tableAsked = true;
      if (released()) held.forEach((go) => go());
      return { RouteTable: { RouteTableId: "rtb-public", VpcId: i.VpcId, Routes: [], Associations: [], Tags: [] } };
    });
    ec2.on(CreateSubnetCommand).callsFake((i: { VpcId: string; CidrBlock: string; AvailabilityZone: string }) => new Promise((resolve) => {
      held.push(() => resolve({ Subnet: { SubnetId: `subnet-${i.CidrBlock}`, VpcId: i.VpcId, CidrBlock: i.CidrBlock, AvailabilityZone: i.AvailabilityZone, State: "available", MapPublicIpOnLaunch: false } }));
      if (released()) held.forEach((go) => go());
    }));
    const { outputs } = await run(development);
    expect(outputs.privateSubnetIds).toEqual(PRIVATE.map((cidr) => `subnet-${cidr}`));
  }, 5_000);

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

});
