/**
 * The EKS calls the installer makes for the cluster, its access entries and its managed node
 * group, as domain operations. "Not found" is `undefined`. (Add-ons live in eks-addons.ts.)
 */
import type { AMITypes, EKSClient, LogType, Update } from "@aws-sdk/client-eks";
import { awsErrorCode } from "./errors.js";
import type { TagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

const NOT_FOUND = new Set(["ResourceNotFoundException", "NotFoundException"]);

function notFound(error: unknown): boolean {
  return NOT_FOUND.has(awsErrorCode(error) ?? "");
}

export interface EksCluster {
  name: string;
  arn: string;
  /** CREATING, ACTIVE, UPDATING, DELETING, FAILED, PENDING. */
  status: string;
  version: string;
  roleArn: string;
  endpoint: string | undefined;
  oidcIssuer: string | undefined;
  clusterSecurityGroupId: string | undefined;
  subnetIds: string[];
  endpointPublicAccess: boolean;
  endpointPrivateAccess: boolean;
  publicAccessCidrs: string[];
  /** Key ARN of secrets envelope encryption, if any. */
  secretsKeyArn: string | undefined;
  enabledLogTypes: string[];
  /** API, API_AND_CONFIG_MAP or CONFIG_MAP; undefined when EKS does not report it. */
  authenticationMode: string | undefined;
  tags: Record<string, string>;
  /** What EKS says is wrong with the cluster (health issues), for failure messages. */
  issues: string[];
}

export interface ClusterSpec {
  name: string;
  version: string;
  roleArn: string;
  subnetIds: string[];
  publicAccessCidrs: string[];
  secretsKeyArn: string;
  logTypes: LogType[];
  tags: TagMap;
}

/** An update EKS started (cluster config, node group scaling or version), to wait for. */
export interface EksUpdate {
  id: string | undefined;
  /** InProgress, Successful, Failed, Cancelled. */
  status: string | undefined;
  errors: string[];
}

function toUpdate(update: Update | undefined): EksUpdate {
  return {
    id: update?.id,
    status: update?.status,
    errors: (update?.errors ?? []).map((e) => `${e.errorCode ?? "Error"}: ${e.errorMessage ?? ""}`.trim()),
  };
}

export async function describeCluster(eks: EKSClient, name: string): Promise<EksCluster | undefined> {
  const { DescribeClusterCommand } = await loadSdk("@aws-sdk/client-eks");
  try {
    const { cluster: c } = await eks.send(new DescribeClusterCommand({ name }));
    if (!c?.name || !c.arn) return undefined;
    const vpc = c.resourcesVpcConfig ?? {};
    return {
      name: c.name,
      arn: c.arn,
      status: c.status ?? "UNKNOWN",
      version: c.version ?? "",
      roleArn: c.roleArn ?? "",
      endpoint: c.endpoint,
      oidcIssuer: c.identity?.oidc?.issuer,
      clusterSecurityGroupId: vpc.clusterSecurityGroupId,
      subnetIds: vpc.subnetIds ?? [],
      endpointPublicAccess: vpc.endpointPublicAccess ?? false,
      endpointPrivateAccess: vpc.endpointPrivateAccess ?? false,
      publicAccessCidrs: vpc.publicAccessCidrs ?? [],
      secretsKeyArn: c.encryptionConfig?.find((e) => e.resources?.includes("secrets"))?.provider?.keyArn,
      enabledLogTypes: (c.logging?.clusterLogging ?? []).filter((l) => l.enabled === true).flatMap((l) => l.types ?? []),
      authenticationMode: c.accessConfig?.authenticationMode,
      tags: { ...c.tags },
      issues: (c.health?.issues ?? []).map((i) => `${i.code ?? "Issue"}: ${i.message ?? ""}`.trim()),
    };
  } catch (error) {
    if (notFound(error)) return undefined;
    throw error;
  }
}

export async function createCluster(eks: EKSClient, spec: ClusterSpec): Promise<void> {
  const { CreateClusterCommand } = await loadSdk("@aws-sdk/client-eks");
  await eks.send(new CreateClusterCommand({
    name: spec.name,
    version: spec.version,
    roleArn: spec.roleArn,
    resourcesVpcConfig: { subnetIds: spec.subnetIds, endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: spec.publicAccessCidrs },
    encryptionConfig: [{ resources: ["secrets"], provider: { keyArn: spec.secretsKeyArn } }],
    logging: { clusterLogging: [{ types: spec.logTypes, enabled: true }] },
    // The installer's admin access is an explicit, tagged access entry made right after, not
    // EKS's implicit bootstrap entry for whoever happened to create the cluster.
    accessConfig: { authenticationMode: "API_AND_CONFIG_MAP", bootstrapClusterCreatorAdminPermissions: false },
    tags: { ...spec.tags },
  }));
}

/** Sets both endpoints on and the public CIDRs; EKS applies it as an update to wait for. */
export async function updateEndpointAccess(eks: EKSClient, name: string, publicAccessCidrs: string[]): Promise<EksUpdate> {
  const { UpdateClusterConfigCommand } = await loadSdk("@aws-sdk/client-eks");
  const { update } = await eks.send(new UpdateClusterConfigCommand({
    name,
    resourcesVpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs },
  }));
  return toUpdate(update);
}

