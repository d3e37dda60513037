/** The SNS calls the installer makes, as domain operations. "Not found" is `undefined`. */
import type { SNSClient } from "@aws-sdk/client-sns";
import { awsErrorCode } from "./errors.js";
import { tagList, tagMap, type TagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

export interface Topic {
  arn: string;
  /** The KMS key as it was given (id, ARN or alias); undefined when the topic is not encrypted. */
  kmsMasterKeyId: string | undefined;
  /** The access policy document (JSON text). */
  policy: string | undefined;
}

export interface Subscription {
  protocol: string;
  endpoint: string;
  /** "PendingConfirmation" until the recipient confirms an email subscription. */
  arn: string;
}

/** SNS has no lookup by name; topic ARNs are predictable, so the caller builds one and asks. */
export async function describeTopic(sns: SNSClient, arn: string): Promise<Topic | undefined> {
  const { GetTopicAttributesCommand } = await loadSdk("@aws-sdk/client-sns");
  try {
    const { Attributes: a } = await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
    return { arn, kmsMasterKeyId: a?.KmsMasterKeyId || undefined, policy: a?.Policy || undefined };
  } catch (error) {
    if (awsErrorCode(error) === "NotFoundException" || awsErrorCode(error) === "NotFound") return undefined;
    throw error;
  }
}

export async function createTopic(sns: SNSClient, spec: { name: string; kmsKeyId: string; tags: TagMap }): Promise<string> {
  const { CreateTopicCommand } = await loadSdk("@aws-sdk/client-sns");
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: spec.name, Attributes: { KmsMasterKeyId: spec.kmsKeyId }, Tags: tagList(spec.tags) }));
  if (!TopicArn) throw new Error("sns:CreateTopic returned no topic ARN");
  return TopicArn;
}

/** Sets one attribute: KmsMasterKeyId, Policy, DisplayName … */
export async function setTopicAttribute(sns: SNSClient, arn: string, name: string, value: string): Promise<void> {
  const { SetTopicAttributesCommand } = await loadSdk("@aws-sdk/client-sns");
  await sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: name, AttributeValue: value }));
}

export async function topicTags(sns: SNSClient, arn: string): Promise<Record<string, string>> {
  const { ListTagsForResourceCommand } = await loadSdk("@aws-sdk/client-sns");
  const { Tags } = await sns.send(new ListTagsForResourceCommand({ ResourceArn: arn }));
  return tagMap(Tags);
}

export async function tagTopic(sns: SNSClient, arn: string, tags: TagMap): Promise<void> {
  const { TagResourceCommand } = await loadSdk("@aws-sdk/client-sns");
  await sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: tagList(tags) }));
}

export async function topicSubscriptions(sns: SNSClient, arn: string): Promise<Subscription[]> {
  const { paginateListSubscriptionsByTopic } = await loadSdk("@aws-sdk/client-sns");
  const found: Subscription[] = [];
  for await (const page of paginateListSubscriptionsByTopic({ client: sns }, { TopicArn: arn })) {
    for (const s of page.Subscriptions ?? []) {
      found.push({ protocol: s.Protocol ?? "", endpoint: s.Endpoint ?? "", arn: s.SubscriptionArn ?? "" });
    }
  }
  return found;
}

/** AWS mails a confirmation link; the subscription stays "PendingConfirmation" until it is followed. */
export async function subscribeEmail(sns: SNSClient, arn: string, email: string): Promise<void> {
  const { SubscribeCommand } = await loadSdk("@aws-sdk/client-sns");
  await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "email", Endpoint: email }));
}
