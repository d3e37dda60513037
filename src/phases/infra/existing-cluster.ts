/**
 * cluster.mode existing: what btp-aws learns about a cluster it adopts instead of creating. Only
 * reads: the cluster (ACTIVE, a Kubernetes version the platform and EKS support), its VPC and
 * subnets (private or public by their routes), its managed node groups, the security group its
 * nodes carry, and its IAM OIDC provider if there is one.
 *
 * Every guarded infra step (vpc, security-groups, iam-roles, eks, nodegroup) calls `discover`
 * itself rather than trusting another step's outputs: a dozen reads, and each step's outputs
 * always describe the cluster as it is now.
 */
import { findInternetGateways, findNatGateways, findRouteTables, findSubnets, describeVpc, type Subnet } from "../../aws/ec2.js";
import { launchSettings } from "../../aws/ec2-launch-template.js";
import { nodeGroupNames } from "../../aws/eks-delete.js";
import { describeCluster, describeNodeGroup, type EksCluster, type NodeGroup } from "../../aws/eks.js";
import { describeAwsError } from "../../aws/errors.js";
import { findOidcProvider, type OidcProvider } from "../../aws/iam-oidc.js";
import type { AwsClients } from "../../aws/clients.js";
import type { Config } from "../../config/schema.js";
import { BtpAwsError } from "../../errors.js";
import type { Reporter } from "../../plan/types.js";
import { classifySubnets, PUBLIC_ELB_TAG, zonesOf } from "./existing-cluster-network.js";
import { clusterVersionVerdict } from "./existing-cluster-version.js";
import { ROOT_DEVICE } from "./nodegroup-launch-template.js";

export interface ExistingCluster {
  cluster: EksCluster;
  vpcId: string;
  vpcCidr: string;
  privateSubnets: Subnet[];
  publicSubnets: Subnet[];
  zones: string[];
  internetGatewayId: string;
  natGatewayIds: string[];
  /** Managed node groups, by name. Self-managed nodes and Fargate are not listed by EKS. */
  nodeGroups: NodeGroup[];
  /** The security group every node carries: what the data stores admit. */
  nodeSecurityGroupId: string;
  /** What the operator should know but need not fix (version support, subnet tags). */
  warnings: string[];
}

export function isExistingCluster(config: Pick<Config, "cluster">): boolean {
  return config.cluster.mode === "existing";
}

/** The adopted cluster's name; the config rules make it required in existing mode. */
export function existingClusterName(config: Pick<Config, "cluster">): string {
  const name = config.cluster.name;
  if (name === undefined) throw new BtpAwsError("cluster.name: is required when cluster.mode is existing", { exitCode: 2, hint: "set cluster.name to the EKS cluster to install into, then run again" });
  return name;
}

/** One line for `plan`: what adopting means, said by every guarded step. */
export function adoptLine(config: Pick<Config, "cluster">): string {
  return `adopt existing cluster ${config.cluster.name ?? "(cluster.name)"}: discover, create nothing of the network or cluster`;
}

type Call = <T>(action: string, fn: () => Promise<T>) => Promise<T>;

function caller(aws: AwsClients, region: string): Call {
  return async (action, fn) => {
    try {
      return await fn();
    } catch (error) {
      throw describeAwsError(error, action, { endpoint: aws.endpoint, region });
    }
  };
}

