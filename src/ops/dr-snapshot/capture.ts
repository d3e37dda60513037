/**
 * The parts of a snapshot set: the database (a manual snapshot, copied to the DR region under the
 * DR key), the platform bucket (mirrored into the DR bucket, objects unchanged since the last set
 * skipped), the Kubernetes objects and the Vault raft snapshot; then the manifest. Each part is
 * recorded in the manifest as soon as it is done, so a re-run with the same --id skips it.
 */
import { findDbInstance } from "../../aws/rds.js";
import { headBucket, type BucketRef } from "../../aws/s3.js";
import { waitFor, type Observation } from "../../aws/wait.js";
import { BtpAwsError } from "../../errors.js";
import { bucketName, infraNames } from "../../phases/infra/names.js";
import type { Reporter } from "../../plan/types.js";
import type { Stage } from "../destroy/types.js";
import { call, drTags, partsOf } from "./dr-store.js";
import { seal } from "./envelope.js";
import { exportKubernetes } from "./kubernetes-export.js";
import { isSkipped, sha256, type CapturedFile, type KubernetesPart, type MirroredObject } from "./manifest.js";
import { dbSnapshotId, manifestKey, MIRROR_PREFIX, setPrefix } from "./names.js";
import { copyDbSnapshot, createDbSnapshot, describeDbSnapshot } from "./rds-snapshots.js";
import { copyObject, deleteVersions, headObject, listObjects, objectVersions, putObject, SINGLE_COPY_LIMIT, SOURCE_ETAG } from "./s3-objects.js";
import type { DrContext } from "./types.js";
import type { DependencyMode } from "../../config/schema.js";
import type { Dependency, DependencyModes } from "../doctor/dependency-modes.js";

const MINUTE = 60_000;
/** A snapshot of a large database takes tens of minutes; a cross-region copy longer. */
const SNAPSHOT_WAIT = { timeoutMs: 120 * MINUTE, intervalMs: 30_000 };
const COPY_WAIT = { timeoutMs: 240 * MINUTE, intervalMs: 60_000 };

