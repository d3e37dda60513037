/**
 * Throttling: `install --only prepare,infra` (built CLI, through the proxy), once without faults
 * for a baseline, once with 20% of requests answered with the protocol's throttling error and 2%
 * with a 500 or 503 (seeded). The faulted install must complete, and the proxy log says what it
 * cost: every injected fault is one request the SDK sent again, and nothing else changes.
 * The latency model stays off here: its polls would vary with the run's speed and blur the count
 * (kill-resume.test.ts runs this install under it).
 */
import { rm } from "node:fs/promises";
import { afterEach, describe, expect, inject, it } from "vitest";
import { installSteps } from "../../src/cli/steps.js";
import { selectSteps } from "../../src/plan/select.js";
import { runCli, type CliResult } from "../support/cli.js";
import { motoControl } from "../support/moto.js";
import { callDelta, countByOperation, startFaultProxy, type FaultProxy, type LogEntry } from "./proxy/index.js";
import { freshPlatform, installArgs, installEnv, SCALE, warmMoto } from "./support/platform.js";

const moto = motoControl(inject("motoEndpoint"));
const helm = inject("helm");
const SEED = 7;

interface Measured {
  result: CliResult;
  seconds: number;
  entries: readonly LogEntry[];
}

/** The AWS calls the proxy saw (moto's control API aside). */
const awsCalls = (entries: readonly LogEntry[]) => entries.filter((e) => e.service !== "Unknown");

describe("install under 20% throttling and 2% server errors", () => {
  let proxy: FaultProxy | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await proxy?.stop();
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  async function install(faults: { throttle: number; serverError: number } | undefined): Promise<Measured> {
    const platform = await freshPlatform(moto, "btp-aws-throttle-");
    dirs.push(platform.dir);
    await warmMoto(moto);
    await proxy?.stop();
    proxy = await startFaultProxy({ target: moto.endpoint, seed: SEED, ...(faults ? { faults } : {}) });
    const started = Date.now();
    const result = await runCli(installArgs(platform), { cwd: platform.dir, env: installEnv(proxy.endpoint, helm.v4.path, { BTP_AWS_POLL_SCALE: String(SCALE) }), timeoutMs: 240_000 });
    return { result, seconds: (Date.now() - started) / 1000, entries: awsCalls(proxy.log.entries) };
  }

  it("completes with exit 0; the faults cost one extra call each", { timeout: 300_000 }, async () => {
    const baseline = await install(undefined);
    expect(baseline.result.code).toBe(0);
    expect(baseline.entries.filter((e) => e.injected === "throttle" || e.injected === "5xx" || e.injected === "drop")).toEqual([]);

    const faulted = await install({ throttle: 0.2, serverError: 0.02 });
    // The stderr tail names the step that gave up, and the error it gave up on.
    expect({ code: faulted.result.code, tail: faulted.result.code === 0 ? "" : faulted.result.stderr.slice(-3000) }).toEqual({ code: 0, tail: "" });
    expect(faulted.result.stderr).toContain(`✔ ${selectSteps(installSteps(), { only: ["prepare", "infra"] }).length} steps complete`);

    const throttled = faulted.entries.filter((e) => e.injected === "throttle").length;
    const failed = faulted.entries.filter((e) => e.injected === "5xx").length;
    const total = faulted.entries.length;
    // The draws are seeded; the shares land near what was asked for.
    expect(throttled / total).toBeGreaterThan(0.14);
    expect(throttled / total).toBeLessThan(0.26);
    expect(failed).toBeGreaterThan(0);
    // What the installer itself counted (attempts, retries included) is what reached the proxy.
    const [, read, mutating] = /AWS calls: (\d+) read, (\d+) mutating/.exec(faulted.result.stderr) ?? [];
    expect(Number(read) + Number(mutating)).toBe(total);
    // Each fault cost exactly one more attempt of the same call: no step re-did work because of one.
    // Calls moto always fails would use all their attempts either way: there are none since the
    // proxy serves GetAWSDefaultServiceQuota (moto's HTML 500). Service Quotas reads are advisory and retried once only (src/aws/clients.ts): one throttled
    // twice is given up as "not checked", so they are left out of the one-fault-one-call count.
    const failing = new Set(baseline.entries.filter((e) => (e.status ?? 500) >= 500).map((e) => e.operation));
    const counted = (entries: readonly LogEntry[]) => entries.filter((e) => !failing.has(e.operation) && e.service !== "servicequotas");
    const injected = counted(faulted.entries).filter((e) => e.injected === "throttle" || e.injected === "5xx");
    expect([...failing]).toEqual([]);
    expect(callDelta(counted(baseline.entries), counted(faulted.entries))).toEqual(countByOperation(injected));
    console.info(
      `[throttling] baseline: ${baseline.entries.length} calls, ${baseline.seconds.toFixed(1)} s; ` +
        `20% throttled + 2% 5xx: ${total} calls of which ${throttled} throttled and ${failed} 5xx (${throttled + failed} extra, ${(((throttled + failed) / total) * 100).toFixed(1)}%), ` +
        `${total - baseline.entries.length} more than the baseline, ${faulted.seconds.toFixed(1)} s (+${(faulted.seconds - baseline.seconds).toFixed(1)} s)`,
    );
  });
});
