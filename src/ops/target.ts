/**
 * Which platform a day-2 command (doctor, status, destroy, dr-snapshot) works on, and what is known
 * about it. With a state file the outputs name every resource; without one (lost laptop, another
 * operator) `--platform` and `--region` are enough: resources are found by their names
 * (infraNames) and the `btp-aws:platform` tag.
 */
import { createAwsClients, type AwsClients } from "../aws/clients.js";
import type { CallCounter } from "../aws/call-counter.js";
import type { Config } from "../config/schema.js";
import { BtpAwsError, UsageError } from "../errors.js";
import type { StepOutputs } from "../plan/types.js";
import { readState } from "../state/file-store.js";
import type { State } from "../state/types.js";
import type { GlobalFlags } from "../cli/main.js";
import { VERSION } from "../cli/version.js";
import { loadConfig, stateDir, type CommandEnvironment } from "../cli/commands/context.js";

export interface OpsTarget {
  platform: string;
  region: string;
  profile: string | undefined;
  /** The config from --config / ./btp-aws.yaml, else the one the last install recorded in the state. */
  config: Config | undefined;
  state: State | undefined;
  stateDir: string;
  /** Outputs of every completed step, by step id; empty without a state file. */
  outputs: Readonly<Record<string, StepOutputs>>;
  /** The config file read, if any, and what its resolution warned about. */
  configFile?: string | undefined;
  configWarnings?: readonly string[];
  /** With `tolerate`: why the config or the state file could not be used (doctor reports these). */
  problems?: { config?: BtpAwsError; state?: BtpAwsError };
}

export interface OpsTargetOptions {
  /** Keep going past an invalid config (when --platform names the platform) or an unreadable state file. */
  tolerate?: boolean;
}

const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);

/**
 * --platform wins over the config's platform; the region comes from --region, the config, or the
 * state, in that order. A config that does not parse is a usage error (exit 2) before any AWS call.
 */
export async function opsTarget(flags: GlobalFlags, context: CommandEnvironment, options: OpsTargetOptions = {}): Promise<OpsTarget> {
  const named = text(flags.platform);
  const explicitConfig = text(flags.config) !== undefined;
  const problems: NonNullable<OpsTarget["problems"]> = {};
  // Without --platform a config is needed; with it, a config is read only when asked for.
  let resolved: Awaited<ReturnType<typeof loadConfig>> | undefined;
  try {
    resolved = named === undefined || explicitConfig ? await loadConfig(flags, context, { interactive: false }) : undefined;
  } catch (error) {
    if (!options.tolerate || named === undefined || !(error instanceof BtpAwsError)) throw error;
    problems.config = error;
  }
  const config = resolved?.config;
  const platform = named ?? config!.platform;
  const dir = stateDir(flags, context);
  let state: State | undefined;
  try {
    state = await readState(dir, platform);
  } catch (error) {
    if (!options.tolerate || !(error instanceof BtpAwsError)) throw error;
    problems.state = error;
  }
  const recorded = state?.config as Config | undefined;
  const region = text(flags.region) ?? config?.aws.region ?? state?.region;
  if (region === undefined) {
    throw new UsageError(`no state for platform ${platform} in ${dir} and no region given`, [], "pass --region <region>, --config <file>, or --state-dir where the platform's state lives");
  }
  const outputs: Record<string, StepOutputs> = {};
  for (const [id, record] of Object.entries(state?.steps ?? {})) if (record.status === "done") outputs[id] = record.outputs;
  return {
    platform,
    region,
    profile: text(flags.profile) ?? config?.aws.profile ?? recorded?.aws?.profile,
    config: config ?? recorded,
    state,
    stateDir: dir,
    outputs,
    configFile: resolved?.configFile,
    configWarnings: resolved?.warnings ?? [],
    ...(options.tolerate ? { problems } : {}),
  };
}

/** AWS clients for the target, honouring AWS_ENDPOINT_URL (moto, LocalStack) like install does. */
export function opsAwsClients(target: Pick<OpsTarget, "region" | "profile">, context: Pick<CommandEnvironment, "env">, counter?: CallCounter): AwsClients {
  return createAwsClients({
    region: target.region,
    ...(target.profile ? { profile: target.profile } : {}),
    ...(context.env.AWS_ENDPOINT_URL ? { endpoint: context.env.AWS_ENDPOINT_URL } : {}),
    userAgentSuffix: `btp-aws/${VERSION}`,
    ...(counter ? { counter } : {}),
  });
}
