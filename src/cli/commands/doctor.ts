/**
 * `btp-aws doctor`: every health, configuration and security check at once, read-only. Works from
 * the state file, or without one from --platform and --region. Exit 0 when nothing failed
 * (warnings too with --strict), 1 otherwise, 2 for bad flags.
 */
import type { AwsClients } from "../../aws/clients.js";
import type { CallCounter } from "../../aws/call-counter.js";
import { ExitCode, UsageError } from "../../errors.js";
import { createHelmLocator, type HelmLocator } from "../../helm/binary.js";
import { eksConnection } from "../../k8s/connection.js";
import { createKube, type Kube } from "../../k8s/kube.js";
import { doctorExitCode, doctorJson, renderDoctorTable, runDoctor } from "../../ops/doctor/index.js";
import type { LocalFacts } from "../../ops/doctor/types.js";
import { opsAwsClients, opsTarget, type OpsTarget } from "../../ops/target.js";
import type { PublicProbe } from "../../phases/cluster/services.js";
import { infraNames } from "../../phases/infra/names.js";
import { createPublicProbe } from "../../phases/verify/probe.js";
import { Redactor } from "../../secrets/redact.js";
import type { GlobalFlags } from "../main.js";
import { commandEnvironment, type CommandEnvironment } from "./context.js";

export const DEFAULT_CHECK_TIMEOUT_SECONDS = 30;

export interface DoctorOverrides extends Partial<CommandEnvironment> {
  /** Tests pass clients pointed at moto; the CLI builds them from the target. */
  aws?: AwsClients;
  /** Counts the AWS calls of clients built here (tests assert none mutates). */
  counter?: CallCounter;
  kube?: () => Promise<Kube>;
  probe?: PublicProbe;
  helm?: HelmLocator;
  now?: () => Date;
}

export function checkTimeoutMs(value: unknown): number {
  if (value === undefined) return DEFAULT_CHECK_TIMEOUT_SECONDS * 1000;
  const text = typeof value === "string" ? value.trim() : "";
  const seconds = Number(text);
  if (text === "" || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--timeout: must be a number of seconds above 0, got "${typeof value === "string" ? value : typeof value}"`);
  }
  return Math.round(seconds * 1000);
}

function localFacts(target: OpsTarget, flags: GlobalFlags, helm: HelmLocator): LocalFacts {
  const configProblem = target.problems?.config;
  // opsTarget falls back to the state's record of the config; that object is the state's own.
  const fromState = target.config !== undefined && target.config === target.state?.config;
  const source = configProblem || target.configFile ? "file" : target.config === undefined ? undefined : fromState ? "state" : "flags";
  return {
    configSource: source,
    configPath: target.configFile ?? (typeof flags.config === "string" ? flags.config : undefined),
    configProblems: configProblem ? (configProblem instanceof UsageError && configProblem.problems.length > 0 ? configProblem.problems : [configProblem.message]) : undefined,
    configWarnings: target.configWarnings ?? [],
    stateDir: target.stateDir,
    stateProblem: target.problems?.state ? { message: target.problems.state.message, hint: target.problems.state.hint } : undefined,
    helm,
  };
}

/** The cluster's API, as install reaches it: DescribeCluster, then an STS-signed token. */
function connectToCluster(aws: AwsClients, target: OpsTarget): () => Promise<Kube> {
  const recorded = target.outputs["infra/eks"]?.clusterName;
  const clusterName = typeof recorded === "string" && recorded !== "" ? recorded : infraNames({ platform: target.platform }).cluster;
  return async () => createKube(await eksConnection(aws, clusterName, target.region, { profile: target.profile }));
}

export async function doctorCommand(flags: GlobalFlags, _args: string[], overrides: DoctorOverrides = {}): Promise<number> {
  const context = commandEnvironment(flags, overrides);
  const timeoutMs = checkTimeoutMs(flags.timeout);
  const target = await opsTarget(flags, context, { tolerate: true });
  const aws = overrides.aws ?? opsAwsClients(target, context, overrides.counter);
  const redactor = new Redactor();
  const helm = overrides.helm ?? createHelmLocator({ path: context.env.BTP_AWS_HELM, envPath: context.env.PATH ?? "", cwd: context.cwd });
  try {
    context.ui.note(`Checking platform ${target.platform} in ${target.region} (each check up to ${timeoutMs / 1000} s)…`);
    const run = await runDoctor({
      platform: target.platform,
      region: target.region,
      config: target.config,
      state: target.state,
      outputs: target.outputs,
      aws,
      local: localFacts(target, flags, helm),
      kube: overrides.kube ?? connectToCluster(aws, target),
      probe: overrides.probe ?? createPublicProbe(),
      secrets: redactor,
      ...(overrides.now ? { now: overrides.now } : {}),
    }, { timeoutMs });
    const text = flags.output === "json"
      ? JSON.stringify(doctorJson(run.results), null, 2)
      : renderDoctorTable(run.results, { platform: target.platform, region: target.region, color: context.ui.color, durationMs: run.durationMs });
    context.ui.data(redactor.redact(text));
    return doctorExitCode(run.results, flags.strict === true) === 0 ? ExitCode.ok : ExitCode.failure;
  } finally {
    if (!overrides.aws) aws.destroy();
  }
}