export async function enableLogging(eks: EKSClient, name: string, logTypes: LogType[]): Promise<EksUpdate> {
  const { UpdateClusterConfigCommand } = await loadSdk("@aws-sdk/client-eks");
  const { update } = await eks.send(new UpdateClusterConfigCommand({ name, logging: { clusterLogging: [{ types: logTypes, enabled: true }] } }));
  return toUpdate(update);
}

/** Moves a CONFIG_MAP cluster to API_AND_CONFIG_MAP so access entries work (a one-way change). */
export async function enableAccessEntries(eks: EKSClient, name: string): Promise<EksUpdate> {
  const { UpdateClusterConfigCommand } = await loadSdk("@aws-sdk/client-eks");
  const { update } = await eks.send(new UpdateClusterConfigCommand({ name, accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" } }));
  return toUpdate(update);
}

/** Turns on secrets envelope encryption for a cluster that has none (it cannot be turned off). */
export async function associateSecretsKey(eks: EKSClient, name: string, keyArn: string): Promise<EksUpdate> {
  const { AssociateEncryptionConfigCommand } = await loadSdk("@aws-sdk/client-eks");
  const { update } = await eks.send(new AssociateEncryptionConfigCommand({ clusterName: name, encryptionConfig: [{ resources: ["secrets"], provider: { keyArn } }] }));
  return toUpdate(update);
}

export async function describeUpdate(eks: EKSClient, target: { cluster: string; nodegroup?: string }, updateId: string): Promise<EksUpdate> {
  const { DescribeUpdateCommand } = await loadSdk("@aws-sdk/client-eks");
  const { update } = await eks.send(new DescribeUpdateCommand({ name: target.cluster, nodegroupName: target.nodegroup, updateId }));
  return toUpdate(update);
}

export async function tagEksResource(eks: EKSClient, arn: string, tags: TagMap): Promise<void> {
  const { TagResourceCommand } = await loadSdk("@aws-sdk/client-eks");
  await eks.send(new TagResourceCommand({ resourceArn: arn, tags: { ...tags } }));
}

// ── Access entries ────────────────────────────────────────────────────────────────────────

export interface AccessEntry {
  arn: string;
  principalArn: string;
  tags: Record<string, string>;
}

export interface AssociatedAccessPolicy {
  policyArn: string;
  /** "cluster" or "namespace". */
  scope: string;
  namespaces: string[];
}

export async function describeAccessEntry(eks: EKSClient, cluster: string, principalArn: string): Promise<AccessEntry | undefined> {
  const { DescribeAccessEntryCommand } = await loadSdk("@aws-sdk/client-eks");
  try {
    const { accessEntry: e } = await eks.send(new DescribeAccessEntryCommand({ clusterName: cluster, principalArn }));
    if (!e?.accessEntryArn) return undefined;
    return { arn: e.accessEntryArn, principalArn: e.principalArn ?? principalArn, tags: { ...e.tags } };
  } catch (error) {
    if (notFound(error)) return undefined;
    throw error;
  }
}

export async function createAccessEntry(eks: EKSClient, cluster: string, principalArn: string, tags: TagMap): Promise<AccessEntry> {
  const { CreateAccessEntryCommand } = await loadSdk("@aws-sdk/client-eks");
  const { accessEntry: e } = await eks.send(new CreateAccessEntryCommand({ clusterName: cluster, principalArn, type: "STANDARD", tags: { ...tags } }));
  return { arn: e?.accessEntryArn ?? "", principalArn, tags: { ...tags } };
}

export async function associatedAccessPolicies(eks: EKSClient, cluster: string, principalArn: string): Promise<AssociatedAccessPolicy[]> {
  const { paginateListAssociatedAccessPolicies } = await loadSdk("@aws-sdk/client-eks");
  const found: AssociatedAccessPolicy[] = [];
  for await (const page of paginateListAssociatedAccessPolicies({ client: eks }, { clusterName: cluster, principalArn })) {
    for (const p of page.associatedAccessPolicies ?? []) {
      if (p.policyArn) found.push({ policyArn: p.policyArn, scope: p.accessScope?.type ?? "", namespaces: p.accessScope?.namespaces ?? [] });
    }
  }
  return found;
}

export async function associateClusterScopedPolicy(eks: EKSClient, cluster: string, principalArn: string, policyArn: string): Promise<void> {
  const { AssociateAccessPolicyCommand } = await loadSdk("@aws-sdk/client-eks");
  await eks.send(new AssociateAccessPolicyCommand({ clusterName: cluster, principalArn, policyArn, accessScope: { type: "cluster" } }));
}

// ── Managed node groups ───────────────────────────────────────────────────────────────────

export interface NodeGroup {
  name: string;
  arn: string;
  /** CREATING, ACTIVE, UPDATING, DELETING, CREATE_FAILED, DELETE_FAILED, DEGRADED. */
  status: string;
  instanceTypes: string[];
  subnetIds: string[];
  nodeRoleArn: string;
  scaling: Scaling;
  launchTemplate: { id: string | undefined; version: string | undefined };
  tags: Record<string, string>;
  issues: string[];
}

export interface Scaling {
  min: number;
  desired: number;
  max: number;
}

export interface NodeGroupSpec {
  cluster: string;
  name: string;
  subnetIds: string[];
  instanceTypes: string[];
  amiType: AMITypes;
  scaling: Scaling;
  nodeRoleArn: string;
  launchTemplate: { id: string; version: string };
  tags: TagMap;
}

export async function describeNodeGroup(eks: EKSClient, cluster: string, name: string): Promise<NodeGroup | undefined> {
  const { DescribeNodegroupCommand } = await loadSdk("@aws-sdk/client-eks");
  try {
    const { nodegroup: n } = await eks.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: name }));
    if (!n?.nodegroupName || !n.nodegroupArn) return undefined;
    return {
      name: n.nodegroupName,
      arn: n.nodegroupArn,
      status: n.status ?? "UNKNOWN",
      instanceTypes: n.instanceTypes ?? [],
      subnetIds: n.subnets ?? [],
      nodeRoleArn: n.nodeRole ?? "",
      scaling: { min: n.scalingConfig?.minSize ?? 0, desired: n.scalingConfig?.desiredSize ?? 0, max: n.scalingConfig?.maxSize ?? 0 },
      launchTemplate: { id: n.launchTemplate?.id, version: n.launchTemplate?.version },
      tags: { ...n.tags },
      issues: (n.health?.issues ?? []).map((i) => `${i.code ?? "Issue"}: ${i.message ?? ""}`.trim()),
    };
  } catch (error) {
    if (notFound(error)) return undefined;
    throw error;
  }
}

