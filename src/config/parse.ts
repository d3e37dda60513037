/** Validates merged config input: every problem at once, each prefixed with its dotted path. */
import type { z } from "zod";
import { configFields, keysAt } from "./json-schema.js";
import { SECRET_KEYS } from "./flags.js";
import { closest, deepFreeze, formatPath, getAt } from "./paths.js";
import { checkRules } from "./rules.js";
import { ConfigSchema, resolveEnvironmentDefaults, type Config } from "./schema.js";

export type Parsed<T> = { ok: true; value: T; warnings: string[] } | { ok: false; errors: string[]; missing: string[]; warnings: string[] };

export function parseConfig(input: unknown, options: { today?: Date } = {}): Parsed<Config> {
  const result = ConfigSchema.safeParse(input);
  if (!result.success) {
    const missing: string[] = [];
    const errors = result.error.issues.flatMap((issue) => describeIssue(issue, input, missing));
    return { ok: false, errors, missing, warnings: [] };
  }
  const config = resolveEnvironmentDefaults(result.data);
  const { errors, warnings } = checkRules(config, options.today);
  if (errors.length > 0) return { ok: false, errors, missing: [], warnings };
  return { ok: true, value: deepFreeze(config), warnings };
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown, missing: string[]): string[] {
  const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  if (issue.code === "unrecognized_keys") {
    const known = keysAt(path);
    return issue.keys.map((key) => {
      const full = formatPath([...path, key]);
      if (SECRET_KEYS[full]) return `${full}: ${SECRET_KEYS[full]}`;
      // A key of another union member (auth.tenantId under provider google) is known, just not here:
      // suggesting the key itself as "did you mean" would be no help.
      const when = configFields().find((f) => formatPath(f.path) === full)?.when;
      if (when) return `${full}: only used when ${when.path} is ${when.in.join(" or ")} (it is ${String(getAt(input, when.path.split(".")))})`;
      const guess = closest(key, known);
      return `${full}: unknown key${guess ? ` (did you mean ${formatPath([...path, guess])}?)` : ""}`;
    });
  }
  // A field that is simply absent reads better as "is required" than as a type mismatch.
  if (getAt(input, path) === undefined && (issue.code === "invalid_type" || issue.code === "invalid_value" || issue.code === "invalid_union")) {
    missing.push(formatPath(path));
    return [`${formatPath(path)}: is required`];
  }
  // Record keys (tags) fail with a wrapper issue; the inner one carries our message.
  const message = issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message;
  return [`${formatPath(path)}: ${message}`];
}
