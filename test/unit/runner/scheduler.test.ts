import { describe, expect, it } from "vitest";
import { BtpAwsError } from "../../../src/errors.js";
import type { StepContext, StepOutputs } from "../../../src/plan/types.js";
import { runSteps } from "../../../src/runner/scheduler.js";
import { memoryStore } from "./fake-store.js";
import { config, deferred, eventLog, fakeTime, settle, step, type Deferred } from "./helpers.js";

const T0 = "2025-01-01T12:00:00.000Z";

describe("runSteps: ordering and parallelism", () => {
  it("starts a step only after all of its needs are done", async () => {
    const { log, events } = eventLog();
    const steps = [
      step("a"),
      step("b", { needs: ["a"] }),
      step("c", { needs: ["a", "b"] }),
    ];

    const result = await runSteps(steps, { config, services: {}, store: memoryStore(), events });

    expect(log).toEqual([
      "waiting b: a",
      "waiting c: a, b",
      "started a",
      "done a",
      "waiting c: b",
      "started b",
      "done b",
      "started c",
      "done c",
    ]);
    expect(result).toMatchObject({ status: "succeeded", completed: ["a", "b", "c"], failed: [], interrupted: [], notStarted: [] });
  });

  it("runs independent steps at the same time", async () => {
    const gates = { a: deferred(), b: deferred(), c: deferred() };
    const running = new Set<string>();
    let maxRunning = 0;
    const gated = (id: keyof typeof gates) =>
      step(id, {
        run: async () => {
          running.add(id);
          maxRunning = Math.max(maxRunning, running.size);
          await gates[id].promise;
          running.delete(id);
        },
      });

    const run = runSteps([gated("a"), gated("b"), gated("c"), step("d", { needs: ["a", "b", "c"] })], { config, services: {}, store: memoryStore() });
    await settle();
    expect([...running]).toEqual(["a", "b", "c"]);
    Object.values(gates).forEach((gate) => gate.resolve());

    expect((await run).status).toBe("succeeded");
    expect(maxRunning).toBe(3);
  });

  it("never runs more than `concurrency` steps at once, and fills a freed slot with the next ready step", async () => {
    const ids = ["a", "b", "c", "d", "e"] as const;
    const gates = Object.fromEntries(ids.map((id) => [id, deferred()])) as Record<(typeof ids)[number], Deferred<void>>;
    const running = new Set<string>();
    let maxRunning = 0;
    const steps = ids.map((id) =>
      step(id, {
        run: async () => {
          running.add(id);
          maxRunning = Math.max(maxRunning, running.size);
          await gates[id].promise;
          running.delete(id);
        },
      }),
    );

    const run = runSteps(steps, { config, services: {}, store: memoryStore(), concurrency: 2 });
    await settle();
    expect([...running]).toEqual(["a", "b"]);
    gates.b.resolve();
    await settle();
    expect([...running]).toEqual(["a", "c"]);
    ids.forEach((id) => gates[id].resolve());

    expect((await run).completed).toEqual(["b", "a", "c", "d", "e"]);
    expect(maxRunning).toBe(2);
  });

  it("rejects a concurrency below 1", async () => {
    await expect(runSteps([step("a")], { config, services: {}, store: memoryStore(), concurrency: 0 })).rejects.toThrow(
      "cannot run steps: concurrency must be a whole number of at least 1, not 0",
    );
  });
});

