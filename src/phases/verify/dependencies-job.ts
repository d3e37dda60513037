/**
 * The short-lived Job that checks one external endpoint from inside the cluster: a TCP connect
 * (busybox `nc -z`) from a pod on the platform's nodes, so it goes through the same DNS, routes,
 * security groups and NAT the platform's pods will use. The pod's output ends up in its
 * termination message (FallbackToLogsOnError), which the API returns with the pod: no log
 * streaming needed to say why a connection failed.
 */
import type { KubeObject } from "../../k8s/kube.js";
import type { ReachTarget } from "./dependencies-targets.js";

/** Docker's official busybox through ECR Public: no Docker Hub pull limits from EKS nodes. */
export const REACH_IMAGE = "public.ecr.aws/docker/library/busybox:1.37";
/** Seconds nc waits for the TCP handshake. */
export const CONNECT_TIMEOUT_SECONDS = 5;
export const CHECK_LABEL = "btp-aws/check";
export const DEPENDENCY_LABEL = "btp-aws/dependency";

// Host and port arrive as environment variables: nothing from the config is parsed by the shell.
const SCRIPT = [
  'echo "connecting to $TARGET_HOST:$TARGET_PORT"',
  `if nc -z -w ${CONNECT_TIMEOUT_SECONDS} "$TARGET_HOST" "$TARGET_PORT" 2>&1; then echo reachable; exit 0; fi`,
  `echo "no TCP connection within ${CONNECT_TIMEOUT_SECONDS} s"`,
  "exit 1",
].join("\n");

export function reachJob(name: string, namespace: string, target: ReachTarget): KubeObject {
  const labels = { "app.kubernetes.io/managed-by": "btp-aws", [CHECK_LABEL]: "reachability", [DEPENDENCY_LABEL]: target.dependency };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace, labels },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: 120,
      // Removed by the cluster even if btp-aws is killed before it deletes the Job itself.
      ttlSecondsAfterFinished: 600,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: "Never",
          automountServiceAccountToken: false,
          containers: [{
            name: "reach",
            image: REACH_IMAGE,
            command: ["sh", "-c", SCRIPT],
            env: [{ name: "TARGET_HOST", value: target.host }, { name: "TARGET_PORT", value: String(target.port) }],
            terminationMessagePolicy: "FallbackToLogsOnError",
            resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "32Mi" } },
            securityContext: { runAsNonRoot: true, runAsUser: 65534, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
          }],
        },
      },
    },
  };
}

interface Condition { type?: string; status?: string; reason?: string; message?: string }

export type JobOutcome = { state: "complete" } | { state: "failed"; reason: string } | { state: "running" };

export function jobOutcome(job: KubeObject | undefined): JobOutcome {
  const conditions = ((job?.status as { conditions?: Condition[] } | undefined)?.conditions ?? []).filter((c) => c.status === "True");
  if (conditions.some((c) => c.type === "Complete")) return { state: "complete" };
  const failed = conditions.find((c) => c.type === "Failed");
  if (failed) return { state: "failed", reason: [failed.reason, failed.message].filter(Boolean).join(": ") || "Failed" };
  return { state: "running" };
}

interface ContainerState {
  waiting?: { reason?: string; message?: string };
  terminated?: { exitCode?: number; reason?: string; message?: string };
}

/** What the Job's pod says: its output when it ran, or why it could not start (ImagePullBackOff, Pending). */
export function podReport(pods: readonly KubeObject[]): string[] {
  return pods.flatMap((pod) => {
    const status = (pod.status ?? {}) as { phase?: string; containerStatuses?: { state?: ContainerState }[]; conditions?: Condition[] };
    const state = status.containerStatuses?.[0]?.state;
    const lines = [`pod ${pod.metadata.name}: ${status.phase ?? "Unknown"}`];
    if (state?.terminated) {
      lines.push(`  exit code ${state.terminated.exitCode ?? "?"}${state.terminated.reason ? ` (${state.terminated.reason})` : ""}`);
      for (const line of (state.terminated.message ?? "").trim().split("\n").filter(Boolean)) lines.push(`  | ${line}`);
    } else if (state?.waiting) {
      lines.push(`  waiting: ${state.waiting.reason ?? ""}${state.waiting.message ? `: ${state.waiting.message}` : ""}`);
    } else {
      const unscheduled = status.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False");
      if (unscheduled) lines.push(`  not scheduled: ${unscheduled.reason ?? ""}${unscheduled.message ? `: ${unscheduled.message}` : ""}`);
    }
    return lines;
  });
}
