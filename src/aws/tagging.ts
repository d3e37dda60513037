/**
 * Resources carrying given tags, through the Resource Groups Tagging API. It misses IAM roles
 * and policies and Route 53 records: callers must not treat its answer as complete.
 */
import type { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import type { TagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

export async function findTaggedResourceArns(client: ResourceGroupsTaggingAPIClient, tags: TagMap): Promise<string[]> {
  const { paginateGetResources } = await loadSdk("@aws-sdk/client-resource-groups-tagging-api");
  const filters = Object.entries(tags).map(([Key, Value]) => ({ Key, Values: [Value] }));
  const arns: string[] = [];
  for await (const page of paginateGetResources({ client }, { TagFilters: filters, ResourcesPerPage: 100 })) {
    for (const mapping of page.ResourceTagMappingList ?? []) if (mapping.ResourceARN) arns.push(mapping.ResourceARN);
  }
  return arns;
}
