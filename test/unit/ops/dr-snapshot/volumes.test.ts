/**
 * dr/volumes with the Kubernetes fake and aws-sdk-client-mock: what moto cannot show, since its
 * snapshots and copies complete at once — a copy pending for a while, a copy in state error, the
 * copy wait's timeout, the controller's error on a VolumeSnapshot — and the exact CopySnapshot input.
 */
import { CopySnapshotCommand, DescribeSnapshotsCommand, EC2Client, type DescribeSnapshotsCommandOutput, type SnapshotState } from "@aws-sdk/client-ec2";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import type { AwsClients } from "../../../../src/aws/clients.js";
import { volumesStage } from "../../../../src/ops/dr-snapshot/capture-volumes.js";
import { MANIFEST_FORMAT, type VolumesPart } from "../../../../src/ops/dr-snapshot/manifest.js";
import type { DrContext } from "../../../../src/ops/dr-snapshot/types.js";
import { fakeKube, type FakeKube } from "../../../fakes/kube.js";
import { recordingReporter } from "../../../support/reporter.js";

const credentials = { accessKeyId: "a", secretAccessKey: "b" };
const drEc2 = new EC2Client({ region: "eu-central-1", credentials });
const ec2Mock = mockClient(drEc2);
const s3 = new S3Client({ region: "eu-central-1", credentials });
const s3Mock = mockClient(s3);
const DR_KEY = "arn:aws:kms:eu-central-1:123456789012:key/dr";
const NS = "btp-dependencies";
const SET = "20261128t030000";

function context(kube: FakeKube, onPoll: () => void = () => undefined): DrContext & { slept: () => number } {
  let now = 0;
  const aws = { region: "eu-west-1", endpoint: undefined, ec2: () => Promise.resolve(drEc2), s3: () => Promise.resolve(s3) } as unknown as AwsClients;
  return {
    target: { platform: "acme", region: "eu-west-1", drRegion: "eu-central-1", account: "123456789012", partition: "aws", tags: {}, outputs: {}, modes: { database: "in-cluster", cache: "aws", storage: "aws" } },
    options: { setId: SET, keep: undefined, includeSecrets: false, now: () => new Date("2026-11-28T03:00:00Z") },
    services: {
      aws,
      wait: { scale: 1, now: () => now, sleep: (ms) => Promise.resolve(void ((now += ms), onPoll())) },
      cluster: () => Promise.resolve({ state: "reachable", handles: { kube, helm: undefined as never } }),
      vault: () => Promise.reject(new Error("no vault")),
    },
    signal: new AbortController().signal,
    dr: { keyArn: DR_KEY, bucket: { name: "btp-acme-dr-123456789012-eu-central-1", owner: "123456789012" } },
    manifest: { format: MANIFEST_FORMAT, id: SET, status: "partial", platform: "acme", account: "123456789012", sourceRegion: "eu-west-1", drRegion: "eu-central-1", drBucket: "b", drKeyArn: DR_KEY, startedAt: "2026-11-28T03:00:00.000Z" },
    completeBefore: undefined,
    slept: () => now,
  };
}

/** A claim whose VolumeSnapshot the "controller" makes ready (or failed) at its first poll. */
function world(outcome: "ready" | "failed" = "ready"): { kube: FakeKube; controller: () => void } {
  const kube = fakeKube();
  kube.seed({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "data-postgresql-0", namespace: NS } });
  const controller = () => {
    void kube.get("snapshot.storage.k8s.io/v1", "VolumeSnapshot", `dr-${SET}-data-postgresql-0`, NS).then((snapshot) => {
      if (!snapshot || snapshot.status) return;
      if (outcome === "failed") return void kube.seed({ ...snapshot, status: { readyToUse: false, error: { message: "Failed to check and update snapshot content: ec2:CreateSnapshot UnauthorizedOperation" } } });
      kube.seed({ apiVersion: "snapshot.storage.k8s.io/v1", kind: "VolumeSnapshotContent", metadata: { name: "snapcontent-1" }, spec: {}, status: { snapshotHandle: "snap-source", readyToUse: true } });
      kube.seed({ ...snapshot, status: { boundVolumeSnapshotContentName: "snapcontent-1", readyToUse: true, restoreSize: "20Gi" } });
    });
  };
  return { kube, controller };
}

const copyState = (State: SnapshotState, extra: { Progress?: string; StateMessage?: string } = {}): DescribeSnapshotsCommandOutput => ({ $metadata: {}, Snapshots: [{ SnapshotId: "snap-copy", State, VolumeSize: 20, Encrypted: true, KmsKeyId: DR_KEY, ...extra }] });

beforeEach(() => {
  ec2Mock.reset();
  s3Mock.reset();
  s3Mock.on(PutObjectCommand).resolves({ VersionId: "v1" });
});

