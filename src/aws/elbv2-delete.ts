/**
 * The load balancers, target groups and their tags, as destroy needs them: the AWS Load Balancer
 * Controller makes these for Ingresses (and LoadBalancer Services) and tags every one with
 * `elbv2.k8s.aws/cluster=<cluster>`. No template owns them, so they are found by that tag.
 */
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { deleteUnlessGone } from "./idempotent-delete.js";
import { tagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

export const CONTROLLER_CLUSTER_TAG = "elbv2.k8s.aws/cluster";

export interface Elbv2Resource {
  arn: string;
  name: string;
  kind: "load balancer" | "target group";
  vpcId: string;
  /** Load balancers only: the security groups attached to it. */
  securityGroupIds: string[];
  tags: Record<string, string>;
}

/** DescribeTags takes at most 20 ARNs per call. */
async function tagsOf(elbv2: ElasticLoadBalancingV2Client, arns: readonly string[]): Promise<Map<string, Record<string, string>>> {
  const { DescribeTagsCommand } = await loadSdk("@aws-sdk/client-elastic-load-balancing-v2");
  const tags = new Map<string, Record<string, string>>();
  for (let i = 0; i < arns.length; i += 20) {
    const { TagDescriptions = [] } = await elbv2.send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) }));
    for (const d of TagDescriptions) if (d.ResourceArn) tags.set(d.ResourceArn, tagMap(d.Tags));
  }
  return tags;
}

/** Load balancers and target groups whose tags include every entry of `match`. */
export async function taggedElbv2Resources(elbv2: ElasticLoadBalancingV2Client, match: Readonly<Record<string, string>>): Promise<Elbv2Resource[]> {
  const { paginateDescribeLoadBalancers, paginateDescribeTargetGroups } = await loadSdk("@aws-sdk/client-elastic-load-balancing-v2");
  const all: Omit<Elbv2Resource, "tags">[] = [];
  for await (const page of paginateDescribeLoadBalancers({ client: elbv2 }, {})) {
    for (const lb of page.LoadBalancers ?? []) {
      if (lb.LoadBalancerArn) all.push({ arn: lb.LoadBalancerArn, name: lb.LoadBalancerName ?? "", kind: "load balancer", vpcId: lb.VpcId ?? "", securityGroupIds: lb.SecurityGroups ?? [] });
    }
  }
  for await (const page of paginateDescribeTargetGroups({ client: elbv2 }, {})) {
    for (const tg of page.TargetGroups ?? []) {
      if (tg.TargetGroupArn) all.push({ arn: tg.TargetGroupArn, name: tg.TargetGroupName ?? "", kind: "target group", vpcId: tg.VpcId ?? "", securityGroupIds: [] });
    }
  }
  const tags = await tagsOf(elbv2, all.map((r) => r.arn));
  return all
    .map((r) => ({ ...r, tags: tags.get(r.arn) ?? {} }))
    .filter((r) => Object.entries(match).every(([key, value]) => r.tags[key] === value));
}

/** Deletes the load balancer with its listeners and rules. */
export async function deleteLoadBalancer(elbv2: ElasticLoadBalancingV2Client, arn: string): Promise<boolean> {
  const { DeleteLoadBalancerCommand } = await loadSdk("@aws-sdk/client-elastic-load-balancing-v2");
  return deleteUnlessGone(["LoadBalancerNotFound", "LoadBalancerNotFoundException"], () => elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn })));
}

export async function deleteTargetGroup(elbv2: ElasticLoadBalancingV2Client, arn: string): Promise<boolean> {
  const { DeleteTargetGroupCommand } = await loadSdk("@aws-sdk/client-elastic-load-balancing-v2");
  return deleteUnlessGone(["TargetGroupNotFound", "TargetGroupNotFoundException"], () => elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn })));
}
