/**
 * addons/volume-snapshot-class: the VolumeSnapshotClass dr-snapshot names when it takes CSI
 * snapshots of the in-cluster dependencies' volumes (EBS CSI driver, deletion policy Delete so
 * that pruning a VolumeSnapshot also deletes its EBS snapshot). Only when some dependency is
 * in-cluster; the snapshot controller (an EKS add-on, infra/eks-addons) serves the CRD, which may
 * take a little while after the add-on turns ACTIVE, so the apply is retried until it is served.
 */
import { waitFor } from "../../aws/wait.js";
import { errorMessage } from "../../errors.js";
import type { ApplyResult, KubeObject } from "../../k8s/kube.js";
import type { Step } from "../../plan/types.js";
import { clusterTarget, type KubernetesServices } from "../cluster/services.js";
import type { Config } from "../../config/schema.js";

export const VOLUME_SNAPSHOT_CLASS = "btp-ebs";
export const SNAPSHOT_API = "snapshot.storage.k8s.io/v1";
export const EBS_CSI_DRIVER = "ebs.csi.aws.com";
const CRD_WAIT = { timeoutMs: 300_000, intervalMs: 5_000 };

/** Whether any dependency runs in the cluster (only then are there volumes to snapshot). */
export function wantsVolumeSnapshots(config: Pick<Config, "database" | "cache" | "storage">): boolean {
  return [config.database.mode, config.cache.mode, config.storage.mode].includes("in-cluster");
}

export function volumeSnapshotClass(platform: string): KubeObject {
  return {
    apiVersion: SNAPSHOT_API,
    kind: "VolumeSnapshotClass",
    metadata: { name: VOLUME_SNAPSHOT_CLASS, labels: { "app.kubernetes.io/managed-by": "btp-aws" } },
    driver: EBS_CSI_DRIVER,
    deletionPolicy: "Delete",
    // The driver tags each EBS snapshot with these, so destroy's tag sweep can tell them apart.
    parameters: { tagSpecification_1: `btp-aws:platform=${platform}`, tagSpecification_2: "btp-aws:managed-by=btp-aws" },
  };
}

/** The adapter's "not served" error (src/k8s/kube-errors.ts notServed): the CRD is not there yet. */
function notServedYet(error: unknown): boolean {
  return /does not serve VolumeSnapshotClass/.test(errorMessage(error));
}

export const volumeSnapshotClassStep: Step<KubernetesServices> = {
  id: "addons/volume-snapshot-class",
  title: "VolumeSnapshotClass for in-cluster volumes",
  phase: "addons",
  needs: ["infra/eks-addons"],
  describe: (config) => wantsVolumeSnapshots(config)
    ? [`VolumeSnapshotClass ${VOLUME_SNAPSHOT_CLASS} (driver ${EBS_CSI_DRIVER}, deletion policy Delete), once the snapshot controller serves ${SNAPSHOT_API}`]
    : ["nothing: no dependency is in-cluster, so there are no volumes to snapshot"],
  async run(context, report) {
    if (!wantsVolumeSnapshots(context.config)) {
      report.skip("no dependency is in-cluster: no VolumeSnapshotClass needed");
      return;
    }
    const kube = await context.services.cluster.kube(clusterTarget(context));
    const wanted = volumeSnapshotClass(context.config.platform);
    const result = await waitFor<ApplyResult>({
      what: `the snapshot controller's CRDs to serve VolumeSnapshotClass (${SNAPSHOT_API})`,
      observe: async () => {
        try {
          return { state: "ready", value: await kube.apply(wanted), status: "applied" };
        } catch (error) {
          if (!notServedYet(error)) throw error;
          return { state: "pending", status: `${SNAPSHOT_API} not served yet` };
        }
      },
      ...CRD_WAIT,
      settings: context.services.wait,
      onStatus: (text) => report.status(text),
      signal: context.signal,
      hint: "the EKS add-on snapshot-controller installs the CRDs: `aws eks describe-addon --addon-name snapshot-controller --cluster-name <cluster>`; then run `btp-aws install --from addons`",
    });
    if (result === "unchanged") report.skip(`VolumeSnapshotClass ${VOLUME_SNAPSHOT_CLASS} already configured`);
    else report.info(`${result} VolumeSnapshotClass ${VOLUME_SNAPSHOT_CLASS} (driver ${EBS_CSI_DRIVER})`);
    return { volumeSnapshotClass: VOLUME_SNAPSHOT_CLASS };
  },
};
