/**
 * infra/iam-roles, infra/eks and infra/nodegroup against moto: everything created once with the
 * configured settings, a re-run with zero mutating calls, out-of-band breakage repaired, drift
 * reported, production and development configs.
 *
 * The VPC, subnets and security groups the steps need are created directly with the SDK; the key
 * comes from the real infra/kms step. moto resets once per file (a reset rebuilds the EC2 and IAM
 * backends, seconds each): every test works on a platform of its own.
 *
 * moto 5.2.5 gaps, served here by a middleware on the EKS client (see `serveEksMotoGaps`) and covered
 * call by call in the unit tests (test/unit/phases/infra/eks.test.ts, nodegroup.test.ts): no
 * access entry API (Create/DescribeAccessEntry, AssociateAccessPolicy, ListAssociatedAccess-
 * Policies), no UpdateNodegroupVersion, no DescribeUpdate. moto also reports no cluster security
 * group, so the node group tests pass one made in setup.
 */
import {
  CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DescribeLaunchTemplateVersionsCommand, DescribeLaunchTemplatesCommand,
} from "@aws-sdk/client-ec2";
import {
  DescribeClusterCommand, DescribeNodegroupCommand, ListClustersCommand, ListNodegroupsCommand,
} from "@aws-sdk/client-eks";
import { CreateRoleCommand, DetachRolePolicyCommand, GetRoleCommand, ListAttachedRolePoliciesCommand, ListRolesCommand, UpdateAssumeRolePolicyCommand } from "@aws-sdk/client-iam";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { parsePolicyDocument } from "../../../src/aws/iam-policy-document.js";
import type { Config, ConfigInput } from "../../../src/config/schema.js";
import { BtpAwsError } from "../../../src/errors.js";
import { eksStep } from "../../../src/phases/infra/eks.js";
import { iamRolesStep } from "../../../src/phases/infra/iam-roles.js";
import { kmsStep } from "../../../src/phases/infra/kms.js";
import { nodegroupStep } from "../../../src/phases/infra/nodegroup.js";
import type { StepOutputs } from "../../../src/plan/types.js";
import { testConfig } from "../../support/config.js";
import { serveEksMotoGaps, type EksMotoGaps } from "../../support/eks-moto-gaps.js";
import { PREPARE_OUTPUTS, infraServices, runStep, type TestInfraServices } from "../../support/infra.js";
import { MOTO_ACCOUNT, motoControl } from "../../support/moto.js";

const moto = motoControl(inject("motoEndpoint"));
const ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];
const PRINCIPAL = `arn:aws:iam::${MOTO_ACCOUNT}:user/moto`;
const ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
const NODE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly", "AmazonSSMManagedInstanceCore"].map((p) => `arn:aws:iam::aws:policy/${p}`);
const CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

// ── Fixture ─────────────────────────────────────────────────────────────────────────────

let platforms = 0;

interface Fixture {
  config: Config;
  services: TestInfraServices;
  gaps: EksMotoGaps;
  /** Outputs of every step the three steps need. */
  outputs: Record<string, StepOutputs>;
  /** Names: btp-<platform>… */
  names: { cluster: string; clusterRole: string; nodeRole: string; nodeGroup: string };
  /** The stand-in for the EKS cluster security group moto does not create. */
  clusterSecurityGroupId: string;
}

async function fixture(overrides: Partial<ConfigInput> = {}): Promise<Fixture> {
  platforms += 1;
  const platform = `eks-${platforms}`;
  const config = testConfig({ platform, tags: { team: "chain" }, ...overrides });
  const services = infraServices(moto.endpoint);
  const gaps = serveEksMotoGaps(await services.aws.eks(), services.aws.counter);
  const kms = await runStep(kmsStep, config, services, PREPARE_OUTPUTS);

  const ec2 = await services.aws.ec2();
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  const subnet = async (cidr: string, zone: string) => (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone }))).Subnet!.SubnetId!;
  const privateSubnetIds = await Promise.all(ZONES.map((zone, i) => subnet(`10.0.${i * 32}.0/19`, zone)));
  const publicSubnetIds = await Promise.all(ZONES.map((zone, i) => subnet(`10.0.${96 + i * 32}.0/19`, zone)));
  const group = async (name: string) => (await ec2.send(new CreateSecurityGroupCommand({ GroupName: `btp-${platform}-${name}`, Description: name, VpcId: vpcId }))).GroupId!;
  const [nodes, alb, database, cache, clusterSecurityGroupId] = await Promise.all(["nodes", "alb", "db", "redis", "eks-cluster-sg"].map(group));
  services.aws.counter.reset();
  return {
    config,
    services,
    gaps,
    clusterSecurityGroupId: clusterSecurityGroupId!,
    names: { cluster: `btp-${platform}`, clusterRole: `btp-${platform}-eks-cluster`, nodeRole: `btp-${platform}-eks-node`, nodeGroup: `btp-${platform}-nodes` },
    outputs: {
      ...PREPARE_OUTPUTS,
      "infra/kms": kms.outputs,
      "infra/vpc": { vpcId, vpcCidr: "10.0.0.0/16", availabilityZones: ZONES, privateSubnetIds, publicSubnetIds, internetGatewayId: "igw-none", natGatewayIds: [] },
      "infra/security-groups": { nodeSecurityGroupId: nodes!, albSecurityGroupId: alb!, databaseSecurityGroupId: database!, cacheSecurityGroupId: cache! },
    },
  };
}

