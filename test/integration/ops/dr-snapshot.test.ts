/**
 * `btp-aws dr-snapshot` against moto with two regions on one server (eu-west-1 → eu-central-1):
 * the database, bucket, key and secret built by the real infra steps; the cluster is the
 * in-memory fake whose port-forward reaches the fake Vault (test/fakes/vault.ts), so the raft
 * snapshot goes through the real VaultClient and the root token through the platform secret.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { gunzipSync } from "node:zlib";
import { DescribeKeyCommand } from "@aws-sdk/client-kms";
import { DescribeDBSnapshotsCommand } from "@aws-sdk/client-rds";
import {
  DeleteBucketPolicyCommand, GetBucketEncryptionCommand, GetBucketLocationCommand, GetBucketVersioningCommand, GetObjectCommand, GetPublicAccessBlockCommand, ListObjectVersionsCommand, PutObjectCommand,
} from "@aws-sdk/client-s3";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { drSnapshotCommand } from "../../../src/cli/commands/dr-snapshot.js";
import { createUi } from "../../../src/cli/output.js";
import { installSteps, type InstallServices } from "../../../src/cli/steps.js";
import { mergeIntoPlatformSecret } from "../../../src/aws/secrets-manager.js";
import { createHelmLocator } from "../../../src/helm/binary.js";
import type { Helm } from "../../../src/helm/release.js";
import { open, type Envelope } from "../../../src/ops/dr-snapshot/envelope.js";
import { sha256, type KubernetesPart, type Manifest, type RdsPart, type S3Part, type VaultPart } from "../../../src/ops/dr-snapshot/manifest.js";
import { ROOT_TOKEN_KEY } from "../../../src/phases/vault/initialise.js";
import { runSteps } from "../../../src/runner/scheduler.js";
import { Redactor } from "../../../src/secrets/redact.js";
import { openState } from "../../../src/state/file-store.js";
import { fakeKube, type FakeKube } from "../../fakes/kube.js";
import { fakeVaultPool } from "../../fakes/vault.js";
import { motoClients, type TestClients } from "../../support/aws.js";
import { testConfig } from "../../support/config.js";
import { NO_CLUSTER, NO_PROBE } from "../../support/context.js";
import { motoControl } from "../../support/moto.js";
import { policies, servePolicyOf } from "./dr-support.js";

const moto = motoControl(inject("motoEndpoint"));
const helmBinary = inject("helm");
const vaults = fakeVaultPool();
const PLATFORM = "snap1";
const DR = "eu-central-1";
const DR_BUCKET = `btp-${PLATFORM}-dr-123456789012-${DR}`;
const BUCKET = `btp-${PLATFORM}-123456789012-eu-west-1`;
const ROOT = "hvs.dr-snapshot-test-root-token";
const SECRET_VALUE = "c3VwZXItc2VjcmV0LWRhdGFiYXNlLXBhc3N3b3Jk";
/** What the snapshot needs of infra: the database with its network, the bucket, the key, the secret. */
const NEEDED = new Set(["infra/kms", "infra/vpc", "infra/security-groups", "infra/s3", "infra/secrets", "infra/rds"]);

interface World {
  aws: TestClients;
  stateDir: string;
  kube: FakeKube;
}

const noHelm = new Proxy({}, { get: () => () => Promise.reject(new Error("dr-snapshot does not run helm")) }) as Helm;

