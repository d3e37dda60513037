/**
 * VPC flow logs (production default): ALL traffic into a CloudWatch Logs group kept 90 days and
 * encrypted with the platform key, delivered through a role that may write to that group only.
 * A flow log cannot be modified, so one into our group with other settings is drift.
 */
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { IAMClient } from "@aws-sdk/client-iam";
import { createVpcFlowLog, findFlowLogs } from "../../aws/ec2.js";
import { associateKmsKey, createLogGroup, findLogGroup, logGroupTags, setRetention, tagLogGroup } from "../../aws/logs.js";
import { belongsTo, missingTags } from "../../aws/tags.js";
import { BtpAwsError } from "../../errors.js";
import { awsPartition, createRole, getRole, tagRole, updateTrustPolicy } from "../../aws/iam.js";
import { getInlinePolicy, putInlinePolicy } from "../../aws/iam-oidc.js";
import { samePolicy } from "../../aws/iam-policy-document.js";
import { FLOW_LOG_POLICY_NAME, flowLogTrustPolicy, flowLogWritePolicy } from "./vpc-flow-log-iam.js";
import { foreignResource, repairTags } from "./vpc-network.js";
import type { VpcWork } from "./vpc-work.js";

export const FLOW_LOG_RETENTION_DAYS = 90;
const ROLES_QUOTA = "IAM roles per account (service quotas: iam L-FE177D64)";
const LOG_GROUPS_QUOTA = "log groups per Region (CloudWatch Logs)";

export interface FlowLogTarget {
  logs: CloudWatchLogsClient;
  iam: IAMClient;
  account: string;
  /** The platform key (infra/kms) that encrypts the group. */
  keyArn: string;
}

async function ensureLogGroup(work: VpcWork, target: FlowLogTarget, arn: string): Promise<void> {
  const name = work.names.flowLogGroup;
  const tags = work.tags(name);
  const group = await work.call(`find log group ${name} (logs:DescribeLogGroups)`, () => findLogGroup(target.logs, name));
  if (!group) {
    await work.call(`create log group ${name} (logs:CreateLogGroup)`, () => createLogGroup(target.logs, { name, kmsKeyArn: target.keyArn, tags }), { quota: LOG_GROUPS_QUOTA });
    await work.call(`set the retention of ${name} (logs:PutRetentionPolicy)`, () => setRetention(target.logs, name, FLOW_LOG_RETENTION_DAYS));
    work.changes.push(`created log group ${name} (${FLOW_LOG_RETENTION_DAYS} days, KMS-encrypted)`);
    return;
  }
  const actual = await work.call(`read the tags of log group ${name} (logs:ListTagsForResource)`, () => logGroupTags(target.logs, group.arn || arn));
  if (!belongsTo(actual, work.config.platform)) throw foreignResource(`log group ${name}`, work.config.platform);
  const absent = missingTags(actual, tags);
  if (Object.keys(absent).length > 0) {
    await work.call(`tag log group ${name} (logs:TagResource)`, () => tagLogGroup(target.logs, group.arn || arn, absent));
    work.changes.push(`added tags ${Object.keys(absent).join(", ")} to log group ${name}`);
  }
  if (group.retentionDays !== FLOW_LOG_RETENTION_DAYS) {
    await work.call(`set the retention of ${name} (logs:PutRetentionPolicy)`, () => setRetention(target.logs, name, FLOW_LOG_RETENTION_DAYS));
    work.changes.push(`set the retention of log group ${name} back to ${FLOW_LOG_RETENTION_DAYS} days (was ${group.retentionDays ?? "never expire"})`);
  }
  if (group.kmsKeyId !== target.keyArn) {
    await work.call(`encrypt log group ${name} with ${target.keyArn} (logs:AssociateKmsKey)`, () => associateKmsKey(target.logs, name, target.keyArn));
    work.changes.push(`encrypted log group ${name} with the platform key again (was ${group.kmsKeyId ?? "unencrypted"})`);
  }
}

