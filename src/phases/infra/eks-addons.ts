/**
 * infra/eks-addons: the EKS managed add-ons vpc-cni, coredns, kube-proxy and aws-ebs-csi-driver,
 * the last with its IRSA role; amazon-cloudwatch-observability (Container Insights, with its IRSA
 * role) when monitoring.containerInsights is on; snapshot-controller (the VolumeSnapshot CRDs and
 * controller) when any dependency runs in-cluster, so its volumes can be snapshotted.
 *
 * A missing add-on is created at the version EKS marks as default for the cluster's Kubernetes
 * version; an existing one keeps its version (upgrades are a deliberate act, not a side effect of
 * re-running install) and only gets its role and tags put back. Every add-on is waited for until
 * ACTIVE; a DEGRADED or failed one stops the step with the health issues EKS reports.
 */
import type { EKSClient } from "@aws-sdk/client-eks";
import type { Config } from "../../config/schema.js";
import { awsErrorCode, describeAwsError } from "../../aws/errors.js";
import { createAddon, defaultAddonVersion, describeAddon, tagAddon, updateAddonRole, type EksAddon } from "../../aws/eks-addons.js";
import { PLATFORM_TAG, missingTags, platformTags, type TagMap } from "../../aws/tags.js";
import { waitFor, type Observation } from "../../aws/wait.js";
import { BtpAwsError } from "../../errors.js";
import { typicalMs } from "../../plan/critical-path.js";
import { stringOutput } from "../../plan/outputs.js";
import type { Reporter, Step, StepContext, StepOutputs } from "../../plan/types.js";
import type { InfraServices } from "./services.js";

type Services = Pick<InfraServices, "aws" | "wait">;
type Context = StepContext<Services>;

interface AddonWant {
  name: string;
  /** The add-on's service account role, when it has one of ours. */
  roleArn?: string | undefined;
}

/** The add-ons every cluster gets. */
export const EKS_ADDONS = ["vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver"] as const;
export const CONTAINER_INSIGHTS_ADDON = "amazon-cloudwatch-observability";
export const SNAPSHOT_CONTROLLER_ADDON = "snapshot-controller";

/** In-cluster PostgreSQL, Redis or MinIO keep their data on EBS volumes that dr-snapshot captures as VolumeSnapshots. */
export function needsSnapshotController(config: Pick<Config, "database" | "cache" | "storage">): boolean {
  return [config.database.mode, config.cache.mode, config.storage.mode].includes("in-cluster");
}

/** The add-ons this config asks for, in the order they are created. */
export function wantedAddons(config: Pick<Config, "monitoring" | "database" | "cache" | "storage">): string[] {
  return [
    ...EKS_ADDONS,
    ...(config.monitoring.containerInsights ? [CONTAINER_INSIGHTS_ADDON] : []),
    ...(needsSnapshotController(config) ? [SNAPSHOT_CONTROLLER_ADDON] : []),
  ];
}

/** Which infra/irsa output holds each add-on's role; add-ons not listed run without one of ours. */
const ADDON_ROLE_OUTPUTS: Readonly<Record<string, string>> = {
  "aws-ebs-csi-driver": "ebsCsiRoleArn",
  [CONTAINER_INSIGHTS_ADDON]: "containerInsightsRoleArn",
};

function addonWants(config: Config, outputs: Readonly<Record<string, StepOutputs>>): AddonWant[] {
  return wantedAddons(config).map((name) => {
    const roleOutput = ADDON_ROLE_OUTPUTS[name];
    return { name, roleArn: roleOutput === undefined ? undefined : stringOutput(outputs, "infra/irsa", roleOutput) };
  });
}

/** What `plan` says: the add-ons, and why the optional ones are (not) there. */
function describeAddons(config: Config): string[] {
  const lines = [
    `install the EKS add-ons ${wantedAddons(config).join(", ")} at EKS's default versions for Kubernetes ${config.cluster.kubernetesVersion}; aws-ebs-csi-driver with its IRSA role`,
  ];
  if (config.monitoring.containerInsights) lines.push(`${CONTAINER_INSIGHTS_ADDON}: CloudWatch Container Insights, with its IRSA role (CloudWatchAgentServerPolicy, X-Ray writes)`);
  if (needsSnapshotController(config)) lines.push(`${SNAPSHOT_CONTROLLER_ADDON}: VolumeSnapshots of the in-cluster dependencies' volumes`);
  return lines;
}

/** Creating or updating an add-on takes 1–3 minutes; the EBS CSI driver's pods can take longer. */
const ADDON_WAIT = { timeoutMs: 20 * 60_000, intervalMs: 15_000, typicalMs: typicalMs("infra/eks-addons") };

const FAILED = new Set(["CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED", "DEGRADED"]);
const IN_PROGRESS = new Set(["CREATING", "UPDATING"]);