/** Runs the three steps in DAG order, as the runner would, feeding each the others' outputs. */
async function install(f: Fixture, config = f.config, previous: Record<string, StepOutputs> = {}) {
  const roles = await runStep(iamRolesStep, config, f.services, f.outputs, previous["infra/iam-roles"]);
  f.outputs["infra/iam-roles"] = roles.outputs;
  const cluster = await runStep(eksStep, config, f.services, f.outputs, previous["infra/eks"]);
  // moto reports no cluster security group; real EKS always does.
  f.outputs["infra/eks"] = { ...cluster.outputs, clusterSecurityGroupId: f.clusterSecurityGroupId };
  const nodes = await runStep(nodegroupStep, config, f.services, f.outputs, previous["infra/nodegroup"]);
  f.outputs["infra/nodegroup"] = nodes.outputs;
  return { roles, cluster, nodes, outputs: { "infra/iam-roles": roles.outputs, "infra/eks": cluster.outputs, "infra/nodegroup": nodes.outputs } };
}

async function failure(promise: Promise<unknown>): Promise<BtpAwsError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BtpAwsError);
  return error as BtpAwsError;
}

async function launchTemplateData(f: Fixture, version: string) {
  const ec2 = await f.services.aws.ec2();
  const id = String(f.outputs["infra/nodegroup"]!.launchTemplateId);
  return (await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: [version] }))).LaunchTemplateVersions![0]!.LaunchTemplateData!;
}

