/**
 * Resolves the one frozen Config a command works with. Layers, later ones winning:
 * schema defaults < config file < BTP_AWS_* environment < flags. Nothing below this module
 * reads process.env, prompts or parses flags.
 */
import { access } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { SECRET_VARIABLES, readEnvironmentLayer, variableFor } from "./env.js";
import { DEFAULT_CONFIG_FILE, readConfigFile, resolveRelativePaths } from "./file.js";
import { CONFIG_FLAGS, readFlagLayer, type ConfigFlagValues } from "./flags.js";
import { configFields } from "./json-schema.js";
import { parseConfig } from "./parse.js";
import { deepMerge } from "./paths.js";
import type { Config, UserSecrets } from "./schema.js";

/** Asks the user for what is missing; implemented with @inquirer/prompts in src/cli/wizard.ts. */
export interface Wizard {
  /** Returns values for (some of) the missing paths; called until nothing is missing. */
  fill(missing: readonly string[], current: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>>;
  password(message: string): Promise<string>;
}

export interface ResolveOptions {
  configPath: string | undefined;
  /** Look for ./btp-aws.yaml when no --config is given (not for `config init`, which writes it). */
  discoverConfigFile?: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
  flags: ConfigFlagValues;
  sets?: readonly string[];
  /** A wizard only when stdin is a TTY and neither --yes nor CI=true. */
  wizard: Wizard | undefined;
  /** Which user secrets this command needs (install with the btp phase needs both). */
  secrets: readonly (keyof UserSecrets)[];
  today?: Date;
}

export interface Resolved {
  config: Config;
  secrets: UserSecrets;
  warnings: string[];
  /** The merged input the config came from (no secrets): what `config init` writes. */
  input: Record<string, unknown>;
  configFile: string | undefined;
}

export async function resolveConfig(options: ResolveOptions): Promise<Resolved> {
  const configFile = options.configPath ?? (options.discoverConfigFile === false ? undefined : await defaultConfigFile(options.cwd));
  const file = configFile ? await readConfigFile(configFile) : undefined;
  const fileValues = file ? resolveRelativePaths(file.values, file.path) : {};
  const env = readEnvironmentLayer(options.env);
  const flags = readFlagLayer(options.flags, options.sets);
  const layerProblems = [...env.problems, ...flags.problems];

  let input = deepMerge(fileValues, env.values, flags.values);
  let parsed = parseConfig(input, { today: options.today });
  // The wizard runs only when the sole problems are missing fields; wrong values are reported.
  while (!parsed.ok && options.wizard && layerProblems.length === 0 && parsed.errors.length === parsed.missing.length) {
    const answers = await options.wizard.fill(parsed.missing, input);
    if (Object.keys(answers).length === 0) break;
    input = deepMerge(input, answers);
    parsed = parseConfig(input, { today: options.today });
  }
  if (!parsed.ok || layerProblems.length > 0) {
    const errors = [...layerProblems, ...(parsed.ok ? [] : parsed.errors)];
    const missing = parsed.ok ? [] : parsed.missing;
    throw new UsageError(`the configuration is not valid (${errors.length} problem${errors.length === 1 ? "" : "s"})`, errors, missingHint(missing, configFile));
  }
  const secrets = await resolveSecrets(options, parsed.value);
  return { config: parsed.value, secrets, warnings: parsed.warnings, input, configFile: file?.path };
}

async function defaultConfigFile(cwd: string): Promise<string | undefined> {
  const candidate = join(cwd, DEFAULT_CONFIG_FILE);
  return access(candidate).then(() => candidate, () => undefined);
}

/**
 * For the external-credential secrets: the section that needs it (its mode is external and it names
 * no credentialsSecretArn), or null when it is not needed. Other secrets are not in the map.
 */
function externalSecretsNeeded(config: Config): Map<keyof UserSecrets, "database" | "cache" | "storage" | null> {
  const needs = (section: "database" | "cache" | "storage") => {
    const dependency = config[section];
    return dependency.mode === "external" && dependency.external?.credentialsSecretArn === undefined ? section : null;
  };
  return new Map([
    ["databasePassword", needs("database")],
    ["redisPassword", needs("cache")],
    ["storageAccessKeyId", needs("storage")],
    ["storageSecretAccessKey", needs("storage")],
  ]);
}

function missingHint(missing: readonly string[], configFile: string | undefined): string {
  if (missing.length === 0) return "fix the values above; `btp-aws config schema` describes every field";
  // A whole missing section is best explained by its first required field.
  const first = configFields().find((f) => f.required && (f.path.join(".") === missing[0] || f.path.join(".").startsWith(`${missing[0]}.`)))?.path.join(".") ?? missing[0]!;
  const flag = Object.values(CONFIG_FLAGS).find((f) => f.path.join(".") === first);
  const ways = [configFile ? `add them to ${configFile}` : "pass --config <file> (`btp-aws config init` writes one)", `set ${variableFor(first.split("."))}`];
  if (flag) ways.push(`pass ${flag.flag.split(" ")[0]}`);
  return `${ways.join(", ")}, or run in a terminal without --yes to be asked`;
}

const SECRET_PROMPTS: Record<keyof UserSecrets, string> = {
  licenseToken: "SettleMint license token (account token)",
  authClientSecret: "OAuth client secret",
  databasePassword: "Password of your external database",
  redisPassword: "Password of your external Redis",
  storageAccessKeyId: "Access key id of your external bucket",
  storageSecretAccessKey: "Secret access key of your external bucket",
};

/** The config field a missing secret is reported under: where the user would look for it. */
const SECRET_FIELDS: Record<keyof UserSecrets, string> = {
  licenseToken: "license.token",
  authClientSecret: "auth.clientSecret",
  databasePassword: "database.external.credentialsSecretArn",
  redisPassword: "cache.external.credentialsSecretArn",
  storageAccessKeyId: "storage.external.credentialsSecretArn",
  storageSecretAccessKey: "storage.external.credentialsSecretArn",
};

async function resolveSecrets(options: ResolveOptions, config: Config): Promise<UserSecrets> {
  const result: { -readonly [K in keyof UserSecrets]: UserSecrets[K] } = {};
  const problems: string[] = [];
  const external = externalSecretsNeeded(config);
  for (const key of options.secrets) {
    // Google and Entra ID apps are confidential clients; so are the Cognito and OIDC apps we register.
    if (key === "authClientSecret" && !config.auth) continue;
    const dependency = external.get(key);
    if (dependency === null) continue;
    const variable = SECRET_VARIABLES[key];
    const fromEnv = options.env[variable];
    if (fromEnv) result[key] = fromEnv;
    else if (options.wizard) result[key] = await options.wizard.password(SECRET_PROMPTS[key]);
    else if (dependency !== undefined) problems.push(`${SECRET_FIELDS[key]}: is required when ${dependency}.mode is external, or set ${variable}`);
    else problems.push(`${SECRET_FIELDS[key]}: is required: set ${variable} (secrets are never read from the config file or flags)`);
  }
  // database.external.user without a credentials secret is a config rule (rules.ts).
  if (problems.length > 0) throw new UsageError("a secret the install needs is missing", problems, "export the variable named above, or run in a terminal to be asked");
  return result;
}
