import { describe, expect, it, vi } from "vitest";
import { idle } from "../../../src/plan/activity.js";
import { runSteps } from "../../../src/runner/scheduler.js";
import { slackSeconds } from "../../../src/runner/slack.js";
import { memoryStore } from "./fake-store.js";
import { config, deferred, settle, step } from "./helpers.js";

describe("slackSeconds", () => {
  it("is zero on the longest chain and the spare time elsewhere", () => {
    // a(1) → long(600) → end(90); a → short(10) → end; a → side(5), which nothing needs.
    const steps = [{ id: "a", needs: [] }, { id: "long", needs: ["a"] }, { id: "short", needs: ["a"] }, { id: "end", needs: ["long", "short"] }, { id: "side", needs: ["a"] }];
    const slack = slackSeconds(steps, { a: 1, long: 600, short: 10, end: 90, side: 5 });
    expect(Object.fromEntries(slack)).toEqual({ a: 0, long: 0, end: 0, short: 590, side: 685 });
  });

  it("ignores needs outside the selection, and counts unlisted steps as 5 s", () => {
    const slack = slackSeconds([{ id: "x", needs: ["done-before"] }, { id: "y", needs: [] }], { x: 20 });
    expect(Object.fromEntries(slack)).toEqual({ x: 0, y: 15 });
  });
});

describe("runSteps with typical durations: the longest chain first", () => {
  // "cluster" is the long chain (10 minutes); "bucket" has minutes to spare.
  const typicalSeconds = { cluster: 600, bucket: 5 };

  it("holds a step with minutes to spare while the longest chain works, and starts it once that chain only waits", async () => {
    const working = deferred();
    const polling = deferred();
    const started: string[] = [];
    const cluster = step("cluster", {
      run: async () => {
        started.push("cluster");
        await working.promise; // creating: calls, not a wait
        await idle(polling.promise); // polling until ACTIVE
      },
    });
    const bucket = step("bucket", { run: () => Promise.resolve(void started.push("bucket")) });
    const run = runSteps([bucket, cluster], { config, services: {}, store: memoryStore(), typicalSeconds, concurrency: 8 });
    await settle();
    // Declared first, but held: the cluster goes first and is working.
    expect(started).toEqual(["cluster"]);
    working.resolve();
    await settle();
    expect(started).toEqual(["cluster", "bucket"]);
    polling.resolve();
    expect((await run).status).toBe("succeeded");
  });

  it("holds nothing without typical durations, or on a re-run where every step is recorded done", async () => {
    const done = { status: "done" as const, startedAt: "2025-01-01T12:00:00.000Z", finishedAt: "2025-01-01T12:00:01.000Z", outputs: {} };
    for (const options of [{ store: memoryStore() }, { store: memoryStore({ cluster: done, bucket: done }), typicalSeconds }]) {
      const working = deferred();
      const started: string[] = [];
      const cluster = step("cluster", { run: async () => { started.push("cluster"); await working.promise; } });
      const bucket = step("bucket", { run: () => Promise.resolve(void started.push("bucket")) });
      const run = runSteps([bucket, cluster], { config, services: {}, ...options });
      await settle();
      expect(started.sort()).toEqual(["bucket", "cluster"]);
      working.resolve();
      expect((await run).status).toBe("succeeded");
    }
  });

  it("starts a held step anyway once the hold's limit (30 s) has passed", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      let clock = 0;
      const working = deferred();
      const started: string[] = [];
      const cluster = step("cluster", { run: async () => { started.push("cluster"); await working.promise; } });
      const bucket = step("bucket", { run: () => Promise.resolve(void started.push("bucket")) });
      const run = runSteps([bucket, cluster], { config, services: {}, store: memoryStore(), typicalSeconds, now: () => clock });
      await settle();
      clock = 29_000;
      await vi.advanceTimersByTimeAsync(29_000);
      await settle();
      expect(started).toEqual(["cluster"]);
      clock = 30_000;
      await vi.advanceTimersByTimeAsync(1_000);
      await settle();
      // The cluster still works; the bucket runs beside it.
      expect(started).toEqual(["cluster", "bucket"]);
      working.resolve();
      expect((await run).status).toBe("succeeded");
    } finally {
      vi.useRealTimers();
    }
  });
});
