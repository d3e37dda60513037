/**
 * verify/dependencies: every dependency in external mode (database, cache, object storage) is
 * reachable from inside the cluster. One short-lived Job per endpoint in the dependencies
 * namespace tries a TCP connection; the step waits for each to complete or fail, reports the
 * pod's own output when one fails, and deletes the Jobs either way. Nothing to do, and no
 * cluster call, when no dependency is external.
 */
import { randomBytes } from "node:crypto";
import { waitFor } from "../../aws/wait.js";
import { BtpAwsError } from "../../errors.js";
import type { Kube } from "../../k8s/kube.js";
import type { Reporter, Step, StepContext } from "../../plan/types.js";
import { clusterTarget, type KubernetesServices } from "../cluster/services.js";
import { dependenciesNamespace } from "../dependencies/credentials.js";
import { DEPENDENCIES_NAMESPACE } from "../dependencies/names.js";
import { CHECK_LABEL, DEPENDENCY_LABEL, jobOutcome, podReport, reachJob, type JobOutcome } from "./dependencies-job.js";
import { reachTargets, type ReachTarget } from "./dependencies-targets.js";

/** Scheduling, an image pull and a 5 s connect: a minute is normal, three is a problem. */
const TIMEOUT_MS = 180_000;
const POLL_MS = 2_000;

async function removeLeftovers(kube: Kube, target: ReachTarget): Promise<void> {
  const selector = `${CHECK_LABEL}=reachability,${DEPENDENCY_LABEL}=${target.dependency}`;
  for (const job of await kube.list("batch/v1", "Job", { namespace: DEPENDENCIES_NAMESPACE, labelSelector: selector })) {
    await kube.delete("batch/v1", "Job", job.metadata.name, DEPENDENCIES_NAMESPACE);
  }
}

async function podLines(kube: Kube, job: string): Promise<string[]> {
  const pods = await kube.list("v1", "Pod", { namespace: DEPENDENCIES_NAMESPACE, labelSelector: `job-name=${job}` }).catch(() => []);
  return pods.length === 0 ? ["no pod was created (see `kubectl -n btp-dependencies describe job`)"] : podReport(pods);
}

/** undefined when reachable; otherwise the lines that say why not. */
async function check(kube: Kube, target: ReachTarget, context: StepContext<KubernetesServices>, report: Reporter): Promise<string[] | undefined> {
  await removeLeftovers(kube, target);
  // A fresh name per run: a Job's pod template cannot be changed, and an old Job may still be going away.
  const name = `reach-${target.dependency}-${randomBytes(3).toString("hex")}`;
  await kube.apply(reachJob(name, DEPENDENCIES_NAMESPACE, target));
  try {
    const outcome = await waitFor<JobOutcome>({
      what: `the connection check to ${target.label}`,
      observe: async () => {
        const seen = jobOutcome(await kube.get("batch/v1", "Job", name, DEPENDENCIES_NAMESPACE));
        return seen.state === "running" ? { state: "pending", status: `checking ${target.label}` } : { state: "ready", value: seen, status: seen.state };
      },
      timeoutMs: TIMEOUT_MS,
      intervalMs: POLL_MS,
      settings: context.services.wait,
      onStatus: (text) => report.status(text),
      signal: context.signal,
    });
    if (outcome.state === "complete") return undefined;
    return [`${target.label}: not reachable from the cluster (Job ${name}: ${outcome.state === "failed" ? outcome.reason : outcome.state})`, ...(await podLines(kube, name))];
  } catch (error) {
    if (!(error instanceof BtpAwsError) || context.signal.aborted) throw error;
    return [`${target.label}: ${error.message}`, ...(await podLines(kube, name))];
  } finally {
    await kube.delete("batch/v1", "Job", name, DEPENDENCIES_NAMESPACE).catch(() => false);
  }
}

export const dependenciesStep: Step<KubernetesServices> = {
  id: "verify/dependencies",
  title: "External dependencies reachable",
  phase: "verify",
  needs: ["infra/eks-addons", "infra/nodegroup"],
  describe: (config) => {
    const targets = reachTargets(config);
    if (targets.length === 0) return ["no dependency in external mode: nothing to check"];
    return [`from a pod in ${DEPENDENCIES_NAMESPACE}, a TCP connection to ${targets.map((t) => t.label).join(", ")}`];
  },
  async run(context, report) {
    const targets = reachTargets(context.config);
    if (targets.length === 0) {
      report.skip("no dependency in external mode: nothing to check");
      return { checked: [] };
    }
    const kube = await context.services.cluster.kube(clusterTarget(context));
    await kube.apply(dependenciesNamespace(context.config.platform));
    const results = await Promise.all(targets.map((target) => check(kube, target, context, report)));
    const failures = results.filter((r): r is string[] => r !== undefined);
    for (const [i, target] of targets.entries()) if (results[i] === undefined) report.info(`${target.label} reachable from the cluster`);
    if (failures.length > 0) {
      throw new BtpAwsError(`${failures.length} of ${targets.length} external dependencies cannot be reached from the cluster:\n${failures.flat().join("\n")}`, {
        hint: "check the endpoint's DNS name and port, and that its security group, network ACLs or firewall accept connections from the cluster's nodes and NAT addresses; then run `btp-aws install --from verify`",
      });
    }
    return { checked: targets.map((t) => t.label) };
  },
};
