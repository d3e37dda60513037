/**
 * `btp-aws destroy`: removes everything install made, in dependency order, then sweeps for leaks.
 * Validate → ask → execute: flags, the target and the confirmation (type the platform name, or
 * --yes) come before the lock; --dry-run lists what is live and would go, and changes nothing.
 */
import { writeSync } from "node:fs";
import type { AwsClients } from "../../aws/clients.js";
import { createCallCounter } from "../../aws/call-counter.js";
import { awsPartition } from "../../aws/iam.js";
import { whoAmI } from "../../aws/sts.js";
import { ExitCode, UsageError } from "../../errors.js";
import { createHelmLocator } from "../../helm/binary.js";
import { logStream, RunLog } from "../../log/run-log.js";
import { clusterAccess } from "../../ops/destroy/cluster-access.js";
import { destroyPlatform, surveyPlatform, type DestroyTarget } from "../../ops/destroy/index.js";
import { renderLeakReport } from "../../ops/destroy/leaks.js";
import type { StageSurvey } from "../../ops/destroy/run-stages.js";
import { archiveState } from "../../ops/destroy/state-archive.js";
import type { ClusterReach } from "../../ops/destroy/types.js";
import { opsAwsClients, opsTarget, type OpsTarget } from "../../ops/target.js";
import { infraNames } from "../../phases/infra/names.js";
import { fanOut } from "../../runner/events.js";
import { installInterruptHandler } from "../../runner/interrupt.js";
import { createLineRenderer } from "../../runner/render-line.js";
import { createListrRenderer } from "../../runner/render-listr.js";
import { Redactor } from "../../secrets/redact.js";
import { acquireLock, takeoverNotice } from "../../state/lock.js";
import { statePaths } from "../../state/paths.js";
import type { GlobalFlags } from "../main.js";
import { inquirerPrompter } from "../wizard.js";
import { commandEnvironment, pollSettings, type CommandEnvironment } from "./context.js";

export interface DestroyOverrides extends Partial<CommandEnvironment> {
  /** Tests pass clients pointed at moto; the CLI builds them from the target. */
  aws?: AwsClients;
  /** Tests pass a fake cluster; the CLI connects to the platform's EKS cluster. */
  cluster?: () => Promise<ClusterReach>;
  now?: () => Date;
}

function destroyTarget(target: OpsTarget, account: string): DestroyTarget {
  const dns = target.config?.dns;
  return {
    platform: target.platform,
    region: target.region,
    account,
    partition: awsPartition(target.region),
    outputs: target.outputs,
    dns: dns ? { domain: dns.domain, hostedZoneId: dns.hostedZoneId } : undefined,
    drRegion: target.config?.aws.drRegion,
  };
}

function renderSurvey(surveys: readonly StageSurvey[], target: DestroyTarget): string {
  const lines = [`destroy --dry-run: platform ${target.platform} in account ${target.account}, ${target.region}. Nothing was changed.`, ""];
  for (const { stage, items } of surveys) {
    lines.push(`${stage.title} (${stage.id})`);
    if (items.length === 0) lines.push("  nothing to delete");
    for (const item of items) lines.push(item.kept === undefined ? `  - ${item.resource}` : `  ■ keep ${item.resource}: ${item.kept}`);
  }
  return lines.join("\n");
}

/** The log file as a stream, so the same line renderer writes the screen and the log. */
function rerunCommand(flags: GlobalFlags, target: OpsTarget): string {
  const parts = ["btp-aws destroy"];
  if (flags.config) parts.push(`--config ${flags.config}`);
  else parts.push(`--platform ${target.platform} --region ${target.region}`);
  if (flags.stateDir) parts.push(`--state-dir ${flags.stateDir}`);
  if (flags.deleteData === true) parts.push("--delete-data");
  if (flags.skipFinalSnapshot === true) parts.push("--skip-final-snapshot");
  return parts.join(" ");
}

async function confirm(context: CommandEnvironment, target: DestroyTarget, identity: string): Promise<void> {
  const prompter = context.prompter ?? (await inquirerPrompter());
  context.ui.note(`This deletes platform ${target.platform} in AWS account ${target.account} (${target.region}) as ${identity}: its cluster, database, cache, network and everything else btp-aws created.`);
  await prompter.input({
    message: `Type the platform name (${target.platform}) to destroy it:`,
    validate: (value) => value.trim() === target.platform || `type ${target.platform} exactly, or press Ctrl-C to stop`,
  });
}