describe("runSteps: state and outputs", () => {
  it("records running before the step acts, then done with its outputs and times", async () => {
    const store = memoryStore();
    const time = fakeTime();
    let statusWhileRunning: string | undefined;
    const vpc = step("infra/vpc", {
      run: () => {
        statusWhileRunning = store.current().steps["infra/vpc"]?.status;
        time.advance(3200);
        return Promise.resolve({ vpcId: "vpc-123", subnetIds: ["subnet-1", "subnet-2"] });
      },
    });

    const result = await runSteps([vpc], { config, services: {}, store, now: time.now });

    expect(statusWhileRunning).toBe("running");
    expect(store.writes.map((w) => w.steps["infra/vpc"])).toEqual([
      { status: "running", startedAt: T0, outputs: {} },
      { status: "done", startedAt: T0, finishedAt: "2025-01-01T12:00:03.200Z", outputs: { vpcId: "vpc-123", subnetIds: ["subnet-1", "subnet-2"] } },
    ]);
    expect(result).toEqual({
      status: "succeeded",
      completed: ["infra/vpc"],
      failed: [],
      interrupted: [],
      notStarted: [],
      durationMs: 3200,
      perStep: { "infra/vpc": { durationMs: 3200 } },
    });
  });

  it("records {} when a step returns nothing", async () => {
    const store = memoryStore();
    await runSteps([step("a", { run: () => Promise.resolve() })], { config, services: {}, store });
    expect(store.current().steps.a).toMatchObject({ status: "done", outputs: {} });
  });

  it("records the skip reason and still keeps the outputs of a step that found its work done", async () => {
    const store = memoryStore();
    const { log, events } = eventLog();
    const kms = step("infra/kms", {
      run: (_context, report) => {
        report.skip("key alias/btp-test already exists");
        return Promise.resolve({ keyArn: "arn:aws:kms:eu-west-1:123456789012:key/1" });
      },
    });

    const result = await runSteps([kms], { config, services: {}, store, events, now: fakeTime().now });

    expect(store.current().steps["infra/kms"]).toEqual({
      status: "done",
      startedAt: T0,
      finishedAt: T0,
      skipped: "key alias/btp-test already exists",
      outputs: { keyArn: "arn:aws:kms:eu-west-1:123456789012:key/1" },
    });
    expect(result.perStep).toEqual({ "infra/kms": { durationMs: 0, skipped: "key alias/btp-test already exists" } });
    expect(log).toEqual([
      "started infra/kms",
      "skipped infra/kms: key alias/btp-test already exists",
      "done infra/kms (skipped: key alias/btp-test already exists)",
    ]);
  });

  it("forwards the reporter's lines as events", async () => {
    const { log, events } = eventLog();
    const eks = step("infra/eks", {
      run: (_context, report) => {
        report.status("CREATING, 0m10s");
        report.info("cluster btp-test created");
        report.warn("endpoint is public");
        return Promise.resolve();
      },
    });

    await runSteps([eks], { config, services: {}, store: memoryStore(), events });

    expect(log).toEqual([
      "started infra/eks",
      "status infra/eks: CREATING, 0m10s",
      "info infra/eks: cluster btp-test created",
      "warn infra/eks: endpoint is public",
      "done infra/eks",
    ]);
  });

  it("gives each step the services, the config, the signal and the outputs of the steps done before it", async () => {
    const seen: Record<string, StepContext> = {};
    const capture = (id: string, outputs: StepOutputs, needs: string[] = []) =>
      step(id, {
        needs,
        run: (context) => {
          seen[id] = context;
          return Promise.resolve(outputs);
        },
      });
    const services = { aws: "fake" };
    const signal = new AbortController().signal;

    await runSteps([capture("a", { id: "a-1" }), capture("b", { id: "b-1" }, ["a"])], { config, services, store: memoryStore(), signal });

    expect(seen.b?.outputs).toEqual({ a: { id: "a-1" } });
    expect(seen.b?.services).toBe(services);
    expect(seen.b?.config).toBe(config);
    expect(seen.b?.signal).toBe(signal);
    expect(seen.a?.previous).toBeUndefined();
  });

  it("ignores an observer that throws", async () => {
    const store = memoryStore();
    const result = await runSteps([step("a", { run: (_c, report) => (report.status("x"), Promise.resolve()) })], {
      config,
      services: {},
      store,
      events: {
        stepStarted: () => {
          throw new Error("renderer bug");
        },
        stepStatus: () => {
          throw new Error("renderer bug");
        },
      },
    });
    expect(result.status).toBe("succeeded");
  });
});

