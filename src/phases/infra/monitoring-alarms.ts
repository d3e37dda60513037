/**
 * The CloudWatch alarms: the guide's node CPU and database connections, plus database free
 * storage and cache CPU and memory. Each publishes to the alarm topic. Database and cache alarms
 * exist only for a dependency infra made (database.mode / cache.mode aws): in-cluster and external
 * ones publish no CloudWatch metrics. An alarm is written only
 * when it is missing or one of the fields we set differs, so a re-run writes nothing.
 */
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { alarmTags, metricAlarms, putMetricAlarm, tagAlarm, type MetricAlarm, type MetricAlarmSpec } from "../../aws/cloudwatch.js";
import { awsErrorCode, describeAwsError, type AwsCallTarget } from "../../aws/errors.js";
import { PLATFORM_TAG, missingTags, type TagMap } from "../../aws/tags.js";
import type { Config } from "../../config/schema.js";
import { BtpAwsError } from "../../errors.js";

const FIVE_MINUTES = 300;
const GIB = 1024 ** 3;
/**
 * RDS sets max_connections from instance memory (about 450 on the development default
 * db.t4g.medium, 1,700 on the production default db.r6g.large). Deriving it per class is not
 * worth the lookup table: the platform's pooled services hold well under 400, so 400 means a
 * leak or a pool misconfiguration long before the production class runs out.
 */
export const DB_CONNECTIONS_THRESHOLD = 400;

export interface AlarmTargets {
  config: Pick<Config, "platform" | "database">;
  topicArn: string;
  /** Undefined when the node group's Auto Scaling group could not be found: no node alarm. */
  nodeAutoScalingGroup: string | undefined;
  /** Undefined unless database.mode is aws: no RDS instance, no database alarms. */
  dbInstanceId: string | undefined;
  /** Undefined unless cache.mode is aws (then cacheClusterIds is empty too). */
  replicationGroupId: string | undefined;
  /** ElastiCache reports CPU and memory per node, so each node gets its own pair of alarms. */
  cacheClusterIds: readonly string[];
}

/** "btp-prod-redis-002" in group "btp-prod-redis" → "002": short, stable alarm names. */
function nodeSuffix(clusterId: string, replicationGroupId: string): string {
  return clusterId.startsWith(`${replicationGroupId}-`) ? clusterId.slice(replicationGroupId.length + 1) : clusterId;
}

export function alarmSpecs(t: AlarmTargets): MetricAlarmSpec[] {
  const base = `btp-${t.config.platform}`;
  const common = { periodSeconds: FIVE_MINUTES, alarmActions: [t.topicArn] };
  const specs: MetricAlarmSpec[] = [];
  if (t.nodeAutoScalingGroup !== undefined) {
    specs.push({
      ...common, name: `${base}-node-cpu`, description: `EKS nodes of ${base}: average CPU above 80% for 10 minutes`,
      namespace: "AWS/EC2", metricName: "CPUUtilization", dimensions: { AutoScalingGroupName: t.nodeAutoScalingGroup },
      statistic: "Average", evaluationPeriods: 2, threshold: 80, comparison: "GreaterThanThreshold",
    });
  }
  if (t.dbInstanceId !== undefined) {
    specs.push({
      ...common, name: `${base}-db-connections`, description: `RDS ${t.dbInstanceId}: more than ${DB_CONNECTIONS_THRESHOLD} connections for 10 minutes`,
      namespace: "AWS/RDS", metricName: "DatabaseConnections", dimensions: { DBInstanceIdentifier: t.dbInstanceId },
      statistic: "Maximum", evaluationPeriods: 2, threshold: DB_CONNECTIONS_THRESHOLD, comparison: "GreaterThanThreshold",
    });
    specs.push({
      ...common, name: `${base}-db-free-storage`, description: `RDS ${t.dbInstanceId}: less than 10% of ${t.config.database.storageGiB} GiB free`,
      namespace: "AWS/RDS", metricName: "FreeStorageSpace", dimensions: { DBInstanceIdentifier: t.dbInstanceId },
      statistic: "Minimum", evaluationPeriods: 1, threshold: Math.round(t.config.database.storageGiB * GIB * 0.1), comparison: "LessThanThreshold",
    });
  }
  for (const clusterId of t.replicationGroupId === undefined ? [] : t.cacheClusterIds) {
    const suffix = nodeSuffix(clusterId, t.replicationGroupId ?? "");
    specs.push({
      ...common, name: `${base}-cache-cpu-${suffix}`, description: `ElastiCache node ${clusterId}: average CPU above 75% for 10 minutes`,
      namespace: "AWS/ElastiCache", metricName: "CPUUtilization", dimensions: { CacheClusterId: clusterId },
      statistic: "Average", evaluationPeriods: 2, threshold: 75, comparison: "GreaterThanThreshold",
    });
    specs.push({
      ...common, name: `${base}-cache-memory-${suffix}`, description: `ElastiCache node ${clusterId}: memory use above 80% for 10 minutes`,
      namespace: "AWS/ElastiCache", metricName: "DatabaseMemoryUsagePercentage", dimensions: { CacheClusterId: clusterId },
      statistic: "Average", evaluationPeriods: 2, threshold: 80, comparison: "GreaterThanThreshold",
    });
  }
  return specs;
}

