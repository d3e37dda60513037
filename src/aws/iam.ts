/**
 * The IAM role calls the installer makes, as domain operations. "Not found" is `undefined`.
 * (The cluster's OIDC provider and the IRSA roles live in iam-oidc.ts.)
 */
import type { IAMClient } from "@aws-sdk/client-iam";
import { awsErrorCode } from "./errors.js";
import { parsePolicyDocument, type PolicyDocument } from "./iam-policy-document.js";
import { tagList, tagMap, type TagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

export interface IamRole {
  name: string;
  arn: string;
  /** The trust (assume-role) policy, parsed; compare it with samePolicy (iam-policy-document.ts). */
  trustPolicy: PolicyDocument | undefined;
  tags: Record<string, string>;
}

/** "aws", "aws-cn" or "aws-us-gov": the partition ARNs of a region are written in. */
export function awsPartition(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** An AWS managed policy's ARN: `managedPolicyArn("AmazonEKSClusterPolicy", "aws")`. */
export function managedPolicyArn(name: string, partition: string): string {
  return `arn:${partition}:iam::aws:policy/${name}`;
}

export async function getRole(iam: IAMClient, name: string): Promise<IamRole | undefined> {
  const { GetRoleCommand } = await loadSdk("@aws-sdk/client-iam");
  try {
    const { Role: role } = await iam.send(new GetRoleCommand({ RoleName: name }));
    if (!role?.Arn || !role.RoleName) return undefined;
    return {
      name: role.RoleName,
      arn: role.Arn,
      trustPolicy: role.AssumeRolePolicyDocument === undefined ? undefined : parsePolicyDocument(role.AssumeRolePolicyDocument),
      tags: tagMap(role.Tags),
    };
  } catch (error) {
    if (awsErrorCode(error) === "NoSuchEntityException" || awsErrorCode(error) === "NoSuchEntity") return undefined;
    throw error;
  }
}

export async function createRole(iam: IAMClient, spec: { name: string; description: string; trustPolicy: PolicyDocument; tags: TagMap }): Promise<IamRole> {
  const { CreateRoleCommand } = await loadSdk("@aws-sdk/client-iam");
  const { Role: role } = await iam.send(new CreateRoleCommand({
    RoleName: spec.name,
    Description: spec.description,
    AssumeRolePolicyDocument: JSON.stringify(spec.trustPolicy),
    Tags: tagList(spec.tags),
  }));
  if (!role?.Arn) throw new Error("iam:CreateRole returned no role ARN");
  return { name: spec.name, arn: role.Arn, trustPolicy: spec.trustPolicy, tags: { ...spec.tags } };
}

/** ARNs of the managed policies attached to a role. */
export async function attachedPolicyArns(iam: IAMClient, roleName: string): Promise<string[]> {
  const { paginateListAttachedRolePolicies } = await loadSdk("@aws-sdk/client-iam");
  const arns: string[] = [];
  for await (const page of paginateListAttachedRolePolicies({ client: iam }, { RoleName: roleName })) {
    for (const policy of page.AttachedPolicies ?? []) if (policy.PolicyArn) arns.push(policy.PolicyArn);
  }
  return arns;
}

export async function attachPolicy(iam: IAMClient, roleName: string, policyArn: string): Promise<void> {
  const { AttachRolePolicyCommand } = await loadSdk("@aws-sdk/client-iam");
  await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn }));
}

export async function updateTrustPolicy(iam: IAMClient, roleName: string, trustPolicy: PolicyDocument): Promise<void> {
  const { UpdateAssumeRolePolicyCommand } = await loadSdk("@aws-sdk/client-iam");
  await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(trustPolicy) }));
}

export async function tagRole(iam: IAMClient, roleName: string, tags: TagMap): Promise<void> {
  const { TagRoleCommand } = await loadSdk("@aws-sdk/client-iam");
  await iam.send(new TagRoleCommand({ RoleName: roleName, Tags: tagList(tags) }));
}