async function build(zoneId: string): Promise<World> {
  const config = testConfig({ platform: PLATFORM, environment: "development", database: { mode: "aws" }, cache: { mode: "aws" }, storage: { mode: "aws" }, dns: { domain: "btp.example.com", hostedZoneId: zoneId, hostedZoneName: "example.com", acmeEmail: "ops@example.com" } });
  const aws = motoClients(moto.endpoint);
  const services: InstallServices = {
    aws, helm: createHelmLocator({ path: helmBinary.v4.path, envPath: "" }), dns: { resolveNs: () => Promise.reject(new Error("no public DNS in tests")) },
    wait: { scale: 0.001 }, secrets: new Redactor(), cluster: NO_CLUSTER, probe: NO_PROBE, userSecrets: {},
  };
  const stateDir = await mkdtemp(join(tmpdir(), "btp-aws-dr-"));
  const store = await openState({ dir: stateDir, platform: PLATFORM, region: config.aws.region });
  await store.update((state) => {
    state.config = config;
  });
  const all = installSteps();
  const steps = all.filter((s) => s.phase === "prepare" || NEEDED.has(s.id));
  const result = await runSteps(steps, { config, services, store, allSteps: all, concurrency: 8 });
  expect(result.failed.map((id) => `${id}: ${store.current().steps[id]?.error?.message ?? ""}`)).toEqual([]);
  // What the vault phase would have stored: the root token, in the platform secret.
  await mergeIntoPlatformSecret(await aws.secretsManager(), String(store.current().steps["infra/secrets"]!.outputs.secretArn), { [ROOT_TOKEN_KEY]: ROOT });
  const s3 = await aws.s3();
  // moto evaluates a policy statement whose condition it cannot check as a Deny: with the TLS-only
  // policy in place it refuses every object request (see servePolicyOf below).
  await s3.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }));
  servePolicyOf(await aws.s3(DR), DR_BUCKET);
  for (const [key, body] of [["state/deployments.json", '{"deployments":3}'], ["state/keys/node-1.json", '{"node":1}'], ["ipfs/config.json", '{"peers":["a"]}']]) {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  }
  return { aws, stateDir, kube: fakeKube() };
}

async function seedCluster(world: World): Promise<void> {
  const vault = await vaults.fake({ dev: { rootToken: ROOT } });
  const port = Number(new URL(vault.url).port);
  const kube = fakeKube({ portForward: ({ namespace, pod, remotePort }) => (namespace === "vault" && pod === "vault-0" && remotePort === 8200 ? port : undefined) });
  for (const name of ["settlemint", "vault", "cert-manager"]) kube.seed({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "app.kubernetes.io/managed-by": "btp-aws" } } });
  kube.seed({ apiVersion: "v1", kind: "Pod", metadata: { name: "vault-0", namespace: "vault", labels: { "app.kubernetes.io/name": "vault", component: "server", "vault-active": "true" } }, status: { phase: "Running" } });
  kube.seed({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "platform-config", namespace: "settlemint", managedFields: [{ manager: "helm" }] }, data: { domain: "btp.example.com" } });
  kube.seed({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "api", namespace: "settlemint" }, spec: { replicas: 2 }, status: { readyReplicas: 2 } });
  kube.seed({ apiVersion: "v1", kind: "Secret", metadata: { name: "database", namespace: "settlemint" }, data: { password: SECRET_VALUE } });
  kube.seed({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "vault", namespace: "vault" }, spec: { replicas: 3 } });
  kube.seed({ apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "platform-tls", namespace: "cert-manager" }, spec: { secretName: "platform-tls" } });
  kube.seed({ apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "gp3" }, provisioner: "ebs.csi.aws.com" });
  kube.seed({ apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: "letsencrypt-prod" }, spec: { acme: { email: "ops@example.com" } } });
  world.kube = kube;
}

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return { stream: new Writable({ write: (chunk, _encoding, done) => { chunks.push(String(chunk)); done(); } }), text: () => chunks.join("") };
}

