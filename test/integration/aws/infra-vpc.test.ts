/**
 * infra/vpc, infra/nat-gateways and infra/security-groups against moto: create once with the
 * configured shape and tags, re-run with zero mutating calls, repair what is broken out of band,
 * report drift.
 *
 * moto rebuilds its EC2 backend after every reset, which costs seconds; so the file resets once
 * and each test works on its own platform (its own VPC, key, role and names) instead.
 */
import { GetRoleCommand, GetRolePolicyCommand } from "@aws-sdk/client-iam";
import { DescribeLogGroupsCommand, ListTagsForResourceCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  AuthorizeSecurityGroupIngressCommand, DeleteNatGatewayCommand, DeleteRouteCommand, DeleteSubnetCommand, DescribeAddressesCommand, DescribeFlowLogsCommand,
  DescribeInternetGatewaysCommand, DescribeNatGatewaysCommand, DescribeRouteTablesCommand, DescribeSecurityGroupRulesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand,
  DescribeVpcAttributeCommand, DescribeVpcsCommand, DisassociateRouteTableCommand, RevokeSecurityGroupIngressCommand, type EC2Client, type RouteTable,
} from "@aws-sdk/client-ec2";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { Config } from "../../../src/config/schema.js";
import { BtpAwsError } from "../../../src/errors.js";
import { kmsStep } from "../../../src/phases/infra/kms.js";
import { natGatewaysStep } from "../../../src/phases/infra/nat-gateways.js";
import { securityGroupsStep } from "../../../src/phases/infra/security-groups.js";
import { vpcStep } from "../../../src/phases/infra/vpc.js";
import type { StepOutputs } from "../../../src/plan/types.js";
import { testConfig } from "../../support/config.js";
import { PREPARE_OUTPUTS, infraServices, runStep, type TestInfraServices } from "../../support/infra.js";
import { MOTO_ACCOUNT, motoControl } from "../../support/moto.js";

const moto = motoControl(inject("motoEndpoint"));
const ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];
const PRIVATE = ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"];
const PUBLIC = ["10.0.96.0/19", "10.0.128.0/19", "10.0.160.0/19"];

let platforms = 0;

interface Fixture {
  config: Config;
  services: TestInfraServices;
  /** What infra/vpc needs: prepare's outputs and a real platform key from infra/kms. */
  outputs: Record<string, StepOutputs>;
  /** btp-<platform>-vpc */
  vpcName: string;
  platform: string;
}

/** A platform of its own for one test, with its KMS key made by the real infra/kms step. */
async function fixture(environment: "production" | "development", network: Partial<Config["network"]> = {}): Promise<Fixture> {
  platforms += 1;
  const platform = `net-${platforms}`;
  const config = testConfig({ platform, environment, tags: { team: "chain" }, network });
  const services = infraServices(moto.endpoint);
  const kms = await runStep(kmsStep, config, services, PREPARE_OUTPUTS);
  services.aws.counter.reset();
  return { config, services, outputs: { ...PREPARE_OUTPUTS, "infra/kms": kms.outputs }, vpcName: `btp-${platform}-vpc`, platform };
}

function tagsOf(tags: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
}

async function routeTables(ec2: EC2Client, vpcId: string): Promise<RouteTable[]> {
  return (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }))).RouteTables ?? [];
}

function tableNamed(tables: RouteTable[], name: string): RouteTable {
  const table = tables.find((t) => tagsOf(t.Tags).Name === name);
  if (!table) throw new Error(`no route table ${name}`);
  return table;
}

function defaultRoute(table: RouteTable) {
  return table.Routes?.find((r) => r.DestinationCidrBlock === "0.0.0.0/0");
}

/** infra/vpc, then infra/nat-gateways on what it recorded, as the runner would. */
async function network(f: Fixture, previous: { vpc?: StepOutputs; nat?: StepOutputs } = {}) {
  const vpc = await runStep(vpcStep, f.config, f.services, f.outputs, previous.vpc);
  const nat = await runStep(natGatewaysStep, f.config, f.services, { ...f.outputs, "infra/vpc": vpc.outputs }, previous.nat);
  return { vpc: vpc.outputs, nat: nat.outputs, reports: [vpc.report, nat.report] };
}

beforeAll(() => moto.reset());