function recorded(context: DrContext, step: string, key: string): string | undefined {
  const value = context.target.outputs[step]?.[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

export function keyArn(context: DrContext): string {
  if (context.dr.keyArn === undefined) throw new BtpAwsError("internal: a capture stage ran before dr/key");
  return context.dr.keyArn;
}

/** Writes the manifest as it stands, so an interrupted run resumes after the last finished part. */
export async function checkpoint(context: DrContext): Promise<string | undefined> {
  const { drRegion } = context.target;
  const body = `${JSON.stringify(context.manifest, null, 2)}\n`;
  return call(context, drRegion, `write the manifest of set ${context.options.setId} (s3:PutObject)`, async () => putObject(await context.services.aws.s3(drRegion), context.dr.bucket, manifestKey(context.options.setId), body, keyArn(context), "application/json"));
}

/**
 * Records that a part captured nothing, and why. A resumed set whose part was already skipped for
 * the same reason is left as it is: writing it again would turn a complete manifest back to partial.
 */
export async function recordSkipped(context: DrContext, part: "rds" | "s3" | "kubernetes" | "vault" | "volumes", reason: string): Promise<void> {
  const before = context.manifest[part];
  if (before !== undefined && isSkipped(before) && before.skipped === reason) return;
  context.manifest[part] = { skipped: reason };
  await checkpoint(context);
}

/** Uploads one file of the set; returns its record for the manifest. */
async function upload(context: DrContext, name: string, body: Uint8Array, contentType: string): Promise<CapturedFile> {
  const { drRegion } = context.target;
  const key = `${setPrefix(context.options.setId)}${name}`;
  const versionId = await call(context, drRegion, `upload ${key} (s3:PutObject)`, async () => putObject(await context.services.aws.s3(drRegion), context.dr.bucket, key, body, keyArn(context), contentType));
  return { key, versionId, bytes: body.byteLength, sha256: sha256(body) };
}

function waitSnapshot(context: DrContext, report: Reporter, region: string, id: string, timing: { timeoutMs: number; intervalMs: number }) {
  return waitFor({
    what: `DB snapshot ${id} in ${region} to become available`,
    observe: async (): Promise<Observation<NonNullable<Awaited<ReturnType<typeof describeDbSnapshot>>>>> => {
      const snapshot = await call(context, region, `read DB snapshot ${id} (rds:DescribeDBSnapshots)`, async () => describeDbSnapshot(await context.services.aws.rds(region), id));
      if (!snapshot) return { state: "failed", status: "gone", reason: "the snapshot was deleted while dr-snapshot waited for it" };
      if (snapshot.status === "available") return { state: "ready", value: snapshot, status: snapshot.status };
      if (snapshot.status === "failed" || snapshot.status === "incompatible-restore") return { state: "failed", status: snapshot.status, reason: "RDS reports the snapshot failed" };
      return { state: "pending", status: snapshot.status };
    },
    ...timing,
    settings: context.services.wait,
    onStatus: (text) => report.status(text),
    signal: context.signal,
    hint: `RDS may still finish: run the same dr-snapshot with --id ${context.options.setId} to keep waiting`,
  });
}

/**
 * Why a dependency is not captured by its managed-service part, when its mode says it is not the
 * AWS service; undefined when it is (or the modes are unknown: then the part looks for it).
 */
export function notManaged(context: DrContext, dependency: "database" | "storage"): string | undefined {
  const mode = context.target.modes?.[dependency];
  if (mode === undefined || mode === "aws") return undefined;
  return mode === "external" ? `not captured: external (${dependency}.mode external; back it up where it runs)` : `not captured here: ${dependency}.mode in-cluster (its volume is in the volumes part)`;
}

function instanceId(context: DrContext): string {
  return recorded(context, "infra/rds", "dbInstanceId") ?? infraNames({ platform: context.target.platform }).database;
}

export const rdsStage: Stage<DrContext> = {
  id: "dr/database",
  title: "Database snapshot, copied to the DR region",
  phase: "infra",
  async survey(context) {
    const { region, drRegion, platform } = context.target;
    const elsewhere = notManaged(context, "database");
    if (elsewhere) return [{ resource: `database: ${elsewhere}` }];
    const id = instanceId(context);
    const instance = await call(context, region, `read RDS instance ${id} (rds:DescribeDBInstances)`, async () => findDbInstance(await context.services.aws.rds(), id));
    if (!instance) return [{ resource: `database: none (no RDS instance ${id})` }];
    const snapshot = dbSnapshotId(platform, context.options.setId);
    return [{ resource: `RDS snapshot ${snapshot} of ${id} (${instance.allocatedStorage} GiB) in ${region}, copied to ${drRegion} under ${context.manifest.drKeyArn || "the DR key"}` }];
  },
  async run(context, report) {
    const { region, drRegion, platform } = context.target;
    const done = context.manifest.rds;
    const elsewhere = notManaged(context, "database");
    if (elsewhere) {
      await recordSkipped(context, "rds", elsewhere);
      return report.skip(`database ${elsewhere}`);
    }
    const id = dbSnapshotId(platform, context.options.setId);
    if (done && !isSkipped(done)) {
      const copy = await call(context, drRegion, `read DB snapshot ${id} (rds:DescribeDBSnapshots)`, async () => describeDbSnapshot(await context.services.aws.rds(drRegion), id));
      if (copy?.status === "available") return report.skip(`snapshot ${id} is already copied to ${drRegion}`);
    }
    const started = Date.now();
    const instance = instanceId(context);
    const rds = await context.services.aws.rds();
    const found = await call(context, region, `read RDS instance ${instance} (rds:DescribeDBInstances)`, () => findDbInstance(rds, instance));
    const source = await call(context, region, `read DB snapshot ${id} (rds:DescribeDBSnapshots)`, () => describeDbSnapshot(rds, id));
    if (!found && !source) {
      await recordSkipped(context, "rds", `no RDS instance ${instance}`);
      return report.skip(`no RDS instance ${instance}: no database snapshot in this set`);
    }
    const tags = drTags(context, { "btp-aws:dr-set": context.options.setId });
    if (!source) {
      report.status(`creating snapshot ${id} of ${instance}`);
      await call(context, region, `snapshot RDS instance ${instance} (rds:CreateDBSnapshot)`, () => createDbSnapshot(rds, instance, id, tags));
    }
    const ready = await waitSnapshot(context, report, region, id, SNAPSHOT_WAIT);
    const drRds = await context.services.aws.rds(drRegion);
    if (!(await call(context, drRegion, `read DB snapshot ${id} (rds:DescribeDBSnapshots)`, () => describeDbSnapshot(drRds, id)))) {
      report.status(`copying ${id} to ${drRegion}`);
      await call(context, drRegion, `copy DB snapshot ${id} to ${drRegion} (rds:CopyDBSnapshot, kms:CreateGrant on the DR key)`, () =>
        copyDbSnapshot(drRds, { sourceArn: ready.arn, id, kmsKeyId: keyArn(context), tags }));
    }
    const copy = await waitSnapshot(context, report, drRegion, id, COPY_WAIT);
    context.manifest.rds = {
      instanceId: instance,
      sourceSnapshotId: ready.id,
      sourceSnapshotArn: ready.arn,
      copySnapshotId: copy.id,
      copySnapshotArn: copy.arn,
      copyKmsKeyId: copy.kmsKeyId ?? keyArn(context),
      allocatedStorageGiB: ready.sizeGiB,
      durationMs: Date.now() - started,
    };
    await checkpoint(context);
    report.info(`snapshot ${id} of ${instance} (${ready.sizeGiB} GiB) copied to ${drRegion}, encrypted with ${copy.kmsKeyId ?? keyArn(context)}`);
  },
};

function sourceBucket(context: DrContext): BucketRef {
  const { platform, account, region } = context.target;
  return { name: recorded(context, "infra/s3", "bucket") ?? bucketName(platform, account, region), owner: account };
}

export const s3Stage: Stage<DrContext> = {
  id: "dr/bucket-objects",
  title: "Platform bucket objects, mirrored to the DR bucket",
  phase: "infra",
  async survey(context) {
    const { region } = context.target;
    const elsewhere = notManaged(context, "storage");
    if (elsewhere) return [{ resource: `bucket objects: ${elsewhere}` }];
    const bucket = sourceBucket(context);
    const s3 = await context.services.aws.s3();
    const presence = await call(context, region, `look for bucket ${bucket.name} (s3:ListBucket)`, () => headBucket(s3, bucket));
    if (presence.state !== "owned") return [{ resource: `bucket objects: none (no bucket ${bucket.name})` }];
    const objects = await call(context, region, `list bucket ${bucket.name} (s3:ListBucket)`, () => listObjects(s3, bucket));
    const bytes = objects.reduce((sum, o) => sum + o.size, 0);
    return [{ resource: `${objects.length} current objects (${bytes} bytes) of bucket ${bucket.name}, copied unless the DR bucket holds the same ETag` }];
  },
  async run(context, report) {
    const { region, drRegion } = context.target;
    const done = context.manifest.s3;
    if (done && !isSkipped(done)) return report.skip(`the bucket objects were mirrored earlier in this set (${done.copied} copied, ${done.unchanged} unchanged)`);
    const elsewhere = notManaged(context, "storage");
    if (elsewhere) {
      await recordSkipped(context, "s3", elsewhere);
      return report.skip(`object storage ${elsewhere}`);
    }
    const started = Date.now();
    const source = sourceBucket(context);
    const s3 = await context.services.aws.s3();
    const presence = await call(context, region, `look for bucket ${source.name} (s3:ListBucket)`, () => headBucket(s3, source));
    if (presence.state !== "owned") {
      await recordSkipped(context, "s3", `no bucket ${source.name}`);
      return report.skip(`no bucket ${source.name}`);
    }
    const drS3 = await context.services.aws.s3(drRegion);
    const objects = await call(context, region, `list bucket ${source.name} (s3:ListBucket)`, () => listObjects(s3, source));
    const mirrored: MirroredObject[] = [];
    let bytesCopied = 0;
    for (const [i, object] of objects.entries()) {
      report.status(`${i + 1}/${objects.length} objects`);
      if (object.size > SINGLE_COPY_LIMIT) {
        throw new BtpAwsError(`object ${object.key} of bucket ${source.name} is ${object.size} bytes: dr-snapshot copies objects up to 5 GiB`, { hint: "copy it yourself (aws s3 cp, which copies in parts), then run the same dr-snapshot again" });
      }
      const target = `${MIRROR_PREFIX}${object.key}`;
      const head = await call(context, drRegion, `read ${target} (s3:GetObject)`, () => headObject(drS3, context.dr.bucket, target));
      if (head?.metadata[SOURCE_ETAG] === object.etag) {
        mirrored.push({ key: object.key, sourceEtag: object.etag, bytes: object.size, drVersionId: head.versionId, copied: false });
        continue;
      }
      const versionId = await call(context, drRegion, `copy ${object.key} to ${context.dr.bucket.name} (s3:GetObject, s3:PutObject)`, () =>
        copyObject(drS3, { source, sourceKey: object.key, sourceEtag: object.etag, target: context.dr.bucket, targetKey: target, kmsKeyArn: keyArn(context) }));
      mirrored.push({ key: object.key, sourceEtag: object.etag, bytes: object.size, drVersionId: versionId, copied: true });
      bytesCopied += object.size;
    }
    const copied = mirrored.filter((o) => o.copied).length;
    context.manifest.s3 = { sourceBucket: source.name, drBucket: context.dr.bucket.name, prefix: MIRROR_PREFIX, objects: mirrored, copied, unchanged: mirrored.length - copied, bytesCopied, durationMs: Date.now() - started };
    await checkpoint(context);
    report.info(`bucket ${source.name}: ${copied} objects copied (${bytesCopied} bytes), ${mirrored.length - copied} unchanged since an earlier set`);
  },
};

export const kubernetesStage: Stage<DrContext> = {
  id: "dr/kubernetes",
  title: "Kubernetes objects, exported as YAML",
  phase: "addons",
  async survey(context) {
    const reach = await context.services.cluster();
    if (reach.state === "absent") return [{ resource: `Kubernetes objects: none (${reach.reason})` }];
    const documents = await exportKubernetes(reach.handles.kube, context.options.includeSecrets);
    return documents.map((d) => ({ resource: `${d.name}: ${d.objects} objects${d.name === "secrets.yaml" ? ", encrypted with the DR key" : ""}` }));
  },
  async run(context, report) {
    if (context.manifest.kubernetes && !isSkipped(context.manifest.kubernetes)) return report.skip("the Kubernetes objects were exported earlier in this set");
    const reach = await context.services.cluster();
    if (reach.state === "absent") {
      await recordSkipped(context, "kubernetes", reach.reason);
      return report.skip(reach.reason);
    }
    const started = Date.now();
    report.status("reading the platform's objects");
    const documents = await exportKubernetes(reach.handles.kube, context.options.includeSecrets);
    const files: KubernetesPart["files"] = [];
    for (const document of documents) {
      const secret = document.name === "secrets.yaml";
      const body = secret
        ? Buffer.from(JSON.stringify(await call(context, context.target.drRegion, "encrypt the Secrets with the DR key (kms:GenerateDataKey)", async () => seal(await context.services.aws.kms(context.target.drRegion), keyArn(context), Buffer.from(document.yaml)))))
        : Buffer.from(document.yaml);
      const file = await upload(context, `kubernetes/${document.name}${secret ? ".enc" : ""}`, body, secret ? "application/json" : "application/yaml");
      files.push({ ...file, objects: document.objects, encrypted: secret });
    }
    context.manifest.kubernetes = { namespaces: documents.filter((d) => d.name !== "cluster.yaml" && d.name !== "secrets.yaml").map((d) => d.name.replace(/\.yaml$/, "")), files, secretsIncluded: context.options.includeSecrets, durationMs: Date.now() - started };
    await checkpoint(context);
    report.info(`exported ${files.reduce((n, f) => n + f.objects, 0)} objects into ${files.length} files${context.options.includeSecrets ? " (Secrets encrypted with the DR key)" : "; Secrets left out (--include-secrets adds them, encrypted)"}`);
  },
};

export const vaultStage: Stage<DrContext> = {
  id: "dr/vault",
  title: "Vault raft snapshot",
  phase: "vault",
  async survey(context) {
    const reach = await context.services.cluster();
    return [{ resource: reach.state === "absent" ? `Vault: none (${reach.reason})` : "Vault raft snapshot through the API (sys/storage/raft/snapshot)" }];
  },
  async run(context, report) {
    if (context.manifest.vault && !isSkipped(context.manifest.vault)) return report.skip("the Vault snapshot was taken earlier in this set");
    const vault = await context.services.vault();
    if (vault.state === "absent") {
      await recordSkipped(context, "vault", vault.reason);
      return report.skip(vault.reason);
    }
    const started = Date.now();
    report.status("taking the raft snapshot");
    const snapshot = await vault.snapshot();
    const file = await upload(context, "vault/raft.snap", snapshot, "application/gzip");
    context.manifest.vault = { file, durationMs: Date.now() - started };
    await checkpoint(context);
    report.info(`Vault raft snapshot: ${file.bytes} bytes, sha256 ${file.sha256}`);
  },
};

/** One line per dependency: which part of the set holds it, or that it is not captured. */
export function dependencyCaptures(modes: DependencyModes): Record<Dependency, string> {
  const where: Record<Dependency, Record<DependencyMode, string>> = {
    database: { aws: "aws: RDS snapshot copied to the DR region (rds)", "in-cluster": "in-cluster: CSI VolumeSnapshot of its volume, EBS snapshot copied to the DR region (volumes)", external: "not captured: external" },
    cache: { aws: "not captured: ElastiCache holds sessions and queues, no data to restore", "in-cluster": "in-cluster: CSI VolumeSnapshot of its volume, EBS snapshot copied to the DR region (volumes)", external: "not captured: external" },
    storage: { aws: "aws: bucket objects mirrored to the DR bucket (s3)", "in-cluster": "in-cluster: CSI VolumeSnapshot of MinIO's volume, EBS snapshot copied to the DR region (volumes)", external: "not captured: external" },
  };
  return { database: where.database[modes.database], cache: where.cache[modes.cache], storage: where.storage[modes.storage] };
}

export const manifestStage: Stage<DrContext> = {
  id: "dr/manifest",
  title: "Manifest",
  phase: "verify",
  survey: (context) => Promise.resolve([{ resource: `manifest ${manifestKey(context.options.setId)} in ${context.dr.bucket.name}` }]),
  async run(context, report) {
    if (context.completeBefore !== undefined && context.completeBefore === partsOf(context.manifest)) {
      return report.skip(`set ${context.options.setId} was already complete; nothing changed`);
    }
    const finished = context.options.now();
    if (context.target.modes) context.manifest.dependencies = dependencyCaptures(context.target.modes);
    context.manifest.status = "complete";
    context.manifest.finishedAt = finished.toISOString();
    context.manifest.durationMs = finished.getTime() - Date.parse(context.manifest.startedAt);
    const current = await checkpoint(context);
    // The checkpoints were versions of the same key: only the complete manifest is worth keeping.
    const { drRegion } = context.target;
    const s3 = await context.services.aws.s3(drRegion);
    const key = manifestKey(context.options.setId);
    const earlier = (await call(context, drRegion, `list the versions of ${key} (s3:ListBucketVersions)`, () => objectVersions(s3, context.dr.bucket, key))).filter((v) => v.key === key && v.versionId !== current && !v.latest);
    await call(context, drRegion, `delete the checkpoints of ${key} (s3:DeleteObjectVersion)`, () => deleteVersions(s3, context.dr.bucket, earlier));
    report.info(`set ${context.options.setId} complete: s3://${context.dr.bucket.name}/${key}`);
  },
};
