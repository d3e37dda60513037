/**
 * destroy/cache with aws-sdk-client-mock: the deletion wait moto cannot exercise (a deleted
 * replication group stays `deleting` forever there), a group that refuses deletion while busy,
 * the timeout, DeleteCacheSubnetGroup (missing from moto), and a group that is not ours.
 */
import {
  DeleteCacheSubnetGroupCommand, DeleteReplicationGroupCommand, DescribeCacheSubnetGroupsCommand, DescribeReplicationGroupsCommand, ElastiCacheClient,
  InvalidReplicationGroupStateFault, ListTagsForResourceCommand, ReplicationGroupNotFoundFault, CacheSubnetGroupNotFoundFault, type ReplicationGroup,
} from "@aws-sdk/client-elasticache";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { cacheStage } from "../../../../src/ops/destroy/cache.js";
import { recordingReporter } from "../../../support/reporter.js";
import { destroyContext } from "./fakes.js";

const ID = "btp-acme-redis";
const ARN = `arn:aws:elasticache:eu-west-1:123456789012:replicationgroup:${ID}`;
const OURS = [{ Key: "btp-aws:platform", Value: "acme" }];
const client = new ElastiCacheClient({ region: "eu-west-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
const ec = mockClient(client);

const group = (Status: string): { ReplicationGroups: ReplicationGroup[] } => ({ ReplicationGroups: [{ ReplicationGroupId: ID, ARN, Status }] });
const gone = () => new ReplicationGroupNotFoundFault({ message: `ReplicationGroup ${ID} not found.`, $metadata: {} });

beforeEach(() => {
  ec.reset();
  ec.on(ListTagsForResourceCommand).resolves({ TagList: OURS });
  ec.on(DescribeCacheSubnetGroupsCommand).rejects(new CacheSubnetGroupNotFoundFault({ message: "not found", $metadata: {} }));
});

describe("destroy/cache", () => {
  it("deletes the group without a final snapshot and polls every 30 s until ElastiCache no longer knows it", async () => {
    ec.on(DescribeReplicationGroupsCommand).resolvesOnce(group("available")).resolvesOnce(group("available")).resolvesOnce(group("deleting")).resolvesOnce(group("deleting")).rejects(gone());
    ec.on(DeleteReplicationGroupCommand).resolves({});
    const context = destroyContext({ elasticache: client });
    const report = recordingReporter();
    await cacheStage.run(context, report);
    expect(ec.commandCalls(DeleteReplicationGroupCommand).map((c) => c.args[0].input)).toEqual([{ ReplicationGroupId: ID, RetainPrimaryCluster: false }]);
    expect(context.slept()).toBe(3 * 30_000);
    expect(report.statuses).toEqual(["deleting, 0s", "deleting, 30s", "deleting, 1m00s"]);
    expect(report.infos).toEqual([`deleted replication group ${ID}`]);
  });

  it("asks again while a busy group refuses deletion (InvalidReplicationGroupState)", async () => {
    ec.on(DescribeReplicationGroupsCommand).resolvesOnce(group("modifying")).resolvesOnce(group("modifying")).resolvesOnce(group("modifying")).resolvesOnce(group("deleting")).rejects(gone());
    ec.on(DeleteReplicationGroupCommand)
      .rejectsOnce(new InvalidReplicationGroupStateFault({ message: "Replication group must be in available state", $metadata: {} }))
      .resolves({});
    const context = destroyContext({ elasticache: client });
    const report = recordingReporter();
    await cacheStage.run(context, report);
    expect(ec.commandCalls(DeleteReplicationGroupCommand)).toHaveLength(2);
    expect(report.statuses[0]).toBe("modifying: waiting until it accepts deletion, 0s");
  });

  it("gives up after an hour with what it saw and how to keep waiting", async () => {
    ec.on(DescribeReplicationGroupsCommand).resolvesOnce(group("available")).resolves(group("deleting"));
    ec.on(DeleteReplicationGroupCommand).resolves({});
    const context = destroyContext({ elasticache: client });
    const error = await cacheStage.run(context, recordingReporter()).then(() => undefined, (e: unknown) => e as Error & { hint?: string });
    expect(error?.message).toBe(`timed out waiting for ElastiCache replication group ${ID} to be deleted: still deleting after 60m00s`);
    expect(error?.hint).toBe("ElastiCache may still finish: run `btp-aws destroy` again to keep waiting; fix the cause above, then run `btp-aws destroy` again: it resumes where it stopped");
  });

  it("deletes the cache subnet group once the group is gone (DeleteCacheSubnetGroup, which moto lacks)", async () => {
    ec.on(DescribeReplicationGroupsCommand).rejects(gone());
    ec.on(DescribeCacheSubnetGroupsCommand).resolves({ CacheSubnetGroups: [{ CacheSubnetGroupName: ID, ARN: `arn:aws:elasticache:eu-west-1:123456789012:subnetgroup:${ID}` }] });
    ec.on(DeleteCacheSubnetGroupCommand).resolves({});
    const report = recordingReporter();
    await cacheStage.run(destroyContext({ elasticache: client }), report);
    expect(ec.commandCalls(DeleteCacheSubnetGroupCommand).map((c) => c.args[0].input)).toEqual([{ CacheSubnetGroupName: ID }]);
    expect(report.infos).toEqual([`deleted cache subnet group ${ID}`]);
  });

  it("leaves a replication group of the same name that another platform owns", async () => {
    ec.on(DescribeReplicationGroupsCommand).resolves(group("available"));
    ec.on(ListTagsForResourceCommand).resolves({ TagList: [{ Key: "btp-aws:platform", Value: "other" }] });
    const report = recordingReporter();
    await cacheStage.run(destroyContext({ elasticache: client }), report);
    expect(ec.commandCalls(DeleteReplicationGroupCommand)).toEqual([]);
    expect(report.warnings).toEqual([`left replication group ${ID} alone: it is not tagged for platform acme`]);
    expect(report.skipped).toEqual([`no replication group ${ID} or cache subnet group of the platform is left`]);
  });
});
