/** Reads the YAML config file. Malformed YAML is a usage error with line and column. */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseDocument } from "yaml";
import { UsageError } from "../errors.js";
import { isPlainObject } from "./paths.js";

export const DEFAULT_CONFIG_FILE = "btp-aws.yaml";

export interface ConfigFile {
  path: string;
  values: Record<string, unknown>;
}

export async function readConfigFile(path: string): Promise<ConfigFile> {
  const absolute = resolve(path);
  let text: string;
  try {
    text = await readFile(absolute, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String(error);
    throw new UsageError(`cannot read config file ${path}: ${why}`, [], "check the --config path, or run `btp-aws config init` to write one");
  }
  return { path: absolute, values: parseConfigYaml(text, path) };
}

export function parseConfigYaml(text: string, path: string): Record<string, unknown> {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const problems = document.errors.map((e) => {
      const at = e.linePos?.[0];
      // prettyErrors computes linePos; the position is repeated in the message, so drop it there.
      const message = (e.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
      return `${path}${at ? `:${at.line}:${at.col}` : ""}: ${message}`;
    });
    throw new UsageError(`config file ${path} is not valid YAML`, problems, "fix the YAML at the line and column shown");
  }
  const values: unknown = document.toJS();
  if (values === null || values === undefined) return {};
  if (!isPlainObject(values)) {
    // Like YAML errors, the problem line starts with the file, so every bad-input message has a location.
    const found = Array.isArray(values) ? "a list" : `a ${typeof values}`;
    throw new UsageError(`config file ${path} must hold a mapping of settings at the top level`, [`${path}: found ${found} at the top level, expected settings such as "platform: acme-prod"`], "see examples/btp-aws.yaml");
  }
  return values;
}

/** Paths inside the config are relative to the config file, not to the working directory. */
export function resolveRelativePaths(values: Record<string, unknown>, file: string): Record<string, unknown> {
  const chart = values.chart;
  if (isPlainObject(chart) && typeof chart.valuesFile === "string") {
    return { ...values, chart: { ...chart, valuesFile: resolve(dirname(file), chart.valuesFile) } };
  }
  return values;
}
