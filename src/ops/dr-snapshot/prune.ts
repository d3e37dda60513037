/**
 * dr/prune (--keep N): keeps the N newest complete sets and deletes the others: their database
 * snapshots (the copy in the DR region and the source in the platform's region), every version
 * under their sets/<id>/ prefix, and the mirrored object versions only they referenced (a version
 * a kept set or the current mirror still uses stays), and their volume snapshots (the
 * VolumeSnapshots, whose class deletes the EBS snapshots, and the copies in the DR region).
 * Sets whose manifest is not complete are left alone: one may be running, or waiting to be resumed.
 */
import { deleteDbSnapshot } from "../../aws/rds-delete.js";
import { headBucket } from "../../aws/s3.js";
import type { Stage } from "../destroy/types.js";
import { SNAPSHOT_API } from "../../phases/addons/volume-snapshot-class.js";
import { call } from "./dr-store.js";
import { deleteEbsSnapshot } from "./ebs-snapshots.js";
import { isSkipped, parseManifest, type Manifest } from "./manifest.js";
import { manifestKey, MIRROR_PREFIX, setPrefix, SETS_PREFIX } from "./names.js";
import { childPrefixes, deleteVersions, getObjectText, objectVersions, type ObjectVersion } from "./s3-objects.js";
import type { DrContext } from "./types.js";

interface PrunePlan {
  keep: Manifest[];
  prune: Manifest[];
  incomplete: string[];
}

async function plan(context: DrContext, keep: number): Promise<PrunePlan> {
  const { drRegion } = context.target;
  const s3 = await context.services.aws.s3(drRegion);
  const bucket = context.dr.bucket;
  const current = { ...context.manifest, status: "complete" as const };
  // A dry run before the first set: the DR bucket does not exist yet.
  if ((await call(context, drRegion, `look for bucket ${bucket.name} (s3:ListBucket)`, () => headBucket(s3, bucket))).state !== "owned") return { keep: [current], prune: [], incomplete: [] };
  const ids = (await call(context, drRegion, `list the sets in ${bucket.name} (s3:ListBucket)`, () => childPrefixes(s3, bucket, SETS_PREFIX))).map((p) => p.slice(SETS_PREFIX.length, -1));
  const complete: Manifest[] = [];
  const incomplete: string[] = [];
  for (const id of ids) {
    // The set being made counts as the newest complete one, whatever its stored manifest says yet.
    if (id === context.options.setId) continue;
    const text = await call(context, drRegion, `read the manifest of set ${id} (s3:GetObject)`, () => getObjectText(s3, bucket, manifestKey(id)));
    const manifest = text === undefined ? undefined : parseManifest(text);
    if (manifest?.status === "complete") complete.push(manifest);
    else incomplete.push(id);
  }
  const ordered = [current, ...complete.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id))];
  return { keep: ordered.slice(0, keep), prune: ordered.slice(keep), incomplete };
}

function mirrored(manifest: Manifest): { key: string; versionId: string }[] {
  const s3 = manifest.s3;
  if (!s3 || isSkipped(s3)) return [];
  return s3.objects.flatMap((o) => (o.drVersionId ? [{ key: `${MIRROR_PREFIX}${o.key}`, versionId: o.drVersionId }] : []));
}

/**
 * A set's volume snapshots: the DR copies, then the VolumeSnapshots (their class deletes the EBS
 * snapshot behind each); without the cluster, the EBS snapshots themselves.
 */
async function pruneVolumes(context: DrContext, manifest: Manifest): Promise<string[]> {
  const volumes = manifest.volumes;
  if (!volumes || isSkipped(volumes)) return [];
  const { drRegion, region } = context.target;
  const done: string[] = [];
  for (const volume of volumes.volumes) {
    const copy = volume.drCopy;
    if (copy && (await call(context, drRegion, `delete EBS snapshot ${copy.snapshotId} in ${drRegion} (ec2:DeleteSnapshot)`, async () => deleteEbsSnapshot(await context.services.aws.ec2(drRegion), copy.snapshotId)))) done.push(`EBS snapshot copy ${copy.snapshotId}`);
  }
  const reach = await context.services.cluster();
  for (const volume of volumes.volumes) {
    if (reach.state === "reachable") {
      if (await reach.handles.kube.delete(SNAPSHOT_API, "VolumeSnapshot", volume.name, volume.namespace)) done.push(`VolumeSnapshot ${volume.namespace}/${volume.name}`);
    } else if (await call(context, region, `delete EBS snapshot ${volume.snapshotHandle} (ec2:DeleteSnapshot)`, async () => deleteEbsSnapshot(await context.services.aws.ec2(), volume.snapshotHandle))) {
      done.push(`EBS snapshot ${volume.snapshotHandle}`);
    }
  }
  return done;
}

