/**
 * infra/nodegroup: the managed node group on the private subnets, with the configured instance
 * types and scaling, the node role, and the launch template (IMDSv2, encrypted gp3 root volume).
 *
 * Scaling is changed in place; a launch template change becomes a new template version that the
 * node group is moved to, which is how EKS rolls nodes. Instance types, subnets and the node role
 * of a managed node group cannot change: a difference there is drift, reported, never replaced.
 */
import type { AMITypes, EKSClient } from "@aws-sdk/client-eks";
import { createNodeGroup, describeNodeGroup, tagEksResource, updateNodeGroupLaunchTemplate, updateNodeGroupScaling, type NodeGroup, type NodeGroupSpec, type Scaling } from "../../aws/eks.js";
import { PLATFORM_TAG, missingTags, platformTags } from "../../aws/tags.js";
import { BtpAwsError } from "../../errors.js";
import { listOutput, stringOutput } from "../../plan/outputs.js";
import type { Reporter, Step, StepContext } from "../../plan/types.js";
import { nodeGroupError, withVcpuQuotaHint } from "./eks-errors.js";
import { NODEGROUP_CREATE, NODEGROUP_ROLLOUT, NODEGROUP_SCALING, waitForUpdate, waitNodeGroupActive, type WaitContext } from "./eks-waits.js";
import { ensureLaunchTemplate, wantedLaunchSettings } from "./nodegroup-launch-template.js";
import { adoptedNodeGroupLines, adoptNodeGroups } from "./existing-cluster-adopt.js";
import { isExistingCluster } from "./existing-cluster.js";
import { infraNames } from "./names.js";
import type { InfraServices } from "./services.js";
import { allSettledOrThrow } from "../../all-settled.js";

type Services = Pick<InfraServices, "aws" | "wait">;
type Call = <T>(action: string, fn: () => Promise<T>) => Promise<T>;

/** Graviton families carry a "g" after the generation digit: m7g, c6gn, r8gd, t4g. */
function isArm(instanceType: string): boolean {
  const family = instanceType.split(".")[0] ?? "";
  return /^[a-z]+\d+[a-z-]*g/.test(family);
}

/**
 * Amazon Linux 2023, the EKS-optimised AMI for every supported Kubernetes version (AL2 ends
 * with 1.32), for the architecture of the instance types. A node group runs one architecture.
 */
export function amiTypeFor(instanceTypes: readonly string[]): AMITypes {
  const arm = instanceTypes.filter(isArm);
  if (arm.length === 0) return "AL2023_x86_64_STANDARD";
  if (arm.length === instanceTypes.length) return "AL2023_ARM_64_STANDARD";
  throw new BtpAwsError(`cluster.instanceTypes: ${instanceTypes.join(", ")} mixes arm64 (${arm.join(", ")}) and x86_64 instance types; a node group runs one architecture`, {
    hint: "list instance types of one architecture only, then run again",
  });
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  return left.size === new Set(b).size && b.every((item) => left.has(item));
}

function scalingText(s: Scaling): string {
  return `${s.min}/${s.desired}/${s.max}`;
}

/** Differences a managed node group cannot take in place. */
function unchangeable(group: NodeGroup, spec: NodeGroupSpec): string[] {
  const differences: string[] = [];
  if (!sameSet(group.instanceTypes, spec.instanceTypes)) differences.push(`instance types are ${group.instanceTypes.join(", ")}, the config asks for ${spec.instanceTypes.join(", ")} (cluster.instanceTypes)`);
  if (!sameSet(group.subnetIds, spec.subnetIds)) differences.push(`subnets are ${group.subnetIds.join(", ")}, the VPC's private subnets are ${spec.subnetIds.join(", ")}`);
  if (group.nodeRoleArn !== spec.nodeRoleArn) differences.push(`node role is ${group.nodeRoleArn}, expected ${spec.nodeRoleArn}`);
  if (group.launchTemplate.id !== spec.launchTemplate.id) differences.push(`launch template is ${group.launchTemplate.id ?? "none"}, expected ${spec.launchTemplate.id}`);
  return differences;
}

