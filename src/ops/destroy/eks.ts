/**
 * destroy/nodegroup, destroy/eks-addons, destroy/cluster: the EKS side, in the order EKS accepts
 * (a cluster with node groups cannot be deleted). A cluster not tagged for this platform is
 * never touched: its name alone does not make it ours.
 */
import type { EKSClient } from "@aws-sdk/client-eks";
import { deleteLaunchTemplate, deleteVolume, findVolumes } from "../../aws/ec2-delete.js";
import { findLaunchTemplate } from "../../aws/ec2-launch-template.js";
import { addonNames, deleteAddon, deleteCluster, deleteNodeGroup, nodeGroupNames } from "../../aws/eks-delete.js";
import { describeCluster, describeNodeGroup, type EksCluster } from "../../aws/eks.js";
import { findLogGroup } from "../../aws/logs.js";
import { deleteLogGroup } from "../../aws/logs-delete.js";
import { belongsTo, PLATFORM_TAG } from "../../aws/tags.js";
import { waitFor, type Observation } from "../../aws/wait.js";
import { BtpAwsError } from "../../errors.js";
import { adoptedResources, type AdoptedResources } from "../../phases/infra/existing-cluster-state.js";
import type { Reporter } from "../../plan/types.js";
import { attempt, clusterName, count, deleting, names, recorded, RESUME_HINT } from "./context.js";
import { DEPENDENCIES_NAMESPACE } from "../../phases/dependencies/names.js";
import type { DestroyContext, Kept, Stage } from "./types.js";

const MINUTE = 60_000;
/** Draining and terminating the nodes takes a few minutes; EKS gives up well before 30. */
const NODEGROUP_DELETE = { timeoutMs: 30 * MINUTE, intervalMs: 20_000 };
const ADDON_DELETE = { timeoutMs: 20 * MINUTE, intervalMs: 15_000 };
/** A cluster takes about 10 minutes to delete. */
const CLUSTER_DELETE = { timeoutMs: 30 * MINUTE, intervalMs: 20_000 };

/** The platform's cluster, or undefined when there is none; refuses one that is not ours. */
async function ourCluster(context: DestroyContext): Promise<{ eks: EKSClient; cluster: EksCluster } | undefined> {
  const name = clusterName(context);
  const eks = await context.services.aws.eks();
  const cluster = await attempt(context, `read EKS cluster ${name} (eks:DescribeCluster)`, () => describeCluster(eks, name));
  if (!cluster) return undefined;
  if (!belongsTo(cluster.tags, context.target.platform)) {
    throw new BtpAwsError(`EKS cluster ${name} is not tagged ${PLATFORM_TAG}=${context.target.platform}: btp-aws did not create it and will not delete it`, {
      hint: "check --platform and --region; delete the cluster yourself if it really is this platform's",
    });
  }
  return { eks, cluster };
}

const ADOPTED = "adopted (cluster.mode existing): btp-aws did not create it and never deletes it";

/** cluster.mode existing: the cluster, its node groups and add-ons are the owner's; listed as kept. */
function adopted(context: DestroyContext): AdoptedResources | undefined {
  return adoptedResources(context.target.outputs);
}

function waitUntil(context: DestroyContext, report: Reporter, what: string, timing: { timeoutMs: number; intervalMs: number }, observe: () => Promise<Observation<undefined>>): Promise<void> {
  return waitFor({ what, observe, ...timing, settings: context.services.wait, onStatus: (text) => report.status(text), signal: context.signal, hint: `AWS may still finish: run \`btp-aws destroy\` again to keep waiting; ${RESUME_HINT}` });
}

