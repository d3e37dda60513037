/** The infra phase: AWS resources only (no Kubernetes), one step per resource, as a DAG. */
import type { Step } from "../../plan/types.js";
import { acmStep } from "./acm.js";
import { eksAddonsStep } from "./eks-addons.js";
import { eksStep } from "./eks.js";
import { elasticacheStep } from "./elasticache.js";
import { iamRolesStep } from "./iam-roles.js";
import { irsaStep } from "./irsa.js";
import { kmsStep } from "./kms.js";
import { monitoringStep } from "./monitoring.js";
import { natGatewaysStep } from "./nat-gateways.js";
import { nodegroupStep } from "./nodegroup.js";
import { rdsStep } from "./rds.js";
import { s3Step } from "./s3.js";
import { secretsStep } from "./secrets.js";
import { securityGroupsStep } from "./security-groups.js";
import type { InfraServices } from "./services.js";
import { vpcStep } from "./vpc.js";
import { securityServicesStep } from "./security-services.js";
import { wafStep } from "./waf.js";

export type { InfraServices } from "./services.js";

const STEPS: readonly Step<InfraServices>[] = [
  kmsStep, vpcStep, natGatewaysStep, securityGroupsStep, iamRolesStep, s3Step, acmStep, secretsStep,
  eksStep, irsaStep, nodegroupStep, eksAddonsStep, rdsStep, elasticacheStep, monitoringStep, wafStep, securityServicesStep,
];

/**
 * The infra steps, each made to wait for the prepare checks (`prepareIds`, the gates): nothing is
 * created before the region, hosted zone, tools and quotas have been checked (prepare is
 * read-only and quick).
 */
export function infraSteps(prepareIds: readonly string[]): Step<InfraServices>[] {
  return STEPS.map((step) => {
    if (!step.needs.includes("prepare/credentials")) return step;
    return { ...step, needs: [...new Set([...step.needs, ...prepareIds])] };
  });
}
