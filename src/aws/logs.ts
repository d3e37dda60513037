/** The CloudWatch Logs calls the installer makes (the VPC flow-log group), as domain operations. */
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { TagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

export interface LogGroup {
  name: string;
  /** The group's ARN without the trailing ":*": the form tagging and IAM conditions use. */
  arn: string;
  /** undefined: never expire. */
  retentionDays: number | undefined;
  kmsKeyId: string | undefined;
}

/** The group with exactly this name, or undefined. */
export async function findLogGroup(logs: CloudWatchLogsClient, name: string): Promise<LogGroup | undefined> {
  const { paginateDescribeLogGroups } = await loadSdk("@aws-sdk/client-cloudwatch-logs");
  // A prefix query: other groups may share the prefix, so the exact name is picked out below.
  for await (const page of paginateDescribeLogGroups({ client: logs }, { logGroupNamePrefix: name })) {
    const group = page.logGroups?.find((g) => g.logGroupName === name);
    if (group) {
      const arn = group.logGroupArn ?? (group.arn ?? "").replace(/:\*$/, "");
      return { name, arn, retentionDays: group.retentionInDays ?? undefined, kmsKeyId: group.kmsKeyId ?? undefined };
    }
  }
  return undefined;
}

export async function createLogGroup(logs: CloudWatchLogsClient, spec: { name: string; kmsKeyArn: string; tags: TagMap }): Promise<void> {
  const { CreateLogGroupCommand } = await loadSdk("@aws-sdk/client-cloudwatch-logs");
  await logs.send(new CreateLogGroupCommand({ logGroupName: spec.name, kmsKeyId: spec.kmsKeyArn, tags: { ...spec.tags } }));
}

export async function setRetention(logs: CloudWatchLogsClient, name: string, days: number): Promise<void> {
  const { PutRetentionPolicyCommand } = await loadSdk("@aws-sdk/client-cloudwatch-logs");
  await logs.send(new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: days }));
}

/** Future log events are encrypted with the key; earlier ones stay readable with the old one. */
export async function associateKmsKey(logs: CloudWatchLogsClient, name: string, kmsKeyArn: string): Promise<void> {
  const { AssociateKmsKeyCommand } = await loadSdk("@aws-sdk/client-cloudwatch-logs");
  await logs.send(new AssociateKmsKeyCommand({ logGroupName: name, kmsKeyId: kmsKeyArn }));
}

export async function logGroupTags(logs: CloudWatchLogsClient, arn: string): Promise<Record<string, string>> {
  const { ListTagsForResourceCommand } = await loadSdk("@aws-sdk/client-cloudwatch-logs");
  const { tags } = await logs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
  return { ...tags };
}

export async function tagLogGroup(logs: CloudWatchLogsClient, arn: string, tags: TagMap): Promise<void> {
  const { TagResourceCommand } = await loadSdk("@aws-sdk/client-cloudwatch-logs");
  await logs.send(new TagResourceCommand({ resourceArn: arn, tags: { ...tags } }));
}