describe("runSteps: failure", () => {
  it("stops scheduling, lets running siblings finish, and records the error with its hint", async () => {
    const store = memoryStore();
    const time = fakeTime();
    const { log, events } = eventLog();
    const failGate = deferred();
    const siblingGate = deferred();
    const steps = [
      step("infra/rds", {
        run: async () => {
          await failGate.promise;
          time.advance(1500);
          throw new BtpAwsError("create RDS instance btp-test-db: InvalidParameterCombination: no such engine version", {
            hint: "Fix the cause above, then run `btp-aws install` again to resume.",
          });
        },
      }),
      step("infra/s3", {
        run: async () => {
          await siblingGate.promise;
          return { bucket: "btp-test-state" };
        },
      }),
      step("infra/acm"),
      step("btp/release", { phase: "btp", needs: ["infra/rds"] }),
    ];

    const run = runSteps(steps, { config, services: {}, store, events, concurrency: 2, now: time.now });
    await settle();
    failGate.resolve();
    await settle();
    expect(log).toContain("failed infra/rds: create RDS instance btp-test-db: InvalidParameterCombination: no such engine version");
    siblingGate.resolve();
    const result = await run;

    expect(result).toEqual({
      status: "failed",
      completed: ["infra/s3"],
      failed: ["infra/rds"],
      interrupted: [],
      notStarted: ["infra/acm", "btp/release"],
      durationMs: 1500,
      perStep: { "infra/rds": { durationMs: 1500 }, "infra/s3": { durationMs: 1500 } },
    });
    expect(store.current().steps).toEqual({
      "infra/rds": {
        status: "failed",
        startedAt: T0,
        finishedAt: "2025-01-01T12:00:01.500Z",
        outputs: {},
        error: {
          message: "create RDS instance btp-test-db: InvalidParameterCombination: no such engine version",
          hint: "Fix the cause above, then run `btp-aws install` again to resume.",
        },
      },
      "infra/s3": { status: "done", startedAt: T0, finishedAt: "2025-01-01T12:00:01.500Z", outputs: { bucket: "btp-test-state" } },
    });
    expect(log.filter((line) => line.startsWith("started"))).toEqual(["started infra/rds", "started infra/s3"]);
  });

  it("records a thrown non-Error by its text, without a hint", async () => {
    const store = memoryStore();
    const { log, events } = eventLog();
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what a careless library may do
    const result = await runSteps([step("a", { run: () => Promise.reject("socket hang up") })], { config, services: {}, store, events });
    expect(result.failed).toEqual(["a"]);
    expect(store.current().steps.a?.error).toEqual({ message: "socket hang up" });
    expect(log).toContain("failed a: socket hang up");
  });

  it("fails the step whose state cannot be saved", async () => {
    const store = memoryStore();
    store.failWhen((next) => next.steps.a?.status === "done", "EACCES: permission denied, open 'state.json'");
    const result = await runSteps([step("a"), step("b", { needs: ["a"] })], { config, services: {}, store });
    expect(result).toMatchObject({ status: "failed", failed: ["a"], notStarted: ["b"] });
    expect(store.current().steps.a).toMatchObject({ status: "failed", error: { message: "EACCES: permission denied, open 'state.json'" } });
  });

  it("resumes after a failure: re-runs every step with its previous outputs, and the fixed step succeeds", async () => {
    const store = memoryStore();
    let rdsBroken = true;
    const contexts: Record<string, StepContext[]> = {};
    const recording = (id: string, needs: string[], run: () => StepOutputs) =>
      step(id, {
        needs,
        run: (context) => {
          (contexts[id] ??= []).push(context);
          return Promise.resolve(run());
        },
      });
    const steps = [
      recording("infra/vpc", [], () => ({ vpcId: "vpc-1" })),
      recording("infra/rds", ["infra/vpc"], () => {
        if (rdsBroken) throw new BtpAwsError("create RDS instance: quota exceeded", { hint: "raise the quota" });
        return { endpoint: "db.internal:5432" };
      }),
      recording("btp/release", ["infra/rds"], () => ({ url: "https://btp.example.com" })),
    ];

    const first = await runSteps(steps, { config, services: {}, store });
    expect(first).toMatchObject({ status: "failed", completed: ["infra/vpc"], failed: ["infra/rds"], notStarted: ["btp/release"] });

    rdsBroken = false;
    const second = await runSteps(steps, { config, services: {}, store });

    expect(second).toMatchObject({ status: "succeeded", completed: ["infra/vpc", "infra/rds", "btp/release"], failed: [], notStarted: [] });
    expect(contexts["infra/vpc"]?.map((c) => c.previous)).toEqual([undefined, { vpcId: "vpc-1" }]);
    expect(contexts["infra/rds"]?.map((c) => c.previous)).toEqual([undefined, {}]);
    expect(contexts["btp/release"]?.map((c) => c.outputs)).toEqual([{ "infra/vpc": { vpcId: "vpc-1" }, "infra/rds": { endpoint: "db.internal:5432" } }]);
    expect(Object.values(store.current().steps).map((r) => r.status)).toEqual(["done", "done", "done"]);
    expect(store.current().steps["infra/rds"]?.error).toBeUndefined();
  });

  it("keeps a step's checkpoint in its record until it is done, and hands it to the next run as previous", async () => {
    const store = memoryStore();
    const seen: (StepOutputs | undefined)[] = [];
    let crash = true;
    const bucket = step("infra/s3", {
      run: async (context) => {
        seen.push(context.previous);
        await context.checkpoint?.({ bucket: "b-1" });
        // A run killed at this point leaves the record running, checkpoint inside.
        if (crash) throw new BtpAwsError("killed");
        return { bucket: "b-1", arn: "arn:b-1" };
      },
    });
    await runSteps([bucket], { config, services: {}, store });
    expect(store.current().steps["infra/s3"]).toMatchObject({ status: "failed", outputs: { bucket: "b-1" } });
    crash = false;
    await runSteps([bucket], { config, services: {}, store });
    expect(seen).toEqual([undefined, { bucket: "b-1" }]);
    expect(store.current().steps["infra/s3"]).toMatchObject({ status: "done", outputs: { bucket: "b-1", arn: "arn:b-1" } });
  });
});

