/** CloudWatch alarms for destroy: found by name prefix (every alarm btp-aws makes is btp-<platform>-…). */
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { loadSdk } from "./sdk.js";

export interface AlarmSummary {
  name: string;
  arn: string;
}

export async function alarmsWithPrefix(cloudwatch: CloudWatchClient, prefix: string): Promise<AlarmSummary[]> {
  const { paginateDescribeAlarms } = await loadSdk("@aws-sdk/client-cloudwatch");
  const found: AlarmSummary[] = [];
  for await (const page of paginateDescribeAlarms({ client: cloudwatch }, { AlarmNamePrefix: prefix })) {
    for (const a of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) if (a.AlarmName && a.AlarmArn) found.push({ name: a.AlarmName, arn: a.AlarmArn });
  }
  return found;
}

/** DeleteAlarms takes at most 100 names and ignores names that do not exist. */
export async function deleteAlarms(cloudwatch: CloudWatchClient, names: readonly string[]): Promise<void> {
  const { DeleteAlarmsCommand } = await loadSdk("@aws-sdk/client-cloudwatch");
  for (let i = 0; i < names.length; i += 100) await cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: names.slice(i, i + 100) }));
}
