/**
 * Kubeconfig files for programs that are not btp-aws (helm, and the user's kubectl). The user
 * entry holds no token: an exec credential plugin runs `btp-aws eks-token`, which signs a fresh
 * one each time, so a token is never written to disk and never goes stale in a long helm --wait.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { BtpAwsError, errorMessage } from "../errors.js";
import { writeFileAtomic } from "../state/atomic-write.js";
import { statePaths } from "../state/paths.js";
import type { ClusterConnection, EksConnection } from "./connection.js";
import { EXEC_CREDENTIAL_API_VERSION } from "./eks-token.js";
import type { ExecCommand } from "./exec-command.js";

export interface KubeconfigOptions {
  /** Name of the cluster, user and context entries: `btp-<platform>`. */
  name: string;
  /** btp-aws itself (see selfExecCommand); `eks-token …` is appended. */
  execCommand: ExecCommand;
}

interface Named {
  name: string;
  [key: string]: unknown;
}

/** The arguments after the btp-aws command: what `btp-aws eks-token` needs to sign as the same principal. */
export function eksTokenArgs(connection: Pick<EksConnection, "clusterName" | "region" | "profile">): string[] {
  return ["eks-token", "--cluster", connection.clusterName, "--region", connection.region, ...(connection.profile ? ["--profile", connection.profile] : [])];
}

function entries(connection: EksConnection, options: KubeconfigOptions): { cluster: Named; user: Named; context: Named } {
  const { name } = options;
  return {
    cluster: { name, cluster: { server: connection.server, "certificate-authority-data": connection.caData } },
    user: {
      name,
      user: {
        exec: {
          apiVersion: EXEC_CREDENTIAL_API_VERSION,
          command: options.execCommand.command,
          args: [...options.execCommand.args, ...eksTokenArgs(connection)],
          // The plugin never prompts; client-go must not hand it the terminal.
          interactiveMode: "Never",
          provideClusterInfo: false,
        },
      },
    },
    context: { name, context: { cluster: name, user: name } },
  };
}

/** A complete kubeconfig with one cluster, user and context, all named `options.name`. */
export function kubeconfigYaml(connection: EksConnection, options: KubeconfigOptions): string {
  const { cluster, user, context } = entries(connection, options);
  return stringify({ apiVersion: "v1", kind: "Config", clusters: [cluster], contexts: [context], users: [user], "current-context": options.name, preferences: {} });
}

function namedList(config: Record<string, unknown>, key: string, file: string): Named[] {
  const value = config[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new BtpAwsError(`kubeconfig ${file}: ${key} is not a list`, { hint: "fix or move the file, then run again" });
  return value as Named[];
}

function upsert(list: Named[], entry: Named): Named[] {
  const at = list.findIndex((item) => item?.name === entry.name);
  return at === -1 ? [...list, entry] : list.map((item, i) => (i === at ? entry : item));
}

/**
 * `existing` (a kubeconfig's text, or undefined for none) with this platform's cluster, user and
 * context added or replaced, and its context made current, as `aws eks update-kubeconfig` does.
 * Every other entry and setting is kept.
 */
export function mergeKubeconfig(existing: string | undefined, connection: EksConnection, options: KubeconfigOptions, file = "kubeconfig"): string {
  let config: Record<string, unknown>;
  try {
    const parsed: unknown = existing === undefined || existing.trim() === "" ? { preferences: {} } : parse(existing);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("it is not a YAML mapping");
    config = parsed as Record<string, unknown>;
  } catch (error) {
    throw new BtpAwsError(`cannot merge into kubeconfig ${file}: ${errorMessage(error)}`, { hint: "fix the file, or write a separate one with --out <file>" });
  }
  const { cluster, user, context } = entries(connection, options);
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    ...config,
    clusters: upsert(namedList(config, "clusters", file), cluster),
    contexts: upsert(namedList(config, "contexts", file), context),
    users: upsert(namedList(config, "users", file), user),
    "current-context": options.name,
  });
}

/** Writes the platform's kubeconfig for helm into its state directory, mode 0600; returns the path. */
export async function writeKubeconfig(stateDir: string, platform: string, connection: EksConnection, options: KubeconfigOptions): Promise<string> {
  const { dir } = statePaths(stateDir, platform);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, "kubeconfig");
  await writeFileAtomic(path, kubeconfigYaml(connection, options), 0o600);
  return path;
}

/**
 * helm's flags for a connection: the written kubeconfig for EKS; for the user's kubeconfig the
 * same file (when given) and always the resolved context, so helm and btp-aws talk to one cluster.
 */
export function helmKubeArgs(connection: ClusterConnection, written?: { path: string; context: string }): string[] {
  if (connection.kind === "eks") {
    if (written === undefined) throw new BtpAwsError("internal: helm needs the kubeconfig written by writeKubeconfig for an EKS connection");
    return ["--kubeconfig", written.path, "--kube-context", written.context];
  }
  return [...(connection.explicitFile ? ["--kubeconfig", connection.explicitFile] : []), "--kube-context", connection.context];
}