async function pruneSet(context: DrContext, manifest: Manifest, stillUsed: ReadonlySet<string>, mirror: readonly ObjectVersion[]): Promise<string[]> {
  const { drRegion, region } = context.target;
  const done: string[] = [];
  const rds = manifest.rds;
  if (rds && !isSkipped(rds)) {
    if (await call(context, drRegion, `delete DB snapshot ${rds.copySnapshotId} in ${drRegion} (rds:DeleteDBSnapshot)`, async () => deleteDbSnapshot(await context.services.aws.rds(drRegion), rds.copySnapshotId))) done.push(`snapshot copy ${rds.copySnapshotId}`);
    if (await call(context, region, `delete DB snapshot ${rds.sourceSnapshotId} (rds:DeleteDBSnapshot)`, async () => deleteDbSnapshot(await context.services.aws.rds(), rds.sourceSnapshotId))) done.push(`snapshot ${rds.sourceSnapshotId}`);
  }
  done.push(...(await pruneVolumes(context, manifest)));
  const s3 = await context.services.aws.s3(drRegion);
  const bucket = context.dr.bucket;
  const files = await call(context, drRegion, `list ${setPrefix(manifest.id)} (s3:ListBucketVersions)`, () => objectVersions(s3, bucket, setPrefix(manifest.id)));
  const latest = new Set(mirror.filter((v) => v.latest).map((v) => `${v.key} ${v.versionId}`));
  const orphans = mirrored(manifest).filter((v) => !stillUsed.has(`${v.key} ${v.versionId}`) && !latest.has(`${v.key} ${v.versionId}`)).map((v) => ({ ...v, latest: false }));
  await call(context, drRegion, `delete set ${manifest.id} from ${bucket.name} (s3:DeleteObjectVersion)`, () => deleteVersions(s3, bucket, [...files, ...orphans]));
  done.push(`${files.length} files under ${setPrefix(manifest.id)}`);
  if (orphans.length > 0) done.push(`${orphans.length} mirrored object versions only it used`);
  return done;
}

export const pruneStage: Stage<DrContext> = {
  id: "dr/prune",
  title: "Prune older sets (--keep)",
  phase: "verify",
  async survey(context) {
    const keep = context.options.keep;
    if (keep === undefined) return [];
    const found = await plan(context, keep);
    return found.prune.map((m) => ({ resource: `set ${m.id} (${m.startedAt}): its snapshots and files` }));
  },
  async run(context, report) {
    const keep = context.options.keep;
    if (keep === undefined) return report.skip("no --keep: every earlier set stays");
    const found = await plan(context, keep);
    for (const id of found.incomplete) report.warn(`set ${id} has no complete manifest: left alone (resume it with --id ${id}, or delete sets/${id}/ yourself)`);
    if (found.prune.length === 0) return report.skip(`${found.keep.length} complete set(s), --keep ${keep}: nothing to prune`);
    const stillUsed = new Set(found.keep.flatMap(mirrored).map((v) => `${v.key} ${v.versionId}`));
    const { drRegion } = context.target;
    const mirror = await call(context, drRegion, `list the mirrored objects (s3:ListBucketVersions)`, async () => objectVersions(await context.services.aws.s3(drRegion), context.dr.bucket, MIRROR_PREFIX));
    for (const manifest of found.prune) {
      report.status(`pruning set ${manifest.id}`);
      report.info(`pruned set ${manifest.id}: ${(await pruneSet(context, manifest, stillUsed, mirror)).join(", ")}`);
    }
  },
};
