/**
 * The alarm topic: SNS, encrypted with the platform key, optionally with an email subscription,
 * and (when a budget is configured) a policy statement that lets AWS Budgets publish to it.
 */
import type { SNSClient } from "@aws-sdk/client-sns";
import { describeAwsError, type AwsCallTarget } from "../../aws/errors.js";
import { createTopic, describeTopic, setTopicAttribute, subscribeEmail, tagTopic, topicSubscriptions, topicTags } from "../../aws/sns.js";
import { asList, policyWithStatement, type Statement } from "../../aws/policy-statements.js";
import { PLATFORM_TAG, missingTags, type TagMap } from "../../aws/tags.js";
import { BtpAwsError } from "../../errors.js";
import { isPlatformKey, type PlatformKey } from "./platform-key.js";

export const BUDGETS_STATEMENT_SID = "AllowBudgetsToPublish";

export interface TopicSpec {
  name: string;
  /** Built from region, account and name: SNS has no lookup by name. */
  arn: string;
  account: string;
  partition: string;
  platform: string;
  /** SNS reports the key the way it was given: any form of the platform key counts. */
  key: PlatformKey;
  tags: TagMap;
  email: string | undefined;
  allowBudgets: boolean;
  /** State says an earlier run created this topic: its tags may be missing, it is still ours. */
  recorded: boolean;
}

/** AWS Budgets publishes as a service principal, which the default topic policy does not admit. */
function budgetsStatement(spec: TopicSpec): Statement & { Sid: string } {
  return {
    Sid: BUDGETS_STATEMENT_SID,
    Effect: "Allow",
    Principal: { Service: "budgets.amazonaws.com" },
    Action: "SNS:Publish",
    Resource: spec.arn,
    Condition: { StringEquals: { "aws:SourceAccount": spec.account }, ArnLike: { "aws:SourceArn": `arn:${spec.partition}:budgets::${spec.account}:*` } },
  };
}

/** Whether a statement lets Budgets publish here, however SNS chose to spell it back. */
function admitsBudgets(statement: Statement, topicArn: string): boolean {
  const principal = statement.Principal as { Service?: unknown } | undefined;
  return statement.Effect === "Allow"
    && asList(principal?.Service).includes("budgets.amazonaws.com")
    && asList(statement.Action).some((a) => String(a).toLowerCase() === "sns:publish")
    && asList(statement.Resource).includes(topicArn);
}

/** The policy with our statement added, or undefined when it already has it. */
export function topicPolicyToWrite(current: string | undefined, spec: TopicSpec): string | undefined {
  return policyWithStatement(current, budgetsStatement(spec), (s) => admitsBudgets(s, spec.arn), "2008-10-17");
}

async function call<T>(run: () => Promise<T>, action: string, target: AwsCallTarget): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw describeAwsError(error, action, target);
  }
}

function notOurs(spec: TopicSpec, owner: string | undefined): BtpAwsError {
  const why = owner === undefined ? "it has no btp-aws:platform tag" : `it is tagged for platform ${owner}`;
  return new BtpAwsError(`SNS topic ${spec.name} exists but is not managed by btp-aws for platform ${spec.platform}: ${why}`, {
    hint: `tag it ${PLATFORM_TAG}=${spec.platform} if btp-aws created it (aws sns tag-resource --resource-arn ${spec.arn} --tags Key=${PLATFORM_TAG},Value=${spec.platform}), or delete it, then run again`,
  });
}

/** Creates or repairs the topic; returns what it changed, for the report. */
export async function ensureTopic(sns: SNSClient, spec: TopicSpec, target: AwsCallTarget): Promise<string[]> {
  const done: string[] = [];
  let topic = await call(() => describeTopic(sns, spec.arn), `look for SNS topic ${spec.name} (sns:GetTopicAttributes)`, target);
  if (!topic) {
    const arn = await call(() => createTopic(sns, { name: spec.name, kmsKeyId: spec.key.keyArn, tags: spec.tags }), `create SNS topic ${spec.name} (sns:CreateTopic)`, target);
    if (arn !== spec.arn) throw new BtpAwsError(`SNS created topic ${arn}, expected ${spec.arn}`);
    done.push(`created topic ${spec.name}, encrypted with the platform key`);
    topic = { arn, kmsMasterKeyId: spec.key.keyArn, policy: undefined };
    if (spec.allowBudgets) topic = (await call(() => describeTopic(sns, arn), `read SNS topic ${spec.name} (sns:GetTopicAttributes)`, target)) ?? topic;
  } else {
    const tags = await call(() => topicTags(sns, spec.arn), `read the tags of SNS topic ${spec.name} (sns:ListTagsForResource)`, target);
    const owner = tags[PLATFORM_TAG];
    if (owner !== spec.platform && !(owner === undefined && spec.recorded)) throw notOurs(spec, owner);
    const absent = missingTags(tags, spec.tags);
    if (Object.keys(absent).length > 0) {
      await call(() => tagTopic(sns, spec.arn, absent), `tag SNS topic ${spec.name} (sns:TagResource)`, target);
      done.push(`topic tags ${Object.keys(absent).join(", ")} set`);
    }
    if (!isPlatformKey(topic.kmsMasterKeyId, spec.key)) {
      await call(() => setTopicAttribute(sns, spec.arn, "KmsMasterKeyId", spec.key.keyArn), `encrypt SNS topic ${spec.name} (sns:SetTopicAttributes)`, target);
      done.push("topic encryption with the platform key restored");
    }
  }
  if (spec.allowBudgets) {
    const policy = topicPolicyToWrite(topic.policy, spec);
    if (policy !== undefined) {
      await call(() => setTopicAttribute(sns, spec.arn, "Policy", policy), `let AWS Budgets publish to SNS topic ${spec.name} (sns:SetTopicAttributes)`, target);
      done.push("topic policy lets AWS Budgets publish");
    }
  }
  if (spec.email !== undefined) {
    const email = spec.email.toLowerCase();
    const subscriptions = await call(() => topicSubscriptions(sns, spec.arn), `list the subscriptions of SNS topic ${spec.name} (sns:ListSubscriptionsByTopic)`, target);
    // A subscription awaiting confirmation counts: subscribing again would only resend the email.
    if (!subscriptions.some((s) => s.protocol === "email" && s.endpoint.toLowerCase() === email)) {
      await call(() => subscribeEmail(sns, spec.arn, spec.email!), `subscribe ${spec.email} to SNS topic ${spec.name} (sns:Subscribe)`, target);
      done.push(`subscribed ${spec.email} (AWS sent a confirmation email: alarms arrive once it is confirmed)`);
    }
  }
  return done;
}
