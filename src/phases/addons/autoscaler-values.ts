/**
 * Values for the Cluster Autoscaler chart: it finds the node group's Auto Scaling group by the
 * tags EKS puts on managed node groups (auto-discovery by cluster name), so the group's own
 * minimum and maximum (cluster.minNodes, cluster.maxNodes) are the bounds it scales within.
 */
import type { Config } from "../../config/schema.js";
import { stringOutput } from "../../plan/outputs.js";
import type { StepOutputs } from "../../plan/types.js";

/** Must equal infra's IRSA_SERVICE_ACCOUNTS["cluster-autoscaler"] (a test holds them together). */
export const CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = "cluster-autoscaler";

export function clusterAutoscalerValues(config: { aws: Pick<Config["aws"], "region"> }, outputs: Readonly<Record<string, StepOutputs>>): Record<string, unknown> {
  return {
    cloudProvider: "aws",
    awsRegion: config.aws.region,
    autoDiscovery: { clusterName: stringOutput(outputs, "infra/eks", "clusterName") },
    rbac: {
      serviceAccount: {
        create: true,
        name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
        annotations: { "eks.amazonaws.com/role-arn": stringOutput(outputs, "infra/irsa", "clusterAutoscalerRoleArn") },
      },
    },
    extraArgs: {
      // Node groups spread over AZs are alike: keep them balanced so zonal volumes stay schedulable.
      "balance-similar-node-groups": true,
      expander: "least-waste",
      // Vault and the platform run with local volumes only through EBS: system pods need not pin a node.
      "skip-nodes-with-system-pods": false,
    },
  };
}