describe("runSteps: needs outside the selection", () => {
  const plan = [step("prepare/credentials", { phase: "prepare" }), step("infra/vpc", { needs: ["prepare/credentials"] })];

  it("are satisfied by the state when done there, and their outputs are passed on", async () => {
    const store = memoryStore({
      "prepare/credentials": { status: "done", startedAt: T0, finishedAt: T0, outputs: { accountId: "123456789012" } },
    });
    let outputs: StepContext["outputs"] | undefined;
    const vpc = step("infra/vpc", {
      needs: ["prepare/credentials"],
      run: (context) => ((outputs = context.outputs), Promise.resolve()),
    });

    const result = await runSteps([vpc], { config, services: {}, store, allSteps: plan });

    expect(result.status).toBe("succeeded");
    expect(outputs).toEqual({ "prepare/credentials": { accountId: "123456789012" } });
  });

  it("stop the run before any step starts when not done, naming the phase to run from", async () => {
    const store = memoryStore({ "prepare/credentials": { status: "failed", startedAt: T0, outputs: {}, error: { message: "x" } } });
    let ran = false;
    const vpc = step("infra/vpc", { needs: ["prepare/credentials"], run: () => ((ran = true), Promise.resolve()) });

    const error = await runSteps([step("infra/kms"), vpc], { config, services: {}, store, allSteps: plan }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BtpAwsError);
    expect(error).toMatchObject({
      message: "step infra/vpc needs prepare/credentials (phase prepare), which has not completed",
      hint: "run `btp-aws install --from prepare`",
    });
    expect(ran).toBe(false);
    expect(store.writes).toEqual([]);
  });

  it("are named by id alone when the whole plan is not given", async () => {
    const vpc = step("infra/vpc", { needs: ["prepare/credentials"] });
    await expect(runSteps([vpc], { config, services: {}, store: memoryStore() })).rejects.toMatchObject({
      message: "step infra/vpc needs prepare/credentials, which has not completed",
      hint: "run `btp-aws install` without --only or --from, so that prepare/credentials runs first",
    });
  });
});

describe("runSteps: interrupt", () => {
  it("lets the steps in flight finish, records how each ended, and starts nothing new", async () => {
    const store = memoryStore();
    const { log, events } = eventLog();
    const controller = new AbortController();
    const started = { a: deferred(), b: deferred() };
    const finishA = deferred();
    let sawAbort = false;
    const steps = [
      step("a", {
        run: async (context) => {
          started.a.resolve();
          await finishA.promise;
          sawAbort = context.signal.aborted;
          return { id: "a-1" };
        },
      }),
      step("b", {
        // A long wait that stops at its next poll, as the StepContext asks.
        run: async (context) => {
          started.b.resolve();
          await new Promise((_resolve, reject) => context.signal.addEventListener("abort", () => reject(new Error("wait stopped"))));
        },
      }),
      step("c"),
      step("d", { needs: ["a"] }),
    ];

    const run = runSteps(steps, { config, services: {}, store, events, concurrency: 2, signal: controller.signal });
    await Promise.all([started.a.promise, started.b.promise]);
    controller.abort();
    await settle();
    finishA.resolve();
    const result = await run;

    expect(sawAbort).toBe(true);
    expect(result).toMatchObject({ status: "interrupted", completed: ["a"], failed: [], interrupted: ["b"], notStarted: ["c", "d"] });
    expect(store.current().steps.a?.status).toBe("done");
    expect(store.current().steps.b?.status).toBe("interrupted");
    expect(Object.keys(store.current().steps)).toEqual(["a", "b"]);
    expect(log.filter((line) => !line.startsWith("waiting"))).toEqual(["started a", "started b", "interrupted b", "done a"]);
  });

  it("starts nothing when interrupted before the run", async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await runSteps([step("a")], { config, services: {}, store: memoryStore(), signal: controller.signal });
    expect(result).toMatchObject({ status: "interrupted", completed: [], notStarted: ["a"] });
  });
});
