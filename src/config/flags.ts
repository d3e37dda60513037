/** The flags layer: named flags for the common fields plus `--set path=value` for any field. */
import { coerceText } from "./coerce.js";
import { configFields, type Field } from "./json-schema.js";
import { closest, setAt } from "./paths.js";
import { CONFIG_FLAGS } from "./flag-names.js";

export { CONFIG_FLAGS } from "./flag-names.js";

export type ConfigFlagValues = Partial<Record<keyof typeof CONFIG_FLAGS, string>>;

/** Secret keys people will try to pass; each gets a message that says where secrets go instead. */
export const SECRET_KEYS: Record<string, string> = {
  "license.token": "the license token is never read from a file or flag: set BTP_AWS_LICENSE_TOKEN or let the wizard prompt for it",
  "license.accountToken": "the license token is never read from a file or flag: set BTP_AWS_LICENSE_TOKEN or let the wizard prompt for it",
  "auth.clientSecret": "the OAuth client secret is never read from a file or flag: set BTP_AWS_AUTH_CLIENT_SECRET or let the wizard prompt for it",
};

export interface FlagLayer {
  values: Record<string, unknown>;
  problems: string[];
}

export function readFlagLayer(flags: ConfigFlagValues, sets: readonly string[] = []): FlagLayer {
  let values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, spec] of Object.entries(CONFIG_FLAGS) as [keyof typeof CONFIG_FLAGS, (typeof CONFIG_FLAGS)[keyof typeof CONFIG_FLAGS]][]) {
    const value = flags[key];
    if (value !== undefined) values = setAt(values, spec.path, value);
  }
  // Built from the JSON Schema (tens of milliseconds): only when there is a --set to read.
  const fields = sets.length === 0 ? new Map<string, Field>() : new Map(configFields().map((f) => [f.path.join("."), f]));
  for (const assignment of sets) {
    const at = assignment.indexOf("=");
    const key = at > 0 ? assignment.slice(0, at) : assignment;
    if (at <= 0) {
      problems.push(`--set ${assignment}: expected path=value, such as --set database.instanceClass=db.r6g.large`);
      continue;
    }
    if (SECRET_KEYS[key]) {
      problems.push(`--set ${key}: ${SECRET_KEYS[key]}`);
      continue;
    }
    const field = fields.get(key);
    if (!field) {
      const guess = closest(key, [...fields.keys()]);
      problems.push(`--set ${key}: not a config field${guess ? ` (did you mean ${guess}?)` : ""}`);
      continue;
    }
    const coerced = coerceText(assignment.slice(at + 1), field);
    if (coerced.ok) values = setAt(values, field.path, coerced.value);
    else problems.push(`${key}: ${coerced.message} (from --set)`);
  }
  return { values, problems };
}
