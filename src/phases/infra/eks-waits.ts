/**
 * Waiting for EKS: a cluster or node group to become ACTIVE, an update to finish. Every wait goes
 * through waitFor, so it shows "STATUS, 2m10s" and gives up with what AWS reported.
 */
import type { EKSClient } from "@aws-sdk/client-eks";
import { describeCluster, describeNodeGroup, describeUpdate, type EksCluster, type EksUpdate, type NodeGroup } from "../../aws/eks.js";
import { waitFor, type Observation } from "../../aws/wait.js";
import { BtpAwsError } from "../../errors.js";
import { typicalMs } from "../../plan/critical-path.js";
import type { Reporter } from "../../plan/types.js";
import type { InfraServices } from "./services.js";

export interface WaitContext {
  services: Pick<InfraServices, "wait">;
  report: Reporter;
  signal: AbortSignal;
}

export interface Timing {
  timeoutMs: number;
  intervalMs: number;
  /** Polls come more often around it (waitFor): set on the waits of the install's longest chain. */
  typicalMs?: number;
}

const MINUTE = 60_000;
/** A new cluster takes about 10 minutes; EKS gives up on its own well before 30. */
export const CLUSTER_CREATE: Timing = { timeoutMs: 30 * MINUTE, intervalMs: 20_000, typicalMs: typicalMs("infra/eks") };
/** Endpoint access, logging and encryption updates take a few minutes, sometimes 20. */
export const CLUSTER_UPDATE: Timing = { timeoutMs: 40 * MINUTE, intervalMs: 20_000 };
/** A node group is ACTIVE after about 4 minutes; nodes that cannot join fail it after about 20. */
export const NODEGROUP_CREATE: Timing = { timeoutMs: 30 * MINUTE, intervalMs: 20_000, typicalMs: typicalMs("infra/nodegroup") };
export const NODEGROUP_SCALING: Timing = { timeoutMs: 20 * MINUTE, intervalMs: 15_000 };
/** A launch template change replaces every node, a few at a time, draining each one. */
export const NODEGROUP_ROLLOUT: Timing = { timeoutMs: 120 * MINUTE, intervalMs: 30_000 };

function issues(list: string[]): string {
  return list.length > 0 ? list.join("; ") : "EKS reported no reason";
}

export function waitClusterActive(eks: EKSClient, name: string, context: WaitContext, timing: Timing = CLUSTER_CREATE): Promise<EksCluster> {
  return waitFor({
    what: `EKS cluster ${name} to become ACTIVE`,
    settings: context.services.wait,
    onStatus: (text) => context.report.status(text),
    signal: context.signal,
    ...timing,
    async observe(): Promise<Observation<EksCluster>> {
      const cluster = await describeCluster(eks, name);
      if (!cluster) return { state: "failed", status: "GONE", reason: "the cluster no longer exists" };
      if (cluster.status === "ACTIVE") return { state: "ready", value: cluster, status: cluster.status };
      if (cluster.status === "FAILED" || cluster.status === "DELETING") return { state: "failed", status: cluster.status, reason: issues(cluster.issues) };
      return { state: "pending", status: cluster.status };
    },
  });
}

/** Ready at ACTIVE, and at DEGRADED (running but unhealthy): the caller reports the issues. */
export function waitNodeGroupActive(eks: EKSClient, cluster: string, name: string, context: WaitContext, timing: Timing = NODEGROUP_CREATE): Promise<NodeGroup> {
  return waitFor({
    what: `node group ${name} to become ACTIVE`,
    settings: context.services.wait,
    onStatus: (text) => context.report.status(text),
    signal: context.signal,
    ...timing,
    async observe(): Promise<Observation<NodeGroup>> {
      const group = await describeNodeGroup(eks, cluster, name);
      if (!group) return { state: "failed", status: "GONE", reason: "the node group no longer exists" };
      if (group.status === "ACTIVE" || group.status === "DEGRADED") return { state: "ready", value: group, status: group.status };
      if (/FAILED$/.test(group.status) || group.status === "DELETING") return { state: "failed", status: group.status, reason: issues(group.issues) };
      return { state: "pending", status: group.status };
    },
  });
}

/**
 * Waits until EKS finishes an update it started. DescribeUpdate tells success from failure and
 * carries the errors; when EKS returned no update id, the resource going ACTIVE is the signal.
 */
export async function waitForUpdate(eks: EKSClient, target: { cluster: string; nodegroup?: string }, update: EksUpdate, what: string, context: WaitContext, timing: Timing): Promise<void> {
  if (update.status === "Successful") return;
  if (update.status === "Failed" || update.status === "Cancelled") throw new BtpAwsError(`${what}: EKS reports the update ${update.status}: ${issues(update.errors)}`);
  const updateId = update.id;
  if (updateId === undefined) {
    if (target.nodegroup !== undefined) await waitNodeGroupActive(eks, target.cluster, target.nodegroup, context, timing);
    else await waitClusterActive(eks, target.cluster, context, timing);
    return;
  }
  await waitFor({
    what,
    settings: context.services.wait,
    onStatus: (text) => context.report.status(text),
    signal: context.signal,
    ...timing,
    async observe(): Promise<Observation<undefined>> {
      const seen = await describeUpdate(eks, target, updateId);
      const status = seen.status ?? "InProgress";
      if (status === "Successful") return { state: "ready", value: undefined, status };
      if (status === "Failed" || status === "Cancelled") return { state: "failed", status, reason: issues(seen.errors) };
      return { state: "pending", status: `update ${status}` };
    },
  });
}
