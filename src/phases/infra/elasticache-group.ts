/**
 * The cache's subnet group on the private subnets, and waiting for the replication group.
 * Creation takes 10-20 minutes, a node type change longer; failures show ElastiCache's events.
 */
import type { ElastiCacheClient } from "@aws-sdk/client-elasticache";
import {
  createCacheSubnetGroup, elasticacheTags, findCacheSubnetGroup, findReplicationGroup, recentCacheEvents, setCacheSubnetGroupSubnets, tagElasticacheResource, type ReplicationGroupInfo,
} from "../../aws/elasticache.js";
import { belongsTo, missingTags, type TagMap } from "../../aws/tags.js";
import { waitFor, type Observation } from "../../aws/wait.js";
import { BtpAwsError } from "../../errors.js";
import type { Reporter, StepContext } from "../../plan/types.js";
import type { InfraServices } from "./services.js";

export const CACHE_WAIT_TIMEOUT_MS = 60 * 60_000;
export const CACHE_POLL_MS = 30_000;

/** States a replication group does not leave on its own. */
export const CACHE_FAILED = new Set(["create-failed", "deleting", "deleted"]);

export function notOurs(what: string, platform: string): BtpAwsError {
  return new BtpAwsError(`${what} exists but is not managed by btp-aws for platform ${platform} (no btp-aws:platform=${platform} tag)`, {
    hint: "choose another platform name, or delete it if it is a leftover, then run again",
  });
}

/** Returns what was created or repaired, for the report. */
export async function ensureCacheSubnetGroup(ec: ElastiCacheClient, spec: { name: string; subnetIds: readonly string[]; platform: string; tags: TagMap }): Promise<string[]> {
  const found = await findCacheSubnetGroup(ec, spec.name);
  if (!found) {
    await createCacheSubnetGroup(ec, { name: spec.name, description: `btp-aws platform ${spec.platform}: private subnets`, subnetIds: spec.subnetIds, tags: spec.tags });
    return [`created cache subnet group ${spec.name}`];
  }
  const what = `cache subnet group ${spec.name}`;
  const tags = await elasticacheTags(ec, found.arn);
  if (!belongsTo(tags, spec.platform)) throw notOurs(what, spec.platform);
  const repaired: string[] = [];
  if (found.subnetIds.length !== spec.subnetIds.length || !spec.subnetIds.every((id) => found.subnetIds.includes(id))) {
    await setCacheSubnetGroupSubnets(ec, spec.name, spec.subnetIds);
    repaired.push(`${what}: subnets ${found.subnetIds.join(", ")} → ${spec.subnetIds.join(", ")}`);
  }
  const absent = missingTags(tags, spec.tags);
  if (Object.keys(absent).length > 0) {
    await tagElasticacheResource(ec, found.arn, absent);
    repaired.push(`${what}: added tags ${Object.keys(absent).join(", ")}`);
  }
  return repaired;
}

export async function waitForCache(context: StepContext<Pick<InfraServices, "wait">>, ec: ElastiCacheClient, id: string, report: Reporter): Promise<ReplicationGroupInfo> {
  return waitFor<ReplicationGroupInfo>({
    what: `ElastiCache replication group ${id} to become available`,
    async observe(): Promise<Observation<ReplicationGroupInfo>> {
      const group = await findReplicationGroup(ec, id);
      if (!group) return { state: "failed", status: "gone", reason: "the replication group was deleted while btp-aws waited for it" };
      if (group.status === "available") return { state: "ready", value: group, status: group.status };
      if (CACHE_FAILED.has(group.status)) {
        const events = await recentCacheEvents(ec, id).catch(() => []);
        return { state: "failed", status: group.status, reason: events.length > 0 ? events.join("; ") : "ElastiCache reported no events" };
      }
      return { state: "pending", status: group.status };
    },
    timeoutMs: CACHE_WAIT_TIMEOUT_MS,
    intervalMs: CACHE_POLL_MS,
    settings: context.services.wait,
    onStatus: (text) => report.status(text),
    signal: context.signal,
  });
}
