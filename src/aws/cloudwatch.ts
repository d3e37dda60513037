/** The CloudWatch alarm calls the installer makes, as domain operations. */
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { tagList, tagMap, type TagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

/** A single-metric alarm, reduced to the fields the installer sets. */
export interface MetricAlarmSpec {
  name: string;
  description: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  statistic: "Average" | "Maximum" | "Minimum" | "Sum" | "SampleCount";
  periodSeconds: number;
  evaluationPeriods: number;
  threshold: number;
  comparison: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";
  alarmActions: string[];
}

export interface MetricAlarm extends MetricAlarmSpec {
  arn: string;
  actionsEnabled: boolean;
}

/** The metric alarms among `names` that exist (DescribeAlarms takes at most 100 names). */
export async function metricAlarms(cloudwatch: CloudWatchClient, names: readonly string[]): Promise<MetricAlarm[]> {
  const { paginateDescribeAlarms } = await loadSdk("@aws-sdk/client-cloudwatch");
  const found: MetricAlarm[] = [];
  if (names.length === 0) return found;
  for await (const page of paginateDescribeAlarms({ client: cloudwatch }, { AlarmNames: [...names], AlarmTypes: ["MetricAlarm"] })) {
    for (const a of page.MetricAlarms ?? []) {
      if (!a.AlarmName || !a.AlarmArn) continue;
      found.push({
        name: a.AlarmName,
        arn: a.AlarmArn,
        description: a.AlarmDescription ?? "",
        namespace: a.Namespace ?? "",
        metricName: a.MetricName ?? "",
        dimensions: Object.fromEntries((a.Dimensions ?? []).map((d) => [d.Name ?? "", d.Value ?? ""])),
        statistic: a.Statistic ?? "Average",
        periodSeconds: a.Period ?? 0,
        evaluationPeriods: a.EvaluationPeriods ?? 0,
        threshold: a.Threshold ?? Number.NaN,
        comparison: (a.ComparisonOperator ?? "GreaterThanThreshold") as MetricAlarmSpec["comparison"],
        alarmActions: a.AlarmActions ?? [],
        actionsEnabled: a.ActionsEnabled !== false,
      });
    }
  }
  return found;
}

/**
 * Creates or replaces the alarm (PutMetricAlarm overwrites every field). Tags are applied only
 * when the alarm is new; CloudWatch ignores them on an update, so use tagAlarm for those.
 */
export async function putMetricAlarm(cloudwatch: CloudWatchClient, spec: MetricAlarmSpec, tags: TagMap): Promise<void> {
  const { PutMetricAlarmCommand } = await loadSdk("@aws-sdk/client-cloudwatch");
  await cloudwatch.send(new PutMetricAlarmCommand({
    AlarmName: spec.name,
    AlarmDescription: spec.description,
    Namespace: spec.namespace,
    MetricName: spec.metricName,
    Dimensions: Object.entries(spec.dimensions).map(([Name, Value]) => ({ Name, Value })),
    Statistic: spec.statistic,
    Period: spec.periodSeconds,
    EvaluationPeriods: spec.evaluationPeriods,
    Threshold: spec.threshold,
    ComparisonOperator: spec.comparison,
    ActionsEnabled: true,
    AlarmActions: spec.alarmActions,
    Tags: tagList(tags),
  }));
}

export async function alarmTags(cloudwatch: CloudWatchClient, arn: string): Promise<Record<string, string>> {
  const { ListTagsForResourceCommand } = await loadSdk("@aws-sdk/client-cloudwatch");
  const { Tags } = await cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
  return tagMap(Tags);
}

export async function tagAlarm(cloudwatch: CloudWatchClient, arn: string, tags: TagMap): Promise<void> {
  const { TagResourceCommand } = await loadSdk("@aws-sdk/client-cloudwatch");
  await cloudwatch.send(new TagResourceCommand({ ResourceARN: arn, Tags: tagList(tags) }));
}