export async function createNodeGroup(eks: EKSClient, spec: NodeGroupSpec): Promise<void> {
  const { CreateNodegroupCommand } = await loadSdk("@aws-sdk/client-eks");
  await eks.send(new CreateNodegroupCommand({
    clusterName: spec.cluster,
    nodegroupName: spec.name,
    subnets: spec.subnetIds,
    instanceTypes: spec.instanceTypes,
    amiType: spec.amiType,
    capacityType: "ON_DEMAND",
    scalingConfig: { minSize: spec.scaling.min, desiredSize: spec.scaling.desired, maxSize: spec.scaling.max },
    nodeRole: spec.nodeRoleArn,
    launchTemplate: { id: spec.launchTemplate.id, version: spec.launchTemplate.version },
    tags: { ...spec.tags },
  }));
}

export async function updateNodeGroupScaling(eks: EKSClient, cluster: string, name: string, scaling: Scaling): Promise<EksUpdate> {
  const { UpdateNodegroupConfigCommand } = await loadSdk("@aws-sdk/client-eks");
  const { update } = await eks.send(new UpdateNodegroupConfigCommand({
    clusterName: cluster,
    nodegroupName: name,
    scalingConfig: { minSize: scaling.min, desiredSize: scaling.desired, maxSize: scaling.max },
  }));
  return toUpdate(update);
}

/** Points the node group at another launch template version: EKS replaces the nodes, rolling. */
export async function updateNodeGroupLaunchTemplate(eks: EKSClient, cluster: string, name: string, launchTemplate: { id: string; version: string }): Promise<EksUpdate> {
  const { UpdateNodegroupVersionCommand } = await loadSdk("@aws-sdk/client-eks");
  const { update } = await eks.send(new UpdateNodegroupVersionCommand({ clusterName: cluster, nodegroupName: name, launchTemplate }));
  return toUpdate(update);
}
