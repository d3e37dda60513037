/**
 * dr-snapshot of in-cluster dependencies against moto (eu-west-1 → eu-central-1): a CSI
 * VolumeSnapshot of every claim in btp-dependencies, waited for until ready, the EBS snapshot
 * behind each copied to the DR region under the DR key with ec2:CopySnapshot, all recorded in the
 * manifest; the managed-service parts say why they captured nothing (in-cluster, external).
 *
 * moto has no cluster: the claims, volumes and snapshot objects live in the Kubernetes fake, and
 * the snapshot controller with the EBS CSI driver is played at each poll of the wait, with real
 * moto calls (CreateSnapshot of the claim's EBS volume), as the missing actor would.
 */
import { CreateSnapshotCommand, CreateVolumeCommand, DescribeSnapshotsCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { DescribeKeyCommand } from "@aws-sdk/client-kms";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import type { Helm } from "../../../src/helm/release.js";
import { drSnapshot, type DrRequest } from "../../../src/ops/dr-snapshot/index.js";
import type { Manifest, VolumesPart } from "../../../src/ops/dr-snapshot/manifest.js";
import { SNAPSHOT_API } from "../../../src/phases/addons/volume-snapshot-class.js";
import { fakeKube, type FakeKube } from "../../fakes/kube.js";
import { motoClients, type TestClients } from "../../support/aws.js";
import { motoControl } from "../../support/moto.js";
import { servePolicyOf } from "./dr-support.js";

const moto = motoControl(inject("motoEndpoint"));
const PLATFORM = "vol1";
const DR = "eu-central-1";
const NS = "btp-dependencies";
const DR_BUCKET = `btp-${PLATFORM}-dr-123456789012-${DR}`;
const CLAIMS = ["data-postgresql-0", "redis-data-redis-master-0"];
const noHelm = new Proxy({}, { get: () => () => Promise.reject(new Error("dr-snapshot does not run helm")) }) as Helm;

interface World {
  aws: TestClients;
  kube: FakeKube;
  volumes: Record<string, string>;
  /** The snapshot controller's work so far: VolumeSnapshot name → EBS snapshot id. */
  taken: Map<string, string>;
}

/** Claims bound to real moto EBS volumes, tagged as the EBS CSI driver tags them. */
async function build(): Promise<World> {
  const aws = motoClients(moto.endpoint);
  const ec2 = await aws.ec2();
  const kube = fakeKube();
  const volumes: Record<string, string> = {};
  for (const claim of CLAIMS) {
    const { VolumeId } = await ec2.send(new CreateVolumeCommand({
      AvailabilityZone: "eu-west-1a", Size: 8, VolumeType: "gp3", Encrypted: true,
      TagSpecifications: [{ ResourceType: "volume", Tags: [{ Key: "kubernetes.io/created-for/pvc/namespace", Value: NS }, { Key: "kubernetes.io/created-for/pvc/name", Value: claim }] }],
    }));
    volumes[claim] = VolumeId!;
    kube.seed({ apiVersion: "v1", kind: "PersistentVolume", metadata: { name: `pvc-${claim}` }, spec: { csi: { driver: "ebs.csi.aws.com", volumeHandle: VolumeId }, claimRef: { namespace: NS, name: claim } } });
    kube.seed({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: claim, namespace: NS }, spec: { volumeName: `pvc-${claim}`, storageClassName: "gp3" }, status: { phase: "Bound" } });
  }
  servePolicyOf(await aws.s3(DR), DR_BUCKET);
  return { aws, kube, volumes, taken: new Map() };
}

/** The snapshot controller and the EBS CSI driver: every VolumeSnapshot without status gets its EBS snapshot. */
async function snapshotController(world: World, ec2: EC2Client): Promise<void> {
  for (const snapshot of await world.kube.list(SNAPSHOT_API, "VolumeSnapshot", { namespace: NS })) {
    if (snapshot.status !== undefined) continue;
    const claim = (snapshot.spec as { source: { persistentVolumeClaimName: string } }).source.persistentVolumeClaimName;
    const { SnapshotId } = await ec2.send(new CreateSnapshotCommand({
      VolumeId: world.volumes[claim], Description: `Created by AWS EBS CSI driver for volume ${world.volumes[claim]}`,
      TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: "btp-aws:platform", Value: PLATFORM }, { Key: "CSIVolumeSnapshotName", Value: `snapcontent-${snapshot.metadata.name}` }] }],
    }));
    world.taken.set(snapshot.metadata.name, SnapshotId!);
    const content = `snapcontent-${snapshot.metadata.name}`;
    world.kube.seed({ apiVersion: SNAPSHOT_API, kind: "VolumeSnapshotContent", metadata: { name: content }, spec: { driver: "ebs.csi.aws.com", deletionPolicy: "Delete" }, status: { snapshotHandle: SnapshotId, readyToUse: true, restoreSize: 8 * 1024 ** 3 } });
    world.kube.seed({ ...snapshot, status: { boundVolumeSnapshotContentName: content, readyToUse: true, restoreSize: "8Gi" } });
  }
}

