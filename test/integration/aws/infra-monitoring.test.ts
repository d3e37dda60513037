/**
 * infra/monitoring against moto: topic, alarms and budget created once, zero mutating calls on
 * re-run, drift repaired. The cluster, node group, database and cache it watches are created
 * directly with the SDK in setup, so the step reads real outputs.
 *
 * moto lacks the Budgets subscriber and tag operations the re-run makes; a middleware serves
 * them from memory (test/support/budgets-moto-gaps.ts) while every other call goes to moto.
 */
import { DescribeBudgetCommand, DescribeNotificationsForBudgetCommand } from "@aws-sdk/client-budgets";
import { DescribeAlarmsCommand, ListTagsForResourceCommand, PutMetricAlarmCommand, GetDashboardCommand } from "@aws-sdk/client-cloudwatch";
import { CreateClusterCommand, CreateNodegroupCommand } from "@aws-sdk/client-eks";
import { CreateReplicationGroupCommand } from "@aws-sdk/client-elasticache";
import { CreateDBInstanceCommand } from "@aws-sdk/client-rds";
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, ListTagsForResourceCommand as ListTopicTagsCommand, SetTopicAttributesCommand } from "@aws-sdk/client-sns";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { Config } from "../../../src/config/schema.js";
import { kmsStep } from "../../../src/phases/infra/kms.js";
import { monitoringStep } from "../../../src/phases/infra/monitoring.js";
import { infraNames } from "../../../src/phases/infra/names.js";
import type { StepOutputs } from "../../../src/plan/types.js";
import { serveBudgetsMotoGaps } from "../../support/budgets-moto-gaps.js";
import { awsTestConfig as testConfig } from "../../support/aws-modes.js";
import { PREPARE_OUTPUTS, infraServices, runStep, type TestInfraServices } from "../../support/infra.js";
import { MOTO_ACCOUNT, motoControl } from "../../support/moto.js";

const moto = motoControl(inject("motoEndpoint"));

// One reset per file (the first call after a reset costs seconds); each test has its own platform.
beforeAll(() => moto.reset());

function monitoringConfig(platform: string, monitoring: { alarmEmail?: string; monthlyBudgetUsd?: number } = { alarmEmail: "alerts@example.com", monthlyBudgetUsd: 500 }): Config {
  return testConfig({ platform, tags: { team: "chain" }, monitoring });
}

/** The key (through infra/kms) and the watched resources (directly with the SDK), as outputs. */
async function watchedResources(services: TestInfraServices, config: Config): Promise<Record<string, StepOutputs>> {
  const names = infraNames(config);
  const kms = await runStep(kmsStep, config, services, PREPARE_OUTPUTS);
  const eks = await services.aws.eks();
  const role = `arn:aws:iam::${MOTO_ACCOUNT}:role/${names.clusterRole}`;
  const { cluster } = await eks.send(new CreateClusterCommand({ name: names.cluster, roleArn: role, resourcesVpcConfig: { subnetIds: ["subnet-a", "subnet-b"] } }));
  await eks.send(new CreateNodegroupCommand({ clusterName: names.cluster, nodegroupName: names.nodeGroup, nodeRole: role, subnets: ["subnet-a", "subnet-b"] }));
  const rds = await services.aws.rds();
  const { DBInstance: db } = await rds.send(new CreateDBInstanceCommand({
    DBInstanceIdentifier: names.database, Engine: "postgres", DBInstanceClass: config.database.instanceClass, AllocatedStorage: config.database.storageGiB, MasterUsername: "btp", MasterUserPassword: "not-a-real-secret-1",
  }));
  const elasticache = await services.aws.elasticache();
  await elasticache.send(new CreateReplicationGroupCommand({ ReplicationGroupId: names.cache, ReplicationGroupDescription: "cache", Engine: "redis", CacheNodeType: config.cache.nodeType, NumCacheClusters: 2 }));
  return {
    ...PREPARE_OUTPUTS,
    "infra/kms": kms.outputs,
    "infra/eks": { clusterName: names.cluster, clusterArn: cluster!.arn!, endpoint: cluster!.endpoint!, oidcIssuer: cluster!.identity!.oidc!.issuer!, clusterSecurityGroupId: "sg-cluster", kubernetesVersion: cluster!.version! },
    "infra/nodegroup": { nodeGroupName: names.nodeGroup, launchTemplateId: "lt-0" },
    "infra/rds": { dbInstanceId: names.database, dbArn: db!.DBInstanceArn!, dbEndpoint: db!.Endpoint!.Address!, dbPort: db!.Endpoint!.Port! },
    "infra/elasticache": { replicationGroupId: names.cache, redisEndpoint: "master.cache", redisPort: 6379 },
  };
}

