/** addons/load-balancer-controller: the controller that turns the platform's Ingress into an ALB. */
import type { Step } from "../../plan/types.js";
import { addonChart, addonRelease } from "../cluster/charts.js";
import { releaseStep } from "../cluster/release-step.js";
import type { KubernetesServices } from "../cluster/services.js";
import { loadBalancerControllerValues } from "./values.js";

const TIMEOUT_SECONDS = 600;

export const loadBalancerControllerStep: Step<KubernetesServices> = {
  id: "addons/load-balancer-controller",
  title: "AWS Load Balancer Controller",
  phase: "addons",
  needs: ["infra/eks-addons", "infra/irsa", "infra/nodegroup"],
  describe: (config) => {
    const chart = addonChart("aws-load-balancer-controller", config);
    return [`helm release ${chart.release} (${chart.chart} ${chart.version}) in ${chart.namespace}, service account with the IRSA role, target type ip`];
  },
  run(context, report) {
    return releaseStep(context, report, addonRelease("aws-load-balancer-controller", context.config, {
      values: loadBalancerControllerValues(context.config, context.outputs),
      wait: true,
      timeoutSeconds: TIMEOUT_SECONDS,
    }));
  },
};