export const nodegroupStage: Stage = {
  id: "destroy/nodegroup",
  title: "Delete the node group",
  phase: "infra",
  async survey(context) {
    const owner = adopted(context);
    if (owner) return owner.nodeGroupNames.map((g) => ({ resource: `node group ${g} of cluster ${owner.clusterName}`, kept: ADOPTED }));
    const found = await ourCluster(context);
    const groups = found ? await attempt(context, "list node groups (eks:ListNodegroups)", () => nodeGroupNames(found.eks, found.cluster.name)) : [];
    const template = await attempt(context, `find launch template ${names(context).launchTemplate} (ec2:DescribeLaunchTemplates)`, async () => findLaunchTemplate(await context.services.aws.ec2(), names(context).launchTemplate));
    return deleting([
      ...groups.map((g) => `node group ${g} of cluster ${found?.cluster.name ?? ""}`),
      ...(template && belongsTo(template.tags, context.target.platform) ? [`launch template ${template.name} (${template.id})`] : []),
    ]);
  },
  async run(context, report) {
    const owner = adopted(context);
    if (owner) return report.skip(`the node groups of cluster ${owner.clusterName || "(not recorded)"} stay: ${ADOPTED}`);
    const done: string[] = [];
    const found = await ourCluster(context);
    if (found) {
      const { eks, cluster } = found;
      const groups = await attempt(context, `list the node groups of ${cluster.name} (eks:ListNodegroups)`, () => nodeGroupNames(eks, cluster.name));
      for (const group of groups) {
        report.status(`deleting node group ${group}`);
        await attempt(context, `delete node group ${group} (eks:DeleteNodegroup)`, () => deleteNodeGroup(eks, cluster.name, group));
      }
      if (groups.length > 0) {
        await waitUntil(context, report, `node groups ${groups.join(", ")} to be deleted`, NODEGROUP_DELETE, async () => {
          for (const group of groups) {
            const seen = await attempt(context, `read node group ${group} (eks:DescribeNodegroup)`, () => describeNodeGroup(eks, cluster.name, group));
            if (seen?.status === "DELETE_FAILED") return { state: "failed", status: seen.status, reason: seen.issues.join("; ") || "EKS reported no reason" };
            if (seen) return { state: "pending", status: `${group} ${seen.status}` };
          }
          return { state: "ready", value: undefined, status: "deleted" };
        });
        done.push(`deleted node group${groups.length === 1 ? "" : "s"} ${groups.join(", ")}`);
      }
    }
    // The launch template is ours by tag (or because the state recorded it).
    const ec2 = await context.services.aws.ec2();
    const template = await attempt(context, `find launch template ${names(context).launchTemplate} (ec2:DescribeLaunchTemplates)`, () => findLaunchTemplate(ec2, names(context).launchTemplate));
    if (template && (belongsTo(template.tags, context.target.platform) || recorded(context, "infra/nodegroup", "launchTemplateId") === template.id)) {
      await attempt(context, `delete launch template ${template.name} (ec2:DeleteLaunchTemplate)`, () => deleteLaunchTemplate(ec2, template.id));
      done.push(`deleted launch template ${template.name} (${template.id})`);
    }
    if (done.length === 0) return report.skip(found ? `cluster ${found.cluster.name} has no node group and no launch template is left` : `no cluster ${clusterName(context)} and no launch template ${names(context).launchTemplate}`);
    report.info(done.join("; "));
  },
};

export const eksAddonsStage: Stage = {
  id: "destroy/eks-addons",
  title: "Delete the EKS add-ons",
  phase: "infra",
  async survey(context) {
    const owner = adopted(context);
    if (owner) return [{ resource: `the EKS add-ons of cluster ${owner.clusterName || "(not recorded)"}`, kept: `${ADOPTED}; its workloads depend on them` }];
    const found = await ourCluster(context);
    if (!found) return [];
    return deleting((await attempt(context, "list add-ons (eks:ListAddons)", () => addonNames(found.eks, found.cluster.name))).map((a) => `EKS add-on ${a}`));
  },
  async run(context, report) {
    const owner = adopted(context);
    if (owner) return report.skip(`the add-ons of cluster ${owner.clusterName || "(not recorded)"} stay: ${ADOPTED}`);
    const found = await ourCluster(context);
    if (!found) return report.skip(`no EKS cluster ${clusterName(context)}`);
    const { eks, cluster } = found;
    const addons = await attempt(context, `list the add-ons of ${cluster.name} (eks:ListAddons)`, () => addonNames(eks, cluster.name));
    if (addons.length === 0) return report.skip(`cluster ${cluster.name} has no add-on left`);
    for (const addon of addons) await attempt(context, `delete add-on ${addon} (eks:DeleteAddon)`, () => deleteAddon(eks, cluster.name, addon));
    await waitUntil(context, report, `add-ons ${addons.join(", ")} to be deleted`, ADDON_DELETE, async () => {
      const left = await attempt(context, `list the add-ons of ${cluster.name} (eks:ListAddons)`, () => addonNames(eks, cluster.name));
      return left.length === 0 ? { state: "ready", value: undefined, status: "deleted" } : { state: "pending", status: `${left.join(", ")} deleting` };
    });
    report.info(`deleted ${count(addons.length, "add-on")}: ${addons.join(", ")}`);
  },
};

function controlPlaneLogGroup(cluster: string): string {
  return `/aws/eks/${cluster}/cluster`;
}

/** Volumes of the cluster's claims that the EBS CSI driver did not get to delete. */
async function orphanedVolumes(context: DestroyContext, cluster: string) {
  const ec2 = await context.services.aws.ec2();
  const byOwner = await attempt(context, "find the cluster's EBS volumes (ec2:DescribeVolumes)", () => findVolumes(ec2, { [`tag:kubernetes.io/cluster/${cluster}`]: ["owned"], status: ["available"] }));
  const byName = await attempt(context, "find the cluster's EBS volumes (ec2:DescribeVolumes)", () => findVolumes(ec2, { "tag:KubernetesCluster": [cluster], status: ["available"] }));
  const all = new Map([...byOwner, ...byName].map((v) => [v.volumeId, v]));
  return [...all.values()];
}

