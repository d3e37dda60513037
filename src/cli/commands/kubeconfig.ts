/**
 * `btp-aws kubeconfig [--merge] [--out <file>]`: a kubeconfig for the platform's EKS cluster,
 * for the user's own kubectl. Printed, written to a file, or merged into their kubeconfig as
 * context `btp-<platform>`. It holds no token: its user runs `btp-aws eks-token`.
 */
import { homedir } from "node:os";
import { mkdir, readFile, realpath } from "node:fs/promises";
import { delimiter, dirname, join, resolve } from "node:path";
import { createAwsClients } from "../../aws/clients.js";
import { ExitCode, UsageError } from "../../errors.js";
import { eksConnection, type EksConnection } from "../../k8s/connection.js";
import { selfExecCommand, type ExecCommand } from "../../k8s/exec-command.js";
import { kubeconfigYaml, mergeKubeconfig } from "../../k8s/kubeconfig.js";
import { infraNames } from "../../phases/infra/names.js";
import { writeFileAtomic } from "../../state/atomic-write.js";
import { readState } from "../../state/file-store.js";
import type { GlobalFlags } from "../main.js";
import { VERSION } from "../version.js";
import { commandEnvironment, loadConfig, stateDir, type CommandEnvironment } from "./context.js";

/** Which cluster, found from the state (what infra recorded) or, before infra ran, the config. */
export interface ClusterTarget {
  platform: string;
  clusterName: string;
  region: string;
  profile: string | undefined;
}

export interface KubeconfigOverrides extends Partial<CommandEnvironment> {
  /** Tests replace the EKS lookup; the CLI asks EKS. */
  connect?: (target: ClusterTarget) => Promise<EksConnection>;
  execCommand?: ExecCommand;
}

const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);

export async function clusterTarget(flags: GlobalFlags, context: CommandEnvironment): Promise<ClusterTarget> {
  const config = text(flags.platform) === undefined ? (await loadConfig(flags, context, { interactive: false })).config : undefined;
  const platform = text(flags.platform) ?? config!.platform;
  const state = await readState(stateDir(flags, context), platform);
  const recorded = state?.steps["infra/eks"]?.outputs.clusterName;
  const lastConfig = state?.config as { aws?: { profile?: unknown } } | undefined;
  const region = state?.region ?? config?.aws.region ?? text(flags.region);
  if (region === undefined) {
    throw new UsageError(`no state for platform ${platform} and no region given`, [], "pass --region <region>, --config <file>, or --state-dir where the platform's state lives");
  }
  return {
    platform,
    clusterName: typeof recorded === "string" && recorded !== "" ? recorded : infraNames({ platform }).cluster,
    region,
    profile: text(flags.profile) ?? config?.aws.profile ?? text(lastConfig?.aws?.profile),
  };
}

function connectWithAws(context: CommandEnvironment) {
  return async (target: ClusterTarget): Promise<EksConnection> => {
    const aws = createAwsClients({
      region: target.region,
      ...(target.profile ? { profile: target.profile } : {}),
      ...(context.env.AWS_ENDPOINT_URL ? { endpoint: context.env.AWS_ENDPOINT_URL } : {}),
      userAgentSuffix: `btp-aws/${VERSION}`,
    });
    try {
      return await eksConnection(aws, target.clusterName, target.region, { profile: target.profile });
    } finally {
      aws.destroy();
    }
  };
}

/** kubectl's default file: the first entry of KUBECONFIG, else ~/.kube/config. */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv): string {
  const first = (env.KUBECONFIG ?? "").split(delimiter).find((p) => p !== "");
  return first ?? join(env.HOME ?? homedir(), ".kube", "config");
}

/** Writes through a symlinked kubeconfig (dotfile setups) instead of replacing the link. */
async function target(file: string): Promise<string> {
  try {
    return await realpath(file);
  } catch {
    return file;
  }
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

async function writePrivate(file: string, content: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, content, 0o600);
}

export async function kubeconfigCommand(flags: GlobalFlags, _args: string[], overrides: KubeconfigOverrides = {}): Promise<number> {
  const context = commandEnvironment(flags, overrides);
  const cluster = await clusterTarget(flags, context);
  const connection = await (overrides.connect ?? connectWithAws(context))(cluster);
  const name = `btp-${cluster.platform}`;
  const options = { name, execCommand: overrides.execCommand ?? selfExecCommand() };
  const out = text(flags.out) === undefined ? undefined : resolve(context.cwd, text(flags.out)!);

  if (flags.merge === true) {
    const file = await target(out ?? defaultKubeconfigPath(context.env));
    await writePrivate(file, mergeKubeconfig(await readIfPresent(file), connection, options, file));
    context.ui.note(`Merged context ${name} into ${file} and made it the current context (mode 0600).`);
    return ExitCode.ok;
  }
  if (out !== undefined) {
    await writePrivate(await target(out), kubeconfigYaml(connection, options));
    context.ui.note(`Wrote ${out} (mode 0600). Try: kubectl --kubeconfig ${out} get nodes`);
    return ExitCode.ok;
  }
  context.ui.data(kubeconfigYaml(connection, options));
  return ExitCode.ok;
}
