/**
 * Loads the bad-input corpus in test/fixtures/bad/ (format: its README.md) and runs one case the
 * way a user would: the built CLI as a child process in an empty directory of its own, holding
 * only the case's config file as btp-aws.yaml.
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { cleanEnv, runCli, tempDir, type CliResult } from "../../support/cli.js";
import { REPO_ROOT } from "../../support/paths.js";

export const BAD_DIR = join(REPO_ROOT, "test", "fixtures", "bad");
/** The file every case's config is copied to, so messages name the same file in every case. */
export const CONFIG_NAME = "btp-aws.yaml";

const caseSchema = z.strictObject({
  description: z.string().min(1),
  /** Another fixture's config (e.g. the valid one, for flag cases), or null for no file at all. */
  config: z.string().nullable().optional(),
  args: z.array(z.string()).min(1),
  env: z.record(z.string(), z.string()).optional(),
  exitCode: z.number().int(),
  /** The whole of stderr, line by line; `{dir}` stands for the case's working directory. */
  stderr: z.array(z.string()).min(1),
});

export interface BadCase extends z.infer<typeof caseSchema> {
  readonly name: string;
  /** Absolute path of the config the case runs with; undefined when it runs without one. */
  readonly configFile: string | undefined;
}

export async function loadBadCases(): Promise<BadCase[]> {
  const files = (await readdir(BAD_DIR)).filter((f) => f.endsWith(".expect.json")).sort();
  return Promise.all(files.map(async (file) => {
    const name = file.slice(0, -".expect.json".length);
    const parsed = caseSchema.parse(JSON.parse(await readFile(join(BAD_DIR, file), "utf8")));
    const config = parsed.config === undefined ? `${name}.yaml` : parsed.config;
    return { ...parsed, name, configFile: config === null ? undefined : join(BAD_DIR, config) };
  }));
}

export interface CaseRun extends CliResult {
  /** The case's working directory; nothing but the config file should be in it afterwards. */
  readonly dir: string;
  readonly ms: number;
}

/** The access key a case runs with: a request it makes names it in its SigV4 scope. */
export function accessKeyFor(c: Pick<BadCase, "name">): string {
  return `bad-${c.name}`;
}

/** Runs the case with AWS_ENDPOINT_URL at `endpoint` and credentials that would let a request through. */
export async function runBadCase(c: BadCase, endpoint: string): Promise<CaseRun> {
  const dir = await tempDir("btp-aws-bad-");
  if (c.configFile) await writeFile(join(dir, CONFIG_NAME), await readFile(c.configFile));
  const env = cleanEnv({ AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: accessKeyFor(c), AWS_SECRET_ACCESS_KEY: "bad-input-corpus", ...c.env });
  const started = Date.now();
  const result = await runCli(c.args, { cwd: dir, env });
  return { ...result, dir, ms: Date.now() - started };
}

/** Expected stderr as text, with the case's directory filled in. */
export function expectedStderr(c: BadCase, dir: string): string {
  return `${c.stderr.map((line) => line.replaceAll("{dir}", dir)).join("\n")}\n`;
}

/** Runs `work` over `items` with at most `limit` at a time, keeping the order of the results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
