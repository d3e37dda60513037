/**
 * Kubernetes checks, through the cluster's API as the installer reaches it. Helm releases are read
 * from helm's own storage (Secrets labelled owner=helm, one per revision, carrying the status as a
 * label), which is what `helm list` reads: no helm binary and no kubeconfig file needed.
 */
import { CHART_PINS } from "../../helm/charts.js";
import type { KubeObject } from "../../k8s/kube.js";
import { BTP_NAMESPACE } from "../../phases/infra/irsa-policies.js";
import { finding, outcome, type Finding } from "./findings.js";
import { vaultHealth } from "./vault-health.js";
import { fail, ok, warn, type Check, type DoctorContext } from "./types.js";

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

const conditionsOf = (object: KubeObject): Condition[] => ((object.status as { conditions?: Condition[] } | undefined)?.conditions ?? []);

/** Lists at most `limit` items, then "and N more": a broken cluster can have hundreds of pods. */
function few(items: readonly string[], limit = 5): string {
  return items.length <= limit ? items.join("; ") : `${items.slice(0, limit).join("; ")}; and ${items.length - limit} more`;
}

/** Whether the install step that creates something has completed, per the state. */
export function installed(ctx: Pick<DoctorContext, "state">, step: string): boolean {
  return ctx.state?.steps[step]?.status === "done";
}

const nodesReady: Check = {
  id: "kubernetes/nodes",
  title: "Nodes Ready",
  area: "kubernetes",
  async run(ctx) {
    const nodes = await (await ctx.kube()).list("v1", "Node");
    if (nodes.length === 0) return fail("no node has joined the cluster", "look at the node group (aws/nodegroup above): its instances cannot launch or cannot join");
    const notReady = nodes.flatMap((node) => {
      const ready = conditionsOf(node).find((c) => c.type === "Ready");
      return ready?.status === "True" ? [] : [`${node.metadata.name}: ${ready?.reason ?? "no Ready condition"}${ready?.message ? ` (${ready.message})` : ""}`];
    });
    if (notReady.length > 0) return fail(`${notReady.length} of ${nodes.length} nodes not Ready: ${few(notReady)}`, `\`kubectl describe node ${notReady[0]!.split(":")[0]!}\` shows why; EKS replaces unhealthy managed nodes`);
    return ok(`${nodes.length} nodes Ready`);
  },
};

/** Container states that will not sort themselves out. */
const STUCK_REASONS = new Set(["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError", "CreateContainerError", "InvalidImageName", "RunContainerError"]);
/** A Pending pod younger than this is probably just starting. */
const PENDING_GRACE_MS = 10 * 60_000;

interface ContainerStatus {
  name?: string;
  state?: { waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; exitCode?: number } };
}

interface PodStatus {
  phase?: string;
  reason?: string;
  message?: string;
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
}

/** Why a pod is unwell, or undefined when it is Running/Succeeded with no container stuck. */
function podProblem(pod: KubeObject, now: Date): { text: string; stuck: boolean } | undefined {
  const status = (pod.status ?? {}) as PodStatus;
  const phase = status.phase ?? "Unknown";
  const containers = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
  const waiting = containers.find((c) => c.state?.waiting?.reason)?.state?.waiting?.reason;
  const stuckContainer = waiting !== undefined && STUCK_REASONS.has(waiting);
  if ((phase === "Running" || phase === "Succeeded") && !stuckContainer) return undefined;
  const terminated = containers.find((c) => c.state?.terminated?.reason)?.state?.terminated?.reason;
  const reason = status.reason ?? waiting ?? terminated ?? (conditionsOf(pod).find((c) => c.status === "False" && c.reason)?.reason) ?? "no reason given";
  const stamp = pod.metadata.creationTimestamp;
  const created = typeof stamp === "string" ? Date.parse(stamp) : Number.NaN;
  const old = Number.isFinite(created) && now.getTime() - created > PENDING_GRACE_MS;
  const stuck = stuckContainer || phase === "Failed" || phase === "Unknown" || (phase === "Pending" && old);
  return { text: `${pod.metadata.namespace ?? ""}/${pod.metadata.name} ${phase} (${reason})`, stuck };
}

const pods: Check = {
  id: "kubernetes/pods",
  title: "Pods",
  area: "kubernetes",
  async run(ctx) {
    const all = await (await ctx.kube()).list("v1", "Pod");
    const problems = all.flatMap((pod) => {
      const problem = podProblem(pod, ctx.now());
      return problem ? [problem] : [];
    });
    if (problems.length === 0) return ok(`${all.length} pods Running or Succeeded`);
    const stuck = problems.filter((p) => p.stuck);
    const first = (stuck[0] ?? problems[0])!.text.split(" ")[0]!;
    const [namespace, name] = first.split("/");
    const fix = `\`kubectl -n ${namespace ?? ""} describe pod ${name ?? ""}\` and its logs show why`;
    const detail = `${problems.length} of ${all.length} pods neither Running nor Succeeded: ${few(problems.map((p) => p.text))}`;
    return stuck.length > 0 ? fail(detail, fix) : warn(detail, `they may still be starting; if this lasts, ${fix}`);
  },
};

