/**
 * cluster.mode existing with the SDK mocked: the paths moto cannot show (it reports no cluster
 * security group, no access entries and no authentication mode) and every refusal, with the
 * exact message and no mutating call.
 */
import {
  DescribeInternetGatewaysCommand, DescribeLaunchTemplateVersionsCommand, DescribeNatGatewaysCommand, DescribeRouteTablesCommand, DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client,
} from "@aws-sdk/client-ec2";
import {
  AssociateAccessPolicyCommand, CreateAccessEntryCommand, DescribeAccessEntryCommand, DescribeClusterCommand, DescribeNodegroupCommand, EKSClient, ListAssociatedAccessPoliciesCommand,
  ListNodegroupsCommand, ResourceNotFoundException, type Cluster, type Nodegroup,
} from "@aws-sdk/client-eks";
import { GetOpenIDConnectProviderCommand, IAMClient, ListOpenIDConnectProvidersCommand } from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { classifyOperation } from "../../../../src/aws/call-counter.js";
import type { AwsClients } from "../../../../src/aws/clients.js";
import { BtpAwsError } from "../../../../src/errors.js";
import { eksStep } from "../../../../src/phases/infra/eks.js";
import { discoverExistingCluster } from "../../../../src/phases/infra/existing-cluster.js";
import { iamRolesStep } from "../../../../src/phases/infra/iam-roles.js";
import { nodegroupStep } from "../../../../src/phases/infra/nodegroup.js";
import { securityGroupsStep } from "../../../../src/phases/infra/security-groups.js";
import { vpcStep } from "../../../../src/phases/infra/vpc.js";
import { testConfig } from "../../../support/config.js";
import { runStep } from "../../../support/infra.js";
import { recordingReporter } from "../../../support/reporter.js";

const ACCOUNT = "123456789012";
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:user/installer`;
const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/TEAM";
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/TEAM`;
const ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
const NOW = new Date("2026-11-28T12:00:00Z");
const config = testConfig({ environment: "production", cluster: { mode: "existing", name: "team-eks" } });
const OUTPUTS = { "prepare/credentials": { account: ACCOUNT, principal: PRINCIPAL } };

const eksMock = mockClient(EKSClient);
const ec2Mock = mockClient(EC2Client);
const iamMock = mockClient(IAMClient);
const credentials = { accessKeyId: "a", secretAccessKey: "b" };
const eks = new EKSClient({ region: "eu-west-1", credentials });
const ec2 = new EC2Client({ region: "eu-west-1", credentials });
const iam = new IAMClient({ region: "eu-west-1", credentials });
const aws = { eks: () => Promise.resolve(eks), ec2: () => Promise.resolve(ec2), iam: () => Promise.resolve(iam), endpoint: undefined, region: "eu-west-1" } as unknown as AwsClients;

function cluster(overrides: Partial<Cluster> = {}): { cluster: Cluster } {
  return {
    cluster: {
      name: "team-eks", arn: `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/team-eks`, status: "ACTIVE", version: "1.35", roleArn: `arn:aws:iam::${ACCOUNT}:role/team-cluster`,
      endpoint: "https://TEAM.gr7.eu-west-1.eks.amazonaws.com", identity: { oidc: { issuer: ISSUER } },
      resourcesVpcConfig: { subnetIds: ["subnet-a", "subnet-b", "subnet-pub"], clusterSecurityGroupId: "sg-cluster" },
      accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" }, tags: { owner: "team" },
      ...overrides,
    },
  };
}

function nodegroup(name: string, overrides: Partial<Nodegroup> = {}): { nodegroup: Nodegroup } {
  return {
    nodegroup: {
      nodegroupName: name, nodegroupArn: `arn:aws:eks:eu-west-1:${ACCOUNT}:nodegroup/team-eks/${name}/x`, status: "ACTIVE", subnets: ["subnet-a", "subnet-b"],
      nodeRole: `arn:aws:iam::${ACCOUNT}:role/team-nodes`, scalingConfig: { minSize: 1, desiredSize: 2, maxSize: 3 }, ...overrides,
    },
  };
}

