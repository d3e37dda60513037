/**
 * infra/eks: the EKS cluster at the configured Kubernetes version, private and public endpoint
 * (public CIDRs from the config), Kubernetes secrets envelope-encrypted with the platform key,
 * all control plane logs, access entries enabled; then cluster-admin access for the installer's
 * own principal through an access entry.
 *
 * Found by name. What EKS can change in place is repaired, one update at a time (EKS refuses
 * concurrent updates), each waited for. What it cannot (version, key, subnets) is reported as
 * drift and never "fixed" by replacing a cluster that holds the platform's workloads.
 */
import type { EKSClient } from "@aws-sdk/client-eks";
import { associateSecretsKey, createCluster, describeCluster, enableAccessEntries, enableLogging, tagEksResource, updateEndpointAccess, type ClusterSpec, type EksCluster, type EksUpdate } from "../../aws/eks.js";
import { awsErrorCode } from "../../aws/errors.js";
import { awsPartition } from "../../aws/iam.js";
import { PLATFORM_TAG, platformTags } from "../../aws/tags.js";
import { waitFor, type Observation } from "../../aws/wait.js";
import { BtpAwsError } from "../../errors.js";
import { stringOutput } from "../../plan/outputs.js";
import type { Reporter, Step, StepContext } from "../../plan/types.js";
import { clusterAdminPolicyArn, ensureAdminAccess, iamPrincipal, resolveRoleArn } from "./eks-access.js";
import { clusterSpec, inPlaceRepairs, unchangeableDrift } from "./eks-cluster-spec.js";
import { clusterOutputs } from "./eks-outputs.js";
import { clusterError } from "./eks-errors.js";
import { CLUSTER_CREATE, CLUSTER_UPDATE, waitClusterActive, waitForUpdate, type WaitContext } from "./eks-waits.js";
import { adoptCluster, adoptedClusterLines } from "./existing-cluster-adopt.js";
import { isExistingCluster } from "./existing-cluster.js";
import { infraNames } from "./names.js";
import type { InfraServices } from "./services.js";

type Services = Pick<InfraServices, "aws" | "wait">;
type Call = <T>(action: string, fn: () => Promise<T>) => Promise<T>;

/** A freshly created IAM role takes a few seconds to become assumable by EKS. */
const ROLE_PROPAGATION = { timeoutMs: 2 * 60_000, intervalMs: 10_000 };

function roleNotYetUsable(error: unknown): boolean {
  return awsErrorCode(error) === "InvalidParameterException" && /role/i.test(error instanceof Error ? error.message : "") && /assume|does not exist|not authorized/i.test(error instanceof Error ? error.message : "");
}

/** Creates the cluster, retrying while the new cluster role propagates through IAM. */
async function create(eks: EKSClient, spec: ClusterSpec, wait: WaitContext, call: Call): Promise<void> {
  await waitFor({
    what: `IAM role ${spec.roleArn} to become usable by EKS`,
    settings: wait.services.wait,
    onStatus: (text) => wait.report.status(text),
    signal: wait.signal,
    ...ROLE_PROPAGATION,
    hint: `check that ${spec.roleArn} trusts eks.amazonaws.com and that the installer may pass it (iam:PassRole), then run again`,
    observe: () =>
      call(`create EKS cluster ${spec.name} (eks:CreateCluster, iam:PassRole)`, async (): Promise<Observation<undefined>> => {
        try {
          await createCluster(eks, spec);
        } catch (error) {
          if (roleNotYetUsable(error)) return { state: "pending", status: "waiting for the cluster role to propagate" };
          // An earlier attempt whose answer was lost: the cluster exists now, so wait for it.
          if (awsErrorCode(error) !== "ResourceInUseException") throw error;
        }
        return { state: "ready", value: undefined, status: "CREATING" };
      }),
  });
}

/** Applies what EKS can change in place; returns what was repaired. */
async function repair(eks: EKSClient, cluster: EksCluster, spec: ClusterSpec, wait: WaitContext, call: Call): Promise<string[]> {
  const needed = inPlaceRepairs(cluster, spec);
  const done: string[] = [];
  const apply = async (what: string, action: string, start: () => Promise<EksUpdate>) => {
    wait.report.status(what);
    const update = await call(action, start);
    await call(`wait for EKS cluster ${spec.name} to ${what} (eks:DescribeUpdate)`, () =>
      waitForUpdate(eks, { cluster: spec.name }, update, `EKS cluster ${spec.name} to ${what}`, wait, CLUSTER_UPDATE));
    done.push(what);
  };
  if (needed.secretsKey) {
    await apply("encrypt secrets with the platform key", `turn on secrets encryption for ${spec.name} (eks:AssociateEncryptionConfig)`, () => associateSecretsKey(eks, spec.name, spec.secretsKeyArn));
  }
  if (needed.endpointAccess) {
    await apply(`allow the public endpoint from ${spec.publicAccessCidrs.join(", ")}`, `update the endpoint access of ${spec.name} (eks:UpdateClusterConfig)`, () => updateEndpointAccess(eks, spec.name, spec.publicAccessCidrs));
  }
  if (needed.logTypes.length > 0) {
    await apply(`turn on ${needed.logTypes.join(", ")} logs`, `turn on control plane logging for ${spec.name} (eks:UpdateClusterConfig)`, () => enableLogging(eks, spec.name, spec.logTypes));
  }
  if (needed.accessEntries) {
    await apply("accept access entries (API_AND_CONFIG_MAP)", `change the authentication mode of ${spec.name} (eks:UpdateClusterConfig)`, () => enableAccessEntries(eks, spec.name));
  }
  if (Object.keys(needed.tags).length > 0) {
    await call(`tag EKS cluster ${spec.name} (eks:TagResource)`, () => tagEksResource(eks, cluster.arn, needed.tags));
    done.push(`add tags ${Object.keys(needed.tags).join(", ")}`);
  }
  return done;
}