/** Brings an existing node group to the spec: scaling, then the launch template version, then tags. */
async function repair(eks: EKSClient, group: NodeGroup, spec: NodeGroupSpec, wait: WaitContext, call: Call): Promise<string[]> {
  const done: string[] = [];
  const target = { cluster: spec.cluster, nodegroup: spec.name };
  const { min, desired, max } = group.scaling;
  if (min !== spec.scaling.min || desired !== spec.scaling.desired || max !== spec.scaling.max) {
    wait.report.status(`scaling ${scalingText(group.scaling)} → ${scalingText(spec.scaling)}`);
    const update = await call(`update the scaling of node group ${spec.name} (eks:UpdateNodegroupConfig)`, () => updateNodeGroupScaling(eks, spec.cluster, spec.name, spec.scaling));
    await call(`wait for node group ${spec.name} (eks:DescribeUpdate)`, () => waitForUpdate(eks, target, update, `node group ${spec.name} to scale`, wait, NODEGROUP_SCALING));
    done.push(`scaling min/desired/max ${scalingText(group.scaling)} → ${scalingText(spec.scaling)}`);
  }
  if (group.launchTemplate.version !== spec.launchTemplate.version) {
    wait.report.status(`rolling nodes onto launch template version ${spec.launchTemplate.version}`);
    const update = await call(`move node group ${spec.name} to launch template version ${spec.launchTemplate.version} (eks:UpdateNodegroupVersion)`, () =>
      updateNodeGroupLaunchTemplate(eks, spec.cluster, spec.name, spec.launchTemplate));
    await call(`wait for node group ${spec.name} (eks:DescribeUpdate)`, () =>
      waitForUpdate(eks, target, update, `node group ${spec.name} to roll onto launch template version ${spec.launchTemplate.version}`, wait, NODEGROUP_ROLLOUT));
    done.push(`rolled the nodes from launch template version ${group.launchTemplate.version ?? "?"} to ${spec.launchTemplate.version}`);
  }
  const absent = missingTags(group.tags, spec.tags);
  if (Object.keys(absent).length > 0) {
    await call(`tag node group ${spec.name} (eks:TagResource)`, () => tagEksResource(eks, group.arn, absent));
    done.push(`added tags ${Object.keys(absent).join(", ")}`);
  }
  return done;
}

function securityGroups(context: StepContext<Services>, report: Reporter): string[] {
  const clusterGroup = stringOutput(context.outputs, "infra/eks", "clusterSecurityGroupId");
  const nodeGroup = stringOutput(context.outputs, "infra/security-groups", "nodeSecurityGroupId");
  // A launch template with security groups replaces EKS's default of the cluster security group,
  // so it must be listed; without it the control plane and the nodes cannot talk.
  if (clusterGroup === "") report.warn("EKS reported no cluster security group: the nodes get only the node security group");
  return clusterGroup === "" ? [nodeGroup] : [clusterGroup, nodeGroup];
}

