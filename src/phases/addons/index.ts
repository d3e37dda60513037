/** The addons phase: the first to talk to the cluster. */
import type { Step } from "../../plan/types.js";
import type { KubernetesServices } from "../cluster/services.js";
import { dependencySteps } from "../dependencies/index.js";
import { clusterAutoscalerStep } from "./cluster-autoscaler.js";
import { loadBalancerControllerStep } from "./load-balancer-controller.js";
import { storageClassStep } from "./storage-class.js";
import { volumeSnapshotClassStep } from "./volume-snapshot-class.js";

export const addonsSteps: Step<KubernetesServices>[] = [loadBalancerControllerStep, storageClassStep, clusterAutoscalerStep, volumeSnapshotClassStep, ...dependencySteps];
