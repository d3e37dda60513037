/**
 * What infra/vpc, infra/iam-roles, infra/eks and infra/nodegroup do in cluster.mode existing:
 * record the adopted cluster under the same output keys they record for a created one, so every
 * later step reads them unchanged, plus `adopted: true`, which tells destroy to leave them alone.
 * Nothing of the network, the cluster, its roles or its node groups is created or changed; the
 * one write is the installer's access entry, when the cluster does not grant it one yet.
 */
import { awsPartition } from "../../aws/iam.js";
import { PLATFORM_TAG, platformTags } from "../../aws/tags.js";
import { BtpAwsError } from "../../errors.js";
import { stringOutput } from "../../plan/outputs.js";
import type { Config } from "../../config/schema.js";
import type { Reporter, StepContext, StepOutputs } from "../../plan/types.js";
import { clusterAdminPolicyArn, ensureAdminAccess, iamPrincipal, resolveRoleArn } from "./eks-access.js";
import { clusterError } from "./eks-errors.js";
import { clusterOutputs } from "./eks-outputs.js";
import { adoptLine, discoverExistingCluster, findClusterOidcProvider } from "./existing-cluster.js";
import type { InfraServices } from "./services.js";
import type { GroupRole } from "./vpc-security-rules.js";

type Context = StepContext<Pick<InfraServices, "aws">>;

function ids(subnets: readonly { subnetId: string }[]): string[] {
  return subnets.map((s) => s.subnetId);
}

export function adoptedNetworkLines(config: Config): string[] {
  return [
    adoptLine(config),
    `use the VPC and subnets of cluster ${config.cluster.name ?? ""}: private subnets are those without a 0.0.0.0/0 route to an internet gateway; public ones carry kubernetes.io/role/elb`,
  ];
}

/** infra/vpc's outputs for the adopted cluster's VPC. */
export async function adoptNetwork(context: Context, report: Reporter): Promise<StepOutputs> {
  const found = await discoverExistingCluster(context.services.aws, context.config, report);
  const stores = adoptedGroupRoles(context.config);
  if (found.zones.length < 2 && stores.length > 0) {
    // A DB subnet group and a cache subnet group must span two zones; AWS would refuse them later.
    throw new BtpAwsError(`the private subnets of cluster ${found.cluster.name} (${ids(found.privateSubnets).join(", ")}) are all in ${found.zones.join(", ")}: RDS and ElastiCache need private subnets in at least two availability zones`, {
      hint: "add a private subnet in another zone to the cluster's VPC, or set database.mode and cache.mode to in-cluster or external, then run again",
    });
  }
  const privateIds = ids(found.privateSubnets);
  const publicIds = ids(found.publicSubnets);
  report.skip(`adopted VPC ${found.vpcId} (${found.vpcCidr}) of cluster ${found.cluster.name}: private subnets ${privateIds.join(", ")}; public subnets ${publicIds.join(", ") || "none"}; nothing created`);
  return {
    vpcId: found.vpcId,
    vpcCidr: found.vpcCidr,
    availabilityZones: found.zones,
    publicSubnetIds: publicIds,
    privateSubnetIds: privateIds,
    internetGatewayId: found.internetGatewayId,
    natGatewayIds: found.natGatewayIds,
    adopted: true,
  };
}

export function adoptedRoleLines(config: Config): string[] {
  return [`use the cluster role and node roles of cluster ${config.cluster.name ?? ""}: no IAM role is created`];
}

/** infra/iam-roles' outputs: the cluster's own role and its first node group's node role. */
export async function adoptIamRoles(context: Context, report: Reporter): Promise<StepOutputs> {
  const found = await discoverExistingCluster(context.services.aws, context.config, report);
  const nodeRoleArn = found.nodeGroups[0]?.nodeRoleArn ?? "";
  report.skip(`adopted cluster role ${found.cluster.roleArn}${nodeRoleArn === "" ? "" : ` and node role ${nodeRoleArn}`} of cluster ${found.cluster.name}; nothing created`);
  return { clusterRoleArn: found.cluster.roleArn, nodeRoleArn, adopted: true };
}

export function adoptedClusterLines(config: Config): string[] {
  return [
    adoptLine(config),
    `check cluster ${config.cluster.name ?? ""} is ACTIVE at a Kubernetes version the platform and EKS support (warn near the end of standard support)`,
    "access entry with AmazonEKSClusterAdminPolicy for the installer's principal, only if the cluster has none",
  ];
}

