/** The cert-manager phase: the chart with its CRDs, then the ClusterIssuers once its webhook answers. */
import { waitFor } from "../../aws/wait.js";
import { errorMessage } from "../../errors.js";
import type { ApplyResult, Kube } from "../../k8s/kube.js";
import type { Reporter, Step, StepContext } from "../../plan/types.js";
import { addonChart, addonRelease } from "../cluster/charts.js";
import { releaseStep } from "../cluster/release-step.js";
import { clusterTarget, type KubernetesServices } from "../cluster/services.js";
import { clusterIssuer, ISSUERS, type IssuerName } from "./issuers.js";
import { certManagerValues } from "./values.js";

const RELEASE_TIMEOUT_SECONDS = 600;
/** The webhook's CA is injected a little after its pod is ready; applies fail until then. */
const WEBHOOK_WAIT = { timeoutMs: 300_000, intervalMs: 5_000 };
const READY_WAIT = { timeoutMs: 300_000, intervalMs: 5_000 };

export const certManagerReleaseStep: Step<KubernetesServices> = {
  id: "cert-manager/release",
  title: "cert-manager release",
  phase: "cert-manager",
  needs: ["infra/irsa", "infra/nodegroup"],
  describe: (config) => {
    const chart = addonChart("cert-manager", config);
    return [`helm release ${chart.release} (${chart.chart} ${chart.version}) with CRDs and the IRSA service account; waits for the webhook`];
  },
  run(context, report) {
    return releaseStep(context, report, addonRelease("cert-manager", context.config, {
      values: certManagerValues(context.outputs),
      wait: true,
      timeoutSeconds: RELEASE_TIMEOUT_SECONDS,
      createNamespace: true,
    }));
  },
};

async function applyWhenWebhookAnswers(context: StepContext<KubernetesServices>, kube: Kube, name: IssuerName, report: Reporter): Promise<ApplyResult> {
  return waitFor<ApplyResult>({
    what: `cert-manager's webhook to accept ClusterIssuer ${name}`,
    observe: async () => {
      try {
        const result = await kube.apply(clusterIssuer(name, context.config));
        return { state: "ready", value: result, status: "applied" };
      } catch (error) {
        return { state: "pending", status: `not accepted yet (${errorMessage(error)})` };
      }
    },
    ...WEBHOOK_WAIT,
    settings: context.services.wait,
    onStatus: (text) => report.status(text),
    signal: context.signal,
    hint: "check the webhook: `kubectl -n cert-manager get pods,events`; then run `btp-aws install --from cert-manager`",
  });
}

/** Ready means the ACME account is registered with Let's Encrypt; its message says why not. */
async function waitReady(context: StepContext<KubernetesServices>, kube: Kube, name: IssuerName, report: Reporter): Promise<void> {
  await waitFor({
    what: `ClusterIssuer ${name} to be Ready`,
    observe: async () => {
      const issuer = await kube.get("cert-manager.io/v1", "ClusterIssuer", name);
      const conditions = ((issuer?.status as { conditions?: { type: string; status: string; message?: string }[] } | undefined)?.conditions) ?? [];
      const ready = conditions.find((c) => c.type === "Ready");
      if (ready?.status === "True") return { state: "ready", value: undefined, status: "Ready" };
      return { state: "pending", status: ready?.message ? `not ready: ${ready.message}` : "not ready yet" };
    },
    ...READY_WAIT,
    settings: context.services.wait,
    onStatus: (text) => report.status(text),
    signal: context.signal,
    hint: `the cluster must reach Let's Encrypt (${ISSUERS[name]}) over HTTPS: check the NAT gateway and \`kubectl describe clusterissuer ${name}\`; then run \`btp-aws install --from cert-manager\``,
  });
}

export const clusterIssuersStep: Step<KubernetesServices> = {
  id: "cert-manager/issuers",
  title: "ClusterIssuers",
  phase: "cert-manager",
  needs: ["cert-manager/release"],
  describe: (c) => [`letsencrypt-staging and letsencrypt-prod, DNS-01 on zone ${c.dns.hostedZoneId} (${c.aws.region}), email ${c.dns.acmeEmail}`],
  async run(context, report) {
    const kube = await context.services.cluster.kube(clusterTarget(context));
    const names = Object.keys(ISSUERS) as IssuerName[];
    const results: ApplyResult[] = [];
    for (const name of names) results.push(await applyWhenWebhookAnswers(context, kube, name, report));
    if (results.every((r) => r === "unchanged")) report.skip("ClusterIssuers letsencrypt-staging and letsencrypt-prod already configured");
    else report.info(`ClusterIssuers: ${names.map((n, i) => `${n} ${results[i]}`).join(", ")}`);
    for (const name of names) await waitReady(context, kube, name, report);
    return { issuers: names };
  },
};

export const certManagerSteps: Step<KubernetesServices>[] = [certManagerReleaseStep, clusterIssuersStep];