/** What EKS says is wrong, in one line: "InsufficientNumberOfReplicas: … (pod/x)". */
export function healthReport(addon: EksAddon): string {
  if (addon.healthIssues.length === 0) return "EKS reports no health issues";
  return addon.healthIssues.map((i) => `${i.code}: ${i.message}${i.resourceIds.length > 0 ? ` (${i.resourceIds.join(", ")})` : ""}`).join("; ");
}

function unhealthy(addon: EksAddon, cluster: string): BtpAwsError {
  return new BtpAwsError(`EKS add-on ${addon.name} on cluster ${cluster} is ${addon.status}: ${healthReport(addon)}`, {
    hint: `fix the cause above (aws eks describe-addon --cluster-name ${cluster} --addon-name ${addon.name}), then run the same command again`,
  });
}

function eksFailure(error: unknown, action: string, context: Context): BtpAwsError {
  const code = awsErrorCode(error) ?? "";
  if (code === "InvalidParameterException" && error instanceof Error) {
    const message = error.message.split("\n")[0] ?? "";
    // The only inputs are the cluster's own version (cluster.kubernetesVersion) and the IRSA roles.
    const field = /role/i.test(message) ? "the add-on's IRSA role from infra/irsa" : "cluster.kubernetesVersion";
    return new BtpAwsError(`${action}: EKS rejected it (${field}): ${code}: ${message}`, { cause: error });
  }
  return describeAwsError(error, action, { endpoint: context.services.aws.endpoint, region: context.config.aws.region });
}

function attempt<T>(context: Context, action: string, call: () => Promise<T>): Promise<T> {
  return call().catch((error: unknown) => {
    throw eksFailure(error, action, context);
  });
}

function observeAddon(context: Context, eks: EKSClient, cluster: string, name: string): () => Promise<Observation<EksAddon>> {
  return async () => {
    const addon = await attempt(context, `read EKS add-on ${name} (eks:DescribeAddon)`, () => describeAddon(eks, cluster, name));
    if (!addon) return { state: "failed", status: "gone", reason: "the add-on disappeared while btp-aws waited for it" };
    if (addon.status === "ACTIVE") return { state: "ready", value: addon, status: addon.status };
    if (FAILED.has(addon.status)) return { state: "failed", status: addon.status, reason: healthReport(addon) };
    return { state: "pending", status: addon.status };
  };
}

function waitActive(context: Context, report: Reporter, eks: EKSClient, cluster: string, name: string): Promise<EksAddon> {
  return waitFor({
    what: `EKS add-on ${name} on cluster ${cluster} to become ACTIVE`,
    observe: observeAddon(context, eks, cluster, name),
    ...ADDON_WAIT,
    settings: context.services.wait,
    onStatus: (text) => report.status(`${name}: ${text}`),
    signal: context.signal,
    hint: `see aws eks describe-addon --cluster-name ${cluster} --addon-name ${name}; run the same command again to keep waiting`,
  });
}

/** Creates a missing add-on at EKS's default version; returns the line to report. */
async function createMissing(context: Context, eks: EKSClient, cluster: string, kubernetesVersion: string, want: AddonWant, tags: TagMap): Promise<string> {
  const version = await attempt(context, `find the default ${want.name} version for Kubernetes ${kubernetesVersion} (eks:DescribeAddonVersions)`, () =>
    defaultAddonVersion(eks, want.name, kubernetesVersion));
  if (version === undefined) {
    throw new BtpAwsError(`EKS offers no default ${want.name} add-on version for Kubernetes ${kubernetesVersion}`, {
      hint: "choose a Kubernetes version in EKS standard support (cluster.kubernetesVersion)",
    });
  }
  await attempt(context, `create EKS add-on ${want.name} ${version} (eks:CreateAddon)`, () =>
    createAddon(eks, { cluster, name: want.name, version, serviceAccountRoleArn: want.roleArn, tags }));
  return `created add-on ${want.name} ${version}${want.roleArn === undefined ? "" : ` with role ${want.roleArn}`}`;
}

