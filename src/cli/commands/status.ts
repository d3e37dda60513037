/**
 * `status`: what the state file says, per phase and step, without taking the lock; then a live
 * line per main AWS resource (--offline skips it). Without a state file, --platform and --region
 * give the live part alone.
 */
import type { AwsClients } from "../../aws/clients.js";
import { BtpAwsError, ExitCode, UsageError } from "../../errors.js";
import { createFacts } from "../../ops/doctor/facts.js";
import { liveResources, renderLive, type LiveResource } from "../../ops/status/live.js";
import { opsAwsClients, opsTarget } from "../../ops/target.js";
import { PHASES } from "../../plan/types.js";
import { formatDuration } from "../../runner/format.js";
import { readState } from "../../state/file-store.js";
import type { State, StepRecord } from "../../state/types.js";
import type { GlobalFlags } from "../main.js";
import { installSteps } from "../steps.js";
import { commandEnvironment, loadConfig, stateDir, type CommandEnvironment } from "./context.js";

export interface StatusOverrides extends Partial<CommandEnvironment> {
  /** Tests pass clients pointed at moto; the CLI builds them from the target. */
  aws?: AwsClients;
}

export async function statusCommand(flags: GlobalFlags, _args: string[], overrides: StatusOverrides = {}): Promise<number> {
  const context = commandEnvironment(flags, overrides);
  if (flags.offline === true) return offlineStatus(flags, context);
  const target = await opsTarget(flags, context);
  const aws = overrides.aws ?? opsAwsClients(target, context);
  let live: LiveResource[];
  try {
    live = await liveResources(createFacts({ platform: target.platform, region: target.region, config: target.config, outputs: target.outputs, aws }));
  } finally {
    if (!overrides.aws) aws.destroy();
  }
  if (flags.output === "json") {
    context.ui.data(JSON.stringify({ state: target.state ?? null, live }, null, 2));
    return ExitCode.ok;
  }
  const head = target.state ? renderStatus(target.state) : `No state for platform ${target.platform} in ${target.stateDir}: only what AWS says.`;
  context.ui.data(`${head}\n\n${renderLive(live, target.region)}`);
  return ExitCode.ok;
}

/** The state file alone, as status always showed it: no credentials, no network. */
async function offlineStatus(flags: GlobalFlags, context: CommandEnvironment): Promise<number> {
  const platform = typeof flags.platform === "string" ? flags.platform : (await loadConfig(flags, context, { interactive: false })).config.platform;
  if (!platform) throw new UsageError("status needs a platform", [], "pass --platform <name> or --config <file>");
  const dir = stateDir(flags, context);
  const state = await readState(dir, platform);
  if (!state) {
    throw new BtpAwsError(`no state for platform ${platform} in ${dir}: nothing has been installed from here`, { hint: "run `btp-aws install`, pass --state-dir where the state lives, or leave out --offline and pass --region to see what AWS has" });
  }
  if (flags.output === "json") {
    context.ui.data(JSON.stringify({ state, live: null }, null, 2));
    return ExitCode.ok;
  }
  context.ui.data(renderStatus(state));
  return ExitCode.ok;
}

const MARK: Record<StepRecord["status"], string> = { done: "✔", failed: "✘", running: "…", interrupted: "■" };

export function renderStatus(state: State): string {
  const lines = [`Platform ${state.platform} in ${state.region}; state updated ${state.updatedAt}`, ""];
  const titles = new Map(installSteps().map((s) => [s.id, s]));
  for (const phase of PHASES) {
    const ids = [...titles.values()].filter((s) => s.phase === phase).map((s) => s.id);
    const records = ids.map((id) => [id, state.steps[id]] as const);
    const started = records.filter(([, r]) => r !== undefined).length;
    lines.push(`${phase}: ${started === 0 ? "not started" : `${records.filter(([, r]) => r?.status === "done").length}/${ids.length} steps done`}`);
    for (const [id, record] of records) {
      if (!record) continue;
      const took = record.finishedAt ? ` in ${formatDuration(Date.parse(record.finishedAt) - Date.parse(record.startedAt))}` : "";
      lines.push(`  ${MARK[record.status]} ${id} ${record.status}${took} (${record.finishedAt ?? record.startedAt})${record.skipped ? `: ${record.skipped}` : ""}`);
      for (const [key, value] of Object.entries(record.outputs)) lines.push(`      ${key}: ${Array.isArray(value) ? value.join(", ") : String(value)}`);
      if (record.error) lines.push(`      error: ${record.error.message}${record.error.hint ? `\n      → ${record.error.hint}` : ""}`);
    }
  }
  return lines.join("\n");
}
