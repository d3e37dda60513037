/**
 * infra/nat-gateways with the SDK mocked (vpc-fakes.ts): the NAT gateways and their Elastic IPs,
 * the private route tables through them and the flow logs, on the VPC infra/vpc recorded.
 * Everything moto cannot show is here: pending and failed gateways, waits and their timeout,
 * blackhole routes, AssociateKmsKey, IAM limits, flow-log delivery failures, AccessDenied.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AllocateAddressCommand, AssociateRouteTableCommand, CreateFlowLogsCommand, CreateNatGatewayCommand, CreateRouteCommand, CreateRouteTableCommand,
  DescribeFlowLogsCommand, DescribeNatGatewaysCommand, DescribeVpcsCommand, ReplaceRouteCommand, ReplaceRouteTableAssociationCommand,
} from "@aws-sdk/client-ec2";
import { AssociateKmsKeyCommand, CloudWatchLogsServiceException, CreateLogGroupCommand, DescribeLogGroupsCommand, ListTagsForResourceCommand, PutRetentionPolicyCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRoleCommand, IAMServiceException, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand } from "@aws-sdk/client-iam";
import { platformTags } from "../../../../src/aws/tags.js";
import type { WaitSettings } from "../../../../src/aws/wait.js";
import type { Config } from "../../../../src/config/schema.js";
import type { BtpAwsError } from "../../../../src/errors.js";
import { natGatewaysStep } from "../../../../src/phases/infra/nat-gateways.js";
import { flowLogTrustPolicy, flowLogWritePolicy } from "../../../../src/phases/infra/vpc-flow-log-iam.js";
import type { StepOutputs } from "../../../../src/plan/types.js";
import { testConfig } from "../../../support/config.js";
import {
  ACCOUNT, GROUP, GROUP_ARN, KEY_ARN, OUTPUTS, ROLE_ARN, VPC, VPC_OUTPUTS, completeWorld, development, ec2, ec2Error, iam, install, logs, mutations, production,
  resetIds, resetMocks, runStep, stepFailure, tags, virtualTime, type Ran, type World,
} from "./vpc-fakes.js";

const NEEDED: Record<string, StepOutputs> = { ...OUTPUTS, "infra/vpc": VPC_OUTPUTS };
const run = (config: Config, previous?: StepOutputs, wait?: WaitSettings): Promise<Ran> => runStep(natGatewaysStep, config, NEEDED, previous, wait);
const failure = (config: Config, previous?: StepOutputs): Promise<BtpAwsError> => stepFailure(natGatewaysStep, config, NEEDED, previous);

const COMPLETE_OUTPUTS: StepOutputs = { natGatewayIds: ["nat-0", "nat-1", "nat-2"], privateRouteTableIds: ["rtb-private-0", "rtb-private-1", "rtb-private-2"], flowLogId: "fl-1" };

let world: World;
beforeEach(() => {
  resetIds();
});
afterEach(() => {
  resetMocks();
});

describe("infra/nat-gateways: plan", () => {
  it("needs the VPC and the platform key (for the flow logs), and describes the gateways per mode", () => {
    expect(natGatewaysStep.needs).toEqual(["prepare/credentials", "infra/vpc", "infra/kms"]);
    expect(natGatewaysStep.describe(production)).toEqual(["3 NAT gateways (one per AZ) with Elastic IPs, a private route table per AZ through them; flow logs to CloudWatch Logs /btp-aws/btp-test/vpc-flow-logs"]);
    expect(natGatewaysStep.describe(development)).toEqual(["1 NAT gateway with Elastic IPs, a private route table per AZ through them"]);
  });
});

describe("infra/nat-gateways: adoption", () => {
  it("adopts complete production egress with reads only, never touching the VPC itself", async () => {
    install((world = completeWorld(production)));
    const { outputs, report } = await run(production, COMPLETE_OUTPUTS);
    expect(outputs).toEqual(COMPLETE_OUTPUTS);
    expect(mutations()).toEqual([]);
    expect(report.skipped).toEqual([`VPC vpc-1 (${VPC}) egress is in place: 3 NAT gateways (nat-0, nat-1, nat-2), 3 private route tables, flow logs into ${GROUP}`]);
    expect(ec2.commandCalls(DescribeVpcsCommand)).toHaveLength(0);
    // Flow-log reads: exact names, the log group by prefix (the neighbour is ignored).
    expect(logs.commandCalls(DescribeLogGroupsCommand)[0]!.args[0].input).toEqual({ logGroupNamePrefix: GROUP });
    expect(logs.commandCalls(ListTagsForResourceCommand)[0]!.args[0].input).toEqual({ resourceArn: GROUP_ARN });
    expect(ec2.commandCalls(DescribeFlowLogsCommand)[0]!.args[0].input).toEqual({ Filter: [{ Name: "resource-id", Values: ["vpc-1"] }] });
  });

  it("resumes a state written when infra/vpc made the NAT gateways too: adopts them with reads only", async () => {
    install((world = completeWorld(production)));
    // The old infra/vpc recorded the gateways and no public route table.
    const oldVpc: StepOutputs = { ...Object.fromEntries(Object.entries(VPC_OUTPUTS).filter(([key]) => key !== "publicRouteTableId")), natGatewayIds: ["nat-0", "nat-1", "nat-2"] };
    const { outputs } = await runStep(natGatewaysStep, production, { ...OUTPUTS, "infra/vpc": oldVpc });
    expect(outputs).toEqual(COMPLETE_OUTPUTS);
    expect(mutations()).toEqual([]);
  });

  it("in cluster.mode existing records the adopted VPC's gateways and makes no call at all", async () => {
    install((world = completeWorld(production)));
    const existing = testConfig({ environment: "production", cluster: { mode: "existing", name: "their-cluster" } });
    const adoptedVpc = { ...VPC_OUTPUTS, natGatewayIds: ["nat-theirs"], adopted: true };
    const { outputs, report } = await runStep(natGatewaysStep, existing, { ...OUTPUTS, "infra/vpc": adoptedVpc });
    expect(outputs).toEqual({ natGatewayIds: ["nat-theirs"], adopted: true });
    expect(report.skipped).toEqual(["cluster.mode existing: VPC vpc-1 keeps its own NAT gateways (nat-theirs); nothing created"]);
    expect([ec2.calls().length, logs.calls().length, iam.calls().length]).toEqual([0, 0, 0]);
    expect(natGatewaysStep.describe(existing)).toEqual(["keep the adopted cluster's own NAT gateways and routes: nothing created"]);
  });
});

describe("infra/nat-gateways: creating", () => {
  /** What infra/vpc leaves: the VPC, subnets, internet gateway and public table, nothing else. */
  function freshVpc(config: Config): World {
    const w = completeWorld(config);
    return { ...w, nats: [], tables: w.tables.filter((t) => !t.RouteTableId!.startsWith("rtb-private")), flowLogs: [], logGroup: undefined, role: undefined, rolePolicy: undefined };
  }

  it("creates the gateway with its Elastic IP, then a private table per zone routed through it", async () => {
    install((world = freshVpc(development)));
    const { outputs, report } = await run(development);
    expect(ec2.commandCalls(AllocateAddressCommand)[0]!.args[0].input).toEqual({ Domain: "vpc", TagSpecifications: [{ ResourceType: "elastic-ip", Tags: tags(development, `${VPC}-nat-eu-west-1a`) }] });
    expect(ec2.commandCalls(CreateNatGatewayCommand).map((c) => c.args[0].input)).toEqual([
      { SubnetId: "subnet-public-0", AllocationId: "eipalloc-new-1", ConnectivityType: "public", TagSpecifications: [{ ResourceType: "natgateway", Tags: tags(development, `${VPC}-nat-eu-west-1a`) }] },
    ]);
    expect(ec2.commandCalls(CreateRouteTableCommand).map((c) => c.args[0].input.TagSpecifications![0]!.Tags!.find((t) => t.Key === "Name")?.Value)).toEqual(["eu-west-1a", "eu-west-1b", "eu-west-1c"].map((z) => `${VPC}-private-${z}`));
    expect(ec2.commandCalls(CreateRouteCommand).map((c) => c.args[0].input)).toEqual(["rtb-new-3", "rtb-new-4", "rtb-new-5"].map((RouteTableId) => ({ RouteTableId, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-new-2" })));
    expect(ec2.commandCalls(AssociateRouteTableCommand).map((c) => c.args[0].input)).toEqual([0, 1, 2].map((i) => ({ RouteTableId: `rtb-new-${i + 3}`, SubnetId: `subnet-private-${i}` })));
    expect(outputs).toEqual({ natGatewayIds: ["nat-new-2"], privateRouteTableIds: ["rtb-new-3", "rtb-new-4", "rtb-new-5"] });
    expect(report.infos).toEqual([`VPC vpc-1 (${VPC}) egress: created NAT gateway nat-new-2 in eu-west-1a (Elastic IP eipalloc-new-1); created route table rtb-new-3 (${VPC}-private-eu-west-1a); created route table rtb-new-4 (${VPC}-private-eu-west-1b); created route table rtb-new-5 (${VPC}-private-eu-west-1c)`]);
  });

  it.each([
    ["AllocateAddress", AllocateAddressCommand, "AddressLimitExceeded", "allocate Elastic IP btp-btp-test-vpc-nat-eu-west-1c (ec2:AllocateAddress): AddressLimitExceeded: the account is at its limit of EC2-VPC Elastic IPs (service quotas: ec2 L-0263D0A3)"],
    ["CreateNatGateway", CreateNatGatewayCommand, "NatGatewayLimitExceeded", "create NAT gateway btp-btp-test-vpc-nat-eu-west-1c in subnet subnet-public-2 (ec2:CreateNatGateway): NatGatewayLimitExceeded: the account is at its limit of NAT gateways per Availability Zone (service quotas: vpc L-FE5A380F)"],
  ] as const)("names the quota when %s fails with %s", async (_name, command, code, expected) => {
    world = completeWorld(production);
    world.nats.pop();
    install(world);
    ec2.on(command).rejects(ec2Error(code));
    expect((await failure(production)).message).toBe(expected);
  });
});

describe("infra/nat-gateways: waiting for NAT gateways (moto makes them available at once)", () => {
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
    const { report } = await run(production, undefined, wait);
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
    const running = run(production, undefined, wait);
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
    const { report } = await run(production);
    expect(ec2.commandCalls(AllocateAddressCommand)).toHaveLength(0);
    expect(ec2.commandCalls(CreateNatGatewayCommand)[0]!.args[0].input.AllocationId).toBe("eipalloc-kept");
    expect(report.infos).toEqual([`VPC vpc-1 (${VPC}) egress: created NAT gateway nat-new-1 in eu-west-1c (Elastic IP eipalloc-kept); re-pointed route 0.0.0.0/0 in rtb-private-2 (${VPC}-private-eu-west-1c) from nat-2 to nat-new-1`]);
  });

  it("fails with AWS's reason when a gateway fails", async () => {
    world = missingThirdNat();
    world.natStates = ["pending", "failed"];
    install(world);
    ec2.on(DescribeNatGatewaysCommand, { NatGatewayIds: ["nat-new-2"] }).resolves({ NatGateways: [{ NatGatewayId: "nat-new-2", State: "failed", FailureCode: "Gateway.NotAttached", FailureMessage: "Network vpc-1 has no Internet gateway attached" }] });
    const error = await failure(production);
    expect(error.message).toBe("NAT gateways nat-new-2 to become available: it is failed: nat-new-2: Gateway.NotAttached: Network vpc-1 has no Internet gateway attached");
  });

  it("gives up after 10 minutes with what it last saw", async () => {
    world = missingThirdNat();
    world.natStates = Array.from({ length: 100 }, () => "pending");
    install(world);
    const error = await failure(production);
    expect(error.message).toBe("timed out waiting for NAT gateways nat-new-2 to become available: still pending (0 of 1 available) after 10m00s");
    expect(error.hint).toBe("AWS may still finish: run the same command again to keep waiting; a failed gateway shows its reason in the VPC console");
  });

  it("in single mode routes every zone through the first gateway and warns about the idle ones", async () => {
    world = completeWorld(production);
    install(world);
    const single = testConfig({ environment: "production", network: { natGateways: "single" } });
    const { outputs, report } = await run(single);
    expect(outputs.natGatewayIds).toEqual(["nat-0"]);
    expect(ec2.commandCalls(ReplaceRouteCommand).map((c) => c.args[0].input)).toEqual(["rtb-private-1", "rtb-private-2"].map((RouteTableId) => ({ RouteTableId, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-0" })));
    expect(report.warnings).toEqual(["nat-1", "nat-2"].map((id, i) => `NAT gateway ${id} (subnet subnet-public-${i + 1}) is no longer routed to (network.natGateways is single): delete it to stop its hourly charge`));
  });
});

describe("infra/nat-gateways: private routes and associations", () => {
  it("replaces a blackhole route (target deleted), which moto never reports", async () => {
    world = completeWorld(development);
    const route = world.tables.find((t) => t.RouteTableId === "rtb-private-0")!.Routes!.find((r) => r.DestinationCidrBlock === "0.0.0.0/0")!;
    route.State = "blackhole";
    install(world);
    const { report } = await run(development);
    expect(ec2.commandCalls(ReplaceRouteCommand).map((c) => c.args[0].input)).toEqual([{ RouteTableId: "rtb-private-0", DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-0" }]);
    expect(report.infos).toEqual([`VPC vpc-1 (${VPC}) egress: re-pointed route 0.0.0.0/0 in rtb-private-0 (${VPC}-private-eu-west-1a) from nat-0 (blackhole) to nat-0`]);
  });

  it("moves a subnet associated with another table back in one call", async () => {
    world = completeWorld(development);
    const stray = world.tables.find((t) => t.RouteTableId === "rtb-private-1")!.Associations!;
    stray.push({ RouteTableAssociationId: "rtbassoc-stray", SubnetId: "subnet-private-2", RouteTableId: "rtb-private-1", Main: false });
    world.tables.find((t) => t.RouteTableId === "rtb-private-2")!.Associations = [];
    install(world);
    const { report } = await run(development);
    expect(ec2.commandCalls(ReplaceRouteTableAssociationCommand).map((c) => c.args[0].input)).toEqual([{ AssociationId: "rtbassoc-stray", RouteTableId: "rtb-private-2" }]);
    expect(ec2.commandCalls(AssociateRouteTableCommand)).toHaveLength(0);
    expect(report.infos).toEqual([`VPC vpc-1 (${VPC}) egress: moved subnet subnet-private-2 from route table rtb-private-1 back to rtb-private-2`]);
  });

  it("recreates a deleted private route table with its route and association", async () => {
    world = completeWorld(development);
    world.tables = world.tables.filter((t) => t.RouteTableId !== "rtb-private-1");
    install(world);
    const { report } = await run(development);
    expect(ec2.commandCalls(CreateRouteTableCommand)[0]!.args[0].input).toEqual({ VpcId: "vpc-1", TagSpecifications: [{ ResourceType: "route-table", Tags: tags(development, `${VPC}-private-eu-west-1b`) }] });
    expect(mutations()).toEqual(["EC2.CreateRouteTable", "EC2.CreateRoute", "EC2.AssociateRouteTable"]);
    expect(report.infos).toEqual([`VPC vpc-1 (${VPC}) egress: created route table rtb-new-1 (${VPC}-private-eu-west-1b)`]);
  });
});

describe("infra/nat-gateways: flow logs", () => {
  it("creates the group (90 days, KMS), the role with its trust and policy, and an ALL-traffic flow log", async () => {
    world = completeWorld(production);
    Object.assign(world, { flowLogs: [], logGroup: undefined, role: undefined, rolePolicy: undefined });
    install(world);
    const { report } = await run(production);
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
    expect(report.infos).toEqual([`VPC vpc-1 (${VPC}) egress: created log group ${GROUP} (90 days, KMS-encrypted); created IAM role btp-btp-test-flow-logs; created flow log fl-new (ALL traffic) into ${GROUP}`]);
  });

  it("puts the platform key and 90-day retention back on an adopted group (AssociateKmsKey: not in moto)", async () => {
    world = completeWorld(production);
    world.logGroup = { ...world.logGroup, retentionInDays: 30, kmsKeyId: undefined };
    install(world);
    const { report } = await run(production);
    expect(logs.commandCalls(AssociateKmsKeyCommand)[0]!.args[0].input).toEqual({ logGroupName: GROUP, kmsKeyId: KEY_ARN });
    expect(logs.commandCalls(PutRetentionPolicyCommand)[0]!.args[0].input).toEqual({ logGroupName: GROUP, retentionInDays: 90 });
    expect(report.infos).toEqual([`VPC vpc-1 (${VPC}) egress: set the retention of log group ${GROUP} back to 90 days (was 30); encrypted log group ${GROUP} with the platform key again (was unencrypted)`]);
  });

  it("restores a changed trust policy and a deleted inline policy", async () => {
    world = completeWorld(production);
    world.role = { ...world.role!, AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] })) };
    world.rolePolicy = undefined;
    install(world);
    const { report } = await run(production);
    expect(JSON.parse(iam.commandCalls(UpdateAssumeRolePolicyCommand)[0]!.args[0].input.PolicyDocument!)).toEqual(flowLogTrustPolicy("aws", "eu-west-1", ACCOUNT));
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(1);
    expect(report.infos).toEqual([`VPC vpc-1 (${VPC}) egress: restored the trust policy of IAM role btp-btp-test-flow-logs; restored policy write-vpc-flow-logs of IAM role btp-btp-test-flow-logs`]);
  });

  it("refuses a log group and a role that are not the platform's", async () => {
    world = completeWorld(production);
    world.logTags = { Name: GROUP };
    install(world);
    expect((await failure(production)).message).toBe(`log group ${GROUP} exists but is not managed by btp-aws for platform btp-test (no tag btp-aws:platform=btp-test)`);
    ec2.reset(); logs.reset(); iam.reset();
    world = completeWorld(production);
    world.role = { ...world.role!, Tags: [] };
    install(world);
    expect((await failure(production)).message).toBe("IAM role btp-btp-test-flow-logs exists but is not managed by btp-aws for platform btp-test (no tag btp-aws:platform=btp-test)");
  });

  it("reports a flow log into our group with other settings as drift (flow logs cannot be modified)", async () => {
    world = completeWorld(production);
    world.flowLogs[0]!.TrafficType = "REJECT";
    install(world);
    const error = await failure(production);
    expect(error.message).toBe(`flow log fl-1 of VPC vpc-1 into ${GROUP} has traffic type REJECT (wanted ALL): flow logs cannot be changed in place`);
    expect(error.hint).toBe("delete it (aws ec2 delete-flow-logs --flow-log-ids fl-1) and run again to recreate it");
  });

  it("warns when the flow log cannot deliver", async () => {
    world = completeWorld(production);
    Object.assign(world.flowLogs[0]!, { DeliverLogsStatus: "FAILED", DeliverLogsErrorMessage: "Access error" });
    install(world);
    const { report } = await run(production);
    expect(report.warnings).toEqual([`flow log fl-1 cannot deliver to ${GROUP}: Access error`]);
  });

  it("names the quota on IAM LimitExceeded, the actions on AccessDenied, and a rejected flow log", async () => {
    world = completeWorld(production);
    Object.assign(world, { flowLogs: [], role: undefined, rolePolicy: undefined });
    install(world);
    iam.on(CreateRoleCommand).rejects(new IAMServiceException({ name: "LimitExceeded", $fault: "client", $metadata: {}, message: "Cannot exceed quota for RolesPerAccount: 1000" }));
    expect((await failure(production)).message).toBe("create IAM role btp-btp-test-flow-logs (iam:CreateRole): LimitExceeded: the account is at its limit of IAM roles per account (service quotas: iam L-FE177D64)");

    ec2.reset(); logs.reset(); iam.reset();
    world = completeWorld(production);
    world.flowLogs = [];
    install(world);
    ec2.on(CreateFlowLogsCommand).rejects(ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));
    expect((await failure(production)).message).toBe("not allowed to create the flow log of VPC vpc-1 (ec2:CreateFlowLogs, iam:PassRole): UnauthorizedOperation: You are not authorized to perform this operation.");

    ec2.on(CreateFlowLogsCommand).resolves({ FlowLogIds: [], Unsuccessful: [{ ResourceId: "vpc-1", Error: { Code: "400", Message: "Access Denied for LogDestination" } }] });
    expect((await failure(production)).message).toBe("create the flow log of VPC vpc-1 (ec2:CreateFlowLogs, iam:PassRole): 400: Access Denied for LogDestination");

    logs.on(DescribeLogGroupsCommand).rejects(new CloudWatchLogsServiceException({ name: "AccessDeniedException", $fault: "client", $metadata: {}, message: "no logs:DescribeLogGroups" }));
    expect((await failure(production)).message).toBe(`not allowed to find log group ${GROUP} (logs:DescribeLogGroups): AccessDeniedException: no logs:DescribeLogGroups`);
  });

  it("needs the platform key's ARN only when flow logs are on", async () => {
    install((world = completeWorld(production)));
    const withoutKey = { "prepare/credentials": OUTPUTS["prepare/credentials"]!, "infra/vpc": VPC_OUTPUTS };
    expect((await stepFailure(natGatewaysStep, production, withoutKey)).message).toBe("output keyArn of step infra/kms is missing from the state");
    resetMocks();
    install((world = completeWorld(development)));
    await expect(runStep(natGatewaysStep, development, { "infra/vpc": VPC_OUTPUTS })).resolves.toMatchObject({ outputs: { natGatewayIds: ["nat-0"] } });
  });
});
