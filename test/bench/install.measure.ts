/**
 * The install figures of `npm run bench` (run.mjs starts this through test/bench/vitest.config.ts
 * and writes BENCHMARKS.md from what it records):
 * - makespan of `install --only prepare,infra` through the proxy under the latency model at 1/60
 *   (BTP_AWS_POLL_SCALE=1/60), against the critical-path lower bound from the same table;
 * - where the time went on the critical path (each step's own time, and how long it waited for a
 *   slot after its needs were done);
 * - AWS calls of that install, read and mutating, and how many reads were polls;
 * - a no-op re-run right after: wall time and calls.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import { expect, inject, it } from "vitest";
import { classifyOperation } from "../../src/aws/call-counter.js";
import { installSteps } from "../../src/cli/steps.js";
import { criticalPath } from "../../src/plan/critical-path.js";
import { selectSteps } from "../../src/plan/select.js";
import { parseStateText } from "../../src/state/schema.js";
import { runCli } from "../support/cli.js";
import { motoControl } from "../support/moto.js";
import { countByKind, countByOperation, startFaultProxy, type LogEntry } from "../reliability/proxy/index.js";
import { freshPlatform, installArgs, installEnv, SCALE as HEADLINE_SCALE, warmMoto } from "../reliability/support/platform.js";
import type { BenchResults, StepTime } from "./results.js";

/**
 * The headline figure is at 1/60. BENCH_SCALE ("1/10") measures the same install at another
 * scale, for run.mjs's extra, labelled line: under 1/60 each second of fixed cost (start-up, round
 * trips) stands for a minute, under 1/10 for ten seconds.
 */
function benchScale(text: string | undefined): number {
  if (text === undefined || text === "") return HEADLINE_SCALE;
  const [top, bottom = "1"] = text.split("/");
  const scale = Number(top) / Number(bottom);
  if (!(scale > 0 && scale <= 1)) throw new Error(`BENCH_SCALE must be a fraction such as 1/10, not ${text}`);
  return scale;
}
const SCALE = benchScale(process.env.BENCH_SCALE);

const moto = motoControl(inject("motoEndpoint"));
const helm = inject("helm");

const awsCalls = (entries: readonly LogEntry[]) => entries.filter((e) => e.service !== "Unknown");
const seconds = (ms: number) => Math.round(ms) / 1000;

