/**
 * The guide's CloudWatch dashboard, one per platform (`btp-<platform>`): the nodes, the database
 * and the cache side by side, so an operator paged by an alarm sees its neighbours at once. The
 * database and cache widgets appear only for the managed services (database.mode, cache.mode aws).
 * Rewritten only when its body differs, so a re-run makes no write.
 */
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { dashboardBody, putDashboard } from "../../aws/cloudwatch-dashboards.js";

export interface DashboardTargets {
  region: string;
  nodeAutoScalingGroup: string | undefined;
  /** Undefined unless database.mode is aws: no RDS widgets. */
  dbInstanceId: string | undefined;
  /** Empty unless cache.mode is aws: no ElastiCache widgets. */
  cacheClusterIds: readonly string[];
}

type Metric = (string | { stat?: string; label?: string })[];

function widget(title: string, metrics: Metric[], x: number, y: number, region: string, stat = "Average"): Record<string, unknown> {
  return { type: "metric", x, y, width: 8, height: 6, properties: { title, region, stat, period: 300, view: "timeSeries", metrics } };
}

export function dashboardJson(t: DashboardTargets): string {
  const cache = (metric: string) => t.cacheClusterIds.map((id): Metric => ["AWS/ElastiCache", metric, "CacheClusterId", id]);
  const widgets = [
    ...(t.nodeAutoScalingGroup ? [widget("EKS nodes: CPU %", [["AWS/EC2", "CPUUtilization", "AutoScalingGroupName", t.nodeAutoScalingGroup]], 0, 0, t.region)] : []),
    ...(t.dbInstanceId === undefined ? [] : [
      widget("RDS: CPU %", [["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", t.dbInstanceId]], 8, 0, t.region),
      widget("RDS: connections", [["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", t.dbInstanceId]], 16, 0, t.region),
      widget("RDS: free storage (bytes)", [["AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", t.dbInstanceId]], 0, 6, t.region, "Minimum"),
    ]),
    ...(t.cacheClusterIds.length === 0 ? [] : [
      widget("ElastiCache: CPU %", cache("EngineCPUUtilization"), 8, 6, t.region),
      widget("ElastiCache: memory %", cache("DatabaseMemoryUsagePercentage"), 16, 6, t.region),
    ]),
  ];
  return JSON.stringify({ widgets });
}

/** Creates or updates the dashboard; returns what changed ("" when it was already as wanted). */
export async function ensureDashboard(cloudwatch: CloudWatchClient, name: string, targets: DashboardTargets): Promise<string> {
  const wanted = dashboardJson(targets);
  const current = await dashboardBody(cloudwatch, name);
  if (current !== undefined && JSON.stringify(JSON.parse(current)) === wanted) return "";
  await putDashboard(cloudwatch, name, wanted);
  return current === undefined ? `created dashboard ${name}` : `updated dashboard ${name}`;
}