/** The network: two private subnets behind a NAT gateway, one public subnet, the cluster in both. */
function network(): void {
  const subnet = (id: string, zone: string, tags: { Key: string; Value: string }[] = []) => ({ SubnetId: id, VpcId: "vpc-team", CidrBlock: "10.0.0.0/24", AvailabilityZone: zone, State: "available" as const, Tags: tags });
  const all = [subnet("subnet-a", "eu-west-1a"), subnet("subnet-b", "eu-west-1b"), subnet("subnet-pub", "eu-west-1a", [{ Key: "kubernetes.io/role/elb", Value: "1" }])];
  ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: all });
  ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: "vpc-team", CidrBlock: "10.0.0.0/16", State: "available" }] });
  ec2Mock.on(DescribeRouteTablesCommand).resolves({
    RouteTables: [
      { RouteTableId: "rtb-main", VpcId: "vpc-team", Routes: [{ DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-1" }], Associations: [{ RouteTableAssociationId: "a-main", Main: true }] },
      { RouteTableId: "rtb-pub", VpcId: "vpc-team", Routes: [{ DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-1" }], Associations: [{ RouteTableAssociationId: "a-pub", SubnetId: "subnet-pub" }] },
    ],
  });
  ec2Mock.on(DescribeInternetGatewaysCommand).resolves({ InternetGateways: [{ InternetGatewayId: "igw-1", Attachments: [{ VpcId: "vpc-team", State: "attached" }] }] });
  ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [{ NatGatewayId: "nat-1", VpcId: "vpc-team", SubnetId: "subnet-pub", State: "available" }] });
}

function mutations(): string[] {
  const mocks: { calls(): { args: readonly unknown[] }[] }[] = [eksMock, ec2Mock, iamMock];
  return mocks.flatMap((m) => m.calls()).map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, "")).filter((op) => classifyOperation(op) === "mutating");
}

async function refusal(promise: Promise<unknown>): Promise<BtpAwsError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BtpAwsError);
  return error as BtpAwsError;
}