/** Services for one test, with the Budgets calls moto lacks served from memory. */
async function monitoringServices(): Promise<TestInfraServices> {
  const services = infraServices(moto.endpoint);
  serveBudgetsMotoGaps(await services.aws.budgets(), services.aws.counter);
  return services;
}

describe("infra/monitoring against moto", () => {
  it("creates the encrypted topic, the email subscription, every alarm and the budget, once", async () => {
    const config = monitoringConfig("mon-create");
    const services = await monitoringServices();
    const outputs = await watchedResources(services, config);
    services.aws.counter.reset();
    const { outputs: result, report } = await runStep(monitoringStep, config, services, outputs);

    const topicArn = `arn:aws:sns:eu-west-1:${MOTO_ACCOUNT}:btp-mon-create-alarms`;
    const names = ["btp-mon-create-node-cpu", "btp-mon-create-db-connections", "btp-mon-create-db-free-storage", "btp-mon-create-cache-cpu-001", "btp-mon-create-cache-memory-001"];
    expect(result).toEqual({ topicArn, alarmNames: names, budgetName: "btp-mon-create-monthly", dashboardName: "btp-mon-create" });

    const sns = await services.aws.sns();
    const attributes = (await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes ?? {};
    expect(attributes.KmsMasterKeyId).toBe(outputs["infra/kms"]!.keyArn);
    const statements = (JSON.parse(attributes.Policy ?? "{}") as { Statement: { Sid: string; Principal?: unknown }[] }).Statement;
    expect(statements.find((s) => s.Sid === "AllowBudgetsToPublish")?.Principal).toEqual({ Service: "budgets.amazonaws.com" });
    expect((await sns.send(new ListTopicTagsCommand({ ResourceArn: topicArn }))).Tags).toEqual(expect.arrayContaining([{ Key: "btp-aws:platform", Value: "mon-create" }, { Key: "team", Value: "chain" }]));
    const subscriptions = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions ?? [];
    expect(subscriptions.map((s) => [s.Protocol, s.Endpoint])).toEqual([["email", "alerts@example.com"]]);

    const cloudwatch = await services.aws.cloudwatch();
    const alarms = (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names }))).MetricAlarms ?? [];
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual([...names].sort());
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([topicArn]);
    const byName = new Map(alarms.map((a) => [a.AlarmName, a]));
    const asg = byName.get("btp-mon-create-node-cpu")!;
    expect(asg).toMatchObject({ Namespace: "AWS/EC2", MetricName: "CPUUtilization", Threshold: 80, ComparisonOperator: "GreaterThanThreshold" });
    expect(asg.Dimensions?.[0]?.Name).toBe("AutoScalingGroupName");
    expect(asg.Dimensions?.[0]?.Value).toMatch(/^eks-/);
    expect(byName.get("btp-mon-create-db-connections")).toMatchObject({ Namespace: "AWS/RDS", Threshold: 400, Dimensions: [{ Name: "DBInstanceIdentifier", Value: "btp-mon-create-db" }] });
    // 10% of the default 100 GiB.
    expect(byName.get("btp-mon-create-db-free-storage")).toMatchObject({ MetricName: "FreeStorageSpace", Threshold: 10 * 1024 ** 3, ComparisonOperator: "LessThanThreshold" });
    expect(byName.get("btp-mon-create-cache-cpu-001")).toMatchObject({ Namespace: "AWS/ElastiCache", Threshold: 75, Dimensions: [{ Name: "CacheClusterId", Value: "btp-mon-create-redis-001" }] });
    expect(byName.get("btp-mon-create-cache-memory-001")).toMatchObject({ MetricName: "DatabaseMemoryUsagePercentage", Threshold: 80 });
    expect((await cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: asg.AlarmArn }))).Tags).toEqual(expect.arrayContaining([{ Key: "btp-aws:platform", Value: "mon-create" }]));

    // The guide's dashboard: nodes, database and cache side by side.
    const dashboard = JSON.parse((await cloudwatch.send(new GetDashboardCommand({ DashboardName: "btp-mon-create" }))).DashboardBody ?? "{}") as { widgets: { properties: { title: string; metrics: string[][] } }[] };
    expect(dashboard.widgets.map((w) => w.properties.title)).toEqual(["EKS nodes: CPU %", "RDS: CPU %", "RDS: connections", "RDS: free storage (bytes)", "ElastiCache: CPU %", "ElastiCache: memory %"]);
    expect(dashboard.widgets[1]!.properties.metrics).toEqual([["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", "btp-mon-create-db"]]);
    expect(dashboard.widgets[4]!.properties.metrics).toEqual([["AWS/ElastiCache", "EngineCPUUtilization", "CacheClusterId", "btp-mon-create-redis-001"]]);

    const budgets = await services.aws.budgets();
    const budget = (await budgets.send(new DescribeBudgetCommand({ AccountId: MOTO_ACCOUNT, BudgetName: "btp-mon-create-monthly" }))).Budget!;
    expect(budget).toMatchObject({ BudgetType: "COST", TimeUnit: "MONTHLY", BudgetLimit: { Amount: "500", Unit: "USD" } });
    expect((await budgets.send(new DescribeNotificationsForBudgetCommand({ AccountId: MOTO_ACCOUNT, BudgetName: "btp-mon-create-monthly" }))).Notifications).toEqual([
      { NotificationType: "ACTUAL", ComparisonOperator: "GREATER_THAN", Threshold: 80, ThresholdType: "PERCENTAGE" },
    ]);

    const counts = services.aws.counter.snapshot().byOperation;
    expect([counts["SNS.CreateTopic"], counts["SNS.Subscribe"], counts["CloudWatch.PutMetricAlarm"], counts["Budgets.CreateBudget"]]).toEqual([1, 1, 5, 1]);
    expect(report.infos).toEqual([
      "created topic btp-mon-create-alarms, encrypted with the platform key; topic policy lets AWS Budgets publish; subscribed alerts@example.com (AWS sent a confirmation email: alarms arrive once it is confirmed); "
      + `created alarms ${names.join(", ")}; created dashboard btp-mon-create; created budget btp-mon-create-monthly: 500 USD a month, alert at 80% of actual spend`,
    ]);
    services.aws.destroy();
  });

  it("makes zero mutating calls on a re-run", async () => {
    const config = monitoringConfig("mon-rerun");
    const services = await monitoringServices();
    const outputs = await watchedResources(services, config);
    const first = await runStep(monitoringStep, config, services, outputs);
    services.aws.counter.reset();
    const second = await runStep(monitoringStep, config, services, outputs, first.outputs);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    expect(second.outputs).toEqual(first.outputs);
    expect(second.report.skipped).toEqual(["topic btp-mon-rerun-alarms, 5 alarms, dashboard btp-mon-rerun and budget btp-mon-rerun-monthly exist as configured"]);
    expect(second.report.warnings).toEqual([]);
    services.aws.destroy();
  });

  it("puts back a changed alarm threshold and the topic's encryption", async () => {
    const config = monitoringConfig("mon-repair");
    const services = await monitoringServices();
    const outputs = await watchedResources(services, config);
    const first = await runStep(monitoringStep, config, services, outputs);
    const topicArn = String(first.outputs.topicArn);
    const cloudwatch = await services.aws.cloudwatch();
    await cloudwatch.send(new PutMetricAlarmCommand({
      AlarmName: "btp-mon-repair-db-connections", AlarmDescription: "someone's edit", Namespace: "AWS/RDS", MetricName: "DatabaseConnections",
      Dimensions: [{ Name: "DBInstanceIdentifier", Value: "btp-mon-repair-db" }], Statistic: "Maximum", Period: 300, EvaluationPeriods: 2, Threshold: 900,
      ComparisonOperator: "GreaterThanThreshold", AlarmActions: [topicArn],
    }));
    const sns = await services.aws.sns();
    await sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: "KmsMasterKeyId", AttributeValue: "" }));
    services.aws.counter.reset();

    const again = await runStep(monitoringStep, config, services, outputs, first.outputs);
    expect(again.report.infos).toEqual(["topic encryption with the platform key restored; repaired alarms: btp-mon-repair-db-connections threshold, description"]);
    expect(services.aws.counter.mutatingOperations().sort()).toEqual(["CloudWatch.PutMetricAlarm", "SNS.SetTopicAttributes"]);
    const alarm = (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ["btp-mon-repair-db-connections"] }))).MetricAlarms?.[0];
    expect(alarm?.Threshold).toBe(400);
    expect((await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes?.KmsMasterKeyId).toBe(outputs["infra/kms"]!.keyArn);
    services.aws.destroy();
  });

  it("subscribes an alarm email set later to the topic and to the budget alert", async () => {
    const before = monitoringConfig("mon-email", { monthlyBudgetUsd: 300 });
    const services = await monitoringServices();
    const outputs = await watchedResources(services, before);
    const first = await runStep(monitoringStep, before, services, outputs);
    const after = monitoringConfig("mon-email", { monthlyBudgetUsd: 300, alarmEmail: "later@example.com" });
    services.aws.counter.reset();

    const again = await runStep(monitoringStep, after, services, outputs, first.outputs);
    expect(services.aws.counter.mutatingOperations().sort()).toEqual(["Budgets.CreateSubscriber", "SNS.Subscribe"]);
    expect(again.report.infos).toEqual(["subscribed later@example.com (AWS sent a confirmation email: alarms arrive once it is confirmed); budget alert sent to later@example.com"]);
    services.aws.counter.reset();
    await runStep(monitoringStep, after, services, outputs, again.outputs);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    services.aws.destroy();
  });

  it("makes no budget and no subscription when neither is configured, and leaves an earlier budget alone", async () => {
    const withBudget = monitoringConfig("mon-nobudget");
    const services = await monitoringServices();
    const outputs = await watchedResources(services, withBudget);
    const first = await runStep(monitoringStep, withBudget, services, outputs);
    const without = monitoringConfig("mon-nobudget", {});
    services.aws.counter.reset();

    const again = await runStep(monitoringStep, without, services, outputs, first.outputs);
    expect(again.outputs.budgetName).toBe("");
    expect(again.report.warnings).toEqual([
      `budget btp-mon-nobudget-monthly exists but monitoring.monthlyBudgetUsd is not set: left as it is (aws budgets delete-budget --account-id ${MOTO_ACCOUNT} --budget-name btp-mon-nobudget-monthly removes it)`,
    ]);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    services.aws.destroy();
  });

  it("makes a topic without subscription or budget statement for a config without either", async () => {
    const config = monitoringConfig("mon-bare", {});
    const services = await monitoringServices();
    const outputs = await watchedResources(services, config);
    const { outputs: result, report } = await runStep(monitoringStep, config, services, outputs);
    expect(result.budgetName).toBe("");
    const sns = await services.aws.sns();
    expect((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: String(result.topicArn) }))).Subscriptions).toEqual([]);
    const policy = (await sns.send(new GetTopicAttributesCommand({ TopicArn: String(result.topicArn) }))).Attributes?.Policy ?? "";
    expect(policy).not.toContain("AllowBudgetsToPublish");
    expect(services.aws.counter.snapshot().byOperation["Budgets.CreateBudget"]).toBeUndefined();
    expect(report.warnings).toEqual([]);
    services.aws.destroy();
  });
});