async function snapshot(world: World, flags: Record<string, unknown>, now: Date): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = capture();
  const stderr = capture();
  const env = { BTP_AWS_POLL_SCALE: "0.001" };
  const code = await drSnapshotCommand({ platform: PLATFORM, stateDir: world.stateDir, ...flags }, [], {
    env, cwd: world.stateDir, ui: createUi({ env, yes: true, stdout: stdout.stream, stderr: stderr.stream, stdinTty: false }),
    aws: world.aws, now: () => now, cluster: () => Promise.resolve({ state: "reachable", handles: { kube: world.kube, helm: noHelm } }),
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

async function drObject(world: World, key: string, versionId?: string): Promise<Buffer> {
  const { Body } = await (await world.aws.s3(DR)).send(new GetObjectCommand({ Bucket: DR_BUCKET, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
  return Buffer.from(await Body!.transformToByteArray());
}

async function manifestOf(world: World, id: string): Promise<Manifest> {
  return JSON.parse((await drObject(world, `sets/${id}/manifest.json`)).toString("utf8")) as Manifest;
}

async function snapshotIds(world: World, region: string): Promise<string[]> {
  const found = (await (await world.aws.rds(region)).send(new DescribeDBSnapshotsCommand({ SnapshotType: "manual" }))).DBSnapshots ?? [];
  return found.map((s) => s.DBSnapshotIdentifier!).sort();
}

describe("dr-snapshot against moto (eu-west-1 → eu-central-1)", () => {
  let zoneId: string;
  beforeEach(async () => {
    await moto.reset();
    zoneId = await moto.seedHostedZone("example.com");
  });
  afterEach(vaults.closeAll);

  it("captures a set into the DR region, resumes it without duplicating, and a second set with --keep 1 prunes the first", async () => {
    const world = await build(zoneId);
    await seedCluster(world);
    const first = new Date("2026-11-28T03:00:00Z");

    world.aws.counter.reset();
    const dry = await snapshot(world, { dryRun: true, includeSecrets: true }, first);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("dr-snapshot --dry-run: set 20261128t030000 of platform snap1 (eu-west-1) into eu-central-1. Nothing was changed.");
    expect(dry.stdout).toContain("  - RDS snapshot btp-snap1-20261128t030000 of btp-snap1-db");
    expect(dry.stdout).toContain("  - 3 current objects (42 bytes) of bucket btp-snap1-123456789012-eu-west-1, copied unless the DR bucket holds the same ETag");
    expect(dry.stdout).toContain("  - secrets.yaml: 1 objects, encrypted with the DR key");
    expect(world.aws.counter.mutatingOperations()).toEqual([]);

    world.aws.counter.reset();
    let started = Date.now();
    const one = await snapshot(world, { includeSecrets: true }, first);
    console.log(`[dr-snapshot] first set against moto: ${((Date.now() - started) / 1000).toFixed(1)} s, ${world.aws.counter.snapshot().mutating} mutating calls`);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stderr).toContain("✔ set 20261128t030000");

    // The DR key and bucket, in the DR region.
    const drKey = (await (await world.aws.kms(DR)).send(new DescribeKeyCommand({ KeyId: "alias/btp-snap1-dr" }))).KeyMetadata!;
    expect(drKey.Arn).toMatch(/^arn:aws:kms:eu-central-1:/);
    const drS3 = await world.aws.s3(DR);
    expect((await drS3.send(new GetBucketLocationCommand({ Bucket: DR_BUCKET }))).LocationConstraint).toBe(DR);
    expect((await drS3.send(new GetBucketVersioningCommand({ Bucket: DR_BUCKET }))).Status).toBe("Enabled");
    expect((await drS3.send(new GetBucketEncryptionCommand({ Bucket: DR_BUCKET }))).ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault).toMatchObject({ SSEAlgorithm: "aws:kms", KMSMasterKeyID: drKey.Arn });
    expect((await drS3.send(new GetPublicAccessBlockCommand({ Bucket: DR_BUCKET }))).PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    expect(JSON.parse(policies.get(DR_BUCKET)!)).toMatchObject({ Statement: [{ Sid: "DenyInsecureTransport", Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }] });

    // The database: a snapshot in the platform's region, its copy in the DR region under the DR key.
    const id1 = "20261128t030000";
    expect(await snapshotIds(world, "eu-west-1")).toEqual([`btp-snap1-${id1}`]);
    const copy = (await (await world.aws.rds(DR)).send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: `btp-snap1-${id1}` }))).DBSnapshots![0]!;
    expect(copy.DBSnapshotArn).toMatch(/^arn:aws:rds:eu-central-1:/);
    expect(copy.KmsKeyId).toBe(drKey.Arn);

    // The manifest matches what is in the bucket.
    const manifest = await manifestOf(world, id1);
    expect(manifest).toMatchObject({ format: "btp-aws-dr-snapshot/v1", id: id1, status: "complete", platform: PLATFORM, sourceRegion: "eu-west-1", drRegion: DR, drBucket: DR_BUCKET, drKeyArn: drKey.Arn });
    expect(manifest.rds as RdsPart).toMatchObject({ instanceId: "btp-snap1-db", sourceSnapshotId: `btp-snap1-${id1}`, copySnapshotId: `btp-snap1-${id1}`, copySnapshotArn: copy.DBSnapshotArn, copyKmsKeyId: drKey.Arn });
    const s3Part = manifest.s3 as S3Part;
    expect(s3Part).toMatchObject({ sourceBucket: BUCKET, copied: 3, unchanged: 0, bytesCopied: 42 });
    for (const object of s3Part.objects) {
      const source = await (await world.aws.s3()).send(new GetObjectCommand({ Bucket: BUCKET, Key: object.key }));
      expect((await drObject(world, `objects/${object.key}`, object.drVersionId)).toString("utf8")).toBe(await source.Body!.transformToString("utf8"));
    }
    const k8s = manifest.kubernetes as KubernetesPart;
    expect(k8s.files.map((f) => [f.key, f.objects, f.encrypted])).toEqual([
      [`sets/${id1}/kubernetes/settlemint.yaml`, 2, false], [`sets/${id1}/kubernetes/vault.yaml`, 1, false], [`sets/${id1}/kubernetes/cert-manager.yaml`, 1, false],
      [`sets/${id1}/kubernetes/cluster.yaml`, 5, false], [`sets/${id1}/kubernetes/secrets.yaml.enc`, 1, true],
    ]);
    for (const file of k8s.files) {
      const body = await drObject(world, file.key);
      expect(sha256(body), file.key).toBe(file.sha256);
      expect(body.byteLength).toBe(file.bytes);
    }
    const settlemint = (await drObject(world, k8s.files[0]!.key)).toString("utf8");
    expect(settlemint).toContain("kind: ConfigMap");
    expect(settlemint).not.toMatch(/resourceVersion|managedFields|uid:|readyReplicas/);
    expect(settlemint).not.toContain(SECRET_VALUE);
    const sealed = JSON.parse((await drObject(world, k8s.files[4]!.key)).toString("utf8")) as Envelope;
    expect(JSON.stringify(sealed)).not.toContain(SECRET_VALUE);
    expect(sealed.kmsKeyId).toBe(drKey.Arn);
    expect((await open(await world.aws.kms(DR), sealed)).toString("utf8")).toContain(`password: ${SECRET_VALUE}`);
    const vaultPart = manifest.vault as VaultPart;
    const raft = await drObject(world, vaultPart.file.key);
    expect(sha256(raft)).toBe(vaultPart.file.sha256);
    expect(JSON.parse(gunzipSync(raft).toString("utf8"))).toHaveProperty("mounts");
    expect(one.stderr).not.toContain(ROOT);

    // The same --id again: every part is recorded, so nothing is captured twice.
    world.aws.counter.reset();
    const resumed = await snapshot(world, { id: id1, includeSecrets: true }, first);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(world.aws.counter.mutatingOperations()).toEqual([]);
    expect(resumed.stderr).toContain(`set ${id1} is complete`);
    expect(resumed.stderr).toContain(`set ${id1} was already complete; nothing changed`);

    // A second set after a change: only the new and the changed object are copied; --keep 1 prunes the first set.
    const s3 = await world.aws.s3();
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "state/deployments.json", Body: '{"deployments":4}' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "state/new.json", Body: "{}" }));
    const second = new Date("2026-11-29T03:00:00Z");
    const id2 = "20261129t030000";
    world.aws.counter.reset();
    started = Date.now();
    const two = await snapshot(world, { keep: "1" }, second);
    console.log(`[dr-snapshot] second set with --keep 1 against moto: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(two.code, two.stderr).toBe(0);
    const manifest2 = await manifestOf(world, id2);
    expect(manifest2.s3 as S3Part).toMatchObject({ copied: 2, unchanged: 2 });
    expect(two.stderr).toContain(`pruned set ${id1}: snapshot copy btp-snap1-${id1}, snapshot btp-snap1-${id1}`);
    expect(await snapshotIds(world, "eu-west-1")).toEqual([`btp-snap1-${id2}`]);
    expect(await snapshotIds(world, DR)).toEqual([`btp-snap1-${id2}`]);
    const versions = await drS3.send(new ListObjectVersionsCommand({ Bucket: DR_BUCKET }));
    const keys = [...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])].map((v) => v.Key!);
    expect(keys.filter((k) => k.startsWith(`sets/${id1}/`))).toEqual([]);
    expect(keys.filter((k) => k.startsWith(`sets/${id2}/`)).sort()).toEqual([`sets/${id2}/kubernetes/cert-manager.yaml`, `sets/${id2}/kubernetes/cluster.yaml`, `sets/${id2}/kubernetes/settlemint.yaml`, `sets/${id2}/kubernetes/vault.yaml`, `sets/${id2}/manifest.json`, `sets/${id2}/vault/raft.snap`]);
    // The changed object's first version was only the first set's: pruned with it. The others are still set 2's.
    expect(keys.filter((k) => k.startsWith("objects/")).sort()).toEqual(["objects/ipfs/config.json", "objects/state/deployments.json", "objects/state/keys/node-1.json", "objects/state/new.json"]);
    world.aws.destroy();
    await rm(world.stateDir, { recursive: true, force: true });
  });
});
