/** The execute half of `install`: lock, state, log, adapters, the runner, the summary. */
import { Resolver } from "node:dns/promises";
import { homedir } from "node:os";
import { resolve } from "node:path";
import { writeSync } from "node:fs";
import { createAwsClients, type AwsClients } from "../../aws/clients.js";
import { whoAmI } from "../../aws/sts.js";
import { createCallCounter, type CallCounter } from "../../aws/call-counter.js";
import { ExitCode, UsageError } from "../../errors.js";
import type { Config, UserSecrets } from "../../config/schema.js";
import { createHelmLocator } from "../../helm/binary.js";
import { createClusterAccess } from "../../k8s/cluster-access.js";
import type { ExistingConnectionOptions } from "../../k8s/connection.js";
import { publicProbe } from "../../phases/verify/probe.js";
import { logStream, RunLog } from "../../log/run-log.js";
import type { Step } from "../../plan/types.js";
import { typicalSeconds } from "../../plan/critical-path.js";
import { fanOut } from "../../runner/events.js";
import { installInterruptHandler } from "../../runner/interrupt.js";
import { createLineRenderer } from "../../runner/render-line.js";
import { createListrRenderer } from "../../runner/render-listr.js";
import { runSteps } from "../../runner/scheduler.js";
import type { RunResult } from "../../runner/types.js";
import { Redactor } from "../../secrets/redact.js";
import { redactEvents } from "../../secrets/redact-events.js";
import { openState, type FileStateStore } from "../../state/file-store.js";
import { configFingerprint, diffConfig } from "../../state/fingerprint.js";
import { acquireLock, takeoverNotice } from "../../state/lock.js";
import { statePaths } from "../../state/paths.js";
import type { GlobalFlags } from "../main.js";
import { VERSION } from "../version.js";
import type { InstallServices } from "../steps.js";
import { inquirerPrompter } from "../wizard.js";
import { pollSettings, type CommandEnvironment } from "./context.js";

export interface RunRequest {
  context: CommandEnvironment;
  flags: GlobalFlags;
  config: Config;
  userSecrets: UserSecrets;
  selected: Step<InstallServices>[];
  all: Step<InstallServices>[];
  dir: string;
  concurrency: number;
}

export async function executeRun(request: RunRequest): Promise<number> {
  const { context, flags, config, dir } = request;
  const { ui } = context;
  // A bad testing setting is a usage error like any other: reported before the lock or state exist.
  const wait = pollSettings(context.env);
  const lock = await acquireLock({ dir, platform: config.platform, command: "install" });
  if (lock.takenOver) ui.warn(takeoverNotice(lock.takenOver));
  const redactor = new Redactor();
  for (const secret of Object.values(request.userSecrets as Record<string, string | undefined>)) redactor.add(secret);
  let log: RunLog | undefined;
  const counter = createCallCounter();
  const aws = createAwsClients({
    region: config.aws.region,
    ...(config.aws.profile ? { profile: config.aws.profile } : {}),
    ...(context.env.AWS_ENDPOINT_URL ? { endpoint: context.env.AWS_ENDPOINT_URL } : {}),
    userAgentSuffix: `btp-aws/${VERSION}`,
    counter,
  });
  try {
    const store = await openState({ dir, platform: config.platform, region: config.aws.region });
    await confirmConfigChange(store, request);
    await confirmAccount(request, aws);
    log = await RunLog.open({ dir: statePaths(dir, config.platform).dir, command: "install", redactor });
    log.line(`btp-aws ${VERSION} install, platform ${config.platform}, region ${config.aws.region}, steps ${request.selected.map((s) => s.id).join(" ")}`);
    const helm = createHelmLocator({ ...helmPath(flags, context.env), envPath: context.env.PATH ?? "" });
    // A bounded resolver: a lookup that never answers must not hold the process open.
    const resolver = new Resolver({ timeout: 3000, tries: 2 });
    const dns = { resolveNs: (name: string) => resolver.resolveNs(name) };
    const cluster = createClusterAccess({
      aws,
      profile: config.aws.profile,
      existing: existingCluster(flags, context),
      stateDir: dir,
      platform: config.platform,
      findHelm: () => helm.find(),
      helmPath: helmPath(flags, context.env).path,
      // helm's command lines carry no secrets (values go through a file): the log keeps them.
      onHelmArgv: (argv) => log?.line(`run: helm ${argv.slice(1).join(" ")}`),
    });
    const probe = await publicProbe();
    const services: InstallServices = { aws, helm, dns, wait, secrets: redactor, cluster, probe, userSecrets: request.userSecrets };
    const result = await run(request, store, services, log, redactor);
    return summarise(result, request, counter, log);
  } finally {
    aws.destroy();
    await log?.close();
    await lock.release();
  }
}

/** --kubeconfig / --context: the user's own cluster connection, resolved like kubectl would. */
function existingCluster(flags: GlobalFlags, context: CommandEnvironment): ExistingConnectionOptions | undefined {
  const kubeconfig = typeof flags.kubeconfig === "string" ? resolve(context.cwd, flags.kubeconfig) : undefined;
  const kubeContext = typeof flags.context === "string" ? flags.context : undefined;
  if (kubeconfig === undefined && kubeContext === undefined) return undefined;
  return { kubeconfig, context: kubeContext, kubeconfigEnv: context.env.KUBECONFIG, home: context.env.HOME ?? homedir() };
}

