/**
 * dr/volumes: the in-cluster dependencies' data. A CSI VolumeSnapshot of every claim in their
 * namespace, waited for until ready to use; the EBS snapshot behind each (the bound content's
 * snapshotHandle) stays in the platform's region, as EBS snapshots do, so it is also copied to
 * the DR region under the DR key — what survives the loss of the region. Everything is recorded
 * in the manifest: VolumeSnapshot, claim, size, snapshotHandle and the DR copy.
 */
import { waitFor } from "../../aws/wait.js";
import { BtpAwsError } from "../../errors.js";
import type { Kube } from "../../k8s/kube.js";
import { DEPENDENCIES_NAMESPACE } from "../../phases/dependencies/names.js";
import { VOLUME_SNAPSHOT_CLASS } from "../../phases/addons/volume-snapshot-class.js";
import type { Reporter } from "../../plan/types.js";
import type { Stage } from "../destroy/types.js";
import { anyInCluster } from "../doctor/dependency-modes.js";
import { checkpoint, keyArn, recordSkipped } from "./capture.js";
import { call, drTags } from "./dr-store.js";
import { copyEbsSnapshot, describeEbsSnapshot, findEbsCopy, SOURCE_SNAPSHOT_TAG, type EbsSnapshot } from "./ebs-snapshots.js";
import { isSkipped, type VolumeCapture } from "./manifest.js";
import { snapshotHandle, snapshotProgress, volumeSnapshot, type ClaimRef, type SnapshotProgress } from "./volume-snapshots.js";
import type { DrContext } from "./types.js";

const MINUTE = 60_000;
/** An EBS snapshot's first copy reads the whole volume: tens of minutes for large ones. */
export const VOLUME_SNAPSHOT_WAIT = { timeoutMs: 120 * MINUTE, intervalMs: 10_000 };
export const EBS_COPY_WAIT = { timeoutMs: 240 * MINUTE, intervalMs: 30_000 };
const SET_TAG = "btp-aws:dr-set";

async function claims(kube: Kube): Promise<ClaimRef[]> {
  const found = await kube.list("v1", "PersistentVolumeClaim", { namespace: DEPENDENCIES_NAMESPACE });
  return found.map((c) => ({ name: c.metadata.name, namespace: DEPENDENCIES_NAMESPACE }));
}

/** Applies the set's VolumeSnapshots and waits until every one is ready to use. */
async function snapshotAll(context: DrContext, kube: Kube, wanted: readonly ClaimRef[], report: Reporter): Promise<Omit<VolumeCapture, "drCopy">[]> {
  const objects = wanted.map((claim) => volumeSnapshot(context.options.setId, claim));
  for (const object of objects) await kube.apply(object);
  const ready = await waitFor<SnapshotProgress[]>({
    what: `${objects.length} VolumeSnapshot(s) in ${DEPENDENCIES_NAMESPACE} to be ready to use`,
    observe: async () => {
      const seen = await Promise.all(objects.map((o) => snapshotProgress(kube, DEPENDENCIES_NAMESPACE, o.metadata.name)));
      const failed = seen.find((s) => s.state === "failed");
      if (failed?.state === "failed") return { state: "failed", status: `VolumeSnapshot ${failed.name} failed`, reason: failed.reason };
      const pending = seen.filter((s) => s.state === "pending");
      if (pending.length > 0) return { state: "pending", status: `${seen.length - pending.length}/${seen.length} ready; ${pending[0]!.name}: ${pending[0]!.state === "pending" ? pending[0]!.why : ""}` };
      return { state: "ready", value: seen, status: "ready" };
    },
    ...VOLUME_SNAPSHOT_WAIT,
    settings: context.services.wait,
    onStatus: (text) => report.status(text),
    signal: context.signal,
    hint: `\`kubectl -n ${DEPENDENCIES_NAMESPACE} describe volumesnapshot\` shows why (the snapshot-controller add-on and VolumeSnapshotClass ${VOLUME_SNAPSHOT_CLASS} must exist: \`btp-aws install --from addons\`); run the same dr-snapshot with --id ${context.options.setId} to keep waiting`,
  });
  const captured: Omit<VolumeCapture, "drCopy">[] = [];
  for (const [i, progress] of ready.entries()) {
    if (progress.state !== "ready") continue;
    const handle = await snapshotHandle(kube, progress.content);
    if (!handle) throw new BtpAwsError(`VolumeSnapshotContent ${progress.content} is ready but names no snapshotHandle`, { hint: `\`kubectl get volumesnapshotcontent ${progress.content} -o yaml\` shows it; run the same dr-snapshot with --id ${context.options.setId} again` });
    captured.push({ name: progress.name, namespace: DEPENDENCIES_NAMESPACE, pvc: wanted[i]!.name, restoreSize: progress.restoreSize, content: progress.content, snapshotHandle: handle });
  }
  return captured;
}