const sortedJson = (record: Record<string, string>): string => JSON.stringify(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));

/** The fields of `actual` that differ from what we set; [] when the alarm is as wanted. */
export function alarmDifferences(actual: MetricAlarm, wanted: MetricAlarmSpec): string[] {
  const differences: string[] = [];
  if (actual.namespace !== wanted.namespace || actual.metricName !== wanted.metricName) differences.push("metric");
  if (sortedJson(actual.dimensions) !== sortedJson(wanted.dimensions)) differences.push("dimensions");
  if (actual.statistic !== wanted.statistic) differences.push("statistic");
  if (actual.periodSeconds !== wanted.periodSeconds || actual.evaluationPeriods !== wanted.evaluationPeriods) differences.push("period");
  if (actual.threshold !== wanted.threshold || actual.comparison !== wanted.comparison) differences.push("threshold");
  if (!actual.actionsEnabled || [...actual.alarmActions].sort().join() !== [...wanted.alarmActions].sort().join()) differences.push("actions");
  if (actual.description !== wanted.description) differences.push("description");
  return differences;
}

async function call<T>(run: () => Promise<T>, action: string, target: AwsCallTarget): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw describeAwsError(error, action, target);
  }
}

export interface AlarmOwnership {
  platform: string;
  /** Alarm names an earlier run recorded: ours even when their tags were removed. */
  recorded: readonly string[];
}

/** Creates, repairs and tags the alarms; returns what it changed, for the report. */
export async function ensureAlarms(cloudwatch: CloudWatchClient, specs: readonly MetricAlarmSpec[], tags: TagMap, ownership: AlarmOwnership, target: AwsCallTarget): Promise<string[]> {
  const names = specs.map((s) => s.name);
  const existing = new Map((await call(() => metricAlarms(cloudwatch, names), "read the CloudWatch alarms (cloudwatch:DescribeAlarms)", target)).map((a) => [a.name, a]));
  const created: string[] = [];
  const repaired: string[] = [];
  for (const spec of specs) {
    const actual = existing.get(spec.name);
    if (actual) {
      const current = await call(() => alarmTags(cloudwatch, actual.arn), `read the tags of alarm ${spec.name} (cloudwatch:ListTagsForResource)`, target);
      const owner = current[PLATFORM_TAG];
      if (owner !== ownership.platform && !(owner === undefined && ownership.recorded.includes(spec.name))) {
        throw new BtpAwsError(`CloudWatch alarm ${spec.name} exists but is not managed by btp-aws for platform ${ownership.platform}: ${owner === undefined ? "it has no btp-aws:platform tag" : `it is tagged for platform ${owner}`}`, {
          hint: `delete it (aws cloudwatch delete-alarms --alarm-names ${spec.name}) or tag it ${PLATFORM_TAG}=${ownership.platform}, then run again`,
        });
      }
      const absent = missingTags(current, tags);
      if (Object.keys(absent).length > 0) {
        await call(() => tagAlarm(cloudwatch, actual.arn, absent), `tag alarm ${spec.name} (cloudwatch:TagResource)`, target);
        repaired.push(`${spec.name} tags`);
      }
      const differences = alarmDifferences(actual, spec);
      if (differences.length === 0) continue;
      repaired.push(`${spec.name} ${differences.join(", ")}`);
    } else {
      created.push(spec.name);
    }
    try {
      await putMetricAlarm(cloudwatch, spec, tags);
    } catch (error) {
      if (awsErrorCode(error) === "LimitExceeded" || awsErrorCode(error) === "LimitExceededFault") {
        throw new BtpAwsError(`write alarm ${spec.name} (cloudwatch:PutMetricAlarm): the account has as many CloudWatch alarms as its quota allows`, {
          cause: error,
          hint: "delete unused alarms or raise the CloudWatch alarms quota (service quotas: monitoring), then run again",
        });
      }
      throw describeAwsError(error, `write alarm ${spec.name} (cloudwatch:PutMetricAlarm)`, target);
    }
  }
  const done: string[] = [];
  if (created.length > 0) done.push(`created alarms ${created.join(", ")}`);
  if (repaired.length > 0) done.push(`repaired alarms: ${repaired.join("; ")}`);
  return done;
}
