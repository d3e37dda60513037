/**
 * client-node's KubeConfig for a connection. For EKS, a one-cluster config whose user carries no
 * credential at all: a custom authenticator adds the current bearer token to each request, so
 * the token lives only in memory. For a user's kubeconfig, client-node's own loaders (exec
 * plugins, client certificates, tokens) do what kubectl would.
 */
import type * as ClientNode from "@kubernetes/client-node";
import { BtpAwsError, errorMessage } from "../errors.js";
import type { ClusterConnection, EksConnection } from "./connection.js";

export type ClientNodeModule = typeof ClientNode;

export interface KubeconfigFile {
  path: string;
  /** A missing optional file is skipped, as kubectl skips missing KUBECONFIG entries. */
  required: boolean;
}

/** The user entry btp-aws authenticates itself (see eksKubeConfig). */
const EKS_USER = "btp-aws-eks-token";

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === "ENOENT";
}

/**
 * Merges kubeconfig files with kubectl's rules: the first file to name a cluster, user or context
 * wins, and the current context comes from the first file that sets one. (client-node's own
 * merge throws on duplicate names and lets later files win the current context.)
 */
export function loadKubeconfigFiles(k8s: ClientNodeModule, files: readonly KubeconfigFile[]): { config: ClientNode.KubeConfig; read: string[] } {
  const clusters: ClientNode.Cluster[] = [];
  const users: ClientNode.User[] = [];
  const contexts: ClientNode.Context[] = [];
  let currentContext: string | undefined;
  const read: string[] = [];
  for (const file of files) {
    const one = new k8s.KubeConfig();
    try {
      one.loadFromFile(file.path);
    } catch (error) {
      if (isMissing(error) && !file.required) continue;
      if (isMissing(error)) throw new BtpAwsError(`kubeconfig ${file.path} does not exist`, { hint: "pass --kubeconfig <file> with an existing file, or set KUBECONFIG" });
      throw new BtpAwsError(`cannot read kubeconfig ${file.path}: ${errorMessage(error)}`, { cause: error });
    }
    read.push(file.path);
    const add = <T extends { name: string }>(into: T[], from: T[] | undefined) => {
      for (const item of from ?? []) if (!into.some((known) => known.name === item.name)) into.push(item);
    };
    add(clusters, one.getClusters());
    add(users, one.getUsers());
    add(contexts, one.getContexts());
    currentContext ??= one.getCurrentContext() || undefined;
  }
  const config = new k8s.KubeConfig();
  config.loadFromOptions({ clusters, users, contexts, currentContext });
  return { config, read };
}

function eksKubeConfig(k8s: ClientNodeModule, connection: EksConnection): ClientNode.KubeConfig {
  const config = new k8s.KubeConfig();
  const name = connection.clusterName;
  config.loadFromOptions({
    clusters: [{ name, server: connection.server, caData: connection.caData, skipTLSVerify: false }],
    users: [{ name: EKS_USER }],
    contexts: [{ name, cluster: name, user: EKS_USER }],
    currentContext: name,
  });
  // Consulted for every request and WebSocket (port-forward): the token source refreshes itself.
  config.addAuthenticator({
    isAuthProvider: (user) => user?.name === EKS_USER,
    applyAuthentication: async (_user, options) => {
      // HTTPS request options or WebSocket options: both carry headers the same way.
      const target = options as { headers?: Record<string, unknown> };
      target.headers = { ...target.headers, Authorization: `Bearer ${await connection.token()}` };
    },
  });
  return config;
}

export function kubeConfigFor(k8s: ClientNodeModule, connection: ClusterConnection): ClientNode.KubeConfig {
  if (connection.kind === "eks") return eksKubeConfig(k8s, connection);
  const { config } = loadKubeconfigFiles(k8s, connection.files.map((path) => ({ path, required: true })));
  config.setCurrentContext(connection.context);
  return config;
}
