/**
 * destroy/cache: the ElastiCache replication group (no final snapshot: the cache holds nothing the
 * platform cannot rebuild), then its subnet group. A group that is busy (modifying, snapshotting)
 * refuses deletion, so the wait keeps asking until it accepts.
 */
import type { ElastiCacheClient } from "@aws-sdk/client-elasticache";
import { elasticacheTags, findCacheSubnetGroup, findReplicationGroup } from "../../aws/elasticache.js";
import { deleteCacheSubnetGroup, deleteReplicationGroup } from "../../aws/elasticache-delete.js";
import { awsErrorCode, describeAwsError } from "../../aws/errors.js";
import { belongsTo, PLATFORM_TAG } from "../../aws/tags.js";
import { waitFor, type Observation } from "../../aws/wait.js";
import type { Reporter } from "../../plan/types.js";
import { attempt, deleting, names, recorded, RESUME_HINT } from "./context.js";
import type { DestroyContext, Stage } from "./types.js";

/** Deletion takes 5–15 minutes. */
export const CACHE_DELETE_WAIT = { timeoutMs: 60 * 60_000, intervalMs: 30_000 };

function groupId(context: DestroyContext): string {
  return recorded(context, "infra/elasticache", "replicationGroupId") ?? names(context).cache;
}

async function owned(context: DestroyContext, ec: ElastiCacheClient, arn: string, recordedId: boolean): Promise<boolean> {
  const owner = (await attempt(context, "read the replication group's tags (elasticache:ListTagsForResource)", () => elasticacheTags(ec, arn)))[PLATFORM_TAG];
  return owner === context.target.platform || (owner === undefined && recordedId);
}

/**
 * Deletes the group and waits until ElastiCache no longer knows it. Each poll asks again while
 * the group is in a state that refuses deletion (InvalidReplicationGroupState).
 */
export async function deleteCacheAndWait(context: DestroyContext, ec: ElastiCacheClient, id: string, report: Reporter): Promise<void> {
  await waitFor({
    what: `ElastiCache replication group ${id} to be deleted`,
    observe: async (): Promise<Observation<undefined>> => {
      const group = await attempt(context, `read replication group ${id} (elasticache:DescribeReplicationGroups)`, () => findReplicationGroup(ec, id));
      if (!group) return { state: "ready", value: undefined, status: "deleted" };
      if (group.status === "deleting") return { state: "pending", status: "deleting" };
      try {
        await deleteReplicationGroup(ec, id);
        return { state: "pending", status: "deleting" };
      } catch (error) {
        if (awsErrorCode(error) === "InvalidReplicationGroupStateFault") return { state: "pending", status: `${group.status}: waiting until it accepts deletion` };
        throw describeAwsError(error, `delete replication group ${id} (elasticache:DeleteReplicationGroup)`, { endpoint: context.services.aws.endpoint, region: context.target.region });
      }
    },
    ...CACHE_DELETE_WAIT,
    settings: context.services.wait,
    onStatus: (text) => report.status(text),
    signal: context.signal,
    hint: `ElastiCache may still finish: run \`btp-aws destroy\` again to keep waiting; ${RESUME_HINT}`,
  });
}

export const cacheStage: Stage = {
  id: "destroy/cache",
  title: "Delete the Redis cache",
  phase: "infra",
  async survey(context) {
    const ec = await context.services.aws.elasticache();
    const id = groupId(context);
    const group = await attempt(context, `read replication group ${id} (elasticache:DescribeReplicationGroups)`, () => findReplicationGroup(ec, id));
    const subnetGroup = await attempt(context, `read cache subnet group ${names(context).cacheSubnetGroup} (elasticache:DescribeCacheSubnetGroups)`, () => findCacheSubnetGroup(ec, names(context).cacheSubnetGroup));
    return deleting([
      ...(group && (await owned(context, ec, group.arn, recorded(context, "infra/elasticache", "replicationGroupId") === id)) ? [`ElastiCache replication group ${id} (${group.status})`] : []),
      ...(subnetGroup ? [`cache subnet group ${subnetGroup.name}`] : []),
    ]);
  },
  async run(context, report) {
    const ec = await context.services.aws.elasticache();
    const id = groupId(context);
    const done: string[] = [];
    const group = await attempt(context, `read replication group ${id} (elasticache:DescribeReplicationGroups)`, () => findReplicationGroup(ec, id));
    if (group) {
      if (await owned(context, ec, group.arn, recorded(context, "infra/elasticache", "replicationGroupId") === id)) {
        await deleteCacheAndWait(context, ec, id, report);
        done.push(`deleted replication group ${id}`);
      } else {
        report.warn(`left replication group ${id} alone: it is not tagged for platform ${context.target.platform}`);
      }
    }
    const subnetName = names(context).cacheSubnetGroup;
    const subnetGroup = await attempt(context, `read cache subnet group ${subnetName} (elasticache:DescribeCacheSubnetGroups)`, () => findCacheSubnetGroup(ec, subnetName));
    if (subnetGroup && belongsTo(await attempt(context, "read its tags (elasticache:ListTagsForResource)", () => elasticacheTags(ec, subnetGroup.arn)), context.target.platform)) {
      await attempt(context, `delete cache subnet group ${subnetName} (elasticache:DeleteCacheSubnetGroup)`, () => deleteCacheSubnetGroup(ec, subnetName));
      done.push(`deleted cache subnet group ${subnetName}`);
    }
    if (done.length === 0) return report.skip(`no replication group ${id} or cache subnet group of the platform is left`);
    report.info(done.join("; "));
  },
};