describe("infra/vpc against moto", () => {
  it("creates the production network once: 3 AZs, 6 tagged subnets, 3 NAT gateways, route tables, flow logs", async () => {
    const f = await fixture("production");
    const { services, outputs, vpcName, platform } = f;
    const { vpc, nat, reports } = await network(f);
    const ec2 = await services.aws.ec2();
    const vpcId = String(vpc.vpcId);
    const inVpc = [{ Name: "vpc-id", Values: [vpcId] }];
    const ours = { "btp-aws:platform": platform, "btp-aws:managed-by": "btp-aws", team: "chain" };

    expect(vpc).toMatchObject({ vpcCidr: "10.0.0.0/16", availabilityZones: ZONES });
    const vpcs = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:Name", Values: [vpcName] }] }))).Vpcs ?? [];
    expect(vpcs.map((v) => [v.VpcId, v.CidrBlock])).toEqual([[vpcId, "10.0.0.0/16"]]);
    expect(tagsOf(vpcs[0]!.Tags)).toEqual({ Name: vpcName, ...ours });
    expect((await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: "enableDnsHostnames" }))).EnableDnsHostnames?.Value).toBe(true);
    expect((await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: "enableDnsSupport" }))).EnableDnsSupport?.Value).toBe(true);

    const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: inVpc }))).Subnets ?? [];
    expect(subnets).toHaveLength(6);
    const byId = new Map(subnets.map((s) => [s.SubnetId, s]));
    for (const [tier, ids, cidrs] of [["private", vpc.privateSubnetIds, PRIVATE], ["public", vpc.publicSubnetIds, PUBLIC]] as const) {
      expect((ids as string[]).map((id) => [byId.get(id)?.CidrBlock, byId.get(id)?.AvailabilityZone, byId.get(id)?.MapPublicIpOnLaunch])).toEqual(cidrs.map((c, i) => [c, ZONES[i], tier === "public"]));
      for (const [i, id] of (ids as string[]).entries()) {
        expect(tagsOf(byId.get(id)?.Tags)).toEqual({
          ...ours,
          Name: `${vpcName}-${tier}-${ZONES[i]!}`,
          "btp-aws:tier": tier,
          [`kubernetes.io/cluster/btp-${platform}`]: "shared",
          [tier === "public" ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb"]: "1",
        });
      }
    }

    const igws = (await ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: "attachment.vpc-id", Values: [vpcId] }] }))).InternetGateways ?? [];
    expect(igws.map((g) => [g.InternetGatewayId, tagsOf(g.Tags)])).toEqual([[vpc.internetGatewayId, { Name: `${vpcName}-igw`, ...ours }]]);

    const nats = (await ec2.send(new DescribeNatGatewaysCommand({ Filter: inVpc }))).NatGateways ?? [];
    expect(nats).toHaveLength(3);
    expect(nat.natGatewayIds).toHaveLength(3);
    for (const [i, id] of (nat.natGatewayIds as string[]).entries()) {
      const nat = nats.find((n) => n.NatGatewayId === id)!;
      expect([nat.State, nat.SubnetId, tagsOf(nat.Tags)]).toEqual(["available", (vpc.publicSubnetIds as string[])[i], { Name: `${vpcName}-nat-${ZONES[i]!}`, ...ours }]);
    }
    const addresses = (await ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: "tag:btp-aws:platform", Values: [platform] }] }))).Addresses ?? [];
    expect(addresses.map((a) => tagsOf(a.Tags).Name).sort()).toEqual(ZONES.map((z) => `${vpcName}-nat-${z}`));

    const tables = await routeTables(ec2, vpcId);
    const pub = tableNamed(tables, `${vpcName}-public`);
    expect(pub.RouteTableId).toBe(vpc.publicRouteTableId);
    expect(defaultRoute(pub)?.GatewayId).toBe(vpc.internetGatewayId);
    expect(pub.Associations?.map((a) => a.SubnetId).sort()).toEqual([...(vpc.publicSubnetIds as string[])].sort());
    for (const [i, zone] of ZONES.entries()) {
      const table = tableNamed(tables, `${vpcName}-private-${zone}`);
      expect(table.RouteTableId).toBe((nat.privateRouteTableIds as string[])[i]);
      expect(defaultRoute(table)?.NatGatewayId).toBe((nat.natGatewayIds as string[])[i]);
      expect(table.Associations?.map((a) => a.SubnetId)).toEqual([(vpc.privateSubnetIds as string[])[i]]);
      expect(tagsOf(table.Tags)).toEqual({ Name: `${vpcName}-private-${zone}`, ...ours });
    }

    const group = `/btp-aws/${platform}/vpc-flow-logs`;
    const logs = await services.aws.logs();
    const groups = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups ?? [];
    expect(groups.map((g) => [g.logGroupName, g.retentionInDays, g.kmsKeyId])).toEqual([[group, 90, outputs["infra/kms"]!.keyArn]]);
    expect((await logs.send(new ListTagsForResourceCommand({ resourceArn: groups[0]!.logGroupArn! }))).tags).toEqual({ Name: group, ...ours });
    const iam = await services.aws.iam();
    const role = (await iam.send(new GetRoleCommand({ RoleName: `btp-${platform}-flow-logs` }))).Role!;
    expect(tagsOf(role.Tags)).toEqual({ Name: `btp-${platform}-flow-logs`, ...ours });
    const trust = JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!)) as { Statement: { Principal: unknown; Condition: unknown }[] };
    expect(trust.Statement.map((s) => [s.Principal, s.Condition])).toEqual([[
      { Service: "vpc-flow-logs.amazonaws.com" },
      { StringEquals: { "aws:SourceAccount": MOTO_ACCOUNT }, ArnLike: { "aws:SourceArn": `arn:aws:ec2:eu-west-1:${MOTO_ACCOUNT}:vpc-flow-log/*` } },
    ]]);
    const policy = JSON.parse(decodeURIComponent((await iam.send(new GetRolePolicyCommand({ RoleName: `btp-${platform}-flow-logs`, PolicyName: "write-vpc-flow-logs" }))).PolicyDocument!)) as { Statement: { Action: unknown; Resource: unknown }[] };
    const groupArn = `arn:aws:logs:eu-west-1:${MOTO_ACCOUNT}:log-group:${group}`;
    expect(policy.Statement.map((s) => [s.Action, s.Resource])).toEqual([
      [["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], [groupArn, `${groupArn}:log-stream:*`]],
      ["logs:DescribeLogGroups", `arn:aws:logs:eu-west-1:${MOTO_ACCOUNT}:log-group:*`],
    ]);
    const flows = (await ec2.send(new DescribeFlowLogsCommand({ Filter: [{ Name: "resource-id", Values: [vpcId] }] }))).FlowLogs ?? [];
    expect(flows.map((f) => [f.TrafficType, f.LogDestinationType, f.LogGroupName, f.DeliverLogsPermissionArn, f.DeliverLogsStatus])).toEqual([["ALL", "cloud-watch-logs", group, role.Arn, "SUCCESS"]]);

    expect(nat.flowLogId).toBe(flows[0]!.FlowLogId);
    expect(reports[0]!.infos).toEqual([
      `created VPC ${vpcId} (${vpcName}, 10.0.0.0/16): 6 subnets over eu-west-1a, eu-west-1b, eu-west-1c, internet gateway ${String(vpc.internetGatewayId)}, public route table ${String(vpc.publicRouteTableId)}`,
    ]);
    expect(reports[1]!.infos).toEqual([expect.stringMatching(new RegExp(`^VPC ${vpcId} \\(${vpcName}\\) egress: created NAT gateway nat-\\w+ in eu-west-1a .*; created flow log fl-\\w+ \\(ALL traffic\\) into ${group.replace(/\//g, "\\/")}$`))]);
    expect(reports.flatMap((r) => r.warnings)).toEqual([]);
    expect(services.aws.counter.snapshot().byOperation).toMatchObject({
      "EC2.CreateVpc": 1, "EC2.CreateSubnet": 6, "EC2.CreateInternetGateway": 1, "EC2.CreateNatGateway": 3, "EC2.AllocateAddress": 3,
      "EC2.CreateRouteTable": 4, "EC2.CreateRoute": 4, "EC2.AssociateRouteTable": 6, "EC2.CreateFlowLogs": 1, "CloudWatchLogs.CreateLogGroup": 1, "IAM.CreateRole": 1,
    });
    services.aws.destroy();
  });

  it("makes zero mutating calls on a re-run, with the same outputs, with or without state", async () => {
    const f = await fixture("production");
    const { services, outputs, vpcName, platform } = f;
    const first = await network(f);
    services.aws.counter.reset();
    const second = await network(f, { vpc: first.vpc, nat: first.nat });
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    expect([second.vpc, second.nat]).toEqual([first.vpc, first.nat]);
    expect(second.reports.map((r) => r.skipped)).toEqual([
      [`VPC ${String(first.vpc.vpcId)} (${vpcName}, 10.0.0.0/16) is in place: 6 subnets over eu-west-1a, eu-west-1b, eu-west-1c, internet gateway ${String(first.vpc.internetGatewayId)}, public route table ${String(first.vpc.publicRouteTableId)}`],
      [`VPC ${String(first.vpc.vpcId)} (${vpcName}) egress is in place: 3 NAT gateways (${(first.nat.natGatewayIds as string[]).join(", ")}), 3 private route tables, flow logs into /btp-aws/${platform}/vpc-flow-logs`],
    ]);
    // A lost state file: the same network is found by its names and tags.
    services.aws.counter.reset();
    const lost = await network({ ...f, outputs });
    expect([lost.vpc, lost.nat]).toEqual([first.vpc, first.nat]);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    services.aws.destroy();
  });

  it("builds development with one NAT gateway shared by every private route table, and no flow logs", async () => {
    const f = await fixture("development");
    const { services, vpcName, platform } = f;
    const { vpc, nat, reports } = await network(f);
    const ec2 = await services.aws.ec2();
    const vpcId = String(vpc.vpcId);
    expect(nat.natGatewayIds).toHaveLength(1);
    expect((await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: "vpc-id", Values: [vpcId] }] }))).NatGateways?.map((n) => n.SubnetId)).toEqual([(vpc.publicSubnetIds as string[])[0]]);
    const tables = await routeTables(ec2, vpcId);
    expect(ZONES.map((z) => defaultRoute(tableNamed(tables, `${vpcName}-private-${z}`))?.NatGatewayId)).toEqual([nat.natGatewayIds, nat.natGatewayIds, nat.natGatewayIds].flat());
    expect((await ec2.send(new DescribeFlowLogsCommand({ Filter: [{ Name: "resource-id", Values: [vpcId] }] }))).FlowLogs).toEqual([]);
    expect(Object.keys(services.aws.counter.snapshot().byOperation).filter((op) => op.startsWith("IAM.") || op.startsWith("CloudWatchLogs."))).toEqual([]);
    expect((await (await services.aws.logs()).send(new DescribeLogGroupsCommand({ logGroupNamePrefix: `/btp-aws/${platform}/` }))).logGroups).toEqual([]);
    expect(reports[1]!.infos).toEqual([expect.stringMatching(new RegExp(`^VPC ${vpcId} \\(${vpcName}\\) egress: created NAT gateway nat-\\w+ in eu-west-1a \\(Elastic IP eipalloc-\\w+\\); created route table rtb-\\w+ \\(${vpcName}-private-eu-west-1a\\); .*-private-eu-west-1c\\)$`))]);
    services.aws.destroy();
  });

  it("recreates a deleted default route in a private table, and nothing else", async () => {
    const f = await fixture("production");
    const { services, vpcName } = f;
    const first = await network(f);
    const ec2 = await services.aws.ec2();
    const vpcId = String(first.vpc.vpcId);
    const table = tableNamed(await routeTables(ec2, vpcId), `${vpcName}-private-eu-west-1b`);
    await ec2.send(new DeleteRouteCommand({ RouteTableId: table.RouteTableId, DestinationCidrBlock: "0.0.0.0/0" }));
    services.aws.counter.reset();
    const again = await network(f, first);
    const nat = (first.nat.natGatewayIds as string[])[1]!;
    expect(services.aws.counter.mutatingOperations()).toEqual(["EC2.CreateRoute"]);
    expect(again.reports[1]!.infos).toEqual([`VPC ${vpcId} (${vpcName}) egress: recreated route 0.0.0.0/0 → ${nat} in ${table.RouteTableId!} (${vpcName}-private-eu-west-1b)`]);
    expect(defaultRoute(tableNamed(await routeTables(ec2, vpcId), `${vpcName}-private-eu-west-1b`))?.NatGatewayId).toBe(nat);
    services.aws.destroy();
  });

  it("recreates a deleted NAT gateway and points its zone's route at the new one", async () => {
    const f = await fixture("production");
    const { services, vpcName } = f;
    const first = await network(f);
    const ec2 = await services.aws.ec2();
    const old = (first.nat.natGatewayIds as string[])[2]!;
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: old }));
    services.aws.counter.reset();
    const again = await network(f, first);
    const replacement = (again.nat.natGatewayIds as string[])[2]!;
    expect(replacement).not.toBe(old);
    expect((again.nat.natGatewayIds as string[]).slice(0, 2)).toEqual((first.nat.natGatewayIds as string[]).slice(0, 2));
    const table = tableNamed(await routeTables(ec2, String(first.vpc.vpcId)), `${vpcName}-private-eu-west-1c`);
    expect(defaultRoute(table)?.NatGatewayId).toBe(replacement);
    // moto keeps a deleted gateway's Elastic IP associated (AWS frees it for reuse), so a new one is allocated here.
    expect(services.aws.counter.mutatingOperations().sort()).toEqual(["EC2.AllocateAddress", "EC2.CreateNatGateway", "EC2.ReplaceRoute"]);
    expect(again.reports[0]!.infos).toEqual([]);
    expect(again.reports[1]!.infos).toEqual([
      expect.stringMatching(new RegExp(`^VPC vpc-\\w+ \\(${vpcName}\\) egress: created NAT gateway ${replacement} in eu-west-1c \\(Elastic IP eipalloc-\\w+\\); re-pointed route 0\\.0\\.0\\.0/0 in ${table.RouteTableId!} \\(${vpcName}-private-eu-west-1c\\) from ${old} to ${replacement}$`)),
    ]);
    services.aws.destroy();
  });

  it("recreates a deleted private subnet alone (infra/vpc) and associates it with its zone's table (infra/nat-gateways)", async () => {
    const f = await fixture("development");
    const { services, vpcName } = f;
    const first = await network(f);
    const ec2 = await services.aws.ec2();
    const vpcId = String(first.vpc.vpcId);
    const old = (first.vpc.privateSubnetIds as string[])[0]!;
    const association = tableNamed(await routeTables(ec2, vpcId), `${vpcName}-private-eu-west-1a`).Associations![0]!;
    await ec2.send(new DisassociateRouteTableCommand({ AssociationId: association.RouteTableAssociationId }));
    await ec2.send(new DeleteSubnetCommand({ SubnetId: old }));
    services.aws.counter.reset();
    const again = await network(f, first);
    const recreated = (again.vpc.privateSubnetIds as string[])[0]!;
    expect(recreated).not.toBe(old);
    expect(services.aws.counter.mutatingOperations().sort()).toEqual(["EC2.AssociateRouteTable", "EC2.CreateSubnet"]);
    const subnet = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [recreated] }))).Subnets![0]!;
    expect([subnet.CidrBlock, subnet.AvailabilityZone, tagsOf(subnet.Tags)["kubernetes.io/role/internal-elb"]]).toEqual(["10.0.0.0/19", "eu-west-1a", "1"]);
    expect(again.reports.map((r) => r.infos)).toEqual([
      [`VPC ${vpcId} (${vpcName}): created private subnet ${recreated} (10.0.0.0/19, eu-west-1a)`],
      [`VPC ${vpcId} (${vpcName}) egress: re-associated subnet ${recreated} with route table ${association.RouteTableId!}`],
    ]);
    services.aws.destroy();
  });

  it("reports a VPC whose CIDR differs from network.vpcCidr as drift, naming both, and changes nothing", async () => {
    const { config, services, outputs, vpcName } = await fixture("development");
    const first = await runStep(vpcStep, config, services, outputs);
    services.aws.counter.reset();
    const changed: Config = { ...config, network: { ...config.network, vpcCidr: "10.1.0.0/16" } };
    const error = await runStep(vpcStep, changed, services, outputs, first.outputs).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BtpAwsError);
    expect((error as Error).message).toBe(`VPC ${String(first.outputs.vpcId)} (${vpcName}) has CIDR 10.0.0.0/16 but network.vpcCidr is 10.1.0.0/16: a VPC's CIDR cannot change in place`);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    services.aws.destroy();
  });
});