function helmPath(flags: GlobalFlags, env: NodeJS.ProcessEnv): { path?: string } {
  const path = typeof flags.helm === "string" ? flags.helm : env.BTP_AWS_HELM;
  return path ? { path } : {};
}

/**
 * Before anything is created interactively, the user sees which account and principal the
 * credentials resolve to: the cheapest moment to notice the wrong profile.
 */
async function confirmAccount(request: RunRequest, aws: AwsClients): Promise<void> {
  const { context } = request;
  if (!context.ui.interactive || !request.selected.some((s) => s.phase !== "prepare")) return;
  const identity = await whoAmI(aws);
  const prompter = context.prompter ?? (await inquirerPrompter());
  const yes = await prompter.confirm({ message: `Install platform ${request.config.platform} into AWS account ${identity.account} (${request.config.aws.region}) as ${identity.arn}?`, default: true });
  if (!yes) throw new UsageError(`not confirmed: nothing was created in account ${identity.account}`, [], "choose other credentials (--profile, AWS_PROFILE) and run again");
}

/** A changed config is shown as a diff and applied only when the user agrees (or passed --yes). */
async function confirmConfigChange(store: FileStateStore, request: RunRequest): Promise<void> {
  const { context, config, flags } = request;
  const previous = store.current();
  const fingerprint = configFingerprint(config);
  if (previous.configFingerprint !== undefined && previous.configFingerprint !== fingerprint) {
    const changes = diffConfig(previous.config, config);
    if (flags.yes !== true) {
      if (!context.ui.interactive) {
        throw new UsageError("the config changed since the last run", changes, "review the changes above, then run again with --yes to apply them");
      }
      context.ui.note(`The config changed since the last run:\n${changes.map((c) => `  • ${c}`).join("\n")}`);
      const prompter = context.prompter ?? (await inquirerPrompter());
      if (!(await prompter.confirm({ message: "Apply these changes?", default: false }))) {
        throw new UsageError("the config changed since the last run and the change was not confirmed", [], "revert the config, or run again and confirm");
      }
    } else {
      context.ui.note(`Applying config changes since the last run:\n${changes.map((c) => `  • ${c}`).join("\n")}`);
    }
  }
  await store.update((state) => {
    state.configFingerprint = fingerprint;
    state.config = config;
  });
}

async function run(request: RunRequest, store: FileStateStore, services: InstallServices, log: RunLog, redactor: Redactor): Promise<RunResult> {
  const { ui } = request.context;
  const controller = new AbortController();
  const dispose = installInterruptHandler({
    controller,
    // listr2 holds back writes to stderr while it draws, so these go straight to the descriptor.
    onFirst: () => writeSync(2, "\nInterrupted: finishing the steps in flight and saving state; press Ctrl-C again to stop at once.\n"),
    onSecond: () => {
      log.line("second interrupt: exiting at once");
      writeSync(2, `${ui.live ? "\x1b[?25h" : ""}\nStopped. Resume with: ${resumeCommand(request)}\n`);
      process.exit(ExitCode.interrupted);
    },
  });
  const view = ui.live ? createListrRenderer(request.selected, { output: ui.stderr }) : undefined;
  const screen = view?.events ?? createLineRenderer({ output: ui.stderr, color: ui.color });
  const logEvents = createLineRenderer({ output: logStream(log), color: false });
  try {
    return await runSteps(request.selected, {
      config: request.config,
      services,
      store,
      concurrency: request.concurrency,
      typicalSeconds: typicalSeconds(request.config),
      signal: controller.signal,
      events: redactEvents(fanOut(screen, logEvents), redactor),
      allSteps: request.all,
    });
  } finally {
    await view?.done();
    dispose();
  }
}

function resumeCommand({ flags }: RunRequest): string {
  const parts = ["btp-aws install"];
  if (flags.config) parts.push(`--config ${flags.config}`);
  if (flags.stateDir) parts.push(`--state-dir ${flags.stateDir}`);
  if (typeof flags.only === "string") parts.push(`--only ${flags.only}`);
  return parts.join(" ");
}

function summarise(result: RunResult, request: RunRequest, counter: CallCounter, log: RunLog): number {
  const { ui } = request.context;
  const seconds = (result.durationMs / 1000).toFixed(1);
  const counts = counter.snapshot();
  log.line(`result ${result.status} in ${seconds}s; AWS calls: ${counts.read} read, ${counts.mutating} mutating`);
  if (request.flags.verbose === true) ui.note(`AWS calls: ${counts.read} read, ${counts.mutating} mutating`);
  ui.note(`Log: ${log.path}`);
  switch (result.status) {
    case "succeeded":
      ui.note(`✔ ${result.completed.length} steps complete in ${seconds}s`);
      return ExitCode.ok;
    case "interrupted":
      ui.note(`■ interrupted after ${seconds}s; state saved. Resume with: ${resumeCommand(request)}`);
      return ExitCode.interrupted;
    case "failed":
      ui.note(`✘ failed: ${result.failed.join(", ")}${result.notStarted.length > 0 ? `; not started: ${result.notStarted.length} steps` : ""}`);
      ui.note(`→ fix the cause above, then resume with: ${resumeCommand(request)}`);
      return ExitCode.failure;
  }
}
