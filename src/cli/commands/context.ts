/** Shared wiring for commands: config resolution from flags, the wizard, the state dir. */
import { resolve } from "node:path";
import type { ConfigFlagValues } from "../../config/flags.js";
import { resolveConfig, type Resolved } from "../../config/resolve.js";
import type { UserSecrets } from "../../config/schema.js";
import type { WaitSettings } from "../../aws/wait.js";
import { UsageError } from "../../errors.js";
import type { GlobalFlags } from "../main.js";
import { createUi, type Ui } from "../output.js";
import { PromptWizard, inquirerPrompter, type Prompter } from "../wizard.js";

export interface CommandEnvironment {
  env: NodeJS.ProcessEnv;
  cwd: string;
  ui: Ui;
  /** Tests pass a scripted prompter; real runs use @inquirer/prompts when interactive. */
  prompter?: Prompter;
}

export function commandEnvironment(flags: GlobalFlags, overrides: Partial<CommandEnvironment> = {}): CommandEnvironment {
  const env = overrides.env ?? process.env;
  return { env, cwd: overrides.cwd ?? process.cwd(), ui: overrides.ui ?? createUi({ env, yes: flags.yes === true, verbose: flags.verbose === true }), ...(overrides.prompter ? { prompter: overrides.prompter } : {}) };
}

export async function loadConfig(flags: GlobalFlags, context: CommandEnvironment, options: { secrets?: readonly (keyof UserSecrets)[]; askAlso?: readonly string[]; interactive?: boolean; discoverConfigFile?: boolean } = {}): Promise<Resolved> {
  const interactive = options.interactive ?? context.ui.interactive;
  const wizard = interactive ? new PromptWizard(context.prompter ?? (await inquirerPrompter()), { askAlso: options.askAlso ?? [] }) : undefined;
  const resolved = await resolveConfig({
    configPath: flags.config,
    discoverConfigFile: options.discoverConfigFile ?? true,
    cwd: context.cwd,
    env: context.env,
    flags: flags as ConfigFlagValues,
    sets: flags.set ?? [],
    wizard,
    secrets: options.secrets ?? [],
  });
  for (const warning of resolved.warnings) context.ui.warn(warning);
  return resolved;
}

export function stateDir(flags: GlobalFlags, context: CommandEnvironment): string {
  return resolve(context.cwd, flags.stateDir ?? context.env.BTP_AWS_STATE_DIR ?? ".btp-aws");
}

/**
 * BTP_AWS_POLL_SCALE shrinks every poll interval and timeout: a testing setting (see
 * test/README.md). A bad value is a usage error, reported before any lock or AWS call.
 */
export function pollSettings(env: NodeJS.ProcessEnv): WaitSettings {
  const scale = env.BTP_AWS_POLL_SCALE === undefined ? 1 : Number(env.BTP_AWS_POLL_SCALE);
  if (!(scale > 0 && scale <= 1)) throw new UsageError(`BTP_AWS_POLL_SCALE: must be a number above 0 and at most 1, got "${env.BTP_AWS_POLL_SCALE ?? ""}"`);
  return { scale };
}