/** The EBS snapshot's copy in the DR region: found again by its tags, else made; then waited for. */
export async function copyToDr(context: DrContext, sourceId: string, report: Reporter): Promise<{ snapshotId: string; region: string; kmsKeyId: string }> {
  const { region, drRegion } = context.target;
  const ec2 = await context.services.aws.ec2(drRegion);
  const setTag = { key: SET_TAG, value: context.options.setId };
  const earlier = await call(context, drRegion, `look for the copy of ${sourceId} (ec2:DescribeSnapshots)`, () => findEbsCopy(ec2, setTag, sourceId));
  let copyId = earlier?.id;
  if (copyId === undefined) {
    report.status(`copying EBS snapshot ${sourceId} to ${drRegion}`);
    copyId = await call(context, drRegion, `copy EBS snapshot ${sourceId} to ${drRegion} (ec2:CopySnapshot, kms:CreateGrant on the DR key)`, () =>
      copyEbsSnapshot(ec2, { sourceRegion: region, sourceId, kmsKeyId: keyArn(context), description: `btp-aws dr-snapshot ${context.options.setId} of ${sourceId}`, tags: drTags(context, { [SET_TAG]: context.options.setId, [SOURCE_SNAPSHOT_TAG]: sourceId }) }));
  }
  const id = copyId;
  const done = await waitFor<EbsSnapshot>({
    what: `EBS snapshot copy ${id} in ${drRegion} to complete`,
    observe: async () => {
      const seen = await call(context, drRegion, `read EBS snapshot ${id} (ec2:DescribeSnapshots)`, () => describeEbsSnapshot(ec2, id));
      if (!seen) return { state: "failed", status: "gone", reason: "the copy was deleted while dr-snapshot waited for it" };
      if (seen.state === "completed") return { state: "ready", value: seen, status: seen.state };
      if (seen.state === "error") return { state: "failed", status: seen.state, reason: seen.stateMessage ?? "EC2 reports the copy failed" };
      return { state: "pending", status: `${seen.state}${seen.progress ? ` ${seen.progress}` : ""}` };
    },
    ...EBS_COPY_WAIT,
    settings: context.services.wait,
    onStatus: (text) => report.status(text),
    signal: context.signal,
    hint: `EC2 may still finish: run the same dr-snapshot with --id ${context.options.setId} to keep waiting`,
  });
  return { snapshotId: done.id, region: drRegion, kmsKeyId: done.kmsKeyId ?? keyArn(context) };
}

async function skip(context: DrContext, report: Reporter, reason: string): Promise<void> {
  await recordSkipped(context, "volumes", reason);
  report.skip(reason);
}

export const volumesStage: Stage<DrContext> = {
  id: "dr/volumes",
  title: "In-cluster volumes: CSI VolumeSnapshots, copied to the DR region",
  phase: "addons",
  async survey(context) {
    if (context.target.modes && !anyInCluster(context.target.modes)) return [{ resource: "in-cluster volumes: none (no dependency is in-cluster)" }];
    const reach = await context.services.cluster();
    if (reach.state === "absent") return [{ resource: `in-cluster volumes: none (${reach.reason})` }];
    const found = await claims(reach.handles.kube);
    if (found.length === 0) return [{ resource: `in-cluster volumes: none (no volume claim in ${DEPENDENCIES_NAMESPACE})` }];
    return found.map((c) => ({ resource: `VolumeSnapshot of ${c.namespace}/${c.name} (class ${VOLUME_SNAPSHOT_CLASS}); its EBS snapshot copied to ${context.target.drRegion}` }));
  },
  async run(context, report) {
    const done = context.manifest.volumes;
    if (done && !isSkipped(done) && done.volumes.every((v) => v.drCopy !== undefined)) return report.skip(`the ${done.volumes.length} volume snapshot(s) were taken and copied earlier in this set`);
    if (context.target.modes && !anyInCluster(context.target.modes)) return skip(context, report, "no dependency is in-cluster");
    const reach = await context.services.cluster();
    if (reach.state === "absent") return skip(context, report, reach.reason);
    const started = Date.now();
    const found = await claims(reach.handles.kube);
    if (found.length === 0) return skip(context, report, `no volume claim in namespace ${DEPENDENCIES_NAMESPACE}`);
    report.status(`snapshotting ${found.length} volume(s)`);
    const captured = await snapshotAll(context, reach.handles.kube, found, report);
    const { region, drRegion } = context.target;
    const part = {
      namespace: DEPENDENCIES_NAMESPACE,
      volumeSnapshotClass: VOLUME_SNAPSHOT_CLASS,
      snapshotRegion: region,
      note: `the EBS snapshots behind the VolumeSnapshots stay in ${region}; drCopy is each one's copy in ${drRegion}, encrypted with the DR key`,
      volumes: captured.map((c) => ({ ...c, drCopy: undefined as VolumeCapture["drCopy"] })),
      durationMs: 0,
    };
    context.manifest.volumes = part;
    // Saved before the copies: a resumed run knows the snapshots, and copies only what is missing.
    await checkpoint(context);
    for (const volume of part.volumes) volume.drCopy = await copyToDr(context, volume.snapshotHandle, report);
    part.durationMs = Date.now() - started;
    await checkpoint(context);
    report.info(`${part.volumes.length} volume snapshot(s) of ${DEPENDENCIES_NAMESPACE} (${part.volumes.map((v) => `${v.pvc} → ${v.snapshotHandle}`).join(", ")}), copied to ${drRegion}`);
  },
};
