/**
 * What the AWS Load Balancer Controller made for the cluster's Ingresses and LoadBalancer
 * Services: load balancers, target groups and security groups, each tagged
 * `elbv2.k8s.aws/cluster=<cluster>`. The controller deletes them when their Ingress goes; when it
 * cannot (it is gone, or too slow), destroy deletes them itself, or the VPC could never be deleted.
 */
import { deleteSecurityGroup, revokeRules, securityGroupRules, securityGroupsMatching, type GroupSummary } from "../../aws/ec2-delete.js";
import { CONTROLLER_CLUSTER_TAG, deleteLoadBalancer, deleteTargetGroup, taggedElbv2Resources, type Elbv2Resource } from "../../aws/elbv2-delete.js";
import { awsErrorCode } from "../../aws/errors.js";
import type { Observation } from "../../aws/wait.js";
import { attempt, clusterName } from "./context.js";
import type { DestroyContext } from "./types.js";

export interface ControllerResources {
  elbv2: Elbv2Resource[];
  securityGroups: GroupSummary[];
}

export async function findControllerResources(context: DestroyContext): Promise<ControllerResources> {
  const cluster = clusterName(context);
  const elbv2 = await attempt(context, `find the load balancers of cluster ${cluster} (elasticloadbalancing:DescribeLoadBalancers, DescribeTargetGroups, DescribeTags)`, async () =>
    taggedElbv2Resources(await context.services.aws.elbv2(), { [CONTROLLER_CLUSTER_TAG]: cluster }));
  const securityGroups = await attempt(context, `find the load balancer security groups of cluster ${cluster} (ec2:DescribeSecurityGroups)`, async () =>
    securityGroupsMatching(await context.services.aws.ec2(), { [`tag:${CONTROLLER_CLUSTER_TAG}`]: [cluster] }));
  return { elbv2, securityGroups };
}

export function describeControllerResources(found: ControllerResources): string[] {
  return [
    ...found.elbv2.map((r) => `${r.kind} ${r.name} (made by the load balancer controller)`),
    ...found.securityGroups.map((g) => `security group ${g.name} ${g.groupId} (made by the load balancer controller)`),
  ];
}

export function isEmpty(found: ControllerResources): boolean {
  return found.elbv2.length === 0 && found.securityGroups.length === 0;
}

// Deleting a load balancer frees its target groups and network interfaces a little later.
const NOT_YET = new Set(["ResourceInUse", "ResourceInUseException", "DependencyViolation", "InvalidGroup.InUse"]);

/**
 * One pass of direct deletion: load balancers, then target groups, then security groups (after
 * revoking the rules of other groups in the VPC that name them). What AWS refuses because a
 * dependant is still draining is left for the next pass: the caller polls this until it is ready.
 */
export async function deleteControllerResourcesOnce(context: DestroyContext, deleted: string[]): Promise<Observation<undefined>> {
  const found = await findControllerResources(context);
  if (isEmpty(found)) return { state: "ready", value: undefined, status: "gone" };
  const elbv2 = await context.services.aws.elbv2();
  const ec2 = await context.services.aws.ec2();
  const waiting: string[] = [];
  const tryDelete = async (what: string, action: string, call: () => Promise<boolean>): Promise<void> => {
    try {
      if (await attempt(context, action, call)) deleted.push(what);
    } catch (error) {
      const code = awsErrorCode((error as { cause?: unknown }).cause) ?? "";
      if (!NOT_YET.has(code)) throw error;
      waiting.push(what);
    }
  };
  for (const lb of found.elbv2.filter((r) => r.kind === "load balancer")) {
    await tryDelete(`load balancer ${lb.name}`, `delete load balancer ${lb.name} (elasticloadbalancing:DeleteLoadBalancer)`, () => deleteLoadBalancer(elbv2, lb.arn));
  }
  for (const tg of found.elbv2.filter((r) => r.kind === "target group")) {
    await tryDelete(`target group ${tg.name}`, `delete target group ${tg.name} (elasticloadbalancing:DeleteTargetGroup)`, () => deleteTargetGroup(elbv2, tg.arn));
  }
  const ids = new Set(found.securityGroups.map((g) => g.groupId));
  const vpcs = [...new Set(found.securityGroups.map((g) => g.vpcId))];
  if (vpcs.length > 0) {
    const neighbours = await attempt(context, "list the security groups of the VPC (ec2:DescribeSecurityGroups)", () => securityGroupsMatching(ec2, { "vpc-id": vpcs }));
    const rules = await attempt(context, "list security group rules (ec2:DescribeSecurityGroupRules)", () => securityGroupRules(ec2, neighbours.map((g) => g.groupId)));
    for (const group of neighbours) {
      const naming = rules.filter((r) => r.groupId === group.groupId && r.referencedGroupId !== undefined && ids.has(r.referencedGroupId) && !ids.has(r.groupId));
      if (naming.length > 0) await attempt(context, `revoke the rules of ${group.groupId} that name the controller's groups (ec2:RevokeSecurityGroupIngress)`, () => revokeRules(ec2, group.groupId, naming));
    }
  }
  for (const group of found.securityGroups) {
    await tryDelete(`security group ${group.name}`, `delete security group ${group.groupId} (ec2:DeleteSecurityGroup)`, () => deleteSecurityGroup(ec2, group.groupId));
  }
  return waiting.length === 0 ? { state: "ready", value: undefined, status: "gone" } : { state: "pending", status: `waiting for AWS to release ${waiting.join(", ")}` };
}