/** The cluster, refused unless it exists, is ACTIVE and runs a supported version. */
async function activeCluster(aws: AwsClients, config: Config, call: Call, now: Date): Promise<{ cluster: EksCluster; warnings: string[] }> {
  const name = existingClusterName(config);
  const region = config.aws.region;
  const cluster = await call(`read EKS cluster ${name} (eks:DescribeCluster)`, async () => describeCluster(await aws.eks(), name));
  if (!cluster) {
    throw new BtpAwsError(`EKS cluster ${name} does not exist in ${region} (cluster.name, cluster.mode existing)`, {
      hint: `check cluster.name and aws.region (aws eks list-clusters --region ${region}), then run again`,
    });
  }
  if (cluster.status !== "ACTIVE") {
    throw new BtpAwsError(`EKS cluster ${name} is ${cluster.status}, not ACTIVE: btp-aws installs only into a running cluster`, {
      hint: `wait until aws eks describe-cluster --name ${name} reports ACTIVE${cluster.issues.length > 0 ? ` (it reports: ${cluster.issues.join("; ")})` : ""}, then run again`,
    });
  }
  const verdict = clusterVersionVerdict(cluster.version, now);
  if (verdict.state === "unsupported") {
    throw new BtpAwsError(`EKS cluster ${name} cannot carry the platform: ${verdict.detail}`, {
      hint: `upgrade the cluster (aws eks update-cluster-version --name ${name} --kubernetes-version <next minor>), one minor version at a time, then run again`,
    });
  }
  return { cluster, warnings: verdict.state === "warn" ? [`cluster ${name}: ${verdict.detail}`] : [] };
}

/**
 * The security group every managed node carries. A node group without a launch template, or
 * whose template sets no security groups, gets the cluster security group from EKS; a template
 * that sets groups replaces it. The group shared by all node groups wins, the cluster's first.
 */
async function nodeSecurityGroup(aws: AwsClients, cluster: EksCluster, groups: readonly NodeGroup[], call: Call): Promise<{ id: string; warnings: string[] }> {
  const clusterGroup = cluster.clusterSecurityGroupId;
  if (groups.length === 0) {
    if (clusterGroup === undefined || clusterGroup === "") {
      throw new BtpAwsError(`EKS cluster ${cluster.name} has no managed node group and reports no cluster security group: btp-aws cannot tell which security group its nodes carry`, {
        hint: "add a managed node group to the cluster (btp-aws does not create one in cluster.mode existing), then run again",
      });
    }
    return { id: clusterGroup, warnings: [`cluster ${cluster.name} has no managed node group: the data stores admit the cluster security group ${clusterGroup}, which EKS gives managed nodes; make sure your nodes carry it`] };
  }
  const ec2 = await aws.ec2();
  const perGroup: string[][] = [];
  for (const group of groups) {
    const templateId = group.launchTemplate.id;
    const fromTemplate = templateId === undefined
      ? []
      : (await call(`read launch template ${templateId} of node group ${group.name} (ec2:DescribeLaunchTemplateVersions)`, () =>
        launchSettings(ec2, templateId, group.launchTemplate.version ?? "$Default", ROOT_DEVICE))).securityGroupIds;
    perGroup.push(fromTemplate.length > 0 ? fromTemplate : clusterGroup ? [clusterGroup] : []);
  }
  const shared = (perGroup[0] ?? []).filter((id) => perGroup.every((ids) => ids.includes(id)));
  const chosen = clusterGroup !== undefined && shared.includes(clusterGroup) ? clusterGroup : [...shared].sort()[0];
  if (chosen === undefined) {
    throw new BtpAwsError(`the managed node groups of EKS cluster ${cluster.name} (${groups.map((g) => g.name).join(", ")}) share no security group, so no one group can admit all nodes to the database and cache`, {
      hint: "give every node group's launch template one common security group (or none, so EKS adds the cluster security group), then run again",
    });
  }
  return { id: chosen, warnings: [] };
}

