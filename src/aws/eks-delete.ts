/** The EKS calls destroy makes: node groups, add-ons, the cluster. "Already gone" is done. */
import type { EKSClient } from "@aws-sdk/client-eks";
import { deleteUnlessGone, isGone } from "./idempotent-delete.js";
import { loadSdk } from "./sdk.js";

const GONE = ["ResourceNotFoundException", "NotFoundException"];

/** A listing of a cluster that no longer exists is empty. */
function emptyWhenGone(error: unknown): string[] {
  if (isGone(GONE, error)) return [];
  throw error;
}

export async function nodeGroupNames(eks: EKSClient, cluster: string): Promise<string[]> {
  const { paginateListNodegroups } = await loadSdk("@aws-sdk/client-eks");
  const names: string[] = [];
  try {
    for await (const page of paginateListNodegroups({ client: eks }, { clusterName: cluster })) names.push(...(page.nodegroups ?? []));
  } catch (error) {
    return emptyWhenGone(error);
  }
  return names;
}

export async function deleteNodeGroup(eks: EKSClient, cluster: string, name: string): Promise<boolean> {
  const { DeleteNodegroupCommand } = await loadSdk("@aws-sdk/client-eks");
  return deleteUnlessGone(GONE, () => eks.send(new DeleteNodegroupCommand({ clusterName: cluster, nodegroupName: name })));
}

export async function addonNames(eks: EKSClient, cluster: string): Promise<string[]> {
  const { paginateListAddons } = await loadSdk("@aws-sdk/client-eks");
  const names: string[] = [];
  try {
    for await (const page of paginateListAddons({ client: eks }, { clusterName: cluster })) names.push(...(page.addons ?? []));
  } catch (error) {
    return emptyWhenGone(error);
  }
  return names;
}

export async function deleteAddon(eks: EKSClient, cluster: string, name: string): Promise<boolean> {
  const { DeleteAddonCommand } = await loadSdk("@aws-sdk/client-eks");
  return deleteUnlessGone(GONE, () => eks.send(new DeleteAddonCommand({ clusterName: cluster, addonName: name })));
}

export async function deleteCluster(eks: EKSClient, name: string): Promise<boolean> {
  const { DeleteClusterCommand } = await loadSdk("@aws-sdk/client-eks");
  return deleteUnlessGone(GONE, () => eks.send(new DeleteClusterCommand({ name })));
}
