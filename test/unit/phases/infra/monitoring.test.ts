import {
  BudgetsClient, CreateBudgetCommand, CreateNotificationCommand, CreateSubscriberCommand, DeleteBudgetCommand, DescribeBudgetCommand, DescribeNotificationsForBudgetCommand,
  DescribeSubscribersForNotificationCommand, ListTagsForResourceCommand as ListBudgetTagsCommand, UpdateBudgetCommand,
} from "@aws-sdk/client-budgets";
import { CloudWatchClient, DescribeAlarmsCommand, ListTagsForResourceCommand as ListAlarmTagsCommand, PutMetricAlarmCommand, TagResourceCommand as TagAlarmCommand, type MetricAlarm, GetDashboardCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeNodegroupCommand, EKSClient } from "@aws-sdk/client-eks";
import { DescribeReplicationGroupsCommand, ElastiCacheClient } from "@aws-sdk/client-elasticache";
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import {
  CreateTopicCommand, GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, ListTagsForResourceCommand as ListTopicTagsCommand, SetTopicAttributesCommand, SNSClient, SubscribeCommand,
} from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import type { AwsClients } from "../../../../src/aws/clients.js";
import type { MetricAlarm as AlarmState } from "../../../../src/aws/cloudwatch.js";
import type { Config } from "../../../../src/config/schema.js";
import { BtpAwsError } from "../../../../src/errors.js";
import { DB_CONNECTIONS_THRESHOLD, alarmDifferences, alarmSpecs } from "../../../../src/phases/infra/monitoring-alarms.js";
import { topicPolicyToWrite, type TopicSpec } from "../../../../src/phases/infra/monitoring-topic.js";
import { dashboardJson } from "../../../../src/phases/infra/monitoring-dashboard.js";
import { monitoringStep } from "../../../../src/phases/infra/monitoring.js";
import type { StepOutputs } from "../../../../src/plan/types.js";
import { testConfig as baseTestConfig } from "../../../support/config.js";
import { awsTestConfig as testConfig } from "../../../support/aws-modes.js";
import { recordingReporter } from "../../../support/reporter.js";