beforeEach(() => {
  // The steps read the clock for the support calendar: pin it.
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
  eksMock.reset();
  ec2Mock.reset();
  iamMock.reset();
  network();
  eksMock.on(DescribeClusterCommand).resolves(cluster());
  eksMock.on(ListNodegroupsCommand).resolves({ nodegroups: [] });
  iamMock.on(ListOpenIDConnectProvidersCommand).resolves({ OpenIDConnectProviderList: [] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe("existing cluster: discovery", () => {
  it("uses the cluster security group when the node groups' launch templates set none (EKS then adds it)", async () => {
    eksMock.on(ListNodegroupsCommand).resolves({ nodegroups: ["b-workers", "a-workers"] });
    eksMock.on(DescribeNodegroupCommand, { nodegroupName: "a-workers" }).resolves(nodegroup("a-workers"));
    eksMock.on(DescribeNodegroupCommand, { nodegroupName: "b-workers" }).resolves(nodegroup("b-workers", { launchTemplate: { id: "lt-1", version: "3" } }));
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [{ LaunchTemplateData: { ImageId: "ami-1" } }] });
    const found = await discoverExistingCluster(aws, config, recordingReporter(), NOW);
    expect(found.nodeSecurityGroupId).toBe("sg-cluster");
    expect(found.nodeGroups.map((g) => g.name)).toEqual(["a-workers", "b-workers"]);
    expect(ec2Mock.commandCalls(DescribeLaunchTemplateVersionsCommand).map((c) => c.args[0].input)).toEqual([{ LaunchTemplateId: "lt-1", Versions: ["3"] }]);
    expect([found.vpcId, found.privateSubnets.map((s) => s.subnetId), found.publicSubnets.map((s) => s.subnetId), found.zones]).toEqual(["vpc-team", ["subnet-a", "subnet-b"], ["subnet-pub"], ["eu-west-1a", "eu-west-1b"]]);
    expect(found.warnings).toEqual([]);
    expect(mutations()).toEqual([]);
  });

  it("uses the group every launch template shares when the templates replace the cluster's", async () => {
    eksMock.on(ListNodegroupsCommand).resolves({ nodegroups: ["a", "b"] });
    eksMock.on(DescribeNodegroupCommand, { nodegroupName: "a" }).resolves(nodegroup("a", { launchTemplate: { id: "lt-a", version: "1" } }));
    eksMock.on(DescribeNodegroupCommand, { nodegroupName: "b" }).resolves(nodegroup("b", { launchTemplate: { id: "lt-b", version: "1" } }));
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand, { LaunchTemplateId: "lt-a" }).resolves({ LaunchTemplateVersions: [{ LaunchTemplateData: { SecurityGroupIds: ["sg-gpu", "sg-nodes"] } }] });
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand, { LaunchTemplateId: "lt-b" }).resolves({ LaunchTemplateVersions: [{ LaunchTemplateData: { SecurityGroupIds: ["sg-nodes"] } }] });
    expect((await discoverExistingCluster(aws, config, recordingReporter(), NOW)).nodeSecurityGroupId).toBe("sg-nodes");
  });

  it("refuses node groups that share no security group", async () => {
    eksMock.on(ListNodegroupsCommand).resolves({ nodegroups: ["a", "b"] });
    eksMock.on(DescribeNodegroupCommand, { nodegroupName: "a" }).resolves(nodegroup("a", { launchTemplate: { id: "lt-a", version: "1" } }));
    eksMock.on(DescribeNodegroupCommand, { nodegroupName: "b" }).resolves(nodegroup("b"));
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [{ LaunchTemplateData: { SecurityGroupIds: ["sg-a"] } }] });
    const error = await refusal(discoverExistingCluster(aws, config, recordingReporter(), NOW));
    expect(error.message).toBe("the managed node groups of EKS cluster team-eks (a, b) share no security group, so no one group can admit all nodes to the database and cache");
  });

  it("falls back to the cluster security group, with a warning, when there is no managed node group", async () => {
    const found = await discoverExistingCluster(aws, config, recordingReporter(), NOW);
    expect(found.nodeSecurityGroupId).toBe("sg-cluster");
    expect(found.warnings).toEqual(["cluster team-eks has no managed node group: the data stores admit the cluster security group sg-cluster, which EKS gives managed nodes; make sure your nodes carry it"]);
  });

  it("refuses a cluster that does not exist, is not ACTIVE, or runs an unsupported version", async () => {
    eksMock.on(DescribeClusterCommand).rejects(new ResourceNotFoundException({ message: "No cluster found for name: team-eks.", $metadata: {} }));
    const missing = await refusal(discoverExistingCluster(aws, config, recordingReporter(), NOW));
    expect([missing.message, missing.hint]).toEqual([
      "EKS cluster team-eks does not exist in eu-west-1 (cluster.name, cluster.mode existing)",
      "check cluster.name and aws.region (aws eks list-clusters --region eu-west-1), then run again",
    ]);
    eksMock.on(DescribeClusterCommand).resolves(cluster({ status: "UPDATING" }));
    expect((await refusal(discoverExistingCluster(aws, config, recordingReporter(), NOW))).message).toBe("EKS cluster team-eks is UPDATING, not ACTIVE: btp-aws installs only into a running cluster");
    eksMock.on(DescribeClusterCommand).resolves(cluster({ version: "1.30" }));
    const old = await refusal(discoverExistingCluster(aws, config, recordingReporter(), NOW));
    expect(old.message).toBe("EKS cluster team-eks cannot carry the platform: Kubernetes 1.30 is older than the platform supports (1.33 to 1.35: the current version and the two before it)");
    expect(old.hint).toMatch(/^upgrade the cluster \(aws eks update-cluster-version --name team-eks/);
    expect(mutations()).toEqual([]);
  });

  it("refuses a VPC with no private subnet", async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [{ RouteTableId: "rtb-main", Routes: [{ DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-1" }], Associations: [{ RouteTableAssociationId: "m", Main: true }] }] });
    expect((await refusal(discoverExistingCluster(aws, config, recordingReporter(), NOW))).message)
      .toBe("VPC vpc-team of cluster team-eks has no private subnet (every subnet routes 0.0.0.0/0 to an internet gateway): the database and cache would have no private home");
  });
});

describe("existing cluster: the guarded steps", () => {
  it("infra/vpc refuses private subnets in one zone when RDS or ElastiCache needs two, and accepts them when neither is managed", async () => {
    const oneZone = (id: string) => ({ SubnetId: id, VpcId: "vpc-team", CidrBlock: "10.0.0.0/24", AvailabilityZone: "eu-west-1a", State: "available" as const });
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [oneZone("subnet-a"), oneZone("subnet-b")] });
    const error = await refusal(runStep(vpcStep, config, { aws, wait: { scale: 0.001 } }, OUTPUTS));
    expect(error.message).toBe("the private subnets of cluster team-eks (subnet-a, subnet-b) are all in eu-west-1a: RDS and ElastiCache need private subnets in at least two availability zones");
    const inCluster = testConfig({ cluster: { mode: "existing", name: "team-eks" } });
    const { outputs } = await runStep(vpcStep, inCluster, { aws, wait: { scale: 0.001 } }, OUTPUTS);
    expect(outputs).toEqual({
      vpcId: "vpc-team", vpcCidr: "10.0.0.0/16", availabilityZones: ["eu-west-1a"], publicSubnetIds: [], privateSubnetIds: ["subnet-a", "subnet-b"],
      internetGatewayId: "igw-1", natGatewayIds: ["nat-1"], adopted: true,
    });
    expect(mutations()).toEqual([]);
  });

  it("tells plan what adopting means, instead of what creating would", () => {
    expect(eksStep.describe(config)[0]).toBe("adopt existing cluster team-eks: discover, create nothing of the network or cluster");
    expect(vpcStep.describe(config)[0]).toBe("adopt existing cluster team-eks: discover, create nothing of the network or cluster");
    expect(iamRolesStep.describe(config)).toEqual(["use the cluster role and node roles of cluster team-eks: no IAM role is created"]);
    expect(nodegroupStep.describe(config)).toEqual(["use the managed node groups of cluster team-eks as they are: no node group or launch template is created, scaling is the owner's"]);
    expect(securityGroupsStep.describe(config)).toEqual(["security groups for the database 5432 and cache 6379 in the VPC of cluster team-eks, reachable only from the security group its nodes carry; the nodes' own groups are not changed"]);
    expect(securityGroupsStep.describe(testConfig({ cluster: { mode: "existing", name: "team-eks" } }))).toEqual(["no security group: the nodes of cluster team-eks keep theirs and no managed data store needs one"]);
  });

  it("infra/eks leaves an access entry the owner made untagged, adds only the missing admin policy, and records the owner's OIDC provider", async () => {
    eksMock.on(DescribeAccessEntryCommand).resolves({ accessEntry: { accessEntryArn: "arn:entry", principalArn: PRINCIPAL, tags: {} } });
    eksMock.on(ListAssociatedAccessPoliciesCommand).resolves({ associatedAccessPolicies: [] });
    eksMock.on(AssociateAccessPolicyCommand).resolves({});
    iamMock.on(ListOpenIDConnectProvidersCommand).resolves({ OpenIDConnectProviderList: [{ Arn: PROVIDER_ARN }] });
    iamMock.on(GetOpenIDConnectProviderCommand).resolves({ Url: ISSUER.replace("https://", ""), ClientIDList: ["sts.amazonaws.com"], Tags: [] });
    const { outputs, report } = await runStep(eksStep, config, { aws, wait: { scale: 0.001 } }, OUTPUTS);
    expect(mutations()).toEqual(["AssociateAccessPolicy"]);
    expect(report.infos).toEqual(["cluster team-eks: associated AmazonEKSClusterAdminPolicy (cluster scope)"]);
    expect(outputs).toEqual({
      clusterName: "team-eks", clusterArn: `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/team-eks`, endpoint: "https://TEAM.gr7.eu-west-1.eks.amazonaws.com", oidcIssuer: ISSUER,
      clusterSecurityGroupId: "sg-cluster", kubernetesVersion: "1.35", adopted: true, adoptedOidcProviderArn: PROVIDER_ARN,
    });
    expect(eksMock.commandCalls(AssociateAccessPolicyCommand).map((c) => c.args[0].input)).toEqual([{ clusterName: "team-eks", principalArn: PRINCIPAL, policyArn: ADMIN, accessScope: { type: "cluster" } }]);
  });

  it("infra/eks refuses a cluster that accepts only the aws-auth ConfigMap, changing nothing", async () => {
    eksMock.on(DescribeClusterCommand).resolves(cluster({ accessConfig: { authenticationMode: "CONFIG_MAP" } }));
    const error = await refusal(runStep(eksStep, config, { aws, wait: { scale: 0.001 } }, OUTPUTS));
    expect([error.message, error.hint]).toEqual([
      "EKS cluster team-eks accepts only the aws-auth ConfigMap (authentication mode CONFIG_MAP): btp-aws grants itself access through an access entry",
      "allow access entries (aws eks update-cluster-config --name team-eks --access-config authenticationMode=API_AND_CONFIG_MAP), then run again",
    ]);
    expect(eksMock.commandCalls(CreateAccessEntryCommand)).toEqual([]);
    expect(mutations()).toEqual([]);
  });

  it("infra/eks warns, once, when the cluster is close to the end of standard support", async () => {
    eksMock.on(DescribeClusterCommand).resolves(cluster({ version: "1.34" }));
    eksMock.on(DescribeAccessEntryCommand).resolves({ accessEntry: { accessEntryArn: "arn:entry", principalArn: PRINCIPAL, tags: {} } });
    eksMock.on(ListAssociatedAccessPoliciesCommand).resolves({ associatedAccessPolicies: [{ policyArn: ADMIN, accessScope: { type: "cluster" } }] });
    const { report } = await runStep(eksStep, config, { aws, wait: { scale: 0.001 } }, OUTPUTS);
    expect(report.warnings.filter((w) => w.includes("standard support"))).toHaveLength(1);
    expect(report.warnings[0]).toBe("cluster team-eks: Kubernetes 1.34 leaves EKS standard support on 2026-12-02 (in 3 days); extended support is billed per cluster hour");
    expect(mutations()).toEqual([]);
  });
});