export const nodegroupStep: Step<Services> = {
  id: "infra/nodegroup",
  title: "Managed node group",
  phase: "infra",
  // infra/nat-gateways: nodes in private subnets reach the EKS API and pull images through them.
  needs: ["infra/eks", "infra/iam-roles", "infra/security-groups", "infra/kms", "infra/vpc", "infra/nat-gateways"],
  describe: (config) => isExistingCluster(config) ? adoptedNodeGroupLines(config) : [
    `node group ${infraNames(config).nodeGroup}: ${config.cluster.instanceTypes.join(", ")}, min ${config.cluster.minNodes} / desired ${config.cluster.desiredNodes} / max ${config.cluster.maxNodes}, on the private subnets`,
    `launch template ${infraNames(config).launchTemplate}: IMDSv2 required, gp3 ${config.cluster.diskSizeGiB} GiB encrypted with the platform key`,
  ],
  async run(context, report) {
    const { config, services, outputs } = context;
    // cluster.mode existing: the cluster's node groups are recorded, none is created or scaled.
    if (isExistingCluster(config)) return adoptNodeGroups(context, report);
    const errorTarget = { endpoint: services.aws.endpoint, region: config.aws.region };
    const call: Call = async (action, fn) => {
      try {
        return await fn();
      } catch (error) {
        throw nodeGroupError(withVcpuQuotaHint(error), action, config, errorTarget);
      }
    };
    const names = infraNames(config);
    const wait: WaitContext = { services, report, signal: context.signal };

    report.status(`checking launch template ${names.launchTemplate} and node group ${names.nodeGroup}`);
    const wanted = wantedLaunchSettings(config, { kmsKeyArn: stringOutput(outputs, "infra/kms", "keyArn"), securityGroupIds: securityGroups(context, report) });
    const cluster = stringOutput(outputs, "infra/eks", "clusterName");
    const eks = await services.aws.eks();
    // The template and the group are looked up at once: the node group is on the install's longest chain.
    const [template, existing] = await allSettledOrThrow([
      (async () => ensureLaunchTemplate(await services.aws.ec2(), config, wanted, call))(),
      call(`read node group ${names.nodeGroup} (eks:DescribeNodegroup)`, () => describeNodeGroup(eks, cluster, names.nodeGroup)),
    ]);

    const spec: NodeGroupSpec = {
      cluster,
      name: names.nodeGroup,
      subnetIds: [...listOutput(outputs, "infra/vpc", "privateSubnetIds")],
      instanceTypes: [...config.cluster.instanceTypes],
      amiType: amiTypeFor(config.cluster.instanceTypes),
      scaling: { min: config.cluster.minNodes, desired: config.cluster.desiredNodes, max: config.cluster.maxNodes },
      nodeRoleArn: stringOutput(outputs, "infra/iam-roles", "nodeRoleArn"),
      launchTemplate: { id: template.id, version: template.version },
      tags: platformTags(config, { Name: names.nodeGroup }),
    };
    const done = template.done === undefined ? [] : [template.done];
    let group = existing;
    if (!group) {
      await call(`create node group ${spec.name} (eks:CreateNodegroup, iam:PassRole)`, () => createNodeGroup(eks, spec));
      group = await call(`wait for node group ${spec.name} (eks:DescribeNodegroup)`, () => waitNodeGroupActive(eks, spec.cluster, spec.name, wait, NODEGROUP_CREATE));
      done.push(`created node group ${spec.name} (${spec.instanceTypes.join(", ")}, ${scalingText(spec.scaling)})`);
    } else {
      if (group.tags[PLATFORM_TAG] !== config.platform) {
        throw new BtpAwsError(`node group ${spec.name} exists but is not managed by btp-aws for platform ${config.platform} (its ${PLATFORM_TAG} tag is ${group.tags[PLATFORM_TAG] ?? "missing"})`, {
          hint: "choose another platform name, or tag the node group if it really is this platform's",
        });
      }
      if (group.status === "DELETING" || /FAILED$/.test(group.status)) {
        throw new BtpAwsError(`node group ${spec.name} is ${group.status}: ${group.issues.join("; ") || "EKS reported no reason"}`, {
          hint: `fix the cause, delete the node group (aws eks delete-nodegroup --cluster-name ${spec.cluster} --nodegroup-name ${spec.name}), wait until it is gone, then run again`,
        });
      }
      if (group.status !== "ACTIVE" && group.status !== "DEGRADED") {
        group = await call(`wait for node group ${spec.name} (eks:DescribeNodegroup)`, () => waitNodeGroupActive(eks, spec.cluster, spec.name, wait, NODEGROUP_CREATE));
      }
      const drift = unchangeable(group, spec);
      if (drift.length > 0) {
        throw new BtpAwsError(`node group ${spec.name} differs from the config in ways EKS cannot change in place: ${drift.join("; ")}`, {
          hint: `change the config back, or replace the node group deliberately (aws eks delete-nodegroup --cluster-name ${spec.cluster} --nodegroup-name ${spec.name}, then run again): btp-aws never replaces it on its own`,
        });
      }
      const repaired = await repair(eks, group, spec, wait, call);
      if (repaired.length > 0) done.push(`node group ${spec.name}: ${repaired.join("; ")}`);
    }
    if (group.status === "DEGRADED") report.warn(`node group ${spec.name} is DEGRADED: ${group.issues.join("; ") || "EKS reported no reason"}`);

    for (const line of done) report.info(line);
    if (done.length === 0) report.skip(`node group ${spec.name} is ${group.status} with ${spec.instanceTypes.join(", ")} ${scalingText(spec.scaling)} on launch template ${template.id} version ${template.version}`);
    return { nodeGroupName: spec.name, launchTemplateId: template.id };
  },
};
