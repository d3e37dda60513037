/**
 * The BTP_AWS_* environment layer. Every config field has a variable: BTP_AWS_ followed by its
 * path in SCREAMING_SNAKE_CASE (cluster.minNodes → BTP_AWS_CLUSTER_MIN_NODES). Fields of the
 * `aws` section drop the section name (aws.region → BTP_AWS_REGION), which reads naturally.
 */
import { coerceText } from "./coerce.js";
import { configFields, type Field } from "./json-schema.js";
import { closest, setAt } from "./paths.js";

const PREFIX = "BTP_AWS_";

/** Variables that are not config fields: secrets and tool settings. */
export const SECRET_VARIABLES = {
  licenseToken: "BTP_AWS_LICENSE_TOKEN",
  authClientSecret: "BTP_AWS_AUTH_CLIENT_SECRET",
  // An external dependency's credentials, when its section names no credentialsSecretArn.
  databasePassword: "BTP_AWS_DATABASE_PASSWORD",
  redisPassword: "BTP_AWS_REDIS_PASSWORD",
  storageAccessKeyId: "BTP_AWS_STORAGE_ACCESS_KEY_ID",
  storageSecretAccessKey: "BTP_AWS_STORAGE_SECRET_ACCESS_KEY",
} as const;
export const SETTING_VARIABLES = ["BTP_AWS_HELM", "BTP_AWS_STATE_DIR", "BTP_AWS_POLL_SCALE"] as const;

function snake(segment: string): string {
  return segment.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

export function variableFor(path: readonly string[]): string {
  const segments = path[0] === "aws" ? path.slice(1) : path;
  return PREFIX + segments.map(snake).join("_");
}

export function environmentFields(): Map<string, Field> {
  return new Map(configFields().map((field) => [variableFor(field.path), field]));
}

export interface EnvironmentLayer {
  values: Record<string, unknown>;
  problems: string[];
}

export function readEnvironmentLayer(env: NodeJS.ProcessEnv): EnvironmentLayer {
  // The field table derives from the JSON Schema (tens of milliseconds at every start): only
  // built when some BTP_AWS_* variable is neither a secret nor a tool setting.
  const other: readonly string[] = [...Object.values(SECRET_VARIABLES), ...SETTING_VARIABLES];
  if (!Object.keys(env).some((name) => name.startsWith(PREFIX) && env[name] !== undefined && !other.includes(name))) return { values: {}, problems: [] };
  const fields = environmentFields();
  const known = [...fields.keys(), ...Object.values(SECRET_VARIABLES), ...SETTING_VARIABLES];
  let values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, text] of Object.entries(env)) {
    if (!name.startsWith(PREFIX) || text === undefined) continue;
    const field = fields.get(name);
    if (!field) {
      if (known.includes(name)) continue;
      const guess = closest(name, known);
      problems.push(`${name}: not a btp-aws variable${guess ? ` (did you mean ${guess}?)` : ""}`);
      continue;
    }
    const coerced = coerceText(text, field);
    if (coerced.ok) values = setAt(values, field.path, coerced.value);
    else problems.push(`${field.path.join(".")}: ${coerced.message} (from ${name})`);
  }
  return { values, problems };
}