/** Reads everything btp-aws needs to know about the cluster named by cluster.name. Read-only. */
export async function discoverExistingCluster(aws: AwsClients, config: Config, report: Pick<Reporter, "status">, now: Date = new Date()): Promise<ExistingCluster> {
  const call = caller(aws, config.aws.region);
  report.status(`reading cluster ${existingClusterName(config)}`);
  const { cluster, warnings } = await activeCluster(aws, config, call, now);
  const eks = await aws.eks();
  const names = await call(`list the node groups of ${cluster.name} (eks:ListNodegroups)`, () => nodeGroupNames(eks, cluster.name));
  const nodeGroups: NodeGroup[] = [];
  for (const name of [...names].sort()) {
    const group = await call(`read node group ${name} (eks:DescribeNodegroup)`, () => describeNodeGroup(eks, cluster.name, name));
    if (group) nodeGroups.push(group);
  }

  report.status(`reading the network of cluster ${cluster.name}`);
  const ec2 = await aws.ec2();
  // The VPC is found through the cluster's subnets: EKS's own vpcId field is not in every answer.
  const clusterSubnets = cluster.subnetIds.length === 0 ? [] : await call("read the cluster's subnets (ec2:DescribeSubnets)", () => findSubnets(ec2, { "subnet-id": cluster.subnetIds }));
  const vpcId = clusterSubnets[0]?.vpcId;
  if (vpcId === undefined || vpcId === "") {
    throw new BtpAwsError(`EKS cluster ${cluster.name} lists no subnet that EC2 knows (${cluster.subnetIds.join(", ") || "none"}): its VPC cannot be found`, {
      hint: `check the cluster's networking (aws eks describe-cluster --name ${cluster.name}) and that the credentials may call ec2:DescribeSubnets, then run again`,
    });
  }
  const vpc = await call(`read VPC ${vpcId} (ec2:DescribeVpcs)`, () => describeVpc(ec2, vpcId));
  const inVpc = { "vpc-id": [vpcId] };
  const subnets = await call(`list the subnets of ${vpcId} (ec2:DescribeSubnets)`, () => findSubnets(ec2, inVpc));
  const tables = await call(`list the route tables of ${vpcId} (ec2:DescribeRouteTables)`, () => findRouteTables(ec2, inVpc));
  const inUse = new Set([...cluster.subnetIds, ...nodeGroups.flatMap((g) => g.subnetIds)]);
  const classes = classifySubnets(subnets, tables, inUse);
  if (classes.private.length === 0) {
    throw new BtpAwsError(`VPC ${vpcId} of cluster ${cluster.name} has no private subnet (every subnet routes 0.0.0.0/0 to an internet gateway): the database and cache would have no private home`, {
      hint: "add private subnets (with a NAT gateway route, not an internet gateway route) in at least two zones, then run again",
    });
  }
  if (classes.public.length === 0) warnings.push(`VPC ${vpcId} has no public subnet: an internet-facing load balancer for the platform cannot be placed`);
  else if (classes.untaggedPublic.length === classes.public.length) {
    warnings.push(`public subnets ${classes.public.map((s) => s.subnetId).join(", ")} lack the ${PUBLIC_ELB_TAG}=1 tag the AWS Load Balancer Controller looks for; tag them so the platform's ALB can be placed`);
  }
  const gateways = await call(`find the internet gateway of ${vpcId} (ec2:DescribeInternetGateways)`, () => findInternetGateways(ec2, { "attachment.vpc-id": [vpcId] }));
  const nats = await call(`list the NAT gateways of ${vpcId} (ec2:DescribeNatGateways)`, () => findNatGateways(ec2, { filters: { ...inVpc, state: ["available"] } }));
  const node = await nodeSecurityGroup(aws, cluster, nodeGroups, call);

  return {
    cluster,
    vpcId,
    vpcCidr: vpc?.cidr ?? "",
    privateSubnets: classes.private,
    publicSubnets: classes.public,
    zones: zonesOf(classes.private),
    internetGatewayId: gateways[0]?.internetGatewayId ?? "",
    natGatewayIds: nats.map((n) => n.natGatewayId).sort(),
    nodeGroups,
    nodeSecurityGroupId: node.id,
    warnings: [...warnings, ...node.warnings],
  };
}

/** The cluster's IAM OIDC provider, if the account has one for its issuer. Read-only. */
export async function findClusterOidcProvider(aws: AwsClients, config: Config, issuer: string | undefined): Promise<OidcProvider | undefined> {
  if (issuer === undefined || !issuer.startsWith("https://")) return undefined;
  const call = caller(aws, config.aws.region);
  return call(`find the OIDC provider of ${issuer} (iam:ListOpenIDConnectProviders, iam:GetOpenIDConnectProvider)`, async () => findOidcProvider(await aws.iam(), issuer));
}
