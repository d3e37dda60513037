/**
 * The EKS cluster the config asks for, and how an existing cluster differs from it: what can be
 * repaired in place (endpoint CIDRs, logging, authentication mode, a missing secrets key, tags)
 * and what cannot (Kubernetes version, secrets key, subnets, cluster role). Pure: no I/O.
 */
import type { LogType } from "@aws-sdk/client-eks";
import type { ClusterSpec, EksCluster } from "../../aws/eks.js";
import { missingTags, platformTags, type TagMap } from "../../aws/tags.js";
import type { Config } from "../../config/schema.js";
import { listOutput, stringOutput } from "../../plan/outputs.js";
import type { StepOutputs } from "../../plan/types.js";
import { infraNames } from "./names.js";

export const CONTROL_PLANE_LOGS: LogType[] = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

export function clusterSpec(config: Config, outputs: Readonly<Record<string, StepOutputs>>): ClusterSpec {
  const name = infraNames(config).cluster;
  return {
    name,
    version: config.cluster.kubernetesVersion,
    roleArn: stringOutput(outputs, "infra/iam-roles", "clusterRoleArn"),
    // Private subnets for the control plane's network interfaces, public ones so EKS can place
    // internet-facing load balancers through them.
    subnetIds: [...listOutput(outputs, "infra/vpc", "privateSubnetIds"), ...listOutput(outputs, "infra/vpc", "publicSubnetIds")],
    publicAccessCidrs: [...config.cluster.publicAccessCidrs],
    secretsKeyArn: stringOutput(outputs, "infra/kms", "keyArn"),
    logTypes: CONTROL_PLANE_LOGS,
    tags: platformTags(config, { Name: name }),
  };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  return left.size === new Set(b).size && b.every((item) => left.has(item));
}

/** The key id at the end of a key ARN, so an ARN and an id of the same key compare equal. */
function keyId(keyArnOrId: string): string {
  return keyArnOrId.slice(keyArnOrId.lastIndexOf("/") + 1);
}

function minor(version: string): number {
  return Number(version.split(".")[1] ?? Number.NaN);
}

export interface Drift {
  differences: string[];
  hint: string;
}

/** Differences EKS cannot change in place; empty when there are none. */
export function unchangeableDrift(cluster: EksCluster, spec: ClusterSpec): Drift {
  const differences: string[] = [];
  let hint = `change the config back, or replace the cluster deliberately (delete ${spec.name} and run again): btp-aws never replaces a cluster on its own`;
  if (cluster.version !== spec.version) {
    differences.push(`Kubernetes version is ${cluster.version}, the config asks for ${spec.version}`);
    const [from, to] = [minor(cluster.version), minor(spec.version)];
    hint = to > from
      ? `upgrades are explicit, one minor version at a time: run \`aws eks update-cluster-version --name ${spec.name} --kubernetes-version 1.${from + 1}\`, wait until it finishes, repeat up to ${spec.version}, then run again`
      : `EKS cannot downgrade a cluster: set cluster.kubernetesVersion to ${cluster.version}, then run again`;
  }
  if (cluster.secretsKeyArn !== undefined && keyId(cluster.secretsKeyArn) !== keyId(spec.secretsKeyArn)) {
    differences.push(`secrets are encrypted with ${cluster.secretsKeyArn}, the platform key is ${spec.secretsKeyArn}`);
  }
  if (!sameSet(cluster.subnetIds, spec.subnetIds)) {
    differences.push(`subnets are ${cluster.subnetIds.join(", ") || "none"}, the VPC's are ${spec.subnetIds.join(", ")}`);
  }
  if (cluster.roleArn !== spec.roleArn) differences.push(`cluster role is ${cluster.roleArn}, expected ${spec.roleArn}`);
  return { differences, hint };
}

export interface Repairs {
  /** No secrets encryption at all: it can be turned on (AssociateEncryptionConfig). */
  secretsKey: boolean;
  endpointAccess: boolean;
  /** Control plane log types that are off. */
  logTypes: LogType[];
  /** The cluster only reads the aws-auth ConfigMap, so access entries would be ignored. */
  accessEntries: boolean;
  tags: TagMap;
}

export function inPlaceRepairs(cluster: EksCluster, spec: ClusterSpec): Repairs {
  return {
    secretsKey: cluster.secretsKeyArn === undefined,
    endpointAccess: !cluster.endpointPrivateAccess || !cluster.endpointPublicAccess || !sameSet(cluster.publicAccessCidrs, spec.publicAccessCidrs),
    logTypes: spec.logTypes.filter((type) => !cluster.enabledLogTypes.includes(type)),
    // Undefined means EKS did not say (clusters from before access entries say CONFIG_MAP).
    accessEntries: cluster.authenticationMode === "CONFIG_MAP",
    tags: missingTags(cluster.tags, spec.tags),
  };
}