function request(world: World, setId: string, keep?: number, target: Partial<DrRequest["target"]> = {}): DrRequest {
  return {
    target: {
      platform: PLATFORM, region: "eu-west-1", drRegion: DR, account: "123456789012", partition: "aws", tags: {}, outputs: {},
      modes: { database: "in-cluster", cache: "in-cluster", storage: "external" },
      ...target,
    },
    options: { setId, keep, includeSecrets: false, now: () => new Date(`2026-11-28T0${4 + Number(setId.slice(-1))}:00:00Z`) },
    services: {
      aws: world.aws,
      // Each poll of a wait is when the controller gets to act.
      wait: { scale: 0.001, sleep: async () => snapshotController(world, await world.aws.ec2()) },
      cluster: () => Promise.resolve({ state: "reachable", handles: { kube: world.kube, helm: noHelm } }),
      vault: () => Promise.resolve({ state: "absent", reason: "no Vault in this test" }),
    },
  };
}

async function manifestOf(world: World, id: string): Promise<Manifest> {
  const { Body } = await (await world.aws.s3(DR)).send(new GetObjectCommand({ Bucket: DR_BUCKET, Key: `sets/${id}/manifest.json` }));
  return JSON.parse(await Body!.transformToString()) as Manifest;
}

async function drCopies(world: World): Promise<{ id: string; source: string; set: string; encrypted: boolean; kmsKeyId: string | undefined }[]> {
  const { Snapshots } = await (await world.aws.ec2(DR)).send(new DescribeSnapshotsCommand({ OwnerIds: ["self"] }));
  const tag = (s: NonNullable<typeof Snapshots>[number], key: string) => s.Tags?.find((t) => t.Key === key)?.Value ?? "";
  return (Snapshots ?? []).filter((s) => s.Tags?.some((t) => t.Key === "btp-aws:dr-set")).map((s) => ({ id: s.SnapshotId!, source: tag(s, "btp-aws:source-snapshot"), set: tag(s, "btp-aws:dr-set"), encrypted: s.Encrypted === true, kmsKeyId: s.KmsKeyId })).sort((a, b) => a.source.localeCompare(b.source));
}

