/** The EKS add-on calls the installer makes, as domain operations. "Not found" is `undefined`. */
import type { EKSClient } from "@aws-sdk/client-eks";
import { awsErrorCode } from "./errors.js";
import type { TagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

export interface AddonHealthIssue {
  code: string;
  message: string;
  resourceIds: string[];
}

export interface EksAddon {
  name: string;
  arn: string;
  version: string;
  /** CREATING, ACTIVE, UPDATING, DEGRADED, CREATE_FAILED, UPDATE_FAILED, DELETING, DELETE_FAILED. */
  status: string;
  serviceAccountRoleArn: string | undefined;
  healthIssues: AddonHealthIssue[];
  tags: Record<string, string>;
}

export interface AddonSpec {
  cluster: string;
  name: string;
  version: string;
  serviceAccountRoleArn?: string | undefined;
  tags: TagMap;
}

export async function describeAddon(eks: EKSClient, cluster: string, name: string): Promise<EksAddon | undefined> {
  const { DescribeAddonCommand } = await loadSdk("@aws-sdk/client-eks");
  try {
    const { addon: a } = await eks.send(new DescribeAddonCommand({ clusterName: cluster, addonName: name }));
    if (!a?.addonName) return undefined;
    return {
      name: a.addonName,
      arn: a.addonArn ?? "",
      version: a.addonVersion ?? "",
      status: a.status ?? "UNKNOWN",
      serviceAccountRoleArn: a.serviceAccountRoleArn || undefined,
      healthIssues: (a.health?.issues ?? []).map((i) => ({ code: i.code ?? "Unknown", message: i.message ?? "", resourceIds: i.resourceIds ?? [] })),
      tags: { ...a.tags },
    };
  } catch (error) {
    if (awsErrorCode(error) === "ResourceNotFoundException") return undefined;
    throw error;
  }
}

/**
 * The version EKS marks as default for this add-on on this Kubernetes version (what the console
 * picks), or undefined when EKS offers none for that version.
 */
export async function defaultAddonVersion(eks: EKSClient, name: string, kubernetesVersion: string): Promise<string | undefined> {
  const { paginateDescribeAddonVersions } = await loadSdk("@aws-sdk/client-eks");
  for await (const page of paginateDescribeAddonVersions({ client: eks }, { addonName: name, kubernetesVersion })) {
    for (const addon of page.addons ?? []) {
      for (const version of addon.addonVersions ?? []) {
        const isDefault = (version.compatibilities ?? []).some((c) => c.clusterVersion === kubernetesVersion && c.defaultVersion === true);
        if (isDefault && version.addonVersion) return version.addonVersion;
      }
    }
  }
  return undefined;
}

export async function createAddon(eks: EKSClient, spec: AddonSpec): Promise<void> {
  const { CreateAddonCommand } = await loadSdk("@aws-sdk/client-eks");
  await eks.send(new CreateAddonCommand({
    clusterName: spec.cluster,
    addonName: spec.name,
    addonVersion: spec.version,
    ...(spec.serviceAccountRoleArn === undefined ? {} : { serviceAccountRoleArn: spec.serviceAccountRoleArn }),
    // A new cluster runs self-managed vpc-cni, coredns and kube-proxy; taking them over as
    // managed add-ons conflicts on every field unless EKS may overwrite them.
    resolveConflicts: "OVERWRITE",
    tags: { ...spec.tags },
  }));
}

/** Points the add-on's service account at another IAM role. */
export async function updateAddonRole(eks: EKSClient, cluster: string, name: string, serviceAccountRoleArn: string): Promise<void> {
  const { UpdateAddonCommand } = await loadSdk("@aws-sdk/client-eks");
  await eks.send(new UpdateAddonCommand({ clusterName: cluster, addonName: name, serviceAccountRoleArn, resolveConflicts: "OVERWRITE" }));
}

export async function tagAddon(eks: EKSClient, arn: string, tags: TagMap): Promise<void> {
  const { TagResourceCommand } = await loadSdk("@aws-sdk/client-eks");
  await eks.send(new TagResourceCommand({ resourceArn: arn, tags: { ...tags } }));
}
