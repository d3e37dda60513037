/**
 * The bad-input corpus (test/fixtures/bad/): every malformed config, flag set and environment
 * exits 2 with exactly the expected path-prefixed lines on stderr, prints nothing on stdout, makes
 * zero AWS requests and leaves no state directory behind.
 *
 * Each case runs the built CLI against a recording endpoint (AWS_ENDPOINT_URL) that answers 500
 * and records every request; the cases run four at a time, each with an access key of its own,
 * so a stray request names the case that made it. A control run of the valid base config shows
 * that the same harness does see requests and a state directory when a run gets that far.
 */
import { existsSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BAD_DIR, CONFIG_NAME, accessKeyFor, expectedStderr, loadBadCases, mapLimit, runBadCase, type BadCase, type CaseRun } from "./support/bad-cases.js";
import { describeRequests, startRecordingEndpoint, type RecordingEndpoint } from "./support/recording-endpoint.js";

/** Two cores are shared with other work: four child processes keep both busy without thrashing. */
const PARALLEL = 4;
const cases = await loadBadCases();

describe("the bad-input corpus", () => {
  let endpoint: RecordingEndpoint;
  const runs = new Map<string, CaseRun>();

  beforeAll(async () => {
    endpoint = await startRecordingEndpoint();
    const started = Date.now();
    const results = await mapLimit(cases, PARALLEL, (c) => runBadCase(c, endpoint.url));
    results.forEach((run, i) => runs.set(cases[i]!.name, run));
    const slowest = [...runs.entries()].sort((a, b) => b[1].ms - a[1].ms)[0];
    console.log(`[bad-input] ${cases.length} cases, ${PARALLEL} at a time: ${((Date.now() - started) / 1000).toFixed(1)} s wall; slowest ${slowest?.[0]} ${slowest?.[1].ms} ms`);
  }, 300_000);

  afterAll(async () => {
    await endpoint.close();
    await Promise.all([...runs.values()].map((run) => rm(run.dir, { recursive: true, force: true })));
  });

  it("holds 40 or more cases, and every config file in the folder belongs to one", async () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(cases.filter((c) => c.exitCode !== 2).map((c) => c.name)).toEqual([]);
    const configs = (await readdir(BAD_DIR)).filter((f) => f.endsWith(".yaml") && f !== "_valid.yaml");
    const owned = new Set(cases.map((c) => c.configFile));
    expect(configs.filter((f) => !owned.has(join(BAD_DIR, f)))).toEqual([]);
    for (const c of cases) if (c.configFile) expect(existsSync(c.configFile), c.configFile).toBe(true);
  });

  it("control: the valid base config, run the same way, reaches the endpoint and creates state", async () => {
    const control = await startRecordingEndpoint();
    try {
      const valid: BadCase = { name: "control", description: "the valid base config", configFile: join(BAD_DIR, "_valid.yaml"), args: ["install", "--yes", "--config", CONFIG_NAME, "--only", "prepare"], exitCode: 1, stderr: ["-"] };
      const run = await runBadCase(valid, control.url);
      expect(run.code).toBe(1);
      expect(control.requests.map((r) => `${r.accessKeyId} ${r.service}`)).toContain(`${accessKeyFor(valid)} sts`);
      expect(existsSync(join(run.dir, ".btp-aws", "acme-prod", "state.json"))).toBe(true);
      await rm(run.dir, { recursive: true, force: true });
    } finally {
      await control.close();
    }
  });

  describe.each(cases)("$name", (c) => {
    it(`${c.description}: exit 2, exactly the expected lines, no AWS request, no state`, async () => {
      const run = runs.get(c.name)!;
      expect(run.stderr).toBe(expectedStderr(c, run.dir));
      expect(run.stdout).toBe("");
      expect(run.code).toBe(c.exitCode);
      expect(describeRequests(endpoint.requests.filter((r) => r.accessKeyId === accessKeyFor(c)))).toEqual([]);
      // The working directory holds what the case put there and nothing else: no .btp-aws.
      expect(await readdir(run.dir)).toEqual(c.configFile ? [CONFIG_NAME] : []);
    });
  });

  it("no request reached the endpoint from any case", () => {
    expect(describeRequests(endpoint.requests)).toEqual([]);
  });
});