const ACCOUNT = "123456789012";
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1111-2222`;
const TOPIC = `arn:aws:sns:eu-west-1:${ACCOUNT}:btp-btp-test-alarms`;
const BUDGET_ARN = `arn:aws:budgets::${ACCOUNT}:budget/btp-btp-test-monthly`;
const ASG = "eks-btp-btp-test-nodes-1234";
const OUTPUTS: Record<string, StepOutputs> = {
  "infra/kms": { keyId: "1111-2222", keyArn: KEY_ARN, alias: "alias/btp-btp-test" },
  "infra/eks": { clusterName: "btp-btp-test" },
  "infra/nodegroup": { nodeGroupName: "btp-btp-test-nodes", launchTemplateId: "lt-1" },
  "infra/rds": { dbInstanceId: "btp-btp-test-db" },
  "infra/elasticache": { replicationGroupId: "btp-btp-test-redis" },
};
const PLATFORM_TAGS = [{ Key: "btp-aws:platform", Value: "btp-test" }, { Key: "btp-aws:managed-by", Value: "btp-aws" }];
const ALARMS = ["node-cpu", "db-connections", "db-free-storage", "cache-cpu-001", "cache-memory-001", "cache-cpu-002", "cache-memory-002"].map((a) => `btp-btp-test-${a}`);
const ALERT = { NotificationType: "ACTUAL" as const, ComparisonOperator: "GREATER_THAN" as const, Threshold: 80, ThresholdType: "PERCENTAGE" as const };

const sns = mockClient(SNSClient);
const cloudwatch = mockClient(CloudWatchClient);
const budgets = mockClient(BudgetsClient);
const eks = mockClient(EKSClient);
const elasticache = mockClient(ElastiCacheClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);
const mocks = [sns, cloudwatch, budgets, eks, elasticache, tagging];

const region = { region: "eu-west-1" };
const services = {
  aws: {
    region: "eu-west-1", endpoint: undefined, counter: undefined,
    sns: () => Promise.resolve(new SNSClient(region)),
    cloudwatch: () => Promise.resolve(new CloudWatchClient(region)),
    budgets: () => Promise.resolve(new BudgetsClient(region)),
    eks: () => Promise.resolve(new EKSClient(region)),
    elasticache: () => Promise.resolve(new ElastiCacheClient(region)),
    tagging: () => Promise.resolve(new ResourceGroupsTaggingAPIClient(region)),
  } as unknown as AwsClients,
};

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

const config = (monitoring: Partial<Config["monitoring"]> = { alarmEmail: "alerts@example.com", monthlyBudgetUsd: 500 }) => testConfig({ monitoring });

function run(cfg: Config = config(), previous?: StepOutputs) {
  const report = recordingReporter();
  const promise = monitoringStep.run({ config: cfg, services, outputs: OUTPUTS, previous, signal: new AbortController().signal }, report);
  return { promise, report };
}

async function failure(promise: Promise<unknown>): Promise<BtpAwsError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BtpAwsError);
  return error as BtpAwsError;
}

const commandNames = (calls: readonly { args: readonly unknown[] }[]): string[] => calls.map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name);
const writes = () => mocks.flatMap((m) => commandNames(m.calls())).filter((n) => !/^(Describe|List|Get)/.test(n));

/** CloudWatch's view of an alarm exactly as btp-aws writes it. */
function alarmAsWritten(name: string): MetricAlarm {
  const spec = alarmSpecs({
    config: testConfig(), topicArn: TOPIC, nodeAutoScalingGroup: ASG, dbInstanceId: "btp-btp-test-db", replicationGroupId: "btp-btp-test-redis",
    cacheClusterIds: ["btp-btp-test-redis-001", "btp-btp-test-redis-002"],
  }).find((s) => s.name === name)!;
  return {
    AlarmName: name, AlarmArn: `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:${name}`, AlarmDescription: spec.description, Namespace: spec.namespace, MetricName: spec.metricName,
    Dimensions: Object.entries(spec.dimensions).map(([Name, Value]) => ({ Name, Value })), Statistic: spec.statistic, Period: spec.periodSeconds,
    EvaluationPeriods: spec.evaluationPeriods, Threshold: spec.threshold, ComparisonOperator: spec.comparison, ActionsEnabled: true, AlarmActions: [TOPIC],
  };
}

/** Everything in place as btp-aws leaves it, budget and subscription included. */
function intact(): void {
  eks.on(DescribeNodegroupCommand).resolves({ nodegroup: { resources: { autoScalingGroups: [{ name: ASG }] } } });
  elasticache.on(DescribeReplicationGroupsCommand).resolves({
    ReplicationGroups: [{ ReplicationGroupId: "btp-btp-test-redis", ARN: `arn:aws:elasticache:eu-west-1:${ACCOUNT}:replicationgroup:btp-btp-test-redis`, MemberClusters: ["btp-btp-test-redis-001", "btp-btp-test-redis-002"] }],
  });
  const policy = topicPolicyToWrite(undefined, topicSpec())!;
  sns.on(GetTopicAttributesCommand).resolves({ Attributes: { TopicArn: TOPIC, KmsMasterKeyId: KEY_ARN, Policy: policy } });
  sns.on(ListTopicTagsCommand).resolves({ Tags: [{ Key: "Name", Value: "btp-btp-test-alarms" }, ...PLATFORM_TAGS] });
  sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [{ Protocol: "email", Endpoint: "Alerts@Example.com", SubscriptionArn: "PendingConfirmation" }] });
  cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: ALARMS.map(alarmAsWritten) });
  cloudwatch.on(ListAlarmTagsCommand).resolves({ Tags: PLATFORM_TAGS });
  // The dashboard as the step writes it (the body's JSON compared by content, not spacing).
  cloudwatch.on(GetDashboardCommand).resolves({ DashboardBody: JSON.stringify(JSON.parse(dashboardJson({ region: "eu-west-1", nodeAutoScalingGroup: ASG, dbInstanceId: "btp-btp-test-db", cacheClusterIds: ["btp-btp-test-redis-001", "btp-btp-test-redis-002"] })), null, 2) });
  budgets.on(DescribeBudgetCommand).resolves({ Budget: { BudgetName: "btp-btp-test-monthly", BudgetType: "COST", TimeUnit: "MONTHLY", BudgetLimit: { Amount: "500.0", Unit: "USD" } } });
  budgets.on(ListBudgetTagsCommand).resolves({ ResourceTags: [{ Key: "Name", Value: "btp-btp-test-monthly" }, ...PLATFORM_TAGS] });
  budgets.on(DescribeNotificationsForBudgetCommand).resolves({ Notifications: [ALERT] });
  budgets.on(DescribeSubscribersForNotificationCommand).resolves({ Subscribers: [{ SubscriptionType: "SNS", Address: TOPIC }, { SubscriptionType: "EMAIL", Address: "alerts@example.com" }] });
}

function topicSpec(): TopicSpec {
  return {
    name: "btp-btp-test-alarms", arn: TOPIC, account: ACCOUNT, partition: "aws", platform: "btp-test", key: { keyArn: KEY_ARN, keyId: "1111-2222", alias: "alias/btp-btp-test" }, tags: {}, email: undefined, allowBudgets: true, recorded: false,
  };
}

beforeEach(() => {
  for (const mock of mocks) mock.reset();
});

describe("infra/monitoring step", () => {
  it("declares its needs and describes what it sets up", () => {
    expect(monitoringStep.needs).toEqual(["infra/eks", "infra/nodegroup", "infra/rds", "infra/elasticache", "infra/kms"]);
    expect(monitoringStep.describe(config())).toEqual([
      "create or adopt SNS topic btp-btp-test-alarms (KMS-encrypted), subscribe alerts@example.com",
      "CloudWatch alarms btp-btp-test-*: node CPU > 80%, RDS connections > 400, RDS free storage < 10%, cache CPU > 75%, cache memory > 80%",
      "CloudWatch dashboard btp-btp-test: node, database and cache widgets",
      "AWS Budgets btp-btp-test-monthly: 500 USD a month, alert at 80% of actual spend",
    ]);
    expect(monitoringStep.describe(config({}))[3]).toBe("no AWS budget (monitoring.monthlyBudgetUsd is not set)");
  });

  it("watches no database or cache that infra did not make: no ElastiCache read, no RDS or cache alarm or widget", async () => {
    intact();
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    cloudwatch.on(GetDashboardCommand).resolves({});
    const modes = baseTestConfig({
      monitoring: { alarmEmail: "alerts@example.com", monthlyBudgetUsd: 500 },
      cache: { mode: "external", external: { host: "redis.example.com" } },
    });
    expect(monitoringStep.describe(modes).slice(1, 3)).toEqual([
      "CloudWatch alarms btp-btp-test-*: node CPU > 80%",
      "CloudWatch dashboard btp-btp-test: node widgets",
    ]);
    expect(monitoringStep.describe(modes).slice(4)).toEqual(["no RDS alarms or widgets: database.mode is in-cluster", "no ElastiCache alarms or widgets: cache.mode is external"]);
    // infra/rds and infra/elasticache skipped: their outputs hold only the mode.
    const report = recordingReporter();
    const outputs = await monitoringStep.run({ config: modes, services, outputs: { ...OUTPUTS, "infra/rds": { mode: "in-cluster" }, "infra/elasticache": { mode: "external" } }, previous: undefined, signal: new AbortController().signal }, report);
    expect(outputs).toMatchObject({ alarmNames: ["btp-btp-test-node-cpu"] });
    expect(elasticache.calls()).toEqual([]);
    expect(cloudwatch.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input.AlarmName)).toEqual(["btp-btp-test-node-cpu"]);
    const { PutDashboardCommand } = await import("@aws-sdk/client-cloudwatch");
    const body = JSON.parse(cloudwatch.commandCalls(PutDashboardCommand)[0]!.args[0].input.DashboardBody!) as { widgets: { properties: { title: string } }[] };
    expect(body.widgets.map((w) => w.properties.title)).toEqual(["EKS nodes: CPU %"]);
  });

  it("creates topic, subscription, alarms and budget with the expected call shapes", async () => {
    intact();
    sns.on(GetTopicAttributesCommand).rejectsOnce(awsError("NotFoundException", "Topic does not exist")).resolves({ Attributes: { Policy: JSON.stringify({ Version: "2008-10-17", Statement: [{ Sid: "__default_statement_ID" }] }) } });
    sns.on(CreateTopicCommand).resolves({ TopicArn: TOPIC });
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    budgets.on(DescribeBudgetCommand).rejects(awsError("NotFoundException"));

    const { promise, report } = run(testConfig({ tags: { team: "chain" }, monitoring: { alarmEmail: "alerts@example.com", monthlyBudgetUsd: 500 } }));
    expect(await promise).toEqual({ topicArn: TOPIC, alarmNames: ALARMS, budgetName: "btp-btp-test-monthly", dashboardName: "btp-btp-test" });
    expect(sns.commandCalls(CreateTopicCommand)[0]!.args[0].input).toEqual({
      Name: "btp-btp-test-alarms", Attributes: { KmsMasterKeyId: KEY_ARN }, Tags: [{ Key: "team", Value: "chain" }, { Key: "Name", Value: "btp-btp-test-alarms" }, ...PLATFORM_TAGS],
    });
    const policy = JSON.parse(sns.commandCalls(SetTopicAttributesCommand)[0]!.args[0].input.AttributeValue!) as { Statement: unknown[] };
    expect(policy.Statement).toEqual([{ Sid: "__default_statement_ID" }, {
      Sid: "AllowBudgetsToPublish", Effect: "Allow", Principal: { Service: "budgets.amazonaws.com" }, Action: "SNS:Publish", Resource: TOPIC,
      Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": `arn:aws:budgets::${ACCOUNT}:*` } },
    }]);
    expect(sns.commandCalls(SubscribeCommand)[0]!.args[0].input).toEqual({ TopicArn: TOPIC, Protocol: "email", Endpoint: "alerts@example.com" });
    const puts = cloudwatch.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => p.AlarmName)).toEqual(ALARMS);
    expect(puts[0]).toEqual({
      AlarmName: "btp-btp-test-node-cpu", AlarmDescription: "EKS nodes of btp-btp-test: average CPU above 80% for 10 minutes", Namespace: "AWS/EC2", MetricName: "CPUUtilization",
      Dimensions: [{ Name: "AutoScalingGroupName", Value: ASG }], Statistic: "Average", Period: 300, EvaluationPeriods: 2, Threshold: 80,
      ComparisonOperator: "GreaterThanThreshold", ActionsEnabled: true, AlarmActions: [TOPIC], Tags: [{ Key: "team", Value: "chain" }, ...PLATFORM_TAGS],
    });
    expect(budgets.commandCalls(CreateBudgetCommand)[0]!.args[0].input).toEqual({
      AccountId: ACCOUNT,
      Budget: { BudgetName: "btp-btp-test-monthly", BudgetType: "COST", TimeUnit: "MONTHLY", BudgetLimit: { Amount: "500", Unit: "USD" } },
      NotificationsWithSubscribers: [{ Notification: ALERT, Subscribers: [{ SubscriptionType: "SNS", Address: TOPIC }, { SubscriptionType: "EMAIL", Address: "alerts@example.com" }] }],
      ResourceTags: [{ Key: "team", Value: "chain" }, { Key: "Name", Value: "btp-btp-test-monthly" }, ...PLATFORM_TAGS],
    });
    expect(report.infos).toHaveLength(1);
  });

  it("skips when everything is in place, a pending email confirmation included, without a write", async () => {
    intact();
    const { promise, report } = run();
    await promise;
    expect(writes()).toEqual([]);
    expect(report.skipped).toEqual(["topic btp-btp-test-alarms, 7 alarms, dashboard btp-btp-test and budget btp-btp-test-monthly exist as configured"]);
  });

  it("reads the topic, node group and cache at once, then checks alarms, dashboard and budget at once", async () => {
    // Found by test/bench (makespan): each read's answer is held until the others have been asked
    // for; asked one after the other, the first answer would never come and the test time out.
    intact();
    const heldUntil = <T>(count: number) => {
      const held: (() => void)[] = [];
      return (answer: T) => () => new Promise<T>((resolve) => {
        held.push(() => resolve(answer));
        if (held.length === count) held.forEach((go) => go());
      });
    };
    const reads = heldUntil<object>(3);
    sns.on(ListTopicTagsCommand).callsFake(reads({ Tags: [{ Key: "Name", Value: "btp-btp-test-alarms" }, ...PLATFORM_TAGS] }));
    eks.on(DescribeNodegroupCommand).callsFake(reads({ nodegroup: { resources: { autoScalingGroups: [{ name: ASG }] } } }));
    elasticache.on(DescribeReplicationGroupsCommand).callsFake(reads({
      ReplicationGroups: [{ ReplicationGroupId: "btp-btp-test-redis", ARN: `arn:aws:elasticache:eu-west-1:${ACCOUNT}:replicationgroup:btp-btp-test-redis`, MemberClusters: ["btp-btp-test-redis-001", "btp-btp-test-redis-002"] }],
    }));
    const checks = heldUntil<object>(3);
    cloudwatch.on(DescribeAlarmsCommand).callsFake(checks({ MetricAlarms: ALARMS.map(alarmAsWritten) }));
    cloudwatch.on(GetDashboardCommand).callsFake(checks({
      DashboardBody: JSON.stringify(JSON.parse(dashboardJson({ region: "eu-west-1", nodeAutoScalingGroup: ASG, dbInstanceId: "btp-btp-test-db", cacheClusterIds: ["btp-btp-test-redis-001", "btp-btp-test-redis-002"] })), null, 2),
    }));
    budgets.on(DescribeBudgetCommand).callsFake(checks({ Budget: { BudgetName: "btp-btp-test-monthly", BudgetType: "COST", TimeUnit: "MONTHLY", BudgetLimit: { Amount: "500.0", Unit: "USD" } } }));
    const { promise, report } = run();
    await promise;
    expect(writes()).toEqual([]);
    expect(report.skipped).toEqual(["topic btp-btp-test-alarms, 7 alarms, dashboard btp-btp-test and budget btp-btp-test-monthly exist as configured"]);
  }, 5_000);

  it("reports what it did in a fixed order when alarms, dashboard and budget all change", async () => {
    intact();
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    cloudwatch.on(GetDashboardCommand).resolves({});
    budgets.on(DescribeBudgetCommand).resolves({ Budget: { BudgetName: "btp-btp-test-monthly", BudgetType: "COST", TimeUnit: "MONTHLY", BudgetLimit: { Amount: "300", Unit: "USD" } } });
    const { promise, report } = run();
    await promise;
    expect(report.infos).toHaveLength(1);
    const parts = report.infos[0]!.split("; ");
    expect(parts.at(-1)).toBe("budget limit 300 USD → 500 USD");
    expect(parts.findIndex((p) => p.includes("dashboard"))).toBeGreaterThan(parts.findIndex((p) => p.includes("alarm")));
  });

  it("falls back to the EKS tags on the Auto Scaling group when the node group names none", async () => {
    intact();
    eks.on(DescribeNodegroupCommand).resolves({ nodegroup: { resources: {} } });
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [{ ResourceARN: `arn:aws:autoscaling:eu-west-1:${ACCOUNT}:autoScalingGroup:uuid-1:autoScalingGroupName/${ASG}` }] });
    await run().promise;
    expect(tagging.commandCalls(GetResourcesCommand)[0]!.args[0].input).toEqual({
      ResourceTypeFilters: ["autoscaling:autoScalingGroup"],
      TagFilters: [{ Key: "eks:cluster-name", Values: ["btp-btp-test"] }, { Key: "eks:nodegroup-name", Values: ["btp-btp-test-nodes"] }],
    });
    expect(writes()).toEqual([]);
  });

  it("skips the node alarm with a warning when no Auto Scaling group can be found", async () => {
    intact();
    eks.on(DescribeNodegroupCommand).resolves({ nodegroup: { resources: { autoScalingGroups: [] } } });
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
    const { promise, report } = run();
    const outputs = await promise;
    expect(outputs?.alarmNames).toEqual(ALARMS.slice(1));
    expect(report.warnings).toEqual(["node group btp-btp-test-nodes has no Auto Scaling group yet: the node CPU alarm is skipped; run again once the node group is ACTIVE"]);
  });

  it("fails when the node group or the cache recorded by earlier steps is gone", async () => {
    intact();
    elasticache.on(DescribeReplicationGroupsCommand).rejects(awsError("ReplicationGroupNotFoundFault"));
    let error = await failure(run().promise);
    expect(error.message).toBe("replication group btp-btp-test-redis, recorded by infra/elasticache, no longer exists");
    intact();
    eks.on(DescribeNodegroupCommand).rejects(awsError("ResourceNotFoundException"));
    error = await failure(run().promise);
    expect(error.message).toBe("node group btp-btp-test-nodes of cluster btp-btp-test, recorded by infra/nodegroup, no longer exists");
    expect(error.hint).toBe("run `btp-aws install` without --only so infra/nodegroup recreates it");
  });

  it("repairs a changed alarm, an unencrypted topic and a missing alarm tag", async () => {
    intact();
    const changed = ALARMS.map(alarmAsWritten);
    changed[1] = { ...changed[1]!, Threshold: 900, AlarmActions: [] };
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: changed });
    cloudwatch.on(ListAlarmTagsCommand, { ResourceARN: changed[2]!.AlarmArn }).resolves({ Tags: [PLATFORM_TAGS[0]!] });
    sns.on(GetTopicAttributesCommand).resolves({ Attributes: { Policy: topicPolicyToWrite(undefined, topicSpec())! } });
    const { promise, report } = run();
    await promise;
    expect(writes()).toEqual(["SetTopicAttributesCommand", "PutMetricAlarmCommand", "TagResourceCommand"]);
    expect(sns.commandCalls(SetTopicAttributesCommand)[0]!.args[0].input).toEqual({ TopicArn: TOPIC, AttributeName: "KmsMasterKeyId", AttributeValue: KEY_ARN });
    expect(cloudwatch.commandCalls(TagAlarmCommand)[0]!.args[0].input).toEqual({ ResourceARN: changed[2]!.AlarmArn, Tags: [PLATFORM_TAGS[1]] });
    expect(report.infos).toEqual(["topic encryption with the platform key restored; repaired alarms: btp-btp-test-db-connections threshold, actions; btp-btp-test-db-free-storage tags"]);
  });

  it("refuses a topic or an alarm of that name not tagged for the platform", async () => {
    intact();
    sns.on(ListTopicTagsCommand).resolves({ Tags: [{ Key: "btp-aws:platform", Value: "other" }] });
    let error = await failure(run().promise);
    expect(error.message).toBe("SNS topic btp-btp-test-alarms exists but is not managed by btp-aws for platform btp-test: it is tagged for platform other");
    intact();
    cloudwatch.on(ListAlarmTagsCommand).resolves({ Tags: [] });
    error = await failure(run().promise);
    expect(error.message).toBe("CloudWatch alarm btp-btp-test-node-cpu exists but is not managed by btp-aws for platform btp-test: it has no btp-aws:platform tag");
    // Recorded by an earlier run: ours, only the tags are put back.
    const { promise } = run(config(), { topicArn: TOPIC, alarmNames: ALARMS, budgetName: "btp-btp-test-monthly" });
    await promise;
    expect(cloudwatch.commandCalls(TagAlarmCommand)).toHaveLength(ALARMS.length);
  });

  it("names the alarm quota on LimitExceeded", async () => {
    intact();
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    cloudwatch.on(PutMetricAlarmCommand).rejects(awsError("LimitExceeded"));
    const error = await failure(run().promise);
    expect(error.message).toBe("write alarm btp-btp-test-node-cpu (cloudwatch:PutMetricAlarm): the account has as many CloudWatch alarms as its quota allows");
  });

  it("names the IAM action when creating the topic is denied", async () => {
    intact();
    sns.on(GetTopicAttributesCommand).rejects(awsError("NotFoundException"));
    sns.on(CreateTopicCommand).rejects(awsError("AuthorizationError", "not authorized to perform SNS:CreateTopic"));
    const error = await failure(run().promise);
    expect(error.message).toBe("not allowed to create SNS topic btp-btp-test-alarms (sns:CreateTopic): AuthorizationError: not authorized to perform SNS:CreateTopic");
  });
});

describe("infra/monitoring budget", () => {
  it("changes the limit in place when monitoring.monthlyBudgetUsd changed", async () => {
    intact();
    budgets.on(DescribeBudgetCommand).resolves({ Budget: { BudgetName: "btp-btp-test-monthly", BudgetType: "COST", TimeUnit: "MONTHLY", BudgetLimit: { Amount: "300", Unit: "USD" } } });
    const { promise, report } = run();
    await promise;
    expect(budgets.commandCalls(UpdateBudgetCommand)[0]!.args[0].input).toEqual({
      AccountId: ACCOUNT, NewBudget: { BudgetName: "btp-btp-test-monthly", BudgetType: "COST", TimeUnit: "MONTHLY", BudgetLimit: { Amount: "500", Unit: "USD" } },
    });
    expect(report.infos).toEqual(["budget limit 300 USD → 500 USD"]);
  });

  it("adds a missing 80% alert, and missing subscribers to an existing one", async () => {
    intact();
    budgets.on(DescribeNotificationsForBudgetCommand).resolves({ Notifications: [{ ...ALERT, Threshold: 100 }] });
    await run().promise;
    expect(budgets.commandCalls(CreateNotificationCommand)[0]!.args[0].input).toEqual({
      AccountId: ACCOUNT, BudgetName: "btp-btp-test-monthly", Notification: ALERT,
      Subscribers: [{ SubscriptionType: "SNS", Address: TOPIC }, { SubscriptionType: "EMAIL", Address: "alerts@example.com" }],
    });

    intact();
    budgets.on(DescribeSubscribersForNotificationCommand).resolves({ Subscribers: [{ SubscriptionType: "SNS", Address: TOPIC }] });
    const { promise, report } = run();
    await promise;
    expect(budgets.commandCalls(CreateSubscriberCommand).map((c) => c.args[0].input)).toEqual([
      { AccountId: ACCOUNT, BudgetName: "btp-btp-test-monthly", Notification: ALERT, Subscriber: { SubscriptionType: "EMAIL", Address: "alerts@example.com" } },
    ]);
    expect(report.infos).toEqual(["budget alert sent to alerts@example.com"]);
  });

  it("reports a budget of another kind as drift", async () => {
    intact();
    budgets.on(DescribeBudgetCommand).resolves({ Budget: { BudgetName: "btp-btp-test-monthly", BudgetType: "COST", TimeUnit: "QUARTERLY", BudgetLimit: { Amount: "500", Unit: "USD" } } });
    const error = await failure(run().promise);
    expect(error.message).toBe("budget btp-btp-test-monthly is a QUARTERLY COST budget, not the MONTHLY COST budget btp-aws manages");
  });

  it("refuses a budget of that name not tagged for the platform", async () => {
    intact();
    budgets.on(ListBudgetTagsCommand).resolves({ ResourceTags: [] });
    const error = await failure(run().promise);
    expect(error.message).toBe("budget btp-btp-test-monthly exists but is not managed by btp-aws for platform btp-test: it has no btp-aws:platform tag");
    expect(budgets.commandCalls(ListBudgetTagsCommand)[0]!.args[0].input).toEqual({ ResourceARN: BUDGET_ARN });
  });

  it("names the monitoring fields when AWS Budgets rejects the budget", async () => {
    intact();
    budgets.on(DescribeBudgetCommand).rejects(awsError("NotFoundException"));
    budgets.on(CreateBudgetCommand).rejects(awsError("InvalidParameterException", "Invalid email address"));
    const error = await failure(run().promise);
    expect(error.message).toBe("monitoring.monthlyBudgetUsd, monitoring.alarmEmail: AWS Budgets rejected the budget: InvalidParameterException: Invalid email address");
  });

  it("leaves an existing budget alone, with a warning, when none is configured", async () => {
    intact();
    const { promise, report } = run(config({}));
    expect((await promise)?.budgetName).toBe("");
    expect(budgets.commandCalls(DeleteBudgetCommand)).toEqual([]);
    expect(writes()).toEqual([]);
    expect(report.warnings).toEqual([`budget btp-btp-test-monthly exists but monitoring.monthlyBudgetUsd is not set: left as it is (aws budgets delete-budget --account-id ${ACCOUNT} --budget-name btp-btp-test-monthly removes it)`]);
  });
});

describe("alarmSpecs and alarmDifferences", () => {
  const targets = { config: testConfig({ database: { storageGiB: 25 } }), topicArn: TOPIC, nodeAutoScalingGroup: ASG, dbInstanceId: "db", replicationGroupId: "btp-btp-test-redis", cacheClusterIds: ["btp-btp-test-redis-001", "odd-name"] };

  it("sets thresholds from the config and names cache alarms after their node", () => {
    const specs = alarmSpecs(targets);
    expect(specs.map((s) => [s.name, s.threshold])).toEqual([
      ["btp-btp-test-node-cpu", 80], ["btp-btp-test-db-connections", DB_CONNECTIONS_THRESHOLD], ["btp-btp-test-db-free-storage", Math.round(25 * 1024 ** 3 * 0.1)],
      ["btp-btp-test-cache-cpu-001", 75], ["btp-btp-test-cache-memory-001", 80], ["btp-btp-test-cache-cpu-odd-name", 75], ["btp-btp-test-cache-memory-odd-name", 80],
    ]);
    expect(alarmSpecs({ ...targets, nodeAutoScalingGroup: undefined }).map((s) => s.name)).not.toContain("btp-btp-test-node-cpu");
  });

  it("compares only the fields btp-aws sets, ignoring dimension and action order", () => {
    const [spec] = alarmSpecs({ ...targets, topicArn: TOPIC });
    const actual: AlarmState = { ...spec!, arn: "arn", actionsEnabled: true };
    expect(alarmDifferences(actual, spec!)).toEqual([]);
    expect(alarmDifferences({ ...actual, threshold: 90, actionsEnabled: false, dimensions: { AutoScalingGroupName: "other" } }, spec!)).toEqual(["dimensions", "threshold", "actions"]);
  });
});

describe("topicPolicyToWrite", () => {
  it("keeps the default statement and adds ours once", () => {
    const policy = topicPolicyToWrite(JSON.stringify({ Version: "2008-10-17", Statement: [{ Sid: "__default_statement_ID" }] }), topicSpec())!;
    expect((JSON.parse(policy) as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid)).toEqual(["__default_statement_ID", "AllowBudgetsToPublish"]);
    expect(topicPolicyToWrite(policy, topicSpec())).toBeUndefined();
    const respelled = policy.replace('"Action":"SNS:Publish"', '"Action":["sns:Publish"]');
    expect(topicPolicyToWrite(respelled, topicSpec())).toBeUndefined();
  });
});
