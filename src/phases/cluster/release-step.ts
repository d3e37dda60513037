/** The shared run of a helm release step: upgrade --install with the skip rule, reported. */
import { BtpAwsError, errorMessage } from "../../errors.js";
import type { HelmRelease, UpgradeResult } from "../../helm/release.js";
import type { Kube } from "../../k8s/kube.js";
import type { Reporter, StepContext, StepOutputs } from "../../plan/types.js";
import { clusterTarget, type KubernetesServices } from "./services.js";

/** Enough events to see why, few enough to read. */
const MAX_EVENTS = 15;

export async function releaseStep(context: StepContext<KubernetesServices>, report: Reporter, release: HelmRelease): Promise<StepOutputs> {
  const target = clusterTarget(context);
  const helm = await context.services.cluster.helm(target);
  report.status(`helm upgrade --install ${release.name} (${release.chart}${release.version ? ` ${release.version}` : ""})`);
  let result: UpgradeResult;
  try {
    result = await helm.upgradeInstall(release);
  } catch (error) {
    throw await withWarningEvents(error, await context.services.cluster.kube(target), release.namespace);
  }
  if (result.action === "skipped") report.skip(result.reason ?? `release ${release.name} already deployed with these values`);
  else report.info(`${result.action} release ${release.name} in namespace ${release.namespace}: revision ${result.revision}`);
  return { release: release.name, namespace: release.namespace, chartVersion: release.version ?? "", revision: result.revision };
}

/**
 * helm says "context deadline exceeded"; the events say which pod could not pull its image or be
 * scheduled. The failing release's warnings are appended to helm's own error.
 */
export async function withWarningEvents(error: unknown, kube: Kube, namespace: string): Promise<unknown> {
  if (!(error instanceof BtpAwsError)) return error;
  let lines: string[];
  try {
    const warnings = (await kube.events(namespace)).filter((e) => e.type === "Warning").slice(-MAX_EVENTS);
    lines = warnings.map((e) => `  ${e.involvedObject}: ${e.reason}: ${e.message}`);
  } catch (eventsError) {
    lines = [`  (events of namespace ${namespace} could not be read: ${errorMessage(eventsError)})`];
  }
  if (lines.length === 0) return error;
  return new BtpAwsError(`${error.message}\nWarning events in namespace ${namespace}:\n${lines.join("\n")}`, { cause: error, ...(error.hint ? { hint: error.hint } : {}), exitCode: error.exitCode });
}
