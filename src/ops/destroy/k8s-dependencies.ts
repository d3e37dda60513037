/**
 * destroy/dependency-releases: the in-cluster PostgreSQL, Redis and MinIO releases are uninstalled
 * once the platform no longer uses them. Their data is not: the volume claims (and dr-snapshot's
 * VolumeSnapshots) in their namespace are deleted only with --delete-data; otherwise they are kept
 * and listed with the command that deletes them. An external endpoint is never touched: it is not
 * a release, and nothing here looks outside the cluster.
 */
import { DEPENDENCIES_NAMESPACE } from "../../phases/dependencies/names.js";
import { SNAPSHOT_API } from "../../phases/addons/volume-snapshot-class.js";
import type { KubeObject } from "../../k8s/kube.js";
import { IN_CLUSTER_RELEASES, DEPENDENCIES } from "../doctor/dependency-modes.js";
import { count } from "./context.js";
import { surveyReleases, uninstallRelease } from "./k8s-release.js";
import type { ReleaseRef } from "./releases.js";
import type { ClusterHandles, DestroyContext, Kept, Stage, SurveyItem } from "./types.js";

export const DEPENDENCY_RELEASES: readonly ReleaseRef[] = DEPENDENCIES.map((d) => ({ name: IN_CLUSTER_RELEASES[d].release, namespace: IN_CLUSTER_RELEASES[d].namespace }));

export const KEPT_CLAIM_REASON = `kept without --delete-data: delete it with \`kubectl -n ${DEPENDENCIES_NAMESPACE} delete pvc --all\` before destroy (the EBS CSI driver then deletes its volume), or \`aws ec2 delete-volume\` after`;
export const KEPT_SNAPSHOT_REASON = `kept without --delete-data: delete it with \`kubectl -n ${DEPENDENCIES_NAMESPACE} delete volumesnapshot --all\` before destroy (its EBS snapshot goes with it), or \`aws ec2 delete-snapshot\` after`;

interface DataObjects {
  claims: KubeObject[];
  snapshots: KubeObject[];
}

async function dataObjects(handles: ClusterHandles): Promise<DataObjects> {
  const [claims, snapshots] = await Promise.all([
    handles.kube.list("v1", "PersistentVolumeClaim", { namespace: DEPENDENCIES_NAMESPACE }),
    handles.kube.list(SNAPSHOT_API, "VolumeSnapshot", { namespace: DEPENDENCIES_NAMESPACE }),
  ]);
  return { claims, snapshots };
}

function dataItems(data: DataObjects, deleteData: boolean): SurveyItem[] {
  const claims = data.claims.map((c) => ({ resource: `PersistentVolumeClaim ${DEPENDENCIES_NAMESPACE}/${c.metadata.name} and its EBS volume`, reason: KEPT_CLAIM_REASON }));
  const snapshots = data.snapshots.map((s) => ({ resource: `VolumeSnapshot ${DEPENDENCIES_NAMESPACE}/${s.metadata.name} and its EBS snapshot`, reason: KEPT_SNAPSHOT_REASON }));
  return [...claims, ...snapshots].map((item) => (deleteData ? { resource: item.resource } : { resource: item.resource, kept: item.reason }));
}

export const dependencyReleasesStage: Stage = {
  id: "destroy/dependency-releases",
  title: "Uninstall the in-cluster PostgreSQL, Redis and MinIO",
  phase: "addons",
  async survey(context: DestroyContext) {
    const reach = await context.services.cluster();
    if (reach.state === "absent") return [];
    const releases = (await surveyReleases(reach.handles, DEPENDENCY_RELEASES)).map((resource) => ({ resource }));
    return [...releases, ...dataItems(await dataObjects(reach.handles), context.options.deleteData)];
  },
  async run(context, report) {
    const reach = await context.services.cluster();
    if (reach.state === "absent") return report.skip(reach.reason);
    let uninstalled = 0;
    for (const release of DEPENDENCY_RELEASES) if (await uninstallRelease(reach.handles, release, report)) uninstalled += 1;
    const data = await dataObjects(reach.handles);
    const { kube } = reach.handles;
    if (context.options.deleteData) {
      // Snapshots first: their class's deletion policy deletes the EBS snapshots while the controller still runs.
      for (const s of data.snapshots) await kube.delete(SNAPSHOT_API, "VolumeSnapshot", s.metadata.name, DEPENDENCIES_NAMESPACE);
      for (const c of data.claims) await kube.delete("v1", "PersistentVolumeClaim", c.metadata.name, DEPENDENCIES_NAMESPACE);
      if (data.snapshots.length + data.claims.length > 0) report.info(`deleted ${count(data.claims.length, "volume claim")} and ${count(data.snapshots.length, "VolumeSnapshot")} in ${DEPENDENCIES_NAMESPACE} (--delete-data)`);
    } else {
      const kept: Kept[] = dataItems(data, false).map((i) => ({ resource: i.resource, reason: i.kept ?? "" }));
      context.ledger.kept.push(...kept);
      if (kept.length > 0) report.warn(`kept ${count(data.claims.length, "volume claim")} and ${count(data.snapshots.length, "VolumeSnapshot")} in ${DEPENDENCIES_NAMESPACE}: pass --delete-data to delete the in-cluster data`);
    }
    if (uninstalled === 0 && data.claims.length + data.snapshots.length === 0) report.skip(`no in-cluster dependency release or data in ${DEPENDENCIES_NAMESPACE}`);
  },
};
