/**
 * What the state says a platform adopted in cluster.mode existing, read by destroy so that it
 * never deletes the cluster, its node groups, add-ons, VPC, subnets, roles or an OIDC provider
 * that btp-aws did not create. infra/eks and infra/vpc record `adopted: true` beside the ids.
 */
import type { StepOutputs } from "../../plan/types.js";

export interface AdoptedResources {
  clusterName: string;
  /** Empty when the state has no infra/vpc outputs yet. */
  vpcId: string;
  /** The provider the cluster's issuer already had when it was adopted; empty when infra/irsa made it. */
  oidcProviderArn: string;
  nodeGroupNames: readonly string[];
  /** Role ARNs infra/iam-roles recorded: the cluster's and the node groups' own. */
  roleArns: readonly string[];
}

function text(outputs: StepOutputs | undefined, key: string): string {
  const value = outputs?.[key];
  return typeof value === "string" ? value : "";
}

/** The adopted resources, or undefined for a platform whose cluster btp-aws created. */
export function adoptedResources(outputs: Readonly<Record<string, StepOutputs>>): AdoptedResources | undefined {
  const eks = outputs["infra/eks"];
  const vpc = outputs["infra/vpc"];
  if (eks?.adopted !== true && vpc?.adopted !== true) return undefined;
  const groups = outputs["infra/nodegroup"]?.nodeGroupNames;
  const roles = outputs["infra/iam-roles"];
  return {
    clusterName: text(eks, "clusterName"),
    vpcId: text(vpc, "vpcId"),
    oidcProviderArn: text(eks, "adoptedOidcProviderArn"),
    nodeGroupNames: Array.isArray(groups) ? (groups as readonly string[]) : [],
    roleArns: roles?.adopted === true ? [text(roles, "clusterRoleArn"), text(roles, "nodeRoleArn")].filter((arn) => arn !== "") : [],
  };
}
