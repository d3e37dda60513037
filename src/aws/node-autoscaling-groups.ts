/**
 * The Auto Scaling group behind an EKS managed node group: the dimension of the node CPU alarm.
 * EKS reports it on the node group once the group is active; the ASG's own tags
 * (eks:cluster-name, eks:nodegroup-name) find it when EKS does not say.
 */
import type { EKSClient } from "@aws-sdk/client-eks";
import type { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { awsErrorCode } from "./errors.js";
import { loadSdk } from "./sdk.js";

/** The ASG names EKS reports for the node group; undefined when the node group does not exist. */
export async function nodegroupAutoScalingGroups(eks: EKSClient, cluster: string, nodegroup: string): Promise<string[] | undefined> {
  const { DescribeNodegroupCommand } = await loadSdk("@aws-sdk/client-eks");
  try {
    const { nodegroup: found } = await eks.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: nodegroup }));
    return (found?.resources?.autoScalingGroups ?? []).flatMap((g) => (g.name ? [g.name] : []));
  } catch (error) {
    if (awsErrorCode(error) === "ResourceNotFoundException") return undefined;
    throw error;
  }
}

/** ASG names tagged by EKS for this node group, through the Resource Groups Tagging API. */
export async function taggedAutoScalingGroups(tagging: ResourceGroupsTaggingAPIClient, cluster: string, nodegroup: string): Promise<string[]> {
  const { paginateGetResources } = await loadSdk("@aws-sdk/client-resource-groups-tagging-api");
  const names: string[] = [];
  const pages = paginateGetResources({ client: tagging }, {
    ResourceTypeFilters: ["autoscaling:autoScalingGroup"],
    TagFilters: [{ Key: "eks:cluster-name", Values: [cluster] }, { Key: "eks:nodegroup-name", Values: [nodegroup] }],
  });
  for await (const page of pages) {
    for (const mapping of page.ResourceTagMappingList ?? []) {
      // arn:aws:autoscaling:<region>:<account>:autoScalingGroup:<uuid>:autoScalingGroupName/<name>
      const name = mapping.ResourceARN?.split(":autoScalingGroupName/")[1];
      if (name) names.push(name);
    }
  }
  return names;
}