describe("infra/security-groups against moto", () => {
  async function network(environment: "development" | "production"): Promise<Fixture> {
    const f = await fixture(environment);
    const vpc = await runStep(vpcStep, f.config, f.services, f.outputs);
    f.services.aws.counter.reset();
    return { ...f, outputs: { ...f.outputs, "infra/vpc": vpc.outputs } };
  }

  async function rulesOf(ec2: EC2Client, groupId: string) {
    const rules = (await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [groupId] }] }))).SecurityGroupRules ?? [];
    return rules.filter((r) => !r.IsEgress);
  }

  async function ruleLines(ec2: EC2Client, groupId: string): Promise<string[]> {
    return (await rulesOf(ec2, groupId)).map((r) => `${r.IpProtocol} ${r.FromPort} ${r.CidrIpv4 ?? r.CidrIpv6 ?? r.ReferencedGroupInfo?.GroupId}`).sort();
  }

  it("creates the four tagged groups with exactly the wanted ingress, then re-runs with zero mutating calls", async () => {
    const { config, services, outputs, platform } = await network("development");
    const vpcId = String(outputs["infra/vpc"]!.vpcId);
    const { outputs: groups, report } = await runStep(securityGroupsStep, config, services, outputs);
    const ec2 = await services.aws.ec2();
    const { nodeSecurityGroupId: nodes, albSecurityGroupId: alb, databaseSecurityGroupId: db, cacheSecurityGroupId: cache } = groups as Record<string, string>;
    expect(await ruleLines(ec2, nodes!)).toEqual([`-1 -1 ${alb!}`, `-1 -1 ${nodes!}`].sort());
    expect(await ruleLines(ec2, alb!)).toEqual(["tcp 443 0.0.0.0/0", "tcp 443 ::/0", "tcp 80 0.0.0.0/0", "tcp 80 ::/0"]);
    expect(await ruleLines(ec2, db!)).toEqual([`tcp 5432 ${nodes!}`]);
    expect(await ruleLines(ec2, cache!)).toEqual([`tcp 6379 ${nodes!}`]);
    const described = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [nodes!, alb!, db!, cache!] }))).SecurityGroups ?? [];
    // The groups are created at once: moto lists them in whichever order they arrived.
    expect(described.map((g) => [g.GroupName, g.VpcId, tagsOf(g.Tags)["btp-aws:platform"], tagsOf(g.Tags).team]).sort()).toEqual(
      ["alb", "db", "nodes", "redis"].map((suffix) => [`btp-${platform}-${suffix}`, vpcId, platform, "chain"]),
    );
    expect(report.infos).toEqual([`security groups in ${vpcId}: created security group btp-${platform}-nodes (${nodes!}); created security group btp-${platform}-alb (${alb!}); created security group btp-${platform}-db (${db!}); created security group btp-${platform}-redis (${cache!})`]);

    services.aws.counter.reset();
    const again = await runStep(securityGroupsStep, config, services, outputs, groups);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    expect(again.outputs).toEqual(groups);
    expect(again.report.skipped).toEqual([`security groups btp-${platform}-nodes, btp-${platform}-alb, btp-${platform}-db, btp-${platform}-redis in ${vpcId} are in place with their rules`]);
    services.aws.destroy();
  });

  it("re-adds a removed rule and revokes 5432 opened to 0.0.0.0/0, with a warning", async () => {
    const { config, services, outputs, platform } = await network("production");
    const { outputs: groups } = await runStep(securityGroupsStep, config, services, outputs);
    const { nodeSecurityGroupId: nodes, databaseSecurityGroupId: db, cacheSecurityGroupId: cache } = groups as Record<string, string>;
    const ec2 = await services.aws.ec2();
    const cacheRule = (await rulesOf(ec2, cache!))[0]!;
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: cache, SecurityGroupRuleIds: [cacheRule.SecurityGroupRuleId!] }));
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: db, IpPermissions: [{ IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }] }));
    services.aws.counter.reset();
    const again = await runStep(securityGroupsStep, config, services, outputs, groups);
    expect(services.aws.counter.mutatingOperations().sort()).toEqual(["EC2.AuthorizeSecurityGroupIngress", "EC2.RevokeSecurityGroupIngress"]);
    expect(await ruleLines(ec2, db!)).toEqual([`tcp 5432 ${nodes!}`]);
    expect(await ruleLines(ec2, cache!)).toEqual([`tcp 6379 ${nodes!}`]);
    expect(again.report.warnings).toEqual([`revoked tcp 5432 from 0.0.0.0/0 from security group btp-${platform}-db (${db!}): the database must be reachable only from the cluster nodes`]);
    expect(again.report.infos).toEqual([`security groups in ${String(outputs["infra/vpc"]!.vpcId)}: revoked tcp 5432 from 0.0.0.0/0 from btp-${platform}-db; re-added tcp 6379 from ${nodes!} to btp-${platform}-redis`]);
    // And the next run is clean again.
    services.aws.counter.reset();
    await runStep(securityGroupsStep, config, services, outputs, groups);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    services.aws.destroy();
  });
});
