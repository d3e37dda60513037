/**
 * Finding the helm binary and asking it its version. The caller passes in what it read from
 * flags and the environment (--helm or BTP_AWS_HELM, and PATH); nothing here reads process.env.
 */
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { delimiter, isAbsolute, join, resolve, sep } from "node:path";
import { promisify } from "node:util";
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

const execFileAsync = promisify(execFile);

async function run(binary: string, args: string[]): Promise<string> {
  // node:child_process, not execa: loading execa costs ~280 ms of CPU while prepare's first steps
  // run, and a version probe needs none of it. Real helm runs (run.ts) still go through execa.
  try {
    const { stdout } = await execFileAsync(binary, args, { timeout: VERSION_TIMEOUT_MS, encoding: "utf8", windowsHide: true });
    return stdout.trim();
  } catch (error) {
    throw helmUnusable(binary, failureText(error, binary, args));
  }
}

/** execFile's failure in execa's words ("Command failed with exit code 3: helm version …"). */
function failureText(error: unknown, binary: string, args: readonly string[]): string {
  const failed = error as { code?: unknown; signal?: unknown; killed?: boolean };
  const command = [binary, ...args].join(" ");
  if (failed.killed === true && typeof failed.signal === "string") return `Command timed out after ${VERSION_TIMEOUT_MS} milliseconds: ${command}`;
  if (typeof failed.code === "number") return `Command failed with exit code ${failed.code}: ${command}`;
  if (typeof failed.signal === "string") return `Command was killed with ${failed.signal}: ${command}`;
  if (typeof failed.code === "string") return `Command failed with ${failed.code}: ${command}`;
  return errorMessage(error);
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