describe("dr/volumes", () => {
  it("copies the EBS snapshot under the DR key, waits while the copy is pending, and records it", async () => {
    const { kube, controller } = world();
    ec2Mock.on(DescribeSnapshotsCommand, { OwnerIds: ["self"] }).resolves({ Snapshots: [] });
    ec2Mock.on(CopySnapshotCommand).resolves({ SnapshotId: "snap-copy" });
    ec2Mock.on(DescribeSnapshotsCommand, { SnapshotIds: ["snap-copy"] }).resolvesOnce(copyState("pending", { Progress: "40%" })).resolves(copyState("completed"));
    const ctx = context(kube, controller);
    const report = recordingReporter();
    await volumesStage.run(ctx, report);
    expect(ec2Mock.commandCalls(CopySnapshotCommand).map((c) => c.args[0].input)).toEqual([{
      SourceRegion: "eu-west-1", SourceSnapshotId: "snap-source", Encrypted: true, KmsKeyId: DR_KEY,
      Description: `btp-aws dr-snapshot ${SET} of snap-source`,
      TagSpecifications: [{ ResourceType: "snapshot", Tags: expect.arrayContaining([{ Key: "btp-aws:platform", Value: "acme" }, { Key: "btp-aws:dr-set", Value: SET }, { Key: "btp-aws:source-snapshot", Value: "snap-source" }]) as unknown }],
    }]);
    expect(report.statuses).toContain("pending 40%, 0s");
    const part = ctx.manifest.volumes as VolumesPart;
    expect(part.volumes).toEqual([{ name: `dr-${SET}-data-postgresql-0`, namespace: NS, pvc: "data-postgresql-0", restoreSize: "20Gi", content: "snapcontent-1", snapshotHandle: "snap-source", drCopy: { snapshotId: "snap-copy", region: "eu-central-1", kmsKeyId: DR_KEY } }]);
    expect(report.infos).toEqual([`1 volume snapshot(s) of ${NS} (data-postgresql-0 → snap-source), copied to eu-central-1`]);
  });

  it("adopts the copy an interrupted run made instead of copying again", async () => {
    const { kube, controller } = world();
    ec2Mock.on(DescribeSnapshotsCommand, { OwnerIds: ["self"] }).resolves(copyState("pending"));
    ec2Mock.on(DescribeSnapshotsCommand, { SnapshotIds: ["snap-copy"] }).resolves(copyState("completed"));
    const ctx = context(kube, controller);
    await volumesStage.run(ctx, recordingReporter());
    expect(ec2Mock.commandCalls(CopySnapshotCommand)).toEqual([]);
    expect((ctx.manifest.volumes as VolumesPart).volumes[0]?.drCopy?.snapshotId).toBe("snap-copy");
  });

  it("fails with EC2's message when the copy ends in state error", async () => {
    const { kube, controller } = world();
    ec2Mock.on(DescribeSnapshotsCommand, { OwnerIds: ["self"] }).resolves({ Snapshots: [] });
    ec2Mock.on(CopySnapshotCommand).resolves({ SnapshotId: "snap-copy" });
    ec2Mock.on(DescribeSnapshotsCommand, { SnapshotIds: ["snap-copy"] }).resolves(copyState("error", { StateMessage: "The KMS key is disabled" }));
    await expect(volumesStage.run(context(kube, controller), recordingReporter())).rejects.toThrow("EBS snapshot copy snap-copy in eu-central-1 to complete: it is error: The KMS key is disabled");
  });

  it("gives up on a copy still pending after 4 hours, saying how to keep waiting", async () => {
    const { kube, controller } = world();
    ec2Mock.on(DescribeSnapshotsCommand, { OwnerIds: ["self"] }).resolves({ Snapshots: [] });
    ec2Mock.on(CopySnapshotCommand).resolves({ SnapshotId: "snap-copy" });
    ec2Mock.on(DescribeSnapshotsCommand, { SnapshotIds: ["snap-copy"] }).resolves(copyState("pending", { Progress: "3%" }));
    const ctx = context(kube, controller);
    const error = await volumesStage.run(ctx, recordingReporter()).catch((e: unknown) => e as Error & { hint?: string });
    expect(error?.message).toMatch(/^timed out waiting for EBS snapshot copy snap-copy in eu-central-1 to complete: still pending 3% after 2\d\dm/);
    expect(error?.hint).toBe(`EC2 may still finish: run the same dr-snapshot with --id ${SET} to keep waiting`);
    // The snapshots were recorded before the copies: a resumed run knows them.
    expect((ctx.manifest.volumes as VolumesPart).volumes[0]?.snapshotHandle).toBe("snap-source");
  });

  it("fails with the snapshot controller's own error on the VolumeSnapshot", async () => {
    const { kube, controller } = world("failed");
    await expect(volumesStage.run(context(kube, controller), recordingReporter())).rejects.toThrow(`VolumeSnapshot dr-${SET}-data-postgresql-0 failed: Failed to check and update snapshot content: ec2:CreateSnapshot UnauthorizedOperation`);
    expect(ec2Mock.commandCalls(CopySnapshotCommand)).toEqual([]);
  });

  it("records 'no dependency is in-cluster' without looking at the cluster when the modes say so", async () => {
    const ctx = context(fakeKube());
    ctx.target.modes = { database: "aws", cache: "aws", storage: "external" };
    ctx.services.cluster = () => Promise.reject(new Error("the cluster is not needed"));
    const report = recordingReporter();
    await volumesStage.run(ctx, report);
    expect(report.skipped).toEqual(["no dependency is in-cluster"]);
    expect(ctx.manifest.volumes).toEqual({ skipped: "no dependency is in-cluster" });
  });
});
