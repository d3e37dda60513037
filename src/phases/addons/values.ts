/**
 * Values for the AWS Load Balancer Controller chart. The service account carries the IRSA role
 * infra made for it; the VPC and region are given so the controller does not need IMDS (which
 * IMDSv2 with a hop limit of 1 keeps from pods).
 */
import type { Config } from "../../config/schema.js";
import { stringOutput } from "../../plan/outputs.js";
import type { StepOutputs } from "../../plan/types.js";

/** Must equal infra's IRSA_SERVICE_ACCOUNTS["aws-load-balancer-controller"] (a test holds them together). */
export const LB_CONTROLLER_SERVICE_ACCOUNT = "aws-load-balancer-controller";

export function loadBalancerControllerValues(config: { aws: Pick<Config["aws"], "region"> }, outputs: Readonly<Record<string, StepOutputs>>): Record<string, unknown> {
  return {
    clusterName: stringOutput(outputs, "infra/eks", "clusterName"),
    region: config.aws.region,
    vpcId: stringOutput(outputs, "infra/vpc", "vpcId"),
    replicaCount: 2,
    serviceAccount: {
      create: true,
      name: LB_CONTROLLER_SERVICE_ACCOUNT,
      annotations: { "eks.amazonaws.com/role-arn": stringOutput(outputs, "infra/irsa", "loadBalancerControllerRoleArn") },
    },
    ingressClass: "alb",
    createIngressClassResource: true,
    // Pods are reached directly (VPC CNI): no NodePort hop, and the ALB health-checks the pods.
    defaultTargetType: "ip",
  };
}
