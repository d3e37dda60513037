/**
 * The CLI's ClusterAccess: connects on first use and shares the connection between steps.
 * For the EKS cluster infra built: DescribeCluster, a token source, and a kubeconfig for helm
 * written into the state directory (0600, its user runs `btp-aws eks-token`: no token on disk).
 * With --kubeconfig / --context: the user's own context, for the Kubernetes API and helm alike.
 */
import type { AwsClients } from "../aws/clients.js";
import { helmNotAtPath, helmNotFound } from "../helm/errors.js";
import { createHelm, type Helm } from "../helm/release.js";
import type { ClusterAccess, ClusterTarget } from "../phases/cluster/services.js";
import { eksConnection, existingConnection, type ClusterConnection, type ExistingConnectionOptions } from "./connection.js";
import { selfExecCommand, type ExecCommand } from "./exec-command.js";
import { createKube, type Kube } from "./kube.js";
import { writeKubeconfig } from "./kubeconfig.js";

export interface ClusterAccessOptions {
  aws: Pick<AwsClients, "eks" | "sts" | "endpoint">;
  profile: string | undefined;
  /** Set when the user passed --kubeconfig or --context: the EKS target is then ignored. */
  existing: ExistingConnectionOptions | undefined;
  stateDir: string;
  platform: string;
  /** Finds the helm binary (--helm, BTP_AWS_HELM, PATH), as prepare/tools checked it. */
  findHelm: () => Promise<string | undefined>;
  helmPath?: string | undefined;
  execCommand?: ExecCommand;
  /** Receives every helm argv: the verbose log shows what ran. */
  onHelmArgv?: (argv: string[]) => void;
}

export function createClusterAccess(options: ClusterAccessOptions): ClusterAccess {
  // Promises are cached, so steps running at once share one DescribeCluster and one file write.
  let connection: Promise<ClusterConnection> | undefined;
  let kube: Promise<Kube> | undefined;
  let helm: Promise<Helm> | undefined;

  const retryable = <T>(promise: Promise<T>, reset: () => void): Promise<T> => {
    promise.catch(() => reset());
    return promise;
  };

  function connect(target: ClusterTarget): Promise<ClusterConnection> {
    connection ??= retryable<ClusterConnection>(
      options.existing ? existingConnection(options.existing) : eksConnection(options.aws, target.clusterName, target.region, { profile: options.profile }),
      () => (connection = undefined),
    );
    return connection;
  }

  async function buildHelm(target: ClusterTarget): Promise<Helm> {
    const binary = await options.findHelm();
    if (binary === undefined) throw options.helmPath ? helmNotAtPath(options.helmPath) : helmNotFound();
    const connected = await connect(target);
    const onArgv = options.onHelmArgv;
    if (connected.kind === "kubeconfig") {
      return createHelm({ binary, kubeconfig: connected.explicitFile, kubeContext: connected.context, ...(onArgv ? { onArgv } : {}) });
    }
    const name = `btp-${options.platform}`;
    const path = await writeKubeconfig(options.stateDir, options.platform, connected, { name, execCommand: options.execCommand ?? selfExecCommand() });
    return createHelm({ binary, kubeconfig: path, kubeContext: name, ...(onArgv ? { onArgv } : {}) });
  }

  let local: Promise<Helm> | undefined;
  async function buildLocalHelm(): Promise<Helm> {
    const binary = await options.findHelm();
    if (binary === undefined) throw options.helmPath ? helmNotAtPath(options.helmPath) : helmNotFound();
    return createHelm({ binary, ...(options.onHelmArgv ? { onArgv: options.onHelmArgv } : {}) });
  }

  return {
    localHelm() {
      local ??= retryable(buildLocalHelm(), () => (local = undefined));
      return local;
    },
    kube(target) {
      kube ??= retryable(connect(target).then(createKube), () => (kube = undefined));
      return kube;
    },
    helm(target) {
      helm ??= retryable(buildHelm(target), () => (helm = undefined));
      return helm;
    },
  };
}