/**
 * The EBS CSI driver tags each volume with the claim it was made for. The in-cluster
 * dependencies' volumes hold the platform's data: without --delete-data they outlive the cluster.
 */
export const CLAIM_NAMESPACE_TAG = "kubernetes.io/created-for/pvc/namespace";
const CLAIM_NAME_TAG = "kubernetes.io/created-for/pvc/name";

function dependencyData(volume: { tags: Readonly<Record<string, string>> }): boolean {
  return volume.tags[CLAIM_NAMESPACE_TAG] === DEPENDENCIES_NAMESPACE;
}

function keptVolume(volume: { volumeId: string; sizeGiB: number; tags: Readonly<Record<string, string>> }): Kept {
  return {
    resource: `EBS volume ${volume.volumeId} (${volume.sizeGiB} GiB) of claim ${DEPENDENCIES_NAMESPACE}/${volume.tags[CLAIM_NAME_TAG] ?? "?"}`,
    reason: `in-cluster dependency data, kept without --delete-data: \`aws ec2 delete-volume --volume-id ${volume.volumeId}\` deletes it`,
  };
}

/** The cluster's leftover volumes: those destroy deletes, and the dependency data it keeps. */
async function leftoverVolumes(context: DestroyContext, cluster: string) {
  const all = await orphanedVolumes(context, cluster);
  const keep = context.options.deleteData ? [] : all.filter(dependencyData);
  return { remove: all.filter((v) => !keep.includes(v)), keep };
}

export const clusterStage: Stage = {
  id: "destroy/cluster",
  title: "Delete the EKS cluster",
  phase: "infra",
  async survey(context) {
    const owner = adopted(context);
    if (owner) return [{ resource: `EKS cluster ${owner.clusterName || "(not recorded)"}, its control-plane logs and volumes`, kept: ADOPTED }];
    const found = await ourCluster(context);
    const { remove: volumes, keep } = await leftoverVolumes(context, clusterName(context));
    const group = controlPlaneLogGroup(clusterName(context));
    const logGroup = await attempt(context, `find log group ${group} (logs:DescribeLogGroups)`, async () => findLogGroup(await context.services.aws.logs(), group));
    return deleting([
      ...(found ? [`EKS cluster ${found.cluster.name} (${found.cluster.status}, Kubernetes ${found.cluster.version})`] : []),
      ...(logGroup ? [`log group ${group}`] : []),
      ...volumes.map((v) => `EBS volume ${v.volumeId} (${v.sizeGiB} GiB) left by the cluster`),
    ]).concat(keep.map((v) => ({ resource: keptVolume(v).resource, kept: keptVolume(v).reason })));
  },
  async run(context, report) {
    const owner = adopted(context);
    if (owner) return report.skip(`cluster ${owner.clusterName || "(not recorded)"} stays: ${ADOPTED}`);
    const name = clusterName(context);
    const found = await ourCluster(context);
    const done: string[] = [];
    if (found) {
      const { eks } = found;
      if (found.cluster.status !== "DELETING") {
        report.status(`deleting cluster ${name}`);
        await attempt(context, `delete EKS cluster ${name} (eks:DeleteCluster)`, () => deleteCluster(eks, name));
      }
      await waitUntil(context, report, `EKS cluster ${name} to be deleted`, CLUSTER_DELETE, async () => {
        const seen = await attempt(context, `read EKS cluster ${name} (eks:DescribeCluster)`, () => describeCluster(eks, name));
        if (!seen) return { state: "ready", value: undefined, status: "deleted" };
        if (seen.status === "FAILED") return { state: "failed", status: seen.status, reason: seen.issues.join("; ") || "EKS reported no reason" };
        return { state: "pending", status: seen.status };
      });
      done.push(`deleted EKS cluster ${name}`);
    }
    // EKS writes control-plane logs into a group it creates and never deletes.
    const logs = await context.services.aws.logs();
    const group = controlPlaneLogGroup(name);
    if (await attempt(context, `find log group ${group} (logs:DescribeLogGroups)`, () => findLogGroup(logs, group))) {
      await attempt(context, `delete log group ${group} (logs:DeleteLogGroup)`, () => deleteLogGroup(logs, group));
      done.push(`deleted log group ${group}`);
    }
    const { remove: volumes, keep } = await leftoverVolumes(context, name);
    for (const volume of keep) context.ledger.kept.push(keptVolume(volume));
    const ec2 = await context.services.aws.ec2();
    for (const volume of volumes) await attempt(context, `delete EBS volume ${volume.volumeId} (ec2:DeleteVolume)`, () => deleteVolume(ec2, volume.volumeId));
    if (volumes.length > 0) done.push(`deleted ${count(volumes.length, "EBS volume")} the cluster left: ${volumes.map((v) => v.volumeId).join(", ")}`);
    if (done.length === 0) return report.skip(`no EKS cluster ${name}, control-plane log group or leftover volume`);
    report.info(done.join("; "));
  },
};