async function ensureRole(work: VpcWork, target: FlowLogTarget, logGroupArn: string): Promise<string> {
  const name = work.names.flowLogRole;
  const partition = awsPartition(work.config.aws.region);
  const region = work.config.aws.region;
  const trust = flowLogTrustPolicy(partition, region, target.account);
  const policy = flowLogWritePolicy(logGroupArn, partition, region, target.account);
  const tags = work.tags(name);
  const role = await work.call(`find IAM role ${name} (iam:GetRole)`, () => getRole(target.iam, name));
  let arn: string;
  if (!role) {
    const created = await work.call(`create IAM role ${name} (iam:CreateRole)`, () => createRole(target.iam, { name, description: `VPC flow logs of btp-aws platform ${work.config.platform}`, trustPolicy: trust, tags }), { quota: ROLES_QUOTA });
    arn = created.arn;
    work.changes.push(`created IAM role ${name}`);
  } else {
    if (!belongsTo(role.tags, work.config.platform)) throw foreignResource(`IAM role ${name}`, work.config.platform);
    arn = role.arn;
    const absent = missingTags(role.tags, tags);
    if (Object.keys(absent).length > 0) {
      await work.call(`tag IAM role ${name} (iam:TagRole)`, () => tagRole(target.iam, name, absent));
      work.changes.push(`added tags ${Object.keys(absent).join(", ")} to IAM role ${name}`);
    }
    if (!role.trustPolicy || !samePolicy(role.trustPolicy, trust)) {
      await work.call(`restore the trust policy of ${name} (iam:UpdateAssumeRolePolicy)`, () => updateTrustPolicy(target.iam, name, trust));
      work.changes.push(`restored the trust policy of IAM role ${name}`);
    }
  }
  const current = role ? await work.call(`read policy ${FLOW_LOG_POLICY_NAME} of ${name} (iam:GetRolePolicy)`, () => getInlinePolicy(target.iam, name, FLOW_LOG_POLICY_NAME)) : undefined;
  if (current === undefined || !samePolicy(current, policy)) {
    await work.call(`write policy ${FLOW_LOG_POLICY_NAME} of ${name} (iam:PutRolePolicy)`, () => putInlinePolicy(target.iam, name, FLOW_LOG_POLICY_NAME, JSON.stringify(policy)));
    if (role) work.changes.push(`restored policy ${FLOW_LOG_POLICY_NAME} of IAM role ${name}`);
  }
  return arn;
}

/** The group, the role and the flow log; returns the flow log's id. */
export async function ensureFlowLogs(work: VpcWork, vpcId: string, target: FlowLogTarget): Promise<string> {
  const groupName = work.names.flowLogGroup;
  const logGroupArn = `arn:${awsPartition(work.config.aws.region)}:logs:${work.config.aws.region}:${target.account}:log-group:${groupName}`;
  await ensureLogGroup(work, target, logGroupArn);
  const roleArn = await ensureRole(work, target, logGroupArn);

  const flows = await work.call(`list the flow logs of VPC ${vpcId} (ec2:DescribeFlowLogs)`, () => findFlowLogs(work.ec2, vpcId));
  const ours = flows.find((f) => f.destinationType === "cloud-watch-logs" && f.logGroupName === groupName);
  if (ours) {
    const differs = [
      ...(ours.trafficType !== "ALL" ? [`traffic type ${ours.trafficType} (wanted ALL)`] : []),
      ...(ours.roleArn !== roleArn ? [`delivery role ${ours.roleArn ?? "none"} (wanted ${roleArn})`] : []),
    ];
    if (differs.length > 0) {
      throw new BtpAwsError(`flow log ${ours.flowLogId} of VPC ${vpcId} into ${groupName} has ${differs.join(" and ")}: flow logs cannot be changed in place`, {
        hint: `delete it (aws ec2 delete-flow-logs --flow-log-ids ${ours.flowLogId}) and run again to recreate it`,
      });
    }
    await repairTags(work, ours.flowLogId, "flow log", ours.tags, work.tags(`${work.names.vpc}-flow-log`));
    if (ours.deliveryStatus === "FAILED") work.report.warn(`flow log ${ours.flowLogId} cannot deliver to ${groupName}: ${ours.deliveryError ?? "no reason given"}`);
    return ours.flowLogId;
  }
  const id = await work.call(`create the flow log of VPC ${vpcId} (ec2:CreateFlowLogs, iam:PassRole)`, () => createVpcFlowLog(work.ec2, { vpcId, logGroupName: groupName, roleArn, tags: work.tags(`${work.names.vpc}-flow-log`) }));
  work.changes.push(`created flow log ${id} (ALL traffic) into ${groupName}`);
  return id;
}
