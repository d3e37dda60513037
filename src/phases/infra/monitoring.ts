/**
 * infra/monitoring: the alarm topic (SNS, encrypted, optional email subscription), CloudWatch
 * alarms on the nodes, the database and the cache, the dashboard, and an AWS Budgets monthly cost budget with
 * an 80% alert when monitoring.monthlyBudgetUsd is set. Database and cache alarms and widgets only
 * for the managed services (database.mode, cache.mode aws).
 */
import type { EKSClient } from "@aws-sdk/client-eks";
import { describeAwsError, type AwsCallTarget } from "../../aws/errors.js";
import { findReplicationGroup } from "../../aws/elasticache.js";
import { nodegroupAutoScalingGroups, taggedAutoScalingGroups } from "../../aws/node-autoscaling-groups.js";
import { platformTags } from "../../aws/tags.js";
import type { Config } from "../../config/schema.js";
import { BtpAwsError } from "../../errors.js";
import { stringOutput } from "../../plan/outputs.js";
import type { Reporter, Step, StepContext } from "../../plan/types.js";
import { alarmSpecs, ensureAlarms } from "./monitoring-alarms.js";
import { ensureBudget } from "./monitoring-budget.js";
import { ensureDashboard } from "./monitoring-dashboard.js";
import { ensureTopic } from "./monitoring-topic.js";
import { infraNames } from "./names.js";
import { platformKey } from "./platform-key.js";
import type { InfraServices } from "./services.js";

type Services = Pick<InfraServices, "aws">;
type Context = StepContext<Services>;

async function call<T>(run: () => Promise<T>, action: string, target: AwsCallTarget): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw describeAwsError(error, action, target);
  }
}

function stale(what: string, step: string): BtpAwsError {
  return new BtpAwsError(`${what}, recorded by ${step}, no longer exists`, { hint: `run \`btp-aws install\` without --only so ${step} recreates it` });
}

/** The node group's Auto Scaling group; undefined (with a warning) when AWS does not name one yet. */
async function nodeAutoScalingGroup(eks: EKSClient, context: Context, report: Reporter, target: AwsCallTarget): Promise<string | undefined> {
  const cluster = stringOutput(context.outputs, "infra/eks", "clusterName");
  // An adopted cluster (cluster.mode existing) may have no managed node group at all.
  if (context.outputs["infra/nodegroup"]?.nodeGroupName === "") {
    report.warn(`cluster ${cluster} has no managed node group: the node CPU alarm and dashboard widget are skipped`);
    return undefined;
  }
  const nodegroup = stringOutput(context.outputs, "infra/nodegroup", "nodeGroupName");
  const reported = await call(() => nodegroupAutoScalingGroups(eks, cluster, nodegroup), `read node group ${nodegroup} (eks:DescribeNodegroup)`, target);
  if (reported === undefined) throw stale(`node group ${nodegroup} of cluster ${cluster}`, "infra/nodegroup");
  if (reported[0] !== undefined) return reported[0];
  // EKS names the group only once the node group is active; EKS tags it from the start.
  const tagging = await context.services.aws.tagging();
  const tagged = await call(() => taggedAutoScalingGroups(tagging, cluster, nodegroup), "find the node group's Auto Scaling group by its EKS tags (tag:GetResources)", target);
  if (tagged[0] !== undefined) return tagged[0];
  report.warn(`node group ${nodegroup} has no Auto Scaling group yet: the node CPU alarm is skipped; run again once the node group is ACTIVE`);
  return undefined;
}

/** ElastiCache reports CPU and memory per member node, so the alarms need the members. */
async function cacheMembers(context: Context, replicationGroupId: string, target: AwsCallTarget): Promise<readonly string[]> {
  const group = await call(async () => findReplicationGroup(await context.services.aws.elasticache(), replicationGroupId), `read replication group ${replicationGroupId} (elasticache:DescribeReplicationGroups)`, target);
  if (group === undefined) throw stale(`replication group ${replicationGroupId}`, "infra/elasticache");
  return group.memberClusters;
}

/**
 * Waits for every promise, then throws the first failure in list order: no call is still running
 * against AWS when the step ends, and which error is reported does not depend on timing.
 */