/**
 * Installs measured, each on a fresh moto, a fresh proxy and a fresh platform (BENCH_RUNS, default
 * 3). The headline is the run with the median makespan: a single run on a shared two-core machine
 * moved by ±0.02 in the ratio, and the median neither hides a slow run nor keeps a lucky one.
 * One install runs first and is reported but not counted: right after `npm run build` it pays
 * V8's compile cache misses for every chunk of the new bundle, and the proxy (test code in this
 * process) runs cold; it was the slowest of four in every session-4 measurement.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

it("measures the scaled install, its calls and a no-op re-run", async () => {
  if (!(Number.isInteger(RUNS) && RUNS >= 1)) throw new Error(`BENCH_RUNS must be a whole number of at least 1, not ${process.env.BENCH_RUNS}`);
  const warmup = await measureOnce(0);
  const runs: Awaited<ReturnType<typeof measureOnce>>[] = [];
  for (let i = 1; i <= RUNS; i++) runs.push(await measureOnce(i));
  const byMakespan = [...runs].sort((a, b) => a.makespanS - b.makespanS);
  const results: BenchResults = { ...byMakespan[Math.floor((runs.length - 1) / 2)]!, makespansS: runs.map((r) => r.makespanS), warmupS: warmup.makespanS };
  const out = process.env.BENCH_RESULTS;
  if (out) await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
  console.info(JSON.stringify(results));
}, (RUNS + 1) * 400_000);

async function measureOnce(run: number): Promise<Omit<BenchResults, "makespansS" | "warmupS">> {
  const platform = await freshPlatform(moto, "btp-aws-bench-");
  await warmMoto(moto);
  const proxy = await startFaultProxy({ target: moto.endpoint, latency: { scale: SCALE } });
  try {
    const env = installEnv(proxy.endpoint, helm.v4.path, { BTP_AWS_POLL_SCALE: String(SCALE) });
    // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the measured install, to see where its fixed cost goes.
    const profile: Record<string, string> = process.env.BENCH_CPU_PROF ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROF}/run-${run}` } : {};
    const started = Date.now();
    const install = await runCli(installArgs(platform), { cwd: platform.dir, env: { ...env, ...profile }, timeoutMs: 300_000 });
    const makespanMs = Date.now() - started;
    expect({ code: install.code, tail: install.code === 0 ? "" : install.stderr.slice(-3000) }).toEqual({ code: 0, tail: "" });
    const installCalls = awsCalls(proxy.log.entries);
    // BENCH_PROXY_LOG=<file>: every call of the measured install, with its time from the start.
    if (process.env.BENCH_PROXY_LOG) await writeFile(`${process.env.BENCH_PROXY_LOG}.${run}`, installCalls.map((e) => `${((e.at - started) / 1000).toFixed(3)} ${e.ms}ms ${e.service}.${e.operation} ${e.status ?? "drop"}${e.injected ? ` ${e.injected}` : ""}`).join("\n") + "\n");

    // The lower bound: the longest chain of typical durations through the selected steps, scaled
    // like the latency model (criticalPath is linear in the durations, so scaling its sum is exact).
    const selected = selectSteps(installSteps(), { only: ["prepare", "infra"] });
    const path = criticalPath(selected);
    const boundMs = path.seconds * SCALE * 1000;

    // The chain this run actually waited on: from the step that finished last, back through the
    // need of each that finished last. Each step's own time and the gap before it started.
    const state = parseStateText(await readFile(platform.statePath, "utf8"), platform.statePath);
    const at = (iso: string | undefined) => (iso === undefined ? Number.NaN : Date.parse(iso) - started);
    const finished = (id: string) => at(state.steps[id]?.finishedAt);
    const byId = new Map(selected.map((s) => [s.id, s]));
    const latest = (ids: readonly string[]) => [...ids].sort((a, b) => finished(b) - finished(a))[0];
    const chain: string[] = [];
    for (let id = latest(selected.map((s) => s.id)); id !== undefined; id = latest(byId.get(id)?.needs ?? [])) chain.unshift(id);
    const timeline: StepTime[] = chain.map((id, i) => {
      const record = state.steps[id]!;
      const lastNeed = chain[i - 1];
      const ready = lastNeed === undefined ? 0 : finished(lastNeed);
      // A one-step path is the step's own typical duration (or criticalPath's default for an unlisted step).
      const modelledS = criticalPath([{ id, needs: [] }]).seconds * SCALE;
      return { id, lastNeed, startedS: seconds(at(record.startedAt)), waitedS: seconds(at(record.startedAt) - ready), tookS: seconds(at(record.finishedAt) - at(record.startedAt)), modelledS };
    });
    const tailS = seconds(makespanMs - finished(chain.at(-1)!));
    // Every step's start and end, for reading a run (BENCH_RESULTS), not for BENCHMARKS.md.
    const steps = Object.fromEntries(selected.map((s): [string, [number, number]] => [s.id, [seconds(at(state.steps[s.id]?.startedAt)), seconds(finished(s.id))]]));

    // A poll that found its resource still provisioning: the answer the latency model rewrote.
    const polls = installCalls.filter((e) => e.injected === "latency" && classifyOperation(e.operation) === "read");
    const pollsByOperation = countByOperation(polls);

    proxy.log.clear();
    const againStarted = Date.now();
    const again = await runCli(installArgs(platform), { cwd: platform.dir, env, timeoutMs: 120_000 });
    const noOpMs = Date.now() - againStarted;
    expect(again.code).toBe(0);
    const noOpCalls = countByKind(awsCalls(proxy.log.entries));
    // The installer's own count of the re-run (attempts, as it reports with --verbose) must agree with the wire.
    const [, read, mutating] = /AWS calls: (\d+) read, (\d+) mutating/.exec(again.stderr) ?? [];
    expect({ read: Number(read), mutating: Number(mutating) }).toEqual(noOpCalls);

    return {
      scale: SCALE,
      makespanS: seconds(makespanMs),
      boundS: seconds(boundMs),
      criticalPath: path.steps,
      timeline,
      tailS,
      steps,
      installCalls: { ...countByKind(installCalls), polls: polls.length, pollsByOperation },
      noOp: { seconds: seconds(noOpMs), ...noOpCalls },
    };
  } finally {
    await proxy.stop();
    await rm(platform.dir, { recursive: true, force: true });
  }
}
