/**
 * The shape the three in-cluster dependency steps share: skipped unless their mode is in-cluster;
 * otherwise the namespace, the credentials Secret, then the helm release of the pinned chart
 * (upgrade --install with the values-hash skip rule, waiting for the pods).
 */
import type { Config, DependencyMode } from "../../config/schema.js";
import type { ChartKey } from "../../helm/charts.js";
import type { Step, StepOutputs } from "../../plan/types.js";
import { addonChart, addonRelease } from "../cluster/charts.js";
import { releaseStep } from "../cluster/release-step.js";
import { clusterTarget, type KubernetesServices } from "../cluster/services.js";
import { applyCredentials, credentialsSecret, platformCredentials } from "./credentials.js";

/** Volumes are attached and images pulled on first install: more than the add-ons need. */
const TIMEOUT_SECONDS = 900;

export interface DependencySpec {
  id: string;
  title: string;
  chart: Extract<ChartKey, "postgresql" | "redis" | "minio">;
  /** The config section whose `mode` decides. */
  section: "database" | "cache" | "storage";
  /** The Secret's name, and each of its keys with the platform secret key it is filled from. */
  secret: { name: string; keys: Readonly<Record<string, string>> };
  values(config: Config): Record<string, unknown>;
  /** What the release gives, for `plan` ("PostgreSQL 17, 100 GiB gp3 volume"). */
  summary(config: Config): string;
  /** Said when the Secret changed on a re-run: what the server keeps regardless. */
  changedSecretNote?: string;
}

function mode(config: Config, section: DependencySpec["section"]): DependencyMode {
  return config[section].mode;
}

export function dependencyStep(spec: DependencySpec): Step<KubernetesServices> {
  return {
    id: spec.id,
    title: spec.title,
    phase: "addons",
    needs: ["infra/eks-addons", "infra/nodegroup", "infra/secrets", "addons/storage-class"],
    describe: (config) => {
      const current = mode(config, spec.section);
      if (current !== "in-cluster") return [`${spec.section}.mode is ${current}: nothing installed in the cluster`];
      const chart = addonChart(spec.chart, config);
      return [`helm release ${chart.release} (${chart.chart} ${chart.version}) in ${chart.namespace}: ${spec.summary(config)}; credentials from the platform secret through Secret ${spec.secret.name}`];
    },
    async run(context, report): Promise<StepOutputs> {
      const { config } = context;
      const current = mode(config, spec.section);
      if (current !== "in-cluster") {
        report.skip(`${spec.section}.mode is ${current}: no in-cluster ${spec.title}`);
        return { mode: current };
      }
      const kube = await context.services.cluster.kube(clusterTarget(context));
      report.status(`reading the ${spec.title} credentials from the platform secret`);
      const stored = await platformCredentials(context, Object.values(spec.secret.keys));
      const data = Object.fromEntries(Object.entries(spec.secret.keys).map(([secretKey, platformKey]) => [secretKey, stored[platformKey]!]));
      const applied = await applyCredentials(kube, config.platform, credentialsSecret(spec.secret.name, data));
      if (applied === "created") report.info(`created Secret ${spec.secret.name}`);
      if (applied === "changed") report.warn(`Secret ${spec.secret.name} changed to match the platform secret${spec.changedSecretNote ? `: ${spec.changedSecretNote}` : ""}`);
      const outputs = await releaseStep(context, report, addonRelease(spec.chart, config, { values: spec.values(config), wait: true, timeoutSeconds: TIMEOUT_SECONDS }));
      return { ...outputs, mode: current, secret: spec.secret.name };
    },
  };
}
