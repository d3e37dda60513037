/**
 * CSI VolumeSnapshots (snapshot.storage.k8s.io/v1) of the in-cluster dependencies' volumes: one
 * per PersistentVolumeClaim in their namespace, named after the set so a resumed run applies the
 * same objects again, labelled so prune and destroy find them. The snapshot controller binds each
 * to a VolumeSnapshotContent whose snapshotHandle is the EBS snapshot id.
 */
import type { Kube, KubeObject } from "../../k8s/kube.js";
import { SNAPSHOT_API, VOLUME_SNAPSHOT_CLASS } from "../../phases/addons/volume-snapshot-class.js";

export const SET_LABEL = "btp-aws/dr-set";
export const PVC_LABEL = "btp-aws/pvc";

export interface ClaimRef {
  name: string;
  namespace: string;
}

/** A DNS subdomain (≤ 253): the set id and claim name are both DNS labels already. */
export function volumeSnapshotName(setId: string, claim: string): string {
  return `dr-${setId}-${claim}`.slice(0, 253).replace(/[-.]+$/, "");
}

export function volumeSnapshot(setId: string, claim: ClaimRef): KubeObject {
  return {
    apiVersion: SNAPSHOT_API,
    kind: "VolumeSnapshot",
    metadata: {
      name: volumeSnapshotName(setId, claim.name),
      namespace: claim.namespace,
      labels: { "app.kubernetes.io/managed-by": "btp-aws", [SET_LABEL]: setId, [PVC_LABEL]: claim.name },
    },
    spec: { volumeSnapshotClassName: VOLUME_SNAPSHOT_CLASS, source: { persistentVolumeClaimName: claim.name } },
  };
}

interface SnapshotStatus {
  readyToUse?: boolean;
  boundVolumeSnapshotContentName?: string;
  restoreSize?: string;
  error?: { message?: string };
}

export type SnapshotProgress =
  | { state: "ready"; name: string; content: string; restoreSize: string | undefined }
  | { state: "pending"; name: string; why: string }
  | { state: "failed"; name: string; reason: string };

/** Where one VolumeSnapshot stands, as its status (written by the snapshot controller) says. */
export async function snapshotProgress(kube: Kube, namespace: string, name: string): Promise<SnapshotProgress> {
  const found = await kube.get(SNAPSHOT_API, "VolumeSnapshot", name, namespace);
  if (!found) return { state: "failed", name, reason: "the VolumeSnapshot was deleted while dr-snapshot waited for it" };
  const status = (found.status ?? {}) as SnapshotStatus;
  if (status.error?.message) return { state: "failed", name, reason: status.error.message };
  if (status.readyToUse === true && status.boundVolumeSnapshotContentName) return { state: "ready", name, content: status.boundVolumeSnapshotContentName, restoreSize: status.restoreSize };
  return { state: "pending", name, why: status.boundVolumeSnapshotContentName ? "not ready to use yet" : "no VolumeSnapshotContent bound yet" };
}

/** The EBS snapshot id behind a VolumeSnapshotContent (its status.snapshotHandle). */
export async function snapshotHandle(kube: Kube, content: string): Promise<string | undefined> {
  const found = await kube.get(SNAPSHOT_API, "VolumeSnapshotContent", content);
  const handle = (found?.status as { snapshotHandle?: string } | undefined)?.snapshotHandle;
  return handle && handle !== "" ? handle : undefined;
}

/** The VolumeSnapshots of one set (or of every set), across the given namespace. */
export async function setSnapshots(kube: Kube, namespace: string, setId?: string): Promise<KubeObject[]> {
  return kube.list(SNAPSHOT_API, "VolumeSnapshot", { namespace, labelSelector: setId ? `${SET_LABEL}=${setId}` : SET_LABEL });
}
