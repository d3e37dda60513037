/**
 * `install` and `plan`. Validate → ask → execute: flags and config are checked and every prompt
 * answered before the state is locked, any AWS client exists, or the task list starts drawing.
 */
import { access, constants } from "node:fs/promises";
import { resolve } from "node:path";
import { PRICE_MODES, type PriceMode } from "../../cost/choose-source.js";
import { planCost } from "../../cost/plan-cost.js";
import { renderCost } from "../../cost/render.js";
import { ExitCode, UsageError } from "../../errors.js";
import { planSteps, renderPlan } from "../../plan/render.js";
import { selectSteps } from "../../plan/select.js";
import { checkPlan } from "../../runner/validate.js";
import { readState } from "../../state/file-store.js";
import { STATE_VERSION, type State } from "../../state/types.js";
import type { GlobalFlags } from "../main.js";
import { installSteps } from "../steps.js";
import { VERSION } from "../version.js";
import { commandEnvironment, loadConfig, stateDir, type CommandEnvironment } from "./context.js";
import { executeRun } from "./install-run.js";

export function planCommand(flags: GlobalFlags, _args: string[], overrides: Partial<CommandEnvironment> = {}): Promise<number> {
  return installCommand({ ...flags, dryRun: true }, [], overrides);
}

export async function installCommand(flags: GlobalFlags, _args: string[], overrides: Partial<CommandEnvironment> = {}): Promise<number> {
  const context = commandEnvironment(flags, overrides);
  const dryRun = flags.dryRun === true;
  const all = installSteps();
  const selected = selectSteps(all, { ...(typeof flags.only === "string" ? { only: splitList(flags.only) } : {}), ...(typeof flags.from === "string" ? { from: flags.from } : {}) });
  const concurrency = parseConcurrency(flags.concurrency);
  const prices = parsePriceMode(flags.prices);
  await checkKubeconfigFlag(flags, context);
  // The btp phase logs in to the chart registry and renders the license and the external
  // dependencies' credentials: ask for secrets now, not an hour in (each only when the config needs it).
  const secrets = !dryRun && selected.some((s) => s.phase === "btp")
    ? (["licenseToken", "authClientSecret", "databasePassword", "redisPassword", "storageAccessKeyId", "storageSecretAccessKey"] as const)
    : [];
  const { config, secrets: userSecrets } = await loadConfig(flags, context, { secrets });
  const dir = stateDir(flags, context);
  const state = await readState(dir, config.platform);

  if (dryRun) {
    const planned = planSteps(selected, config, state);
    // The whole platform's monthly cost, whatever --only selects: that is what the config decides.
    const cost = await planCost(config, { mode: prices, endpoint: context.env.AWS_ENDPOINT_URL, userAgentSuffix: `btp-aws/${VERSION}` });
    if (flags.output === "json") context.ui.data(JSON.stringify({ platform: config.platform, region: config.aws.region, steps: planned, cost }, null, 2));
    else context.ui.data(`${renderPlan(planned, config)}\n\n${renderCost(cost)}`);
    return ExitCode.ok;
  }
  // Refuse a plan that cannot finish (unavailable steps, needs never completed) before locking anything.
  checkPlan(selected, all, state ?? emptyState(config.platform, config.aws.region));
  return executeRun({ context, flags, config, userSecrets, selected, all, dir, concurrency });
}

/** A --kubeconfig that does not exist is a flag error: exit 2 before anything is locked or called. */
async function checkKubeconfigFlag(flags: GlobalFlags, context: CommandEnvironment): Promise<void> {
  if (typeof flags.kubeconfig !== "string") return;
  try {
    await access(resolve(context.cwd, flags.kubeconfig), constants.R_OK);
  } catch {
    throw new UsageError(`--kubeconfig ${flags.kubeconfig}: no readable file there`, [], "pass the path of an existing kubeconfig, or leave the flag out to use the EKS cluster btp-aws builds");
  }
}

function splitList(text: string): string[] {
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

function parseConcurrency(value: unknown): number {
  if (value === undefined) return 8;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 32) throw new UsageError(`--concurrency ${JSON.stringify(value)}: must be a whole number from 1 to 32`);
  return n;
}

/** `--prices` (plan only; `install --dry-run` uses auto). Commander checks the choices; this checks the type. */
function parsePriceMode(value: unknown): PriceMode {
  if (value === undefined) return "auto";
  if (typeof value === "string" && (PRICE_MODES as readonly string[]).includes(value)) return value as PriceMode;
  throw new UsageError(`--prices ${JSON.stringify(value)}: must be one of ${PRICE_MODES.join(", ")}`);
}

function emptyState(platform: string, region: string): State {
  const now = new Date().toISOString();
  return { version: STATE_VERSION, platform, region, createdAt: now, updatedAt: now, configFingerprint: undefined, config: undefined, steps: {} };
}
