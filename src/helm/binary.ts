/**
 * Finding the helm binary and asking it its version. The caller passes in what it read from
 * flags and the environment (--helm or BTP_AWS_HELM, and PATH); nothing here reads process.env.
 */
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { delimiter, isAbsolute, join, resolve, sep } from "node:path";
import { errorMessage } from "../errors.js";
import { helmNotAtPath, helmUnusable } from "./errors.js";
import { parseHelmVersion } from "./version.js";

export interface FindHelmOptions {
  /** --helm or BTP_AWS_HELM: a path ("./bin/helm") or a command name looked up on PATH ("helm3"). */
  path?: string | undefined;
  /** The PATH to search. */
  envPath: string;
  /** Relative paths are resolved against this directory (default: the current one). */
  cwd?: string;
}

const VERSION_TIMEOUT_MS = 30_000;

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function searchPath(name: string, envPath: string): Promise<string | undefined> {
  for (const dir of envPath.split(delimiter)) {
    // An empty PATH entry means the current directory; helm must not be picked up from there.
    if (dir === "" || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The helm binary to use, or undefined when PATH has none. An explicit path that is not an
 * executable file throws: silently falling back to another helm would hide the mistake.
 */
export async function findHelm(options: FindHelmOptions): Promise<string | undefined> {
  const explicit = options.path?.trim();
  if (explicit === undefined || explicit === "") return searchPath("helm", options.envPath);
  if (explicit.includes("/") || explicit.includes(sep)) {
    const file = resolve(options.cwd ?? ".", explicit);
    if (await isExecutableFile(file)) return file;
    throw helmNotAtPath(explicit);
  }
  const found = await searchPath(explicit, options.envPath);
  if (found === undefined) throw helmNotAtPath(explicit);
  return found;
}

async function run(binary: string, args: string[]): Promise<string> {
  // Loaded on use: execa is not needed for `--help` and start-up time is a tested requirement.
  const { execa } = await import("execa");
  try {
    const result = await execa(binary, args, { timeout: VERSION_TIMEOUT_MS, stdin: "ignore" });
    return result.stdout;
  } catch (error) {
    const why = (error as { shortMessage?: string }).shortMessage ?? errorMessage(error);
    throw helmUnusable(binary, why);
  }
}

/**
 * The version helm reports, with its "v" ("v3.17.3"). `--template '{{.Version}}'` prints just the
 * version on helm 3 and 4 alike; `--short` is the fallback for builds whose template output is
 * unexpected.
 */
export async function helmVersion(binary: string): Promise<string> {
  let templated: string | undefined;
  let failure: unknown;
  try {
    templated = parseHelmVersion(await run(binary, ["version", "--template", "{{.Version}}"]));
  } catch (error) {
    failure = error; // maybe only the flag is unsupported: try --short before giving up
  }
  if (templated !== undefined) return templated;
  let output: string;
  try {
    output = await run(binary, ["version", "--short"]);
  } catch (error) {
    throw failure ?? error;
  }
  const short = parseHelmVersion(output);
  if (short === undefined) throw helmUnusable(binary, `no version in its output: ${JSON.stringify(output.slice(0, 200))}`);
  return short;
}

/** What the prepare phase needs from helm, bound to the caller's flags and PATH. */
export interface HelmLocator {
  find(): Promise<string | undefined>;
  version(binary: string): Promise<string>;
}

export function createHelmLocator(options: FindHelmOptions): HelmLocator {
  return { find: () => findHelm(options), version: helmVersion };
}
