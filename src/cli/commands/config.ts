/** `config init`, `config validate`, `config schema`. */
import { access, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { UsageError, ExitCode } from "../../errors.js";
import { configJsonSchema } from "../../config/json-schema.js";
import { readConfigFile } from "../../config/file.js";
import { parseConfig } from "../../config/parse.js";
import { renderConfigYaml } from "../../config/render-yaml.js";
import type { GlobalFlags } from "../main.js";
import { commandEnvironment, loadConfig, type CommandEnvironment } from "./context.js";

export async function configInitCommand(flags: GlobalFlags, _args: string[], overrides: Partial<CommandEnvironment> = {}): Promise<number> {
  const context = commandEnvironment(flags, overrides);
  const out = resolve(context.cwd, typeof flags.out === "string" ? flags.out : "btp-aws.yaml");
  const exists = await access(out).then(() => true, () => false);
  if (exists && flags.force !== true) throw new UsageError(`${out} already exists: config init does not overwrite it`, [], "pass --force to overwrite, or --out <file>");
  // Init starts from --config (if given), flags and env; it never reads the file it is about to write.
  const resolved = await loadConfig(flags, context, { askAlso: ["environment"], discoverConfigFile: false });
  const yaml = renderConfigYaml(resolved.input, [
    "btp-aws installation config, written by `btp-aws config init`.",
    "Secrets are not stored here: set BTP_AWS_LICENSE_TOKEN and BTP_AWS_AUTH_CLIENT_SECRET, or answer the prompts.",
    "Every other setting has a default; `btp-aws config schema` and examples/btp-aws.yaml describe them all.",
  ]);
  await writeFile(out, yaml, { mode: 0o644 });
  context.ui.note(`✔ wrote ${out}`);
  context.ui.note(`→ next: btp-aws plan --config ${out}`);
  return ExitCode.ok;
}

export async function configValidateCommand(flags: GlobalFlags, args: string[], overrides: Partial<CommandEnvironment> = {}): Promise<number> {
  const context = commandEnvironment(flags, overrides);
  const file = resolve(context.cwd, args[0]!);
  const { values } = await readConfigFile(file);
  const result = parseConfig(values);
  if (flags.output === "json") {
    context.ui.data(JSON.stringify(result.ok ? { valid: true, warnings: result.warnings } : { valid: false, errors: result.errors, warnings: result.warnings }, null, 2));
    return result.ok ? ExitCode.ok : ExitCode.usage;
  }
  if (!result.ok) throw new UsageError(`${file} is not a valid config (${result.errors.length} problem${result.errors.length === 1 ? "" : "s"})`, result.errors, "fix the fields named above; `btp-aws config schema` describes them");
  for (const warning of result.warnings) context.ui.warn(warning);
  context.ui.data(`✔ ${file} is valid (platform ${result.value.platform}, ${result.value.environment}, ${result.value.aws.region})`);
  return ExitCode.ok;
}

export async function configSchemaCommand(flags: GlobalFlags, _args: string[], overrides: Partial<CommandEnvironment> = {}): Promise<number> {
  const context = commandEnvironment(flags, overrides);
  const text = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
  if (typeof flags.out === "string") {
    await writeFile(resolve(context.cwd, flags.out), text);
    context.ui.note(`✔ wrote ${flags.out}`);
  } else {
    context.ui.data(text);
  }
  return ExitCode.ok;
}
