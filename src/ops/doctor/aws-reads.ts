/**
 * AWS reads only the doctor and status need, beside the installer's adapters in src/aws: the node
 * instances of a node group, a metric's latest value, the platform's alarms, the load balancers
 * the AWS Load Balancer Controller made for the cluster. Every call here is a
 * Describe/Get/List: doctor is read-only, and a test counts the calls to prove it.
 */
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { ec2Filters } from "../../aws/ec2.js";
import { loadSdk } from "../../aws/sdk.js";

export interface NodeInstance {
  id: string;
  /** pending, running, … */
  state: string;
  /** "required" means IMDSv2 only. */
  httpTokens: string | undefined;
}

/** EC2 instances of a managed node group: EKS tags them eks:cluster-name and eks:nodegroup-name. */
export async function nodeGroupInstances(ec2: EC2Client, cluster: string, nodeGroup: string): Promise<NodeInstance[]> {
  const { paginateDescribeInstances } = await loadSdk("@aws-sdk/client-ec2");
  const filters = ec2Filters({ "tag:eks:cluster-name": [cluster], "tag:eks:nodegroup-name": [nodeGroup], "instance-state-name": ["pending", "running"] });
  const found: NodeInstance[] = [];
  for await (const page of paginateDescribeInstances({ client: ec2 }, { Filters: filters })) {
    for (const reservation of page.Reservations ?? []) {
      for (const i of reservation.Instances ?? []) {
        if (i.InstanceId) found.push({ id: i.InstanceId, state: i.State?.Name ?? "unknown", httpTokens: i.MetadataOptions?.HttpTokens });
      }
    }
  }
  return found;
}

/** The lowest value of a metric over the last `minutes`, or undefined when CloudWatch has none. */
export async function latestMinimum(cloudwatch: CloudWatchClient, metric: { namespace: string; name: string; dimensions: Record<string, string> }, now: Date, minutes = 30): Promise<number | undefined> {
  const { GetMetricStatisticsCommand } = await loadSdk("@aws-sdk/client-cloudwatch");
  const { Datapoints } = await cloudwatch.send(new GetMetricStatisticsCommand({
    Namespace: metric.namespace,
    MetricName: metric.name,
    Dimensions: Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
    StartTime: new Date(now.getTime() - minutes * 60_000),
    EndTime: now,
    Period: 300,
    Statistics: ["Minimum"],
  }));
  const latest = [...(Datapoints ?? [])].filter((d) => d.Minimum !== undefined).sort((a, b) => (b.Timestamp?.getTime() ?? 0) - (a.Timestamp?.getTime() ?? 0))[0];
  return latest?.Minimum;
}

export interface AlarmState {
  name: string;
  /** OK, ALARM, INSUFFICIENT_DATA. */
  state: string;
  reason: string;
}

/** Every metric alarm whose name starts with `prefix` ("btp-<platform>-"), with its state. */
export async function alarmStates(cloudwatch: CloudWatchClient, prefix: string): Promise<AlarmState[]> {
  const { paginateDescribeAlarms } = await loadSdk("@aws-sdk/client-cloudwatch");
  const found: AlarmState[] = [];
  for await (const page of paginateDescribeAlarms({ client: cloudwatch }, { AlarmNamePrefix: prefix, AlarmTypes: ["MetricAlarm"] })) {
    for (const a of page.MetricAlarms ?? []) {
      if (a.AlarmName) found.push({ name: a.AlarmName, state: a.StateValue ?? "INSUFFICIENT_DATA", reason: a.StateReason ?? "" });
    }
  }
  return found;
}

export interface LoadBalancer {
  arn: string;
  name: string;
  /** Lower-case, without a trailing dot. */
  dnsName: string;
  hostedZoneId: string | undefined;
  /** active, provisioning, active_impaired, failed. */
  state: string;
}

/** The controller tags what it creates for a cluster with this key, whose value is the cluster name. */
export const CONTROLLER_CLUSTER_TAG = "elbv2.k8s.aws/cluster";
const TAGS_PER_CALL = 20;

/** Load balancers the AWS Load Balancer Controller created for `cluster` (by its cluster tag). */
export async function clusterLoadBalancers(elbv2: ElasticLoadBalancingV2Client, cluster: string): Promise<LoadBalancer[]> {
  const { DescribeTagsCommand, paginateDescribeLoadBalancers } = await loadSdk("@aws-sdk/client-elastic-load-balancing-v2");
  const all: LoadBalancer[] = [];
  for await (const page of paginateDescribeLoadBalancers({ client: elbv2 }, {})) {
    for (const lb of page.LoadBalancers ?? []) {
      if (!lb.LoadBalancerArn) continue;
      all.push({
        arn: lb.LoadBalancerArn,
        name: lb.LoadBalancerName ?? lb.LoadBalancerArn,
        dnsName: (lb.DNSName ?? "").toLowerCase().replace(/\.$/, ""),
        hostedZoneId: lb.CanonicalHostedZoneId,
        state: lb.State?.Code ?? "unknown",
      });
    }
  }
  const ours = new Set<string>();
  for (let i = 0; i < all.length; i += TAGS_PER_CALL) {
    const { TagDescriptions } = await elbv2.send(new DescribeTagsCommand({ ResourceArns: all.slice(i, i + TAGS_PER_CALL).map((lb) => lb.arn) }));
    for (const d of TagDescriptions ?? []) {
      if (d.ResourceArn && d.Tags?.some((t) => t.Key === CONTROLLER_CLUSTER_TAG && t.Value === cluster)) ours.add(d.ResourceArn);
    }
  }
  return all.filter((lb) => ours.has(lb.arn));
}