/** Puts an adopted add-on's role and tags back; returns what it changed and whether to wait. */
async function repairExisting(context: Context, eks: EKSClient, cluster: string, found: EksAddon, want: AddonWant, tags: TagMap): Promise<{ changes: string[]; wait: boolean }> {
  const { platform } = context.config;
  // An adopted cluster (cluster.mode existing) comes with its owner's add-ons, untagged: use them
  // as they are (no tags, no role change: they are not ours to alter), only refuse a broken one.
  const ownersAddon = context.outputs["infra/eks"]?.adopted === true && found.tags[PLATFORM_TAG] === undefined;
  if (ownersAddon) {
    if (found.status === "DELETING" || FAILED.has(found.status)) throw unhealthy(found, cluster);
    return { changes: [], wait: IN_PROGRESS.has(found.status) };
  }
  if (found.tags[PLATFORM_TAG] !== platform) {
    throw new BtpAwsError(`EKS add-on ${found.name} on cluster ${cluster} exists but is not managed by btp-aws for platform ${platform}`, {
      hint: `tag it (aws eks tag-resource --resource-arn ${found.arn} --tags ${PLATFORM_TAG}=${platform}) to let btp-aws manage it, or delete it, then run again`,
    });
  }
  if (found.status === "DELETING") {
    throw new BtpAwsError(`EKS add-on ${found.name} on cluster ${cluster} is being deleted`, { hint: "run the same command again once the deletion has finished: the add-on is then created anew" });
  }
  if (FAILED.has(found.status)) throw unhealthy(found, cluster);
  const changes: string[] = [];
  let wait = IN_PROGRESS.has(found.status);
  const role = want.roleArn;
  if (role !== undefined && found.serviceAccountRoleArn !== role) {
    await attempt(context, `set the service account role of EKS add-on ${found.name} (eks:UpdateAddon)`, () => updateAddonRole(eks, cluster, found.name, role));
    changes.push(`add-on ${found.name}: service account role ${found.serviceAccountRoleArn ?? "none"} → ${role}`);
    wait = true;
  }
  const absent = missingTags(found.tags, tags);
  if (Object.keys(absent).length > 0) {
    await attempt(context, `tag EKS add-on ${found.name} (eks:TagResource)`, () => tagAddon(eks, found.arn, absent));
    changes.push(`add-on ${found.name}: added tags ${Object.keys(absent).join(", ")}`);
  }
  return { changes, wait };
}

/**
 * An optional add-on btp-aws installed earlier that the config no longer asks for stays: removing
 * Container Insights or the snapshot controller (and with it the VolumeSnapshot CRDs) from a
 * running cluster is a deliberate act. Only say so, for the add-ons that carry this platform's tag.
 */
async function warnAboutUnwanted(context: Context, report: Reporter, eks: EKSClient, cluster: string, wants: readonly AddonWant[]): Promise<void> {
  for (const name of [CONTAINER_INSIGHTS_ADDON, SNAPSHOT_CONTROLLER_ADDON].filter((n) => !wants.some((w) => w.name === n))) {
    const found = await attempt(context, `read EKS add-on ${name} (eks:DescribeAddon)`, () => describeAddon(eks, cluster, name));
    if (found?.tags[PLATFORM_TAG] !== context.config.platform) continue;
    const why = name === CONTAINER_INSIGHTS_ADDON ? "monitoring.containerInsights is off" : "no dependency runs in-cluster any more";
    report.warn(`EKS add-on ${name} is still installed although ${why}: btp-aws leaves it; remove it with \`aws eks delete-addon --cluster-name ${cluster} --addon-name ${name}\``);
  }
}

export const eksAddonsStep: Step<Services> = {
  id: "infra/eks-addons",
  title: "EKS add-ons",
  phase: "infra",
  needs: ["infra/nodegroup", "infra/irsa"],
  describe: describeAddons,
  async run(context, report) {
    const { config, outputs, services } = context;
    const cluster = stringOutput(outputs, "infra/eks", "clusterName");
    const kubernetesVersion = stringOutput(outputs, "infra/eks", "kubernetesVersion");
    const wants = addonWants(config, outputs);
    const eks = await services.aws.eks();
    const changes: string[] = [];
    const waitForNames: string[] = [];
    const ready = new Map<string, EksAddon>();

    // Act on every add-on first, then wait: EKS installs them in parallel.
    for (const want of wants) {
      report.status(`add-on ${want.name}`);
      const tags = platformTags(config, { Name: `${cluster}-${want.name}` });
      const found = await attempt(context, `read EKS add-on ${want.name} (eks:DescribeAddon)`, () => describeAddon(eks, cluster, want.name));
      if (!found) {
        changes.push(await createMissing(context, eks, cluster, kubernetesVersion, want, tags));
        waitForNames.push(want.name);
        continue;
      }
      const repaired = await repairExisting(context, eks, cluster, found, want, tags);
      changes.push(...repaired.changes);
      if (repaired.wait) waitForNames.push(want.name);
      else ready.set(want.name, found);
    }
    for (const name of waitForNames) ready.set(name, await waitActive(context, report, eks, cluster, name));
    await warnAboutUnwanted(context, report, eks, cluster, wants);

    const versions = wants.map((w) => `${w.name}=${ready.get(w.name)?.version ?? ""}`);
    if (changes.length === 0) report.skip(`add-ons ${versions.join(", ")} are ACTIVE`);
    for (const change of changes) report.info(change);
    return { addons: wants.map((w) => w.name), addonVersions: versions };
  },
};
