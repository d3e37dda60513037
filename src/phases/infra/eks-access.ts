/**
 * Cluster-admin access for the installer's own principal through an EKS access entry (with the
 * AmazonEKSClusterAdminPolicy access policy, cluster scope) instead of editing the aws-auth
 * ConfigMap: it is an AWS API call, needs no Kubernetes access yet, and cannot lock anyone out.
 */
import type { EKSClient } from "@aws-sdk/client-eks";
import type { IAMClient } from "@aws-sdk/client-iam";
import { associateClusterScopedPolicy, associatedAccessPolicies, createAccessEntry, describeAccessEntry, tagEksResource } from "../../aws/eks.js";
import { awsErrorCode } from "../../aws/errors.js";
import { getRole } from "../../aws/iam.js";
import { missingTags, type TagMap } from "../../aws/tags.js";
import { BtpAwsError } from "../../errors.js";

export function clusterAdminPolicyArn(partition: string): string {
  return `arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`;
}

/**
 * The IAM principal behind a caller identity. Access entries need the IAM role, not the STS
 * session: arn:aws:sts::ACCT:assumed-role/ROLE/SESSION → arn:aws:iam::ACCT:role/ROLE.
 * (An assumed-role ARN drops the role's path; `resolveRoleArn` puts it back.)
 */
export function iamPrincipal(callerArn: string): { arn: string; roleName?: string; account?: string } {
  const assumed = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  if (assumed) {
    const [, partition = "", account = "", role = ""] = assumed;
    return { arn: `arn:${partition}:iam::${account}:role/${role}`, roleName: role, account };
  }
  if (/^arn:[\w-]+:sts::\d{12}:federated-user\//.test(callerArn)) {
    throw new BtpAwsError(`the installer runs as federated user ${callerArn}, which an EKS access entry cannot name`, {
      hint: "run btp-aws as an IAM role or user (e.g. through AWS SSO or --profile), then run again",
    });
  }
  return { arn: callerArn };
}

/**
 * The role's real ARN, path included (SSO roles live under /aws-reserved/…): EKS resolves an
 * access entry's ARN to the IAM principal, and a path-less ARN of a role with a path names
 * nothing. Falls back to the path-less ARN when the role is in another account or unreadable.
 */
export async function resolveRoleArn(iam: IAMClient, principal: { arn: string; roleName?: string; account?: string }, account: string): Promise<string> {
  if (principal.roleName === undefined || principal.account !== account) return principal.arn;
  try {
    return (await getRole(iam, principal.roleName))?.arn ?? principal.arn;
  } catch (error) {
    if (/AccessDenied|Unauthorized/.test(awsErrorCode(error) ?? "")) return principal.arn;
    throw error;
  }
}

/**
 * Makes sure `principalArn` has an access entry with cluster-admin rights. Returns what it did,
 * or undefined when everything was in place. An entry for this principal that lacks our tags is
 * adopted rather than refused: it grants the same principal access to our own cluster.
 */
export async function ensureAdminAccess(
  eks: EKSClient,
  spec: { cluster: string; principalArn: string; policyArn: string; tags: TagMap; tagExisting?: boolean },
  call: <T>(action: string, fn: () => Promise<T>) => Promise<T>,
): Promise<string | undefined> {
  const { cluster, principalArn, policyArn, tags } = spec;
  // On an adopted cluster an entry that exists is the owner's: tagging it would claim it.
  const tagExisting = spec.tagExisting ?? true;
  const done: string[] = [];
  const entry = await call(`read the access entry of ${principalArn} (eks:DescribeAccessEntry)`, () => describeAccessEntry(eks, cluster, principalArn));
  if (!entry) {
    await call(`create an access entry for ${principalArn} (eks:CreateAccessEntry)`, () => createAccessEntry(eks, cluster, principalArn, tags));
    done.push(`created the access entry for ${principalArn}`);
  } else if (tagExisting) {
    const absent = missingTags(entry.tags, tags);
    if (Object.keys(absent).length > 0) {
      await call(`tag the access entry of ${principalArn} (eks:TagResource)`, () => tagEksResource(eks, entry.arn, absent));
      done.push(`tagged the access entry of ${principalArn}`);
    }
  }
  const policies = entry ? await call(`list the access policies of ${principalArn} (eks:ListAssociatedAccessPolicies)`, () => associatedAccessPolicies(eks, cluster, principalArn)) : [];
  if (!policies.some((p) => p.policyArn === policyArn && p.scope === "cluster")) {
    await call(`associate AmazonEKSClusterAdminPolicy with ${principalArn} (eks:AssociateAccessPolicy)`, () => associateClusterScopedPolicy(eks, cluster, principalArn, policyArn));
    done.push("associated AmazonEKSClusterAdminPolicy (cluster scope)");
  }
  return done.length > 0 ? done.join("; ") : undefined;
}
