/** addons/cluster-autoscaler: the node group grows with pending pods and shrinks when nodes idle. */
import type { Step, StepOutputs } from "../../plan/types.js";
import { addonChart, addonRelease } from "../cluster/charts.js";
import { releaseStep } from "../cluster/release-step.js";
import type { KubernetesServices } from "../cluster/services.js";
import { clusterAutoscalerValues } from "./autoscaler-values.js";

const TIMEOUT_SECONDS = 600;

export const clusterAutoscalerStep: Step<KubernetesServices> = {
  id: "addons/cluster-autoscaler",
  title: "Cluster Autoscaler",
  phase: "addons",
  needs: ["infra/eks-addons", "infra/irsa", "infra/nodegroup"],
  describe: (config) => {
    if (!config.cluster.autoscaler) return ["cluster.autoscaler is false: the node group stays at its desired size"];
    const chart = addonChart("cluster-autoscaler", config);
    return [`helm release ${chart.release} (${chart.chart} ${chart.version}) in ${chart.namespace}: scales the node group between ${config.cluster.minNodes} and ${config.cluster.maxNodes} nodes, IRSA service account`];
  },
  async run(context, report): Promise<StepOutputs> {
    if (!context.config.cluster.autoscaler) {
      report.skip("cluster.autoscaler is false: no Cluster Autoscaler");
      return {};
    }
    return releaseStep(context, report, addonRelease("cluster-autoscaler", context.config, {
      values: clusterAutoscalerValues(context.config, context.outputs),
      wait: true,
      timeoutSeconds: TIMEOUT_SECONDS,
    }));
  },
};