/** infra/eks's outputs for the adopted cluster, after making sure the installer can reach its API. */
export async function adoptCluster(context: Context, report: Reporter): Promise<StepOutputs> {
  const { config, services, outputs } = context;
  const found = await discoverExistingCluster(services.aws, config, report);
  const { cluster } = found;
  for (const warning of found.warnings) report.warn(warning);
  if (cluster.authenticationMode === "CONFIG_MAP") {
    // Switching it is one-way and changes how everyone reaches the cluster: the owner's call.
    throw new BtpAwsError(`EKS cluster ${cluster.name} accepts only the aws-auth ConfigMap (authentication mode CONFIG_MAP): btp-aws grants itself access through an access entry`, {
      hint: `allow access entries (aws eks update-cluster-config --name ${cluster.name} --access-config authenticationMode=API_AND_CONFIG_MAP), then run again`,
    });
  }
  const target = { endpoint: services.aws.endpoint, region: config.aws.region };
  const call = async <T>(action: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw clusterError(error, action, config, target);
    }
  };
  report.status("checking the installer's access entry");
  const account = stringOutput(outputs, "prepare/credentials", "account");
  const principal = iamPrincipal(stringOutput(outputs, "prepare/credentials", "principal"));
  const principalArn = await call(`read IAM role ${principal.roleName ?? principal.arn} (iam:GetRole)`, async () => resolveRoleArn(await services.aws.iam(), principal, account));
  const access = await ensureAdminAccess(await services.aws.eks(), {
    cluster: cluster.name,
    principalArn,
    policyArn: clusterAdminPolicyArn(awsPartition(config.aws.region)),
    tags: platformTags(config),
    // An entry the owner made (e.g. for the cluster's creator) stays theirs: no tags of ours.
    tagExisting: false,
  }, call);
  // infra/irsa creates the provider when it is missing; one that exists already is the owner's.
  const provider = await findClusterOidcProvider(services.aws, config, cluster.oidcIssuer);

  if (access) report.info(`cluster ${cluster.name}: ${access}`);
  else report.skip(`adopted cluster ${cluster.name} (ACTIVE, Kubernetes ${cluster.version}); ${principalArn} has cluster-admin access; nothing created`);
  return {
    ...clusterOutputs(cluster),
    adopted: true,
    // Recorded so destroy can tell the owner's provider from the one infra/irsa creates (tagged ours).
    adoptedOidcProviderArn: provider !== undefined && provider.tags[PLATFORM_TAG] !== config.platform ? provider.arn : "",
  };
}

export function adoptedNodeGroupLines(config: Config): string[] {
  return [`use the managed node groups of cluster ${config.cluster.name ?? ""} as they are: no node group or launch template is created, scaling is the owner's`];
}

/** infra/nodegroup's outputs: the first managed node group (alarms watch it) and all of their names. */
export async function adoptNodeGroups(context: Context, report: Reporter): Promise<StepOutputs> {
  const found = await discoverExistingCluster(context.services.aws, context.config, report);
  const first = found.nodeGroups[0];
  const names = found.nodeGroups.map((g) => g.name);
  report.skip(names.length === 0
    ? `cluster ${found.cluster.name} has no managed node group; nothing created`
    : `adopted node group${names.length === 1 ? "" : "s"} ${names.join(", ")} of cluster ${found.cluster.name}; nothing created`);
  return { nodeGroupName: first?.name ?? "", launchTemplateId: first?.launchTemplate.id ?? "", nodeGroupNames: names, adopted: true };
}

/** The groups infra/security-groups makes beside an adopted cluster: those of the managed data stores. */
export function adoptedGroupRoles(config: Pick<Config, "database" | "cache">): GroupRole[] {
  return [...(config.database.mode === "aws" ? ["database" as const] : []), ...(config.cache.mode === "aws" ? ["cache" as const] : [])];
}

export function adoptedGroupLines(config: Config): string[] {
  const roles = adoptedGroupRoles(config);
  const ports = roles.map((role) => (role === "database" ? "database 5432" : "cache 6379"));
  if (roles.length === 0) return [`no security group: the nodes of cluster ${config.cluster.name ?? ""} keep theirs and no managed data store needs one`];
  return [`security groups for the ${ports.join(" and ")} in the VPC of cluster ${config.cluster.name ?? ""}, reachable only from the security group its nodes carry; the nodes' own groups are not changed`];
}
