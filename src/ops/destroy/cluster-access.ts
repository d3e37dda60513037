/**
 * The platform cluster's API and a helm bound to it, for destroy and dr-snapshot. Connecting is
 * lazy and happens once; a cluster that does not exist (or is not ACTIVE) is an answer, not an
 * error: the Kubernetes stages then skip with that reason.
 */
import type { AwsClients } from "../../aws/clients.js";
import { describeCluster } from "../../aws/eks.js";
import { describeAwsError } from "../../aws/errors.js";
import { BtpAwsError } from "../../errors.js";
import type { HelmLocator } from "../../helm/binary.js";
import { createHelm, type Helm } from "../../helm/release.js";
import { eksConnection } from "../../k8s/connection.js";
import { selfExecCommand } from "../../k8s/exec-command.js";
import { createKube } from "../../k8s/kube.js";
import { writeKubeconfig } from "../../k8s/kubeconfig.js";
import type { ClusterReach } from "./types.js";

export interface ClusterAccessOptions {
  aws: AwsClients;
  platform: string;
  clusterName: string;
  region: string;
  profile: string | undefined;
  /** Where helm's kubeconfig (no token inside) is written: the platform's state directory. */
  stateDir: string;
  helm: HelmLocator;
}

export function clusterAccess(options: ClusterAccessOptions): () => Promise<ClusterReach> {
  let reach: Promise<ClusterReach> | undefined;
  return () => (reach ??= connect(options));
}

async function connect(options: ClusterAccessOptions): Promise<ClusterReach> {
  const { aws, clusterName, region } = options;
  let cluster;
  try {
    cluster = await describeCluster(await aws.eks(region), clusterName);
  } catch (error) {
    throw describeAwsError(error, `read EKS cluster ${clusterName} (eks:DescribeCluster)`, { endpoint: aws.endpoint, region });
  }
  if (!cluster) return { state: "absent", reason: `EKS cluster ${clusterName} does not exist: nothing runs in Kubernetes any more` };
  if (cluster.status !== "ACTIVE" && cluster.status !== "UPDATING") return { state: "absent", reason: `EKS cluster ${clusterName} is ${cluster.status}: its API cannot be used` };
  const connection = await eksConnection(aws, clusterName, region, { profile: options.profile });
  const kube = await createKube(connection);
  const binary = await options.helm.find();
  // dr-snapshot never runs helm: a missing binary matters only to whoever calls it.
  if (binary === undefined) return { state: "reachable", handles: { kube, helm: missingHelm() } };
  const context = `btp-${options.platform}`;
  const kubeconfig = await writeKubeconfig(options.stateDir, options.platform, connection, { name: context, execCommand: selfExecCommand() });
  return { state: "reachable", handles: { kube, helm: createHelm({ binary, kubeconfig, kubeContext: context }) } };
}

/** A helm whose every call fails saying that helm was not found. */
function missingHelm(): Helm {
  const fail = () => Promise.reject(new BtpAwsError("helm not found: destroy uninstalls the platform's helm releases with it", { hint: "install helm 3.8+ or pass --helm <path>, then run again" }));
  return { status: fail, upgradeInstall: fail, template: fail, showValues: fail, registryLogin: fail, list: fail, uninstall: fail };
}