describe("dr-snapshot of in-cluster volumes against moto (eu-west-1 → eu-central-1)", () => {
  beforeAll(async () => {
    await moto.reset();
  });
  let world: World;
  beforeEach(async () => {
    world ??= await build();
  });

  it("snapshots every claim, copies each EBS snapshot to the DR region under the DR key, and records it all", async () => {
    const started = Date.now();
    const outcome = await drSnapshot(request(world, "20261128t040001"));
    console.log(`[dr-volumes] first set against moto: ${((Date.now() - started) / 1000).toFixed(1)} s, ${world.aws.counter.snapshot().mutating} mutating calls`);
    expect(outcome.stages.error?.message).toBeUndefined();
    expect(outcome.stages.status).toBe("succeeded");

    const manifest = await manifestOf(world, "20261128t040001");
    expect(manifest.status).toBe("complete");
    const drKey = (await (await world.aws.kms(DR)).send(new DescribeKeyCommand({ KeyId: `alias/btp-${PLATFORM}-dr` }))).KeyMetadata!.Arn!;
    const part = manifest.volumes as VolumesPart;
    expect(part.note).toBe("the EBS snapshots behind the VolumeSnapshots stay in eu-west-1; drCopy is each one's copy in eu-central-1, encrypted with the DR key");
    expect({ ...part, durationMs: 0, volumes: [] }).toEqual({ namespace: NS, volumeSnapshotClass: "btp-ebs", snapshotRegion: "eu-west-1", note: part.note, volumes: [], durationMs: 0 });
    const copies = await drCopies(world);
    expect(part.volumes.map((v) => ({ ...v, drCopy: v.drCopy && { ...v.drCopy, snapshotId: "x" } }))).toEqual(CLAIMS.map((claim) => ({
      name: `dr-20261128t040001-${claim}`, namespace: NS, pvc: claim, restoreSize: "8Gi", content: `snapcontent-dr-20261128t040001-${claim}`,
      snapshotHandle: world.taken.get(`dr-20261128t040001-${claim}`), drCopy: { snapshotId: "x", region: DR, kmsKeyId: drKey },
    })));
    // Each copy exists in the DR region, tagged with its set and source, and is the one the manifest names.
    expect(copies.map((c) => [c.set, c.source])).toEqual(part.volumes.map((v) => ["20261128t040001", v.snapshotHandle]).sort((a, b) => a[1]!.localeCompare(b[1]!)));
    expect(new Set(copies.map((c) => c.id))).toEqual(new Set(part.volumes.map((v) => v.drCopy!.snapshotId)));
    expect(copies.every((c) => c.encrypted)).toBe(true);

    // What the modes say of the other parts: no RDS or S3 call was made for them.
    expect(manifest.rds).toEqual({ skipped: "not captured here: database.mode in-cluster (its volume is in the volumes part)" });
    expect(manifest.s3).toEqual({ skipped: "not captured: external (storage.mode external; back it up where it runs)" });
    expect(manifest.dependencies).toEqual({
      database: "in-cluster: CSI VolumeSnapshot of its volume, EBS snapshot copied to the DR region (volumes)",
      cache: "in-cluster: CSI VolumeSnapshot of its volume, EBS snapshot copied to the DR region (volumes)",
      storage: "not captured: external",
    });
    const operations = Object.keys(world.aws.counter.snapshot().byOperation);
    expect(operations.filter((o) => o.startsWith("RDS.") || o === "S3.ListObjectsV2")).toEqual([]);
  });

  it("a re-run of the same set takes and copies nothing again", async () => {
    world.aws.counter.reset();
    const takenBefore = world.taken.size;
    const outcome = await drSnapshot(request(world, "20261128t040001"));
    expect(outcome.stages.status).toBe("succeeded");
    expect(outcome.stages.perStage["dr/volumes"]?.skipped).toBe("the 2 volume snapshot(s) were taken and copied earlier in this set");
    expect(world.aws.counter.mutatingOperations().filter((o) => o.startsWith("EC2."))).toEqual([]);
    expect(world.taken.size).toBe(takenBefore);
    // The parts skipped again for the same reasons did not rewrite the manifest as partial.
    expect((await manifestOf(world, "20261128t040001")).status).toBe("complete");
  });

  it("a second set with --keep 1 prunes the first set's VolumeSnapshots and DR copies", async () => {
    const first = await manifestOf(world, "20261128t040001");
    const outcome = await drSnapshot(request(world, "20261128t040002", 1));
    expect(outcome.stages.error?.message).toBeUndefined();
    const oldNames = (first.volumes as VolumesPart).volumes.map((v) => `VolumeSnapshot ${NS}/${v.name}`);
    expect(world.kube.deleted).toEqual(oldNames);
    const second = (await manifestOf(world, "20261128t040002")).volumes as VolumesPart;
    expect((await drCopies(world)).map((c) => c.id).sort()).toEqual(second.volumes.map((v) => v.drCopy!.snapshotId).sort());
    expect(world.aws.counter.mutatingOperations()).toContain("EC2.DeleteSnapshot");
  });

  it("without modes from the caller (the CLI without a config), reads them from the state's infra outputs", async () => {
    const outputs = { "infra/rds": { mode: "in-cluster" }, "infra/elasticache": { mode: "in-cluster" }, "infra/s3": { mode: "external" } };
    const outcome = await drSnapshot(request(world, "20261128t040003", undefined, { modes: undefined, outputs }));
    expect(outcome.stages.error?.message).toBeUndefined();
    const manifest = await manifestOf(world, "20261128t040003");
    expect(manifest.s3).toEqual({ skipped: "not captured: external (storage.mode external; back it up where it runs)" });
    expect(manifest.dependencies?.storage).toBe("not captured: external");
    expect((manifest.volumes as VolumesPart).volumes.map((v) => v.pvc)).toEqual(CLAIMS);
  });
});
