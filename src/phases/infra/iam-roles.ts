/**
 * infra/iam-roles: the EKS cluster role and the node role, with the AWS managed policies EKS
 * documents for each. Both are found by name; a role of that name without this platform's tag
 * belongs to someone else and is never adopted.
 *
 * Repairs in place: a detached managed policy is attached again, a changed trust policy is reset,
 * missing tags are added. Policies someone attached on top are left alone: they may be deliberate.
 */
import { awsErrorCode, describeAwsError } from "../../aws/errors.js";
import { attachPolicy, attachedPolicyArns, awsPartition, createRole, getRole, managedPolicyArn, tagRole, updateTrustPolicy } from "../../aws/iam.js";
import { samePolicy, type PolicyDocument } from "../../aws/iam-policy-document.js";
import { PLATFORM_TAG, missingTags, platformTags, type TagMap } from "../../aws/tags.js";
import type { Config } from "../../config/schema.js";
import { BtpAwsError } from "../../errors.js";
import type { Reporter, Step } from "../../plan/types.js";
import { adoptedRoleLines, adoptIamRoles } from "./existing-cluster-adopt.js";
import { isExistingCluster } from "./existing-cluster.js";
import { infraNames } from "./names.js";
import type { InfraServices } from "./services.js";
import { allSettledOrThrow } from "../../all-settled.js";

type Services = Pick<InfraServices, "aws">;

export interface RoleSpec {
  name: string;
  description: string;
  trustPolicy: PolicyDocument;
  policyArns: string[];
  tags: TagMap;
}

export function serviceTrustPolicy(service: string): PolicyDocument {
  return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] };
}

export function roleSpecs(config: Pick<Config, "platform" | "tags" | "aws">): { cluster: RoleSpec; node: RoleSpec } {
  const names = infraNames(config);
  const partition = awsPartition(config.aws.region);
  // In the China partition EC2's service principal carries the .cn suffix.
  const ec2 = partition === "aws-cn" ? "ec2.amazonaws.com.cn" : "ec2.amazonaws.com";
  const policies = (...list: string[]) => list.map((name) => managedPolicyArn(name, partition));
  return {
    cluster: {
      name: names.clusterRole,
      description: `EKS control plane of btp-aws platform ${config.platform}`,
      trustPolicy: serviceTrustPolicy("eks.amazonaws.com"),
      policyArns: policies("AmazonEKSClusterPolicy"),
      tags: platformTags(config, { Name: names.clusterRole }),
    },
    node: {
      name: names.nodeRole,
      description: `EKS worker nodes of btp-aws platform ${config.platform}`,
      trustPolicy: serviceTrustPolicy(ec2),
      policyArns: policies("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly", "AmazonSSMManagedInstanceCore"),
      tags: platformTags(config, { Name: names.nodeRole }),
    },
  };
}

/** Statement ids name statements without changing what they allow; IAM consoles add them. */
function withoutSids(document: PolicyDocument): PolicyDocument {
  const statements: unknown[] = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  return { ...document, Statement: statements.map((s) => (typeof s === "object" && s !== null ? Object.fromEntries(Object.entries(s).filter(([k]) => k !== "Sid")) : s)) };
}

