/**
 * cluster.mode existing against moto: a VPC, subnets, an EKS cluster and a managed node group are
 * made in moto outside btp-aws (as a team that already runs EKS has them), then prepare and infra
 * run through the real runner, state file and adapters with cluster.mode existing. They must adopt
 * the cluster (no new VPC, subnet, gateway, cluster, node group or launch template), record what
 * discovery found under the usual output keys, change nothing on a re-run, and leave destroy
 * nothing of the cluster or its network to delete.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AllocateAddressCommand, AssociateRouteTableCommand, AttachInternetGatewayCommand, CreateInternetGatewayCommand, CreateLaunchTemplateCommand, CreateNatGatewayCommand,
  CreateRouteCommand, CreateRouteTableCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DescribeInternetGatewaysCommand, DescribeLaunchTemplatesCommand,
  DescribeNatGatewaysCommand, DescribeRouteTablesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand, type EC2Client,
} from "@aws-sdk/client-ec2";
import { CreateClusterCommand, CreateNodegroupCommand, DescribeAccessEntryCommand, DescribeClusterCommand, ListClustersCommand, ListNodegroupsCommand } from "@aws-sdk/client-eks";
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, ListOpenIDConnectProvidersCommand, ListRolesCommand } from "@aws-sdk/client-iam";
import { DescribeDBSubnetGroupsCommand } from "@aws-sdk/client-rds";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { installSteps } from "../../../src/cli/steps.js";
import { destroyPlatform, surveyPlatform, type DestroyRequest } from "../../../src/ops/destroy/index.js";
import { clusterStage, eksAddonsStage, nodegroupStage } from "../../../src/ops/destroy/eks.js";
import { iamStage } from "../../../src/ops/destroy/iam.js";
import { networkStage, vpcStage } from "../../../src/ops/destroy/network.js";
import { selectSteps } from "../../../src/plan/select.js";
import type { StepOutputs } from "../../../src/plan/types.js";
import { runSteps } from "../../../src/runner/scheduler.js";
import type { RunResult } from "../../../src/runner/types.js";
import { openState, type FileStateStore } from "../../../src/state/file-store.js";
import { motoClients, type TestClients } from "../../support/aws.js";
import { testConfig } from "../../support/config.js";
import { motoInstallServices } from "../../support/infra.js";
import { MOTO_ACCOUNT, motoControl } from "../../support/moto.js";

const moto = motoControl(inject("motoEndpoint"));
const helm = inject("helm");
const REGION = "eu-west-1";
const TRUST = (service: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });

/** What the team made before btp-aws ever ran. */
interface TeamCluster {
  vpcId: string;
  privateSubnets: string[];
  publicSubnets: string[];
  /** A third private subnet the cluster does not use (another workload's). */
  otherSubnet: string;
  internetGatewayId: string;
  natGatewayId: string;
  nodeSecurityGroupId: string;
  clusterRoleArn: string;
  nodeRoleArn: string;
  launchTemplateId: string;
}

async function subnet(ec2: EC2Client, vpcId: string, cidr: string, zone: string, tags: Record<string, string> = {}): Promise<string> {
  const tagSpecs = Object.keys(tags).length === 0 ? undefined : [{ ResourceType: "subnet" as const, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }];
  return (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone, TagSpecifications: tagSpecs }))).Subnet!.SubnetId!;
}

async function routeTable(ec2: EC2Client, vpcId: string, subnets: string[], route: { GatewayId: string } | { NatGatewayId: string }): Promise<void> {
  const id = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
  await ec2.send(new CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: "0.0.0.0/0", ...route }));
  for (const s of subnets) await ec2.send(new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: s }));
}