/** The releases the installer makes: the pinned add-ons and the platform itself, with their step. */
const RELEASES: readonly { name: string; namespace: string; step: string }[] = [
  { name: CHART_PINS["aws-load-balancer-controller"].release, namespace: CHART_PINS["aws-load-balancer-controller"].namespace, step: "addons/load-balancer-controller" },
  { name: CHART_PINS.vault.release, namespace: CHART_PINS.vault.namespace, step: "vault/release" },
  { name: CHART_PINS["cert-manager"].release, namespace: CHART_PINS["cert-manager"].namespace, step: "cert-manager/release" },
  { name: "settlemint", namespace: BTP_NAMESPACE, step: "btp/release" },
];

/** The latest revision's status of each release, from helm's storage Secrets. */
function helmStatuses(secrets: readonly KubeObject[]): Map<string, { status: string; revision: number }> {
  const latest = new Map<string, { status: string; revision: number }>();
  for (const secret of secrets) {
    const labels = secret.metadata.labels ?? {};
    const key = `${secret.metadata.namespace ?? ""}/${labels.name ?? ""}`;
    const revision = Number(labels.version ?? 0);
    if ((latest.get(key)?.revision ?? -1) < revision) latest.set(key, { status: labels.status ?? "unknown", revision });
  }
  return latest;
}

const helmReleases: Check = {
  id: "kubernetes/helm-releases",
  title: "Helm releases",
  area: "kubernetes",
  async run(ctx) {
    const statuses = helmStatuses(await (await ctx.kube()).list("v1", "Secret", { labelSelector: "owner=helm" }));
    const findings: Finding[] = [];
    const deployed: string[] = [];
    for (const release of RELEASES) {
      const found = statuses.get(`${release.namespace}/${release.name}`);
      const label = `${release.namespace}/${release.name}`;
      if (!found) {
        findings.push(installed(ctx, release.step)
          ? finding("fail", `${label} is missing`, `run \`btp-aws install --from ${release.step.split("/")[0]!}\` to install it again`)
          : finding("warn", `${label} not installed yet`, "run `btp-aws install` to install the platform"));
      } else if (found.status !== "deployed") {
        findings.push(finding("fail", `${label} revision ${found.revision} is ${found.status}`, found.status.startsWith("pending")
          ? `if no helm or btp-aws runs on it, \`helm rollback ${release.name} -n ${release.namespace}\`, then \`btp-aws install\``
          : `\`helm history ${release.name} -n ${release.namespace}\` shows why; \`btp-aws install\` upgrades it again`));
      } else {
        deployed.push(`${label} r${found.revision}`);
      }
    }
    return outcome("helm releases", findings, `deployed: ${deployed.join(", ")}`);
  },
};

const vault: Check = {
  id: "kubernetes/vault",
  title: "Vault",
  area: "kubernetes",
  async run(ctx) {
    return vaultHealth(ctx, installed(ctx, "vault/release"));
  },
};

const certificates: Check = {
  id: "kubernetes/certificates",
  title: "cert-manager Certificates",
  area: "kubernetes",
  async run(ctx) {
    const found = await (await ctx.kube()).list("cert-manager.io/v1", "Certificate");
    if (found.length === 0) return ok("no cert-manager Certificates (the ALB serves the ACM certificate)");
    const notReady = found.flatMap((c) => {
      const ready = conditionsOf(c).find((k) => k.type === "Ready");
      return ready?.status === "True" ? [] : [`${c.metadata.namespace ?? ""}/${c.metadata.name}: ${ready?.reason ?? "not Ready"}${ready?.message ? ` (${ready.message})` : ""}`];
    });
    if (notReady.length === 0) return ok(`${found.length} Certificates Ready`);
    const [namespace, name] = notReady[0]!.split(":")[0]!.split("/");
    return fail(`${notReady.length} of ${found.length} Certificates not Ready: ${few(notReady)}`, `\`kubectl -n ${namespace ?? ""} describe certificate ${name ?? ""}\` and its CertificateRequest, Order and Challenge show why (DNS-01 needs the cert-manager IRSA role)`);
  },
};

interface IngressStatus {
  loadBalancer?: { ingress?: { hostname?: string; ip?: string }[] };
}

const ingress: Check = {
  id: "kubernetes/ingress",
  title: "Ingress has its ALB",
  area: "kubernetes",
  async run(ctx) {
    const kube = await ctx.kube();
    const found = await kube.list("networking.k8s.io/v1", "Ingress", { namespace: BTP_NAMESPACE });
    if (found.length === 0) {
      return installed(ctx, "btp/release")
        ? fail(`no Ingress in namespace ${BTP_NAMESPACE}`, "run `btp-aws install --from btp`: the platform's chart creates it")
        : warn(`no Ingress in namespace ${BTP_NAMESPACE}: the platform is not installed yet`, "run `btp-aws install`");
    }
    const findings: Finding[] = [];
    const served: string[] = [];
    for (const item of found) {
      const hostname = (item.status as IngressStatus | undefined)?.loadBalancer?.ingress?.[0]?.hostname;
      if (hostname) {
        served.push(`${item.metadata.name} → ${hostname}`);
        continue;
      }
      const events = (await kube.events(BTP_NAMESPACE, item.metadata.name)).filter((e) => e.type === "Warning");
      const last = events.at(-1);
      findings.push(finding("fail", `${item.metadata.name} has no ALB${last ? ` (${last.reason}: ${last.message})` : ""}`, "the AWS Load Balancer Controller makes it: `kubectl -n kube-system logs deploy/aws-load-balancer-controller` shows why it cannot"));
    }
    return outcome(`Ingress in ${BTP_NAMESPACE}`, findings, served.join(", "));
  },
};

export const kubernetesChecks: readonly Check[] = [nodesReady, pods, helmReleases, vault, certificates, ingress];
