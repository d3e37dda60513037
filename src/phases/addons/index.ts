/** The addons phase: the first to talk to the cluster. */
import type { Step } from "../../plan/types.js";
import type { KubernetesServices } from "../cluster/services.js";
import { clusterAutoscalerStep } from "./cluster-autoscaler.js";
import { loadBalancerControllerStep } from "./load-balancer-controller.js";
import { storageClassStep } from "./storage-class.js";

export const addonsSteps: Step<KubernetesServices>[] = [loadBalancerControllerStep, storageClassStep, clusterAutoscalerStep];