function policyName(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

/** Turns a failed IAM call into an error that names the action and, for limits, the quota. */
function explain(error: unknown, action: string, services: Services, region: string): BtpAwsError {
  if (error instanceof BtpAwsError) return error;
  const described = describeAwsError(error, action, { endpoint: services.aws.endpoint, region });
  const code = awsErrorCode(error);
  if (code === "LimitExceededException" || code === "LimitExceeded") {
    return new BtpAwsError(`${described.message}: roles per account or managed policies per role (service quotas: iam L-FE177D64, L-0DA4ABF3)`, {
      cause: error,
      hint: "delete unused roles or ask for a higher quota in the Service Quotas console, then run again",
    });
  }
  return described;
}

/** Creates the role, or brings an adopted one back to the spec. Returns its ARN. */
async function ensureRole(spec: RoleSpec, context: { services: Services; platform: string; region: string }, report: Reporter): Promise<{ arn: string; done: string | undefined }> {
  const { services, platform, region } = context;
  const iam = await services.aws.iam();
  const call = async <T>(action: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw explain(error, action, services, region);
    }
  };

  report.status(`looking for role ${spec.name}`);
  const found = await call(`read IAM role ${spec.name} (iam:GetRole)`, () => getRole(iam, spec.name));
  if (!found) {
    report.status(`creating role ${spec.name}`);
    const role = await call(`create IAM role ${spec.name} (iam:CreateRole, iam:TagRole)`, () => createRole(iam, spec));
    // At once, like Terraform's separate policy attachments.
    await allSettledOrThrow(spec.policyArns.map((arn) => call(`attach ${policyName(arn)} to ${spec.name} (iam:AttachRolePolicy)`, () => attachPolicy(iam, spec.name, arn))));
    return { arn: role.arn, done: `created role ${spec.name} with ${spec.policyArns.map(policyName).join(", ")}` };
  }

  if (found.tags[PLATFORM_TAG] !== platform) {
    throw new BtpAwsError(`IAM role ${spec.name} exists but is not managed by btp-aws for platform ${platform} (its ${PLATFORM_TAG} tag is ${found.tags[PLATFORM_TAG] ?? "missing"})`, {
      hint: `choose another platform name, or delete or rename the role (aws iam delete-role --role-name ${spec.name}) if nothing uses it`,
    });
  }
  const repaired: string[] = [];
  if (found.trustPolicy === undefined || !samePolicy(withoutSids(found.trustPolicy), spec.trustPolicy)) {
    await call(`reset the trust policy of ${spec.name} (iam:UpdateAssumeRolePolicy)`, () => updateTrustPolicy(iam, spec.name, spec.trustPolicy));
    repaired.push("reset the trust policy");
  }
  const attached = new Set(await call(`list the policies of ${spec.name} (iam:ListAttachedRolePolicies)`, () => attachedPolicyArns(iam, spec.name)));
  const detached = spec.policyArns.filter((a) => !attached.has(a));
  await allSettledOrThrow(detached.map((arn) => call(`attach ${policyName(arn)} to ${spec.name} (iam:AttachRolePolicy)`, () => attachPolicy(iam, spec.name, arn))));
  repaired.push(...detached.map((arn) => `re-attached ${policyName(arn)}`));
  const absent = missingTags(found.tags, spec.tags);
  if (Object.keys(absent).length > 0) {
    await call(`tag IAM role ${spec.name} (iam:TagRole)`, () => tagRole(iam, spec.name, absent));
    repaired.push(`added tags ${Object.keys(absent).join(", ")}`);
  }
  return { arn: found.arn, done: repaired.length > 0 ? `role ${spec.name}: ${repaired.join("; ")}` : undefined };
}

export const iamRolesStep: Step<Services> = {
  id: "infra/iam-roles",
  title: "IAM cluster and node roles",
  phase: "infra",
  needs: ["prepare/credentials"],
  describe(config) {
    if (isExistingCluster(config)) return adoptedRoleLines(config);
    const { cluster, node } = roleSpecs(config);
    return [
      `role ${cluster.name} (trusted by eks.amazonaws.com) with ${cluster.policyArns.map(policyName).join(", ")}`,
      `role ${node.name} (trusted by EC2) with ${node.policyArns.map(policyName).join(", ")}`,
    ];
  },
  async run(step, report) {
    const { config, services } = step;
    // cluster.mode existing: the cluster's own roles are recorded, none is created.
    if (isExistingCluster(config)) return adoptIamRoles(step, report);
    const { cluster, node } = roleSpecs(config);
    const context = { services, platform: config.platform, region: config.aws.region };
    // Both at once: the cluster waits for this step (found by test/bench: one after the other,
    // with the node role's four policies attached one by one, took a second at 1/60).
    const [clusterRole, nodeRole] = await allSettledOrThrow([ensureRole(cluster, context, report), ensureRole(node, context, report)]);
    const done = [clusterRole.done, nodeRole.done].filter((line): line is string => line !== undefined);
    for (const line of done) report.info(line);
    if (done.length === 0) report.skip(`roles ${cluster.name} and ${node.name} exist with their trust and managed policies`);
    return { clusterRoleArn: clusterRole.arn, nodeRoleArn: nodeRole.arn };
  },
};
