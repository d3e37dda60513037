/**
 * verify/workloads: every Deployment and StatefulSet of the platform, Vault and cert-manager is
 * available. Polled, because a fresh release's pods take minutes (images, volumes, Vault's
 * unseal). On timeout the error lists each workload that is not ready, with its conditions and
 * the warning events of its pods: ImagePullBackOff, FailedScheduling, probe failures.
 */
import { waitFor } from "../../aws/wait.js";
import { BtpAwsError } from "../../errors.js";
import type { Kube, KubeObject } from "../../k8s/kube.js";
import type { Step } from "../../plan/types.js";
import { clusterTarget, type KubernetesServices } from "../cluster/services.js";

/** The platform, Vault and cert-manager, as the btp, vault and cert-manager phases install them. */
export const WORKLOAD_NAMESPACES = ["settlemint", "vault", "cert-manager"] as const;

const WORKLOAD_KINDS = ["Deployment", "StatefulSet"] as const;
const TIMEOUT_MS = 15 * 60_000;
const POLL_MS = 10_000;
const EVENTS_PER_WORKLOAD = 5;

export interface WorkloadState {
  kind: string;
  namespace: string;
  name: string;
  desired: number;
  ready: number;
  /** Conditions that say why not (Available=False, Progressing=False), when not ready. */
  conditions: string[];
}

interface WorkloadStatus {
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  updatedReplicas?: number;
  observedGeneration?: number;
  conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
}

/** Ready means every desired replica available (Deployment) or ready (StatefulSet), on the current spec. */
export function workloadState(object: KubeObject): WorkloadState {
  const spec = (object.spec ?? {}) as { replicas?: number };
  const status = (object.status ?? {}) as WorkloadStatus;
  const desired = spec.replicas ?? 1;
  const current = (status.observedGeneration ?? 0) >= ((object.metadata.generation as number | undefined) ?? 0);
  const counted = object.kind === "Deployment" ? Math.min(status.availableReplicas ?? 0, status.updatedReplicas ?? 0) : (status.readyReplicas ?? 0);
  const ready = current ? counted : 0;
  const conditions = (status.conditions ?? [])
    .filter((c) => c.status === "False" && (c.type === "Available" || c.type === "Progressing" || c.type === "ReplicaFailure"))
    .map((c) => `${c.type}=False${c.reason ? ` (${c.reason})` : ""}${c.message ? `: ${c.message}` : ""}`);
  return { kind: object.kind, namespace: object.metadata.namespace ?? "", name: object.metadata.name, desired, ready, conditions };
}

export const isReady = (w: WorkloadState): boolean => w.ready >= w.desired;
const describe = (w: WorkloadState): string => `${w.kind} ${w.namespace}/${w.name}`;

interface Survey {
  workloads: WorkloadState[];
  /** Namespaces with no workload at all: the release that fills them did not run or was removed. */
  empty: string[];
}

async function survey(kube: Kube): Promise<Survey> {
  const workloads: WorkloadState[] = [];
  const empty: string[] = [];
  for (const namespace of WORKLOAD_NAMESPACES) {
    const found = (await Promise.all(WORKLOAD_KINDS.map((kind) => kube.list("apps/v1", kind, { namespace })))).flat();
    if (found.length === 0) empty.push(namespace);
    workloads.push(...found.map(workloadState));
  }
  return { workloads, empty };
}

function statusLine(s: Survey): string {
  const waiting = s.workloads.filter((w) => !isReady(w));
  const parts = [`${s.workloads.length - waiting.length}/${s.workloads.length} ready`];
  if (waiting.length > 0) parts.push(`waiting for ${waiting.map((w) => `${w.namespace}/${w.name} ${w.ready}/${w.desired}`).join(", ")}`);
  if (s.empty.length > 0) parts.push(`nothing deployed in ${s.empty.join(", ")}`);
  return parts.join("; ");
}

/** One paragraph per workload that is not ready: counts, conditions, and its pods' warning events. */
export async function notReadyReport(kube: Kube, s: Survey): Promise<string[]> {
  const lines = s.empty.map((ns) => `namespace ${ns}: no Deployment or StatefulSet`);
  const events = new Map<string, Awaited<ReturnType<Kube["events"]>>>();
  for (const w of s.workloads.filter((x) => !isReady(x))) {
    lines.push(`${describe(w)}: ${w.ready}/${w.desired} ready`);
    for (const c of w.conditions) lines.push(`  ${c}`);
    if (!events.has(w.namespace)) events.set(w.namespace, await kube.events(w.namespace).catch(() => []));
    // Pods and ReplicaSets are named after their workload: <name>-<hash>-<id>, <name>-0.
    const about = (events.get(w.namespace) ?? []).filter((e) => {
      const name = e.involvedObject.slice(e.involvedObject.indexOf("/") + 1);
      return e.type === "Warning" && (name === w.name || name.startsWith(`${w.name}-`));
    });
    for (const e of about.slice(-EVENTS_PER_WORKLOAD)) lines.push(`  ${e.involvedObject}: ${e.reason}: ${e.message}`);
  }
  return lines;
}

export const workloadsStep: Step<KubernetesServices> = {
  id: "verify/workloads",
  title: "Deployments available",
  phase: "verify",
  needs: ["btp/release"],
  describe: () => ["deployments in the platform, vault and cert-manager namespaces available"],
  async run(context, report) {
    const kube = await context.services.cluster.kube(clusterTarget(context));
    let last: Survey = { workloads: [], empty: [] };
    try {
      last = await waitFor<Survey>({
        what: `the workloads in namespaces ${WORKLOAD_NAMESPACES.join(", ")} to be available`,
        observe: async () => {
          last = await survey(kube);
          const done = last.empty.length === 0 && last.workloads.every(isReady);
          return done ? { state: "ready", value: last, status: statusLine(last) } : { state: "pending", status: statusLine(last) };
        },
        timeoutMs: TIMEOUT_MS,
        intervalMs: POLL_MS,
        settings: context.services.wait,
        onStatus: (text) => report.status(text),
        signal: context.signal,
      });
    } catch (error) {
      if (!(error instanceof BtpAwsError) || context.signal.aborted) throw error;
      const details = await notReadyReport(kube, last);
      throw new BtpAwsError(`${error.message}\n${details.join("\n")}`, {
        cause: error,
        hint: "the conditions and events above say why (`kubectl -n <namespace> describe pod <pod>` shows more); fix the cause, then run `btp-aws install` again to keep waiting",
      });
    }
    report.info(`${last.workloads.length} workloads available in ${WORKLOAD_NAMESPACES.join(", ")}`);
    return { workloads: last.workloads.length };
  },
};