/** A VPC with public and private subnets in two zones, an EKS cluster and a node group on a launch template. */
async function makeTeamCluster(aws: TestClients): Promise<TeamCluster> {
  const ec2 = await aws.ec2();
  const iam = await aws.iam();
  const eks = await aws.eks();
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.40.0.0/16" }))).Vpc!.VpcId!;
  const internetGatewayId = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: internetGatewayId, VpcId: vpcId }));
  const publicSubnets = [
    await subnet(ec2, vpcId, "10.40.0.0/24", "eu-west-1a", { "kubernetes.io/role/elb": "1" }),
    await subnet(ec2, vpcId, "10.40.1.0/24", "eu-west-1b", { "kubernetes.io/role/elb": "1" }),
  ];
  const privateSubnets = [await subnet(ec2, vpcId, "10.40.10.0/24", "eu-west-1a"), await subnet(ec2, vpcId, "10.40.11.0/24", "eu-west-1b")];
  const otherSubnet = await subnet(ec2, vpcId, "10.40.20.0/24", "eu-west-1c");
  await routeTable(ec2, vpcId, publicSubnets, { GatewayId: internetGatewayId });
  const allocation = (await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }))).AllocationId!;
  const natGatewayId = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: publicSubnets[0], AllocationId: allocation }))).NatGateway!.NatGatewayId!;
  await routeTable(ec2, vpcId, [...privateSubnets, otherSubnet], { NatGatewayId: natGatewayId });

  const nodeSecurityGroupId = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: "team-nodes", Description: "team EKS nodes", VpcId: vpcId }))).GroupId!;
  const launchTemplateId = (await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "team-workers", LaunchTemplateData: { SecurityGroupIds: [nodeSecurityGroupId] } }))).LaunchTemplate!.LaunchTemplateId!;
  const clusterRoleArn = (await iam.send(new CreateRoleCommand({ RoleName: "team-eks-cluster", AssumeRolePolicyDocument: TRUST("eks.amazonaws.com") }))).Role!.Arn!;
  const nodeRoleArn = (await iam.send(new CreateRoleCommand({ RoleName: "team-eks-nodes", AssumeRolePolicyDocument: TRUST("ec2.amazonaws.com") }))).Role!.Arn!;
  await eks.send(new CreateClusterCommand({
    name: "team-eks", version: "1.35", roleArn: clusterRoleArn,
    resourcesVpcConfig: { subnetIds: [...privateSubnets, ...publicSubnets], endpointPrivateAccess: true, endpointPublicAccess: true },
    tags: { owner: "team" },
  }));
  await eks.send(new CreateNodegroupCommand({
    clusterName: "team-eks", nodegroupName: "workers", nodeRole: nodeRoleArn, subnets: privateSubnets,
    scalingConfig: { minSize: 2, desiredSize: 3, maxSize: 6 }, launchTemplate: { id: launchTemplateId }, tags: { owner: "team" },
  }));
  return { vpcId, privateSubnets, publicSubnets, otherSubnet, internetGatewayId, natGatewayId, nodeSecurityGroupId, clusterRoleArn, nodeRoleArn, launchTemplateId };
}

