/**
 * addons/storage-class: a gp3 StorageClass (EBS CSI driver, encrypted with the platform key,
 * bound where the pod lands, expandable) made the cluster default; EKS's gp2 default is unset so
 * exactly one default remains (with two, Kubernetes picks the newest — not a rule to rely on).
 */
import { describeObject, type Kube, type KubeObject } from "../../k8s/kube.js";
import { stringOutput } from "../../plan/outputs.js";
import type { Step } from "../../plan/types.js";
import { clusterTarget, type KubernetesServices } from "../cluster/services.js";

export const STORAGE_CLASS = "gp3";
export const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
const API = "storage.k8s.io/v1";

export function gp3StorageClass(kmsKeyArn: string): KubeObject {
  return {
    apiVersion: API,
    kind: "StorageClass",
    metadata: { name: STORAGE_CLASS, annotations: { [DEFAULT_CLASS_ANNOTATION]: "true" }, labels: { "app.kubernetes.io/managed-by": "btp-aws" } },
    provisioner: "ebs.csi.aws.com",
    parameters: { type: "gp3", encrypted: "true", kmsKeyId: kmsKeyArn, "csi.storage.k8s.io/fstype": "ext4" },
    reclaimPolicy: "Delete",
    volumeBindingMode: "WaitForFirstConsumer",
    allowVolumeExpansion: true,
  };
}

/** The API server returns maps with sorted keys: compare entries, not serialisations. */
function sameStringMap(a: unknown, b: unknown): boolean {
  const entries = (m: unknown) => Object.entries((m ?? {}) as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`).sort().join("\n");
  return entries(a) === entries(b);
}

/** Every other class marked default: the annotation is set to "false", never the class deleted. */
async function unsetOtherDefaults(kube: Kube): Promise<string[]> {
  const others = (await kube.list(API, "StorageClass")).filter((c) => c.metadata.name !== STORAGE_CLASS && c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true");
  for (const other of others) {
    // Applying only the annotation takes ownership of that one field; the class stays as EKS made it.
    await kube.apply({ apiVersion: API, kind: "StorageClass", metadata: { name: other.metadata.name, annotations: { [DEFAULT_CLASS_ANNOTATION]: "false" } } });
  }
  return others.map((c) => c.metadata.name);
}

export const storageClassStep: Step<KubernetesServices> = {
  id: "addons/storage-class",
  title: "Default gp3 StorageClass",
  phase: "addons",
  needs: ["infra/eks-addons", "infra/kms"],
  describe: (config) => [`gp3 StorageClass, encrypted with alias/btp-${config.platform}, WaitForFirstConsumer, expansion on; old default unset`],
  async run(context, report) {
    const kube = await context.services.cluster.kube(clusterTarget(context));
    const keyArn = stringOutput(context.outputs, "infra/kms", "keyArn");
    const wanted = gp3StorageClass(keyArn);
    const existing = await kube.get(API, "StorageClass", STORAGE_CLASS);
    const sameParameters = existing === undefined || sameStringMap(existing.parameters, wanted.parameters);
    if (!sameParameters) {
      // Parameters are immutable. Ours is recreated (existing volumes keep working: a class only
      // provisions); someone else's is left alone and reported.
      if (existing.metadata.labels?.["app.kubernetes.io/managed-by"] !== "btp-aws") {
        report.warn(`${describeObject("StorageClass", STORAGE_CLASS)} exists with other parameters and was not made by btp-aws: kept; new volumes may not be encrypted with the platform key`);
      } else {
        await kube.delete(API, "StorageClass", STORAGE_CLASS);
        report.info(`recreating StorageClass ${STORAGE_CLASS}: its parameters differ and cannot be changed in place`);
      }
    }
    if (sameParameters || existing.metadata.labels?.["app.kubernetes.io/managed-by"] === "btp-aws") {
      const result = await kube.apply(wanted);
      if (result === "unchanged") report.skip(`StorageClass ${STORAGE_CLASS} already the encrypted default`);
      else report.info(`${result} StorageClass ${STORAGE_CLASS} (gp3, encrypted with ${keyArn})`);
    }
    const unset = await unsetOtherDefaults(kube);
    if (unset.length > 0) report.info(`no longer default: ${unset.join(", ")}`);
    return { storageClass: STORAGE_CLASS };
  },
};
