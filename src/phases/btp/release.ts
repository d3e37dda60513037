/**
 * btp/release: the namespace, then `helm upgrade --install settlemint <chart> --version <v>` with
 * the rendered values and the user's overrides on top. Before installing, our keys are compared
 * with the chart's own values (`helm show values`, after btp/registry-login) and every key the
 * chart does not know is a warning. A release with the same chart version and values is skipped
 * (the helm adapter's skip rule); a failed one shows the namespace's recent warning events.
 */
import type { HelmRelease } from "../../helm/release.js";
import type { KubeObject } from "../../k8s/kube.js";
import type { Reporter, Step, StepContext } from "../../plan/types.js";
import { releaseStep } from "../cluster/release-step.js";
import { clusterTarget, type KubernetesServices } from "../cluster/services.js";
import { BTP_NAMESPACE, BTP_RELEASE, RELEASE_TIMEOUT_SECONDS } from "./names.js";
import { mergeOverrides, readOverridesFile, type Values } from "./overrides.js";
import { btpSecretValues } from "./secrets.js";
import { unknownKeys } from "./unknown-keys.js";
import { btpValues } from "./values.js";

export function btpNamespace(platform: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: BTP_NAMESPACE, labels: { "app.kubernetes.io/managed-by": "btp-aws", "btp-aws/platform": platform } },
  };
}

/** Where relative `chart.valuesFile` paths start; injectable for tests. */
export interface ReleaseOptions {
  baseDir?: string;
}

async function releaseValues(context: StepContext<KubernetesServices>, baseDir: string): Promise<Values> {
  const secrets = await btpSecretValues(context);
  const values = btpValues(context.config, context.outputs, secrets);
  const file = context.config.chart.valuesFile;
  return file === undefined ? values : mergeOverrides(values, await readOverridesFile(file, baseDir));
}

async function warnUnknownKeys(context: StepContext<KubernetesServices>, values: Values, report: Reporter): Promise<void> {
  const { reference, version } = context.config.chart;
  const helm = await context.services.cluster.helm(clusterTarget(context));
  report.status(`helm show values ${reference} --version ${version}`);
  const defaults = await helm.showValues(reference, version);
  for (const key of unknownKeys(values, defaults)) {
    report.warn(`values key ${key} is not in the default values of ${reference} ${version}: the chart may ignore it (check its name with \`helm show values ${reference} --version ${version}\`)`);
  }
}

export function createReleaseStep(options: ReleaseOptions = {}): Step<KubernetesServices> {
  return {
    id: "btp/release",
    title: "BTP release",
    phase: "btp",
    needs: ["btp/registry-login", "vault/configure", "cert-manager/issuers", "infra/rds", "infra/elasticache", "infra/acm", "infra/waf", "addons/load-balancer-controller", "addons/postgresql", "addons/redis", "addons/minio", "infra/monitoring", "infra/irsa"],
    describe: (c) => [`helm upgrade --install settlemint ${c.chart.reference} --version ${c.chart.version}${c.chart.valuesFile ? `, overrides from ${c.chart.valuesFile}` : ""}`],
    async run(context, report) {
      const { config, services } = context;
      const kube = await services.cluster.kube(clusterTarget(context));
      const applied = await kube.apply(btpNamespace(config.platform));
      if (applied !== "unchanged") report.info(`namespace ${BTP_NAMESPACE} ${applied}`);
      const values = await releaseValues(context, options.baseDir ?? process.cwd());
      await warnUnknownKeys(context, values, report);
      const release: HelmRelease = {
        name: BTP_RELEASE,
        namespace: BTP_NAMESPACE,
        chart: config.chart.reference,
        version: config.chart.version,
        values,
        wait: true,
        timeoutSeconds: RELEASE_TIMEOUT_SECONDS,
      };
      // A failure comes back with the namespace's warning events appended (releaseStep).
      return releaseStep(context, report, release);
    },
  };
}

export const btpReleaseStep = createReleaseStep();