/** Counts of what a create-mode install would add: none of them may change. */
async function networkCounts(ec2: EC2Client): Promise<Record<string, number>> {
  return {
    vpcs: (await ec2.send(new DescribeVpcsCommand({}))).Vpcs?.length ?? 0,
    subnets: (await ec2.send(new DescribeSubnetsCommand({}))).Subnets?.length ?? 0,
    internetGateways: (await ec2.send(new DescribeInternetGatewaysCommand({}))).InternetGateways?.length ?? 0,
    natGateways: (await ec2.send(new DescribeNatGatewaysCommand({}))).NatGateways?.length ?? 0,
    routeTables: (await ec2.send(new DescribeRouteTablesCommand({}))).RouteTables?.length ?? 0,
    launchTemplates: (await ec2.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates?.length ?? 0,
  };
}

function outputsOf(store: FileStateStore): Record<string, StepOutputs> {
  return Object.fromEntries(Object.entries(store.current().steps).map(([id, step]) => [id, step.outputs]));
}

function expectSucceeded(result: RunResult, store: FileStateStore): void {
  expect(result.failed.map((id) => `${id}: ${store.current().steps[id]?.error?.message ?? ""}`)).toEqual([]);
  expect(result.status).toBe("succeeded");
}

function destroyRequest(aws: TestClients, platform: string, outputs: Record<string, StepOutputs>): DestroyRequest {
  return {
    target: { platform, region: REGION, account: MOTO_ACCOUNT, partition: "aws", outputs, dns: undefined, drRegion: undefined },
    options: { deleteData: false, skipFinalSnapshot: true, now: () => new Date() },
    services: { aws, wait: { scale: 0.001 }, cluster: () => Promise.resolve({ state: "absent", reason: "no Kubernetes API in this test" }) },
  };
}

describe("install --only prepare,infra with cluster.mode existing against moto", () => {
  let zoneId: string;
  beforeEach(async () => {
    await moto.reset();
    zoneId = await moto.seedHostedZone("example.com");
  });

  it("adopts the cluster: creates nothing of its network or compute, records discovery, re-runs with zero mutating calls, and destroy keeps it", async () => {
    const aws = motoClients(moto.endpoint);
    const team = await makeTeamCluster(aws);
    const ec2 = await aws.ec2();
    const before = await networkCounts(ec2);

    const config = testConfig({
      platform: "adopt1",
      environment: "production",
      cluster: { mode: "existing", name: "team-eks" },
      dns: { domain: "btp.example.com", hostedZoneId: zoneId, hostedZoneName: "example.com", acmeEmail: "ops@example.com" },
      monitoring: { alarmEmail: "oncall@example.com" },
    });
    expect(config.cluster.autoscaler).toBe(false);
    const services = await motoInstallServices(aws, helm.v4.path);
    const store = await openState({ dir: await mkdtemp(join(tmpdir(), "btp-aws-existing-")), platform: config.platform, region: REGION });
    const all = installSteps();
    const selected = selectSteps(all, { only: ["prepare", "infra"] });
    const run = () => runSteps(selected, { config, services, store, allSteps: all, concurrency: 8 });

    const started = Date.now();
    expectSucceeded(await run(), store);
    const first = aws.counter.snapshot();
    console.log(`[existing] adopting install against moto: ${((Date.now() - started) / 1000).toFixed(1)} s, ${first.read} read and ${first.mutating} mutating calls`);

    // Nothing of the network or the compute was created.
    expect(await networkCounts(ec2)).toEqual(before);
    const eks = await aws.eks();
    expect((await eks.send(new ListClustersCommand({}))).clusters).toEqual(["team-eks"]);
    expect((await eks.send(new ListNodegroupsCommand({ clusterName: "team-eks" }))).nodegroups).toEqual(["workers"]);
    const cluster = (await eks.send(new DescribeClusterCommand({ name: "team-eks" }))).cluster!;
    // Never tagged as the platform's: a lost state file must not make it look like btp-aws's.
    expect(cluster.tags).toEqual({ owner: "team" });
    // No cluster or node role of the platform's own.
    expect((await (await aws.iam()).send(new ListRolesCommand({}))).Roles?.map((r) => r.RoleName).filter((n) => /^btp-adopt1-eks-/.test(n!))).toEqual([]);

    // The outputs are discovery's, under the keys every later step reads.
    const outputs = outputsOf(store);
    expect(outputs["infra/vpc"]).toEqual({
      vpcId: team.vpcId, vpcCidr: "10.40.0.0/16", availabilityZones: ["eu-west-1a", "eu-west-1b"],
      privateSubnetIds: team.privateSubnets, publicSubnetIds: team.publicSubnets,
      internetGatewayId: team.internetGatewayId, natGatewayIds: [team.natGatewayId], adopted: true,
    });
    expect(outputs["infra/iam-roles"]).toEqual({ clusterRoleArn: team.clusterRoleArn, nodeRoleArn: team.nodeRoleArn, adopted: true });
    expect(outputs["infra/eks"]).toMatchObject({ clusterName: "team-eks", clusterArn: cluster.arn, kubernetesVersion: "1.35", adopted: true, adoptedOidcProviderArn: "" });
    expect(outputs["infra/nodegroup"]).toEqual({ nodeGroupName: "workers", launchTemplateId: team.launchTemplateId, nodeGroupNames: ["workers"], adopted: true });
    const groups = outputs["infra/security-groups"]!;
    expect(groups).toMatchObject({ nodeSecurityGroupId: team.nodeSecurityGroupId, albSecurityGroupId: "" });

    // Only the data stores' groups were made, in the team's VPC, open only to the team's node group.
    for (const [key, port] of [["databaseSecurityGroupId", 5432], ["cacheSecurityGroupId", 6379]] as const) {
      const group = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [String(groups[key])] }))).SecurityGroups![0]!;
      expect(group.VpcId).toBe(team.vpcId);
      expect(group.IpPermissions?.map((p) => [p.FromPort, p.UserIdGroupPairs?.map((g) => g.GroupId)])).toEqual([[port, [team.nodeSecurityGroupId]]]);
    }
    const dbSubnets = (await (await aws.rds()).send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: "btp-adopt1-db" }))).DBSubnetGroups![0]!;
    expect(dbSubnets.Subnets?.map((s) => s.SubnetIdentifier).sort()).toEqual([...team.privateSubnets].sort());
    // The installer's access entry, made because the cluster had none for it.
    const principal = `arn:aws:iam::${MOTO_ACCOUNT}:user/moto`;
    const entry = await eks.send(new DescribeAccessEntryCommand({ clusterName: "team-eks", principalArn: String(outputs["prepare/credentials"]?.principal ?? principal) }));
    expect(entry.accessEntry?.tags?.["btp-aws:platform"]).toBe("adopt1");
    // The OIDC provider was missing, so infra/irsa made it, tagged as the platform's.
    const providers = (await (await aws.iam()).send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? [];
    expect(providers).toHaveLength(1);

    aws.counter.reset();
    expectSucceeded(await run(), store);
    expect(aws.counter.mutatingOperations()).toEqual([]);
    expect(outputsOf(store)["infra/vpc"]).toEqual(outputs["infra/vpc"]);

    // destroy --dry-run: nothing of the cluster or its network is to be deleted; the cluster is listed as kept.
    const survey = await surveyPlatform(destroyRequest(aws, "adopt1", outputsOf(store)));
    const items = survey.flatMap((s) => s.items.map((i) => ({ stage: s.stage.id, ...i })));
    const deleting = items.filter((i) => i.kept === undefined).map((i) => `${i.stage}: ${i.resource}`);
    const teamIds = [team.vpcId, ...team.privateSubnets, ...team.publicSubnets, team.otherSubnet, team.internetGatewayId, team.natGatewayId, team.nodeSecurityGroupId, team.launchTemplateId];
    for (const line of deleting) {
      expect(line).not.toMatch(/team-eks|workers|^destroy\/vpc|^destroy\/cluster|^destroy\/nodegroup|team-eks-(cluster|nodes)/);
      for (const id of teamIds) expect(line.replace(`in the adopted VPC ${team.vpcId}`, "")).not.toContain(id);
    }
    expect(deleting).toEqual(expect.arrayContaining([
      expect.stringMatching(/^destroy\/iam: OIDC provider oidc\.eks\.eu-west-1\.amazonaws\.com\/id\//),
      expect.stringMatching(new RegExp(`^destroy/network: security groups btp-adopt1-db sg-\\w+, btp-adopt1-redis sg-\\w+ in the adopted VPC ${team.vpcId}$`)),
    ]));
    expect(items.filter((i) => i.kept !== undefined).map((i) => `${i.stage}: ${i.resource}`)).toEqual(expect.arrayContaining([
      "destroy/cluster: EKS cluster team-eks, its control-plane logs and volumes",
      "destroy/nodegroup: node group workers of cluster team-eks",
      "destroy/eks-addons: the EKS add-ons of cluster team-eks",
    ]));

    // The EKS, IAM and network stages for real: the platform's groups and provider go, the team's world stays.
    const outcome = await destroyPlatform({ ...destroyRequest(aws, "adopt1", outputsOf(store)), stages: [nodegroupStage, eksAddonsStage, clusterStage, iamStage, networkStage, vpcStage] });
    expect(outcome.stages.status).toBe("succeeded");
    expect((await eks.send(new ListClustersCommand({}))).clusters).toEqual(["team-eks"]);
    expect((await eks.send(new ListNodegroupsCommand({ clusterName: "team-eks" }))).nodegroups).toEqual(["workers"]);
    expect(await networkCounts(ec2)).toEqual(before);
    const left = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [team.vpcId] }] }))).SecurityGroups?.map((g) => g.GroupName).sort();
    expect(left).toEqual(["default", "team-nodes"]);
    expect((await (await aws.iam()).send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? []).toEqual([]);
    expect((await (await aws.iam()).send(new ListRolesCommand({}))).Roles?.map((r) => r.RoleName)).toEqual(expect.arrayContaining(["team-eks-cluster", "team-eks-nodes"]));
    aws.destroy();
  });

  it("destroy keeps an OIDC provider the cluster already had, even though infra/irsa recorded it", async () => {
    const aws = motoClients(moto.endpoint);
    const iam = await aws.iam();
    const issuer = "https://oidc.eks.eu-west-1.amazonaws.com/id/TEAM";
    const arn = (await iam.send(new CreateOpenIDConnectProviderCommand({ Url: issuer, ClientIDList: ["sts.amazonaws.com"], ThumbprintList: ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"] }))).OpenIDConnectProviderArn!;
    const recorded: Record<string, StepOutputs> = {
      "infra/eks": { clusterName: "team-eks", oidcIssuer: issuer, adopted: true, adoptedOidcProviderArn: arn },
      "infra/irsa": { oidcProviderArn: arn },
    };
    const survey = await surveyPlatform({ ...destroyRequest(aws, "adopt2", recorded), stages: [iamStage] });
    expect(survey.flatMap((s) => s.items)).toEqual([]);
    // Without the adoption record, the same state would have it deleted: what the guard prevents.
    const unguarded = await surveyPlatform({ ...destroyRequest(aws, "adopt2", { "infra/irsa": { oidcProviderArn: arn } }), stages: [iamStage] });
    expect(unguarded.flatMap((s) => s.items.map((i) => i.resource))).toEqual(["OIDC provider oidc.eks.eu-west-1.amazonaws.com/id/TEAM"]);
    const outcome = await destroyPlatform({ ...destroyRequest(aws, "adopt2", recorded), stages: [iamStage] });
    expect(outcome.stages.status).toBe("succeeded");
    expect((await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList?.map((p) => p.Arn)).toEqual([arn]);
    aws.destroy();
  });
});
