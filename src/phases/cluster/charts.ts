/** The pinned add-on charts with the user's `charts.*` overrides applied: what install and `values` use. */
import type { Config } from "../../config/schema.js";
import { CHART_PINS, resolveChart, type ChartKey, type ChartSource } from "../../helm/charts.js";
import type { HelmRelease } from "../../helm/release.js";

const CONFIG_KEY = { "aws-load-balancer-controller": "loadBalancerController", vault: "vault", "cert-manager": "certManager", "cluster-autoscaler": "clusterAutoscaler", postgresql: "postgresql", redis: "redis", minio: "minio" } as const satisfies Record<ChartKey, keyof Config["charts"]>;

export interface AddonChart extends ChartSource {
  release: string;
  namespace: string;
}

export function addonChart(key: ChartKey, config: Pick<Config, "charts">): AddonChart {
  const override = config.charts[CONFIG_KEY[key]] ?? {};
  const pin = CHART_PINS[key];
  return { ...resolveChart(key, override), release: pin.release, namespace: pin.namespace };
}

/** The helm release of an add-on chart: its pinned (or overridden) chart, release name and namespace. */
export function addonRelease(key: ChartKey, config: Pick<Config, "charts">, settings: Pick<HelmRelease, "values" | "wait" | "timeoutSeconds" | "createNamespace">): HelmRelease {
  const chart = addonChart(key, config);
  return { name: chart.release, namespace: chart.namespace, chart: chart.chart, repo: chart.repo, version: chart.version, ...settings };
}