export async function destroyCommand(flags: GlobalFlags, _args: string[], overrides: DestroyOverrides = {}): Promise<number> {
  const context = commandEnvironment(flags, overrides);
  const { ui } = context;
  const dryRun = flags.dryRun === true;
  const wait = pollSettings(context.env);
  const target = await opsTarget(flags, context);
  if (!dryRun && flags.yes !== true && !ui.interactive) {
    throw new UsageError(`destroy deletes every resource of platform ${target.platform}: confirm with --yes when there is no terminal to type its name in`, [], `run \`btp-aws destroy --dry-run\` to see what would go, then \`${rerunCommand(flags, target)} --yes\``);
  }
  const now = overrides.now ?? (() => new Date());
  const aws = overrides.aws ?? opsAwsClients(target, context, createCallCounter());
  try {
    const identity = await whoAmI(aws);
    const destroying = destroyTarget(target, identity.account);
    const cluster = overrides.cluster ?? clusterAccess({
      aws,
      platform: target.platform,
      clusterName: typeof target.outputs["infra/eks"]?.clusterName === "string" ? target.outputs["infra/eks"].clusterName : infraNames({ platform: target.platform }).cluster,
      region: target.region,
      profile: target.profile,
      stateDir: target.stateDir,
      helm: createHelmLocator({ ...(typeof flags.helm === "string" ? { path: flags.helm } : context.env.BTP_AWS_HELM ? { path: context.env.BTP_AWS_HELM } : {}), envPath: context.env.PATH ?? "" }),
    });
    const request = {
      target: destroying,
      options: { deleteData: flags.deleteData === true, skipFinalSnapshot: flags.skipFinalSnapshot === true, now },
      services: { aws, wait, cluster },
    };

    if (dryRun) {
      const surveys = await surveyPlatform(request);
      if (flags.output === "json") ui.data(JSON.stringify({ platform: destroying.platform, account: destroying.account, region: destroying.region, stages: surveys.map(({ stage, items }) => ({ id: stage.id, title: stage.title, items })) }, null, 2));
      else ui.data(renderSurvey(surveys, destroying));
      return ExitCode.ok;
    }
    if (flags.yes !== true) await confirm(context, destroying, identity.arn);

    const lock = await acquireLock({ dir: target.stateDir, platform: target.platform, command: "destroy" });
    if (lock.takenOver) ui.warn(takeoverNotice(lock.takenOver));
    const log = await RunLog.open({ dir: statePaths(target.stateDir, target.platform).dir, command: "destroy", redactor: new Redactor() });
    const controller = new AbortController();
    const dispose = installInterruptHandler({
      controller,
      onFirst: () => writeSync(2, "\nInterrupted: finishing the stage in flight; press Ctrl-C again to stop at once.\n"),
      onSecond: () => {
        writeSync(2, `${ui.live ? "\x1b[?25h" : ""}\nStopped. Resume with: ${rerunCommand(flags, target)} --yes\n`);
        process.exit(ExitCode.interrupted);
      },
    });
    try {
      log.line(`btp-aws destroy, platform ${target.platform}, account ${identity.account}, region ${target.region}, delete-data ${String(request.options.deleteData)}, skip-final-snapshot ${String(request.options.skipFinalSnapshot)}`);
      const { DESTROY_STAGES } = await import("../../ops/destroy/stages.js");
      const view = ui.live ? createListrRenderer(DESTROY_STAGES, { output: ui.stderr }) : undefined;
      const screen = view?.events ?? createLineRenderer({ output: ui.stderr, color: ui.color });
      const outcome = await destroyPlatform({ ...request, signal: controller.signal, events: fanOut(screen, createLineRenderer({ output: logStream(log), color: false })) }).finally(() => view?.done());
      const seconds = (outcome.stages.durationMs / 1000).toFixed(1);
      log.line(`result ${outcome.stages.status} in ${seconds}s`);
      ui.note(`Log: ${log.path}`);
      if (outcome.stages.status === "interrupted") {
        ui.note(`■ interrupted after ${seconds}s. Resume with: ${rerunCommand(flags, target)} --yes`);
        return ExitCode.interrupted;
      }
      if (outcome.stages.status === "failed" || outcome.report === undefined) {
        ui.note(`✘ failed at ${outcome.stages.failed ?? "?"} after ${seconds}s; not started: ${outcome.stages.notStarted.join(", ") || "none"}`);
        ui.note(`→ fix the cause above, then run again: ${rerunCommand(flags, target)} --yes`);
        return ExitCode.failure;
      }
      const report = outcome.report;
      log.line(renderLeakReport(report));
      if (flags.output === "json") ui.data(JSON.stringify(report, null, 2));
      else ui.note(renderLeakReport(report));
      if (report.leaked.length > 0) {
        ui.note(`✘ destroy finished its stages in ${seconds}s but ${report.leaked.length} resource(s) remain; the state file is kept. Delete them or run again: ${rerunCommand(flags, target)} --yes`);
        return ExitCode.failure;
      }
      const archived = await archiveState(target.stateDir, target.platform, now());
      ui.note(`✔ platform ${target.platform} destroyed in ${seconds}s${archived ? `; its state moved to ${archived}` : ""}`);
      return ExitCode.ok;
    } finally {
      dispose();
      await log.close();
      await lock.release();
    }
  } finally {
    if (overrides.aws === undefined) aws.destroy();
  }
}