async function allSettledOrThrow<T extends readonly unknown[]>(promises: { readonly [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** "arn:aws:kms:eu-west-1:123456789012:key/…" → partition and account. */
function arnParts(arn: string): { partition: string; account: string } {
  const [, partition = "aws", , , account = ""] = arn.split(":");
  return { partition, account };
}

function describe(config: Config): string[] {
  const names = infraNames(config);
  const database = config.database.mode === "aws";
  const cache = config.cache.mode === "aws";
  const lines = [
    `create or adopt SNS topic ${names.alarmTopic} (KMS-encrypted)${config.monitoring.alarmEmail ? `, subscribe ${config.monitoring.alarmEmail}` : ""}`,
    `CloudWatch alarms btp-${config.platform}-*: ${[
      "node CPU > 80%",
      ...(database ? ["RDS connections > 400", "RDS free storage < 10%"] : []),
      ...(cache ? ["cache CPU > 75%", "cache memory > 80%"] : []),
    ].join(", ")}`,
    `CloudWatch dashboard ${names.dashboard}: ${["node", ...(database ? ["database"] : []), ...(cache ? ["cache"] : [])].join(", ").replace(/, (?=[^,]*$)/, " and ")} widgets`,
  ];

  lines.push(config.monitoring.monthlyBudgetUsd === undefined
    ? "no AWS budget (monitoring.monthlyBudgetUsd is not set)"
    : `AWS Budgets ${names.budget}: ${config.monitoring.monthlyBudgetUsd} USD a month, alert at 80% of actual spend`);
  // In-cluster and external dependencies publish no CloudWatch metrics of their own.
  if (!database) lines.push(`no RDS alarms or widgets: database.mode is ${config.database.mode}`);
  if (!cache) lines.push(`no ElastiCache alarms or widgets: cache.mode is ${config.cache.mode}`);
  return lines;
}

export const monitoringStep: Step<Services> = {
  id: "infra/monitoring",
  title: "Monitoring (SNS, CloudWatch alarms, budget)",
  phase: "infra",
  needs: ["infra/eks", "infra/nodegroup", "infra/rds", "infra/elasticache", "infra/kms"],
  describe,
  async run(context, report) {
    const { config, services } = context;
    const names = infraNames(config);
    const target: AwsCallTarget = { endpoint: services.aws.endpoint, region: config.aws.region };
    const key = platformKey(context.outputs);
    const { partition, account } = arnParts(key.keyArn);
    const topicArn = `arn:${partition}:sns:${config.aws.region}:${account}:${names.alarmTopic}`;
    const previousAlarms = Array.isArray(context.previous?.alarmNames) ? (context.previous.alarmNames as readonly string[]) : [];
    const budgetWanted = config.monitoring.monthlyBudgetUsd !== undefined;

    // The topic, the cache's members and the node group's Auto Scaling group are independent
    // reads (and the topic's writes): at once. Then the alarms, the dashboard and the budget, which
    // need the topic and those names but not each other, at once too.
    report.status(`checking SNS topic ${names.alarmTopic}, the node group and the cache`);
    const replicationGroupId = config.cache.mode === "aws" ? stringOutput(context.outputs, "infra/elasticache", "replicationGroupId") : undefined;
    const [topicDone, cacheClusterIds, autoScalingGroup] = await allSettledOrThrow([
      (async () => ensureTopic(await services.aws.sns(), {
        name: names.alarmTopic, arn: topicArn, account, partition, platform: config.platform, key,
        tags: platformTags(config, { Name: names.alarmTopic }), email: config.monitoring.alarmEmail, allowBudgets: budgetWanted,
        recorded: context.previous?.topicArn === topicArn,
      }, target))(),
      replicationGroupId === undefined ? Promise.resolve([]) : cacheMembers(context, replicationGroupId, target),
      (async () => nodeAutoScalingGroup(await services.aws.eks(), context, report, target))(),
    ] as const);

    report.status(budgetWanted ? `checking CloudWatch alarms, dashboard ${names.dashboard} and budget ${names.budget}` : `checking CloudWatch alarms and dashboard ${names.dashboard}`);
    const dbInstanceId = config.database.mode === "aws" ? stringOutput(context.outputs, "infra/rds", "dbInstanceId") : undefined;
    const specs = alarmSpecs({ config, topicArn, replicationGroupId, cacheClusterIds, nodeAutoScalingGroup: autoScalingGroup, dbInstanceId });
    const alarmTags = platformTags(config);
    const [alarmsDone, dashboard, budgetDone] = await allSettledOrThrow([
      (async () => ensureAlarms(await services.aws.cloudwatch(), specs, alarmTags, { platform: config.platform, recorded: previousAlarms }, target))(),
      call(
        async () => ensureDashboard(await services.aws.cloudwatch(), names.dashboard, { region: config.aws.region, nodeAutoScalingGroup: autoScalingGroup, dbInstanceId, cacheClusterIds }),
        `write dashboard ${names.dashboard} (cloudwatch:PutDashboard)`, target,
      ),
      (async () => ensureBudget(await services.aws.budgets(), {
        name: names.budget, account, partition, platform: config.platform, amountUsd: config.monitoring.monthlyBudgetUsd, topicArn,
        email: config.monitoring.alarmEmail, tags: platformTags(config, { Name: names.budget }), recorded: context.previous?.budgetName === names.budget,
      }, report, target))(),
    ] as const);
    // Reported in a fixed order, whatever order the calls finished in.
    const done = [...topicDone, ...alarmsDone, ...(dashboard === "" ? [] : [dashboard]), ...budgetDone];

    if (done.length > 0) report.info(done.join("; "));
    else report.skip(`topic ${names.alarmTopic}, ${specs.length} alarms, dashboard ${names.dashboard}${budgetWanted ? ` and budget ${names.budget}` : ""} exist as configured`);
    return { topicArn, alarmNames: specs.map((s) => s.name), budgetName: budgetWanted ? names.budget : "", dashboardName: names.dashboard };
  },
};
