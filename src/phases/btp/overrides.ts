/**
 * The user's overrides file (`chart.valuesFile`), merged over the values btp-aws renders: for
 * keys a chart version renamed, settings btp-aws does not know, or a different choice.
 *
 * Merge rule: maps merge key by key, recursively; anything else (lists, strings, numbers, null)
 * in the overrides replaces what was there. Lists replace rather than append because a list of
 * deployment targets or TLS entries is one setting, not a bag to add to. A null is passed to helm
 * as is, which removes the chart's default for that key.
 *
 * A relative path is resolved against the directory btp-aws runs in, as `helm -f` would.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { BtpAwsError, errorMessage } from "../../errors.js";
import { parseDocument } from "yaml";

export type Values = Record<string, unknown>;

export function isMap(value: unknown): value is Values {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function mergeOverrides(base: Values, overrides: Values): Values {
  const merged: Values = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = merged[key];
    merged[key] = isMap(current) && isMap(value) ? mergeOverrides(current, value) : value;
  }
  return merged;
}

/**
 * Reads and parses the overrides file. Parse errors give the position only: yaml quotes the
 * offending line, and an overrides file may hold secrets.
 */
export async function readOverridesFile(path: string, baseDir: string): Promise<Values> {
  const file = resolve(baseDir, path);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new BtpAwsError(`cannot read the chart values file ${file}: ${code === "ENOENT" ? "it does not exist" : errorMessage(error)}`, {
      hint: "fix chart.valuesFile in the config (a relative path is taken from the directory you run btp-aws in), then run `btp-aws install` again",
    });
  }
  const document = parseDocument(text);
  const problem = document.errors[0];
  if (problem !== undefined) {
    const where = problem.linePos?.[0];
    throw new BtpAwsError(`the chart values file ${file} is not valid YAML: ${problem.code}${where ? ` at line ${where.line}, column ${where.col}` : ""}`, {
      hint: "fix the file, then run `btp-aws install` again",
    });
  }
  const values: unknown = document.toJS();
  if (values === null || values === undefined) return {};
  if (!isMap(values)) {
    throw new BtpAwsError(`the chart values file ${file} must hold a map of values at the top, like a helm values file`, { hint: "fix the file, then run `btp-aws install` again" });
  }
  return values;
}