describe("infra/iam-roles, infra/eks and infra/nodegroup against moto", () => {
  beforeAll(() => moto.reset());

  it("creates the roles, the cluster with its access entry, the launch template and the node group once (production)", async () => {
    const f = await fixture({ environment: "production", cluster: { publicAccessCidrs: ["203.0.113.0/24"] } });
    const { roles, cluster, nodes } = await install(f);
    const [iam, eks, ec2] = await Promise.all([f.services.aws.iam(), f.services.aws.eks(), f.services.aws.ec2()]);

    // IAM: one role each, trusted by the right service, with the managed policies and tags.
    const roleNames = (await iam.send(new ListRolesCommand({}))).Roles!.map((r) => r.RoleName).filter((n) => n!.startsWith(f.names.cluster));
    expect(roleNames.sort()).toEqual([f.names.clusterRole, f.names.nodeRole]);
    for (const [name, service, policies] of [[f.names.clusterRole, "eks.amazonaws.com", ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"]], [f.names.nodeRole, "ec2.amazonaws.com", NODE_POLICIES]] as const) {
      const role = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role!;
      expect(parsePolicyDocument(role.AssumeRolePolicyDocument!)).toEqual({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });
      expect(role.Tags).toEqual(expect.arrayContaining([{ Key: "btp-aws:platform", Value: f.config.platform }, { Key: "btp-aws:managed-by", Value: "btp-aws" }, { Key: "team", Value: "chain" }, { Key: "Name", Value: name }]));
      const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }))).AttachedPolicies!.map((p) => p.PolicyArn);
      expect(attached.sort()).toEqual([...policies].sort());
    }
    expect(roles.outputs).toEqual({ clusterRoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/${f.names.clusterRole}`, nodeRoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/${f.names.nodeRole}` });

    // EKS: the cluster with version, subnets, endpoints, encryption, logging and tags.
    expect((await eks.send(new ListClustersCommand({}))).clusters!.filter((c) => c === f.names.cluster)).toHaveLength(1);
    const c = (await eks.send(new DescribeClusterCommand({ name: f.names.cluster }))).cluster!;
    const vpc = f.outputs["infra/vpc"]!;
    expect(c.version).toBe("1.35");
    expect(c.roleArn).toBe(roles.outputs.clusterRoleArn);
    expect(c.resourcesVpcConfig).toMatchObject({ endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] });
    expect(c.resourcesVpcConfig!.subnetIds).toEqual([...(vpc.privateSubnetIds as string[]), ...(vpc.publicSubnetIds as string[])]);
    expect(c.encryptionConfig).toEqual([{ resources: ["secrets"], provider: { keyArn: f.outputs["infra/kms"]!.keyArn } }]);
    expect(c.logging!.clusterLogging).toEqual([{ types: CONTROL_PLANE_LOGS, enabled: true }]);
    expect(c.tags).toMatchObject({ "btp-aws:platform": f.config.platform, "btp-aws:managed-by": "btp-aws", team: "chain", Name: f.names.cluster });
    expect(cluster.outputs).toEqual({
      clusterName: f.names.cluster, clusterArn: c.arn, endpoint: c.endpoint, oidcIssuer: c.identity!.oidc!.issuer,
      clusterSecurityGroupId: "", kubernetesVersion: "1.35",
    });

    // The installer's access entry, with cluster admin at cluster scope (served in memory).
    const entry = f.gaps.entries.get(`${f.names.cluster} ${PRINCIPAL}`)!;
    expect(entry.policies).toEqual([{ policyArn: ADMIN_POLICY, accessScope: { type: "cluster" } }]);
    expect(entry.tags).toMatchObject({ "btp-aws:platform": f.config.platform, team: "chain" });
    expect(cluster.report.infos).toEqual([
      `created cluster ${f.names.cluster} (Kubernetes 1.35)`,
      `created the access entry for ${PRINCIPAL}; associated AmazonEKSClusterAdminPolicy (cluster scope)`,
    ]);

    // The launch template: IMDSv2, encrypted gp3 root volume, both security groups, tags.
    const templates = (await ec2.send(new DescribeLaunchTemplatesCommand({ Filters: [{ Name: "launch-template-name", Values: [f.names.nodeGroup] }] }))).LaunchTemplates!;
    expect(templates).toHaveLength(1);
    expect(templates[0]!.Tags).toEqual(expect.arrayContaining([{ Key: "btp-aws:platform", Value: f.config.platform }, { Key: "team", Value: "chain" }]));
    const data = await launchTemplateData(f, "1");
    expect(data.MetadataOptions).toEqual({ HttpEndpoint: "enabled", HttpTokens: "required", HttpPutResponseHopLimit: 2 });
    expect(data.BlockDeviceMappings).toEqual([{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 100, VolumeType: "gp3", Encrypted: true, KmsKeyId: f.outputs["infra/kms"]!.keyArn, DeleteOnTermination: true } }]);
    expect(data.SecurityGroupIds).toEqual([f.clusterSecurityGroupId, f.outputs["infra/security-groups"]!.nodeSecurityGroupId]);
    expect(data.TagSpecifications!.filter((t) => t.ResourceType === "instance" || t.ResourceType === "volume").map((t) => t.ResourceType)).toEqual(["instance", "volume"]);

    // The node group: private subnets, instance types, production scaling, role and template.
    expect((await eks.send(new ListNodegroupsCommand({ clusterName: f.names.cluster }))).nodegroups).toEqual([f.names.nodeGroup]);
    const n = (await eks.send(new DescribeNodegroupCommand({ clusterName: f.names.cluster, nodegroupName: f.names.nodeGroup }))).nodegroup!;
    expect(n).toMatchObject({
      instanceTypes: ["m5.xlarge"], amiType: "AL2023_x86_64_STANDARD", capacityType: "ON_DEMAND", subnets: vpc.privateSubnetIds, nodeRole: roles.outputs.nodeRoleArn,
      scalingConfig: { minSize: 2, desiredSize: 3, maxSize: 50 }, launchTemplate: { id: templates[0]!.LaunchTemplateId, version: "1" },
    });
    expect(n.tags).toMatchObject({ "btp-aws:platform": f.config.platform, team: "chain" });
    expect(nodes.outputs).toEqual({ nodeGroupName: f.names.nodeGroup, launchTemplateId: templates[0]!.LaunchTemplateId });
    expect(nodes.report.warnings).toEqual([]);

    const counts = f.services.aws.counter.snapshot().byOperation;
    expect([counts["IAM.CreateRole"], counts["EKS.CreateCluster"], counts["EKS.CreateAccessEntry"], counts["EKS.AssociateAccessPolicy"], counts["EC2.CreateLaunchTemplate"], counts["EKS.CreateNodegroup"]]).toEqual([2, 1, 1, 1, 1, 1]);
    f.services.aws.destroy();
  });

  it("follows a development config: its version, CIDRs, instance types, scaling and disk", async () => {
    const f = await fixture({ environment: "development", cluster: { kubernetesVersion: "1.33", instanceTypes: ["t3.large"], minNodes: 1, desiredNodes: 1, maxNodes: 3, diskSizeGiB: 50 } });
    await install(f);
    const eks = await f.services.aws.eks();
    const c = (await eks.send(new DescribeClusterCommand({ name: f.names.cluster }))).cluster!;
    expect(c.version).toBe("1.33");
    expect(c.resourcesVpcConfig!.publicAccessCidrs).toEqual(["0.0.0.0/0"]);
    const n = (await eks.send(new DescribeNodegroupCommand({ clusterName: f.names.cluster, nodegroupName: f.names.nodeGroup }))).nodegroup!;
    expect(n).toMatchObject({ instanceTypes: ["t3.large"], scalingConfig: { minSize: 1, desiredSize: 1, maxSize: 3 } });
    expect((await launchTemplateData(f, "1")).BlockDeviceMappings![0]!.Ebs!.VolumeSize).toBe(50);
    f.services.aws.destroy();
  });

  it("makes zero mutating calls on a re-run and returns the same outputs", async () => {
    const f = await fixture({ environment: "production" });
    const first = await install(f);
    f.services.aws.counter.reset();
    const second = await install(f, f.config, first.outputs);
    expect(f.services.aws.counter.mutatingOperations()).toEqual([]);
    expect(second.outputs).toEqual(first.outputs);
    expect(second.roles.report.skipped).toEqual([`roles ${f.names.clusterRole} and ${f.names.nodeRole} exist with their trust and managed policies`]);
    expect(second.cluster.report.skipped).toEqual([`cluster ${f.names.cluster} is ACTIVE at Kubernetes 1.35 as configured; ${PRINCIPAL} has cluster-admin access`]);
    expect(second.nodes.report.skipped).toEqual([`node group ${f.names.nodeGroup} is ACTIVE with m5.xlarge 2/3/50 on launch template ${String(first.outputs["infra/nodegroup"].launchTemplateId)} version 1`]);
    f.services.aws.destroy();
  });

  it("re-attaches a detached node-role policy and resets a changed trust policy, but not one spelled differently", async () => {
    const f = await fixture();
    await runStep(iamRolesStep, f.config, f.services, f.outputs);
    const iam = await f.services.aws.iam();
    await iam.send(new DetachRolePolicyCommand({ RoleName: f.names.nodeRole, PolicyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" }));
    await iam.send(new UpdateAssumeRolePolicyCommand({
      RoleName: f.names.clusterRole,
      PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
    }));
    const again = await runStep(iamRolesStep, f.config, f.services, f.outputs);
    expect(again.report.infos).toEqual([`role ${f.names.clusterRole}: reset the trust policy`, `role ${f.names.nodeRole}: re-attached AmazonSSMManagedInstanceCore`]);
    const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: f.names.nodeRole }))).AttachedPolicies!.map((p) => p.PolicyArn);
    expect(attached.sort()).toEqual([...NODE_POLICIES].sort());
    const trust = parsePolicyDocument((await iam.send(new GetRoleCommand({ RoleName: f.names.clusterRole }))).Role!.AssumeRolePolicyDocument!);
    expect(trust).toMatchObject({ Statement: [{ Principal: { Service: "eks.amazonaws.com" } }] });

    // The same trust in other words (lists instead of strings, a Sid-less reorder) is left alone.
    await iam.send(new UpdateAssumeRolePolicyCommand({
      RoleName: f.names.nodeRole,
      PolicyDocument: JSON.stringify({ Statement: [{ Action: ["sts:AssumeRole"], Principal: { Service: ["ec2.amazonaws.com"] }, Effect: "Allow" }], Version: "2012-10-17" }),
    }));
    f.services.aws.counter.reset();
    const third = await runStep(iamRolesStep, f.config, f.services, f.outputs);
    expect(f.services.aws.counter.mutatingOperations()).toEqual([]);
    expect(third.report.skipped).toHaveLength(1);
    f.services.aws.destroy();
  });

  it("changes scaling in place and rolls the nodes onto a new launch template version for a new disk size", async () => {
    const f = await fixture({ environment: "production" });
    const first = await install(f);
    const changed = testConfig({ platform: f.config.platform, environment: "production", tags: { team: "chain" }, cluster: { maxNodes: 20, desiredNodes: 4, diskSizeGiB: 200 } });
    const again = await runStep(nodegroupStep, changed, f.services, f.outputs, first.outputs["infra/nodegroup"]);
    const eks = await f.services.aws.eks();
    const n = (await eks.send(new DescribeNodegroupCommand({ clusterName: f.names.cluster, nodegroupName: f.names.nodeGroup }))).nodegroup!;
    expect(n.scalingConfig).toEqual({ minSize: 2, desiredSize: 4, maxSize: 20 });
    expect((await launchTemplateData(f, "2")).BlockDeviceMappings![0]!.Ebs!.VolumeSize).toBe(200);
    const id = String(first.outputs["infra/nodegroup"].launchTemplateId);
    expect(f.gaps.versionUpdates).toEqual([{ clusterName: f.names.cluster, nodegroupName: f.names.nodeGroup, launchTemplate: { id, version: "2" } }]);
    expect(again.report.infos).toEqual([
      `launch template ${f.names.nodeGroup}: version 2 (root volume 100 → 200 GiB)`,
      `node group ${f.names.nodeGroup}: scaling min/desired/max 2/3/50 → 2/4/20; rolled the nodes from launch template version 1 to 2`,
    ]);
    f.services.aws.destroy();
  });

  it("updates the public access CIDRs in place", async () => {
    const f = await fixture();
    await install(f);
    const changed = testConfig({ platform: f.config.platform, environment: "development", tags: { team: "chain" }, cluster: { publicAccessCidrs: ["198.51.100.0/24", "203.0.113.7/32"] } });
    const again = await runStep(eksStep, changed, f.services, f.outputs);
    const c = (await (await f.services.aws.eks()).send(new DescribeClusterCommand({ name: f.names.cluster }))).cluster!;
    expect(c.resourcesVpcConfig).toMatchObject({ endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["198.51.100.0/24", "203.0.113.7/32"] });
    expect(again.report.infos).toEqual([`cluster ${f.names.cluster}: allow the public endpoint from 198.51.100.0/24, 203.0.113.7/32`]);
    // (moto replaces the whole resourcesVpcConfig on UpdateClusterConfig, dropping the subnets,
    // so this cluster now looks drifted to moto; real EKS changes only the fields it is given.)
    f.services.aws.destroy();
  });

  it("reports another Kubernetes version and other instance types as drift, changing nothing", async () => {
    const f = await fixture();
    await install(f);
    f.services.aws.counter.reset();
    const newer = testConfig({ platform: f.config.platform, tags: { team: "chain" }, cluster: { kubernetesVersion: "1.36" } });
    const version = await failure(runStep(eksStep, newer, f.services, f.outputs));
    expect(version.message).toBe(`EKS cluster ${f.names.cluster} differs from the config in ways EKS cannot change in place: Kubernetes version is 1.35, the config asks for 1.36`);
    expect(version.hint).toBe(`upgrades are explicit, one minor version at a time: run \`aws eks update-cluster-version --name ${f.names.cluster} --kubernetes-version 1.36\`, wait until it finishes, repeat up to 1.36, then run again`);
    const other = testConfig({ platform: f.config.platform, tags: { team: "chain" }, cluster: { instanceTypes: ["m6i.xlarge"] } });
    const types = await failure(runStep(nodegroupStep, other, f.services, f.outputs));
    expect(types.message).toBe(`node group ${f.names.nodeGroup} differs from the config in ways EKS cannot change in place: instance types are m5.xlarge, the config asks for m6i.xlarge (cluster.instanceTypes)`);
    expect(f.services.aws.counter.mutatingOperations()).toEqual([]);
    f.services.aws.destroy();
  });

  it("refuses a role of the same name that is not this platform's", async () => {
    const f = await fixture();
    const iam = await f.services.aws.iam();
    await iam.send(new CreateRoleCommand({ RoleName: f.names.clusterRole, AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [] }) }));
    const error = await failure(runStep(iamRolesStep, f.config, f.services, f.outputs));
    expect(error.message).toBe(`IAM role ${f.names.clusterRole} exists but is not managed by btp-aws for platform ${f.config.platform} (its btp-aws:platform tag is missing)`);
    f.services.aws.destroy();
  });
});
