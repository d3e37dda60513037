/**
 * destroy/cluster-addons: Vault and cert-manager are uninstalled, then every PersistentVolumeClaim
 * (but the in-cluster dependencies', which destroy/dependency-releases keeps or deletes)
 * is deleted while the EBS CSI driver still runs, so it deletes the EBS volumes behind them
 * (Vault's raft data among them: a cluster's deletion would leave them behind, billed). The load
 * balancer controller goes last: until the previous stage it had load balancers to clean up.
 */
import { waitFor } from "../../aws/wait.js";
import type { KubeObject } from "../../k8s/kube.js";
import { DEPENDENCIES_NAMESPACE } from "../../phases/dependencies/names.js";
import type { Reporter } from "../../plan/types.js";
import { count, deleting } from "./context.js";
import { surveyReleases, uninstallRelease } from "./k8s-release.js";
import { ADDON_RELEASES, CERT_MANAGER_RELEASE, CONTROLLER_RELEASE, VAULT_RELEASE } from "./releases.js";
import type { ClusterHandles, DestroyContext, Stage } from "./types.js";

const EBS_CSI_DRIVER = "ebs.csi.aws.com";
/** The driver deletes a volume within seconds of its claim; minutes mean it is not running. */
const VOLUMES_WAIT = { timeoutMs: 5 * 60_000, intervalMs: 10_000 };

/** The in-cluster dependencies' volumes are destroy/dependency-releases' to delete or keep (--delete-data). */
const notDependencyData = (object: KubeObject) => object.metadata.namespace !== DEPENDENCIES_NAMESPACE;

async function ebsVolumesLeft(handles: ClusterHandles, deleteData: boolean): Promise<string[]> {
  const volumes = await handles.kube.list("v1", "PersistentVolume");
  return volumes.filter((v) => {
    const spec = v.spec as { csi?: { driver?: string }; claimRef?: { namespace?: string } } | undefined;
    return spec?.csi?.driver === EBS_CSI_DRIVER && (deleteData || spec.claimRef?.namespace !== DEPENDENCIES_NAMESPACE);
  }).map((v) => v.metadata.name);
}

async function claimsToDelete(handles: ClusterHandles): Promise<KubeObject[]> {
  return (await handles.kube.list("v1", "PersistentVolumeClaim")).filter(notDependencyData);
}

async function deleteClaims(handles: ClusterHandles, report: Reporter, context: DestroyContext): Promise<void> {
  const claims = await claimsToDelete(handles);
  for (const claim of claims) await handles.kube.delete("v1", "PersistentVolumeClaim", claim.metadata.name, claim.metadata.namespace);
  if (claims.length > 0) report.info(`deleted ${count(claims.length, "PersistentVolumeClaim")}: ${claims.map((c) => `${c.metadata.namespace ?? ""}/${c.metadata.name}`).join(", ")}`);
  const { deleteData } = context.options;
  if ((await ebsVolumesLeft(handles, deleteData)).length === 0) return;
  try {
    await waitFor({
      what: "the EBS CSI driver to delete the platform's volumes",
      observe: async () => {
        const left = await ebsVolumesLeft(handles, deleteData);
        return left.length === 0 ? { state: "ready", value: undefined, status: "gone" } : { state: "pending", status: `${count(left.length, "EBS volume")} left: ${left.join(", ")}` };
      },
      ...VOLUMES_WAIT,
      settings: context.services.wait,
      onStatus: (text) => report.status(text),
      signal: context.signal,
    });
  } catch (error) {
    if (context.signal.aborted) throw error;
    // Not fatal: destroy/cluster deletes the cluster's leftover volumes from the EC2 side.
    report.warn(`EBS volumes are still bound (${(await ebsVolumesLeft(handles, deleteData)).join(", ")}): they are deleted after the cluster`);
  }
}

export const clusterAddonsStage: Stage = {
  id: "destroy/cluster-addons",
  title: "Uninstall Vault, cert-manager and the load balancer controller",
  phase: "addons",
  async survey(context) {
    const reach = await context.services.cluster();
    if (reach.state === "absent") return [];
    const claims = await claimsToDelete(reach.handles);
    return deleting([...(await surveyReleases(reach.handles, ADDON_RELEASES)), ...claims.map((c) => `PersistentVolumeClaim ${c.metadata.namespace ?? ""}/${c.metadata.name} and its EBS volume`)]);
  },
  async run(context, report) {
    const reach = await context.services.cluster();
    if (reach.state === "absent") return report.skip(reach.reason);
    let uninstalled = 0;
    for (const release of [VAULT_RELEASE, CERT_MANAGER_RELEASE]) if (await uninstallRelease(reach.handles, release, report)) uninstalled += 1;
    const claimsBefore = (await claimsToDelete(reach.handles)).length;
    await deleteClaims(reach.handles, report, context);
    if (await uninstallRelease(reach.handles, CONTROLLER_RELEASE, report)) uninstalled += 1;
    if (uninstalled === 0 && claimsBefore === 0) report.skip(`no ${ADDON_RELEASES.map((r) => r.name).join(", ")} release and no volume claim is left`);
  },
};
