/**
 * destroy/btp-release: the SettleMint platform release goes first, so nothing keeps creating
 * Ingresses, volumes or workloads while the rest is taken down.
 */
import type { Reporter } from "../../plan/types.js";
import { deleting } from "./context.js";
import { BTP_RELEASE, UNINSTALL_TIMEOUT_SECONDS, type ReleaseRef } from "./releases.js";
import type { ClusterHandles, DestroyContext, Stage } from "./types.js";

export async function surveyReleases(handles: ClusterHandles, releases: readonly ReleaseRef[]): Promise<string[]> {
  const lines: string[] = [];
  for (const release of releases) {
    const status = await handles.helm.status(release.name, release.namespace);
    if (status) lines.push(`helm release ${release.name} in namespace ${release.namespace} (${status.status}, revision ${status.revision})`);
  }
  return lines;
}

export async function uninstallRelease(handles: ClusterHandles, release: ReleaseRef, report: Reporter): Promise<boolean> {
  report.status(`helm uninstall ${release.name} -n ${release.namespace}`);
  const outcome = await handles.helm.uninstall(release.name, release.namespace, UNINSTALL_TIMEOUT_SECONDS);
  if (outcome === "uninstalled") report.info(`uninstalled helm release ${release.name} from namespace ${release.namespace}`);
  return outcome === "uninstalled";
}

export const btpReleaseStage: Stage = {
  id: "destroy/btp-release",
  title: "Uninstall the BTP release",
  phase: "btp",
  async survey(context: DestroyContext) {
    const reach = await context.services.cluster();
    return reach.state === "reachable" ? deleting(await surveyReleases(reach.handles, [BTP_RELEASE])) : [];
  },
  async run(context, report) {
    const reach = await context.services.cluster();
    if (reach.state === "absent") return report.skip(reach.reason);
    if (!(await uninstallRelease(reach.handles, BTP_RELEASE, report))) report.skip(`no helm release ${BTP_RELEASE.name} in namespace ${BTP_RELEASE.namespace}`);
  },
};