export const eksStep: Step<Services> = {
  id: "infra/eks",
  title: "EKS cluster",
  phase: "infra",
  // Not infra/security-groups: CreateCluster takes only subnets (EKS makes the cluster's own group);
  // the node group and the data stores use the platform's groups, so they wait for them instead.
  needs: ["infra/vpc", "infra/kms", "infra/iam-roles", "prepare/credentials"],
  describe: (config) => isExistingCluster(config) ? adoptedClusterLines(config) : [
    `cluster ${infraNames(config).cluster} Kubernetes ${config.cluster.kubernetesVersion}, secrets encrypted with the platform key, control plane logs on`,
    `private endpoint, public endpoint for ${config.cluster.publicAccessCidrs.join(", ")}`,
    "access entry with AmazonEKSClusterAdminPolicy for the installer's principal (no aws-auth ConfigMap)",
  ],
  async run(context: StepContext<Services>, report: Reporter) {
    const { config, services, outputs } = context;
    // cluster.mode existing: the cluster is checked and recorded, only the access entry may be made.
    if (isExistingCluster(config)) return adoptCluster(context, report);
    const target = { endpoint: services.aws.endpoint, region: config.aws.region };
    const call: Call = async (action, fn) => {
      try {
        return await fn();
      } catch (error) {
        throw clusterError(error, action, config, target);
      }
    };
    const spec = clusterSpec(config, outputs);
    const wait: WaitContext = { services, report, signal: context.signal };
    const eks = await services.aws.eks();

    report.status(`looking for cluster ${spec.name}`);
    let cluster = await call(`read EKS cluster ${spec.name} (eks:DescribeCluster)`, () => describeCluster(eks, spec.name));
    const done: string[] = [];
    if (!cluster) {
      await create(eks, spec, wait, call);
      cluster = await call(`wait for EKS cluster ${spec.name} (eks:DescribeCluster)`, () => waitClusterActive(eks, spec.name, wait, CLUSTER_CREATE));
      done.push(`created cluster ${spec.name} (Kubernetes ${spec.version})`);
    } else {
      if (cluster.tags[PLATFORM_TAG] !== config.platform) {
        throw new BtpAwsError(`EKS cluster ${spec.name} exists but is not managed by btp-aws for platform ${config.platform} (its ${PLATFORM_TAG} tag is ${cluster.tags[PLATFORM_TAG] ?? "missing"})`, {
          hint: "choose another platform name, or tag the cluster if it really is this platform's",
        });
      }
      if (cluster.status === "DELETING") {
        throw new BtpAwsError(`EKS cluster ${spec.name} is being deleted`, { hint: "wait until it is gone (aws eks describe-cluster), then run again to create it anew" });
      }
      if (cluster.status !== "ACTIVE") cluster = await call(`wait for EKS cluster ${spec.name} (eks:DescribeCluster)`, () => waitClusterActive(eks, spec.name, wait, CLUSTER_CREATE));
      const drift = unchangeableDrift(cluster, spec);
      if (drift.differences.length > 0) {
        throw new BtpAwsError(`EKS cluster ${spec.name} differs from the config in ways EKS cannot change in place: ${drift.differences.join("; ")}`, { hint: drift.hint });
      }
      const repaired = await repair(eks, cluster, spec, wait, call);
      if (repaired.length > 0) {
        done.push(`cluster ${spec.name}: ${repaired.join("; ")}`);
        cluster = (await call(`read EKS cluster ${spec.name} (eks:DescribeCluster)`, () => describeCluster(eks, spec.name))) ?? cluster;
      }
    }

    report.status("checking the installer's access entry");
    const iam = await services.aws.iam();
    const account = stringOutput(outputs, "prepare/credentials", "account");
    const principal = iamPrincipal(stringOutput(outputs, "prepare/credentials", "principal"));
    const principalArn = await call(`read IAM role ${principal.roleName ?? principal.arn} (iam:GetRole)`, () => resolveRoleArn(iam, principal, account));
    const access = await ensureAdminAccess(eks, {
      cluster: spec.name,
      principalArn,
      policyArn: clusterAdminPolicyArn(awsPartition(config.aws.region)),
      tags: platformTags(config),
    }, call);
    if (access) done.push(access);

    for (const line of done) report.info(line);
    if (done.length === 0) report.skip(`cluster ${spec.name} is ACTIVE at Kubernetes ${cluster.version} as configured; ${principalArn} has cluster-admin access`);
    return clusterOutputs(cluster);
  },
};
