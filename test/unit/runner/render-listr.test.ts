import { afterEach, describe, expect, it, vi } from "vitest";
import { BtpAwsError } from "../../../src/errors.js";
import { createListrRenderer } from "../../../src/runner/render-listr.js";
import { runSteps } from "../../../src/runner/scheduler.js";
import { capture } from "./capture.js";
import { memoryStore } from "./fake-store.js";
import { config, fakeTime, step } from "./helpers.js";

interface TestRendererLine {
  event: string;
  data: unknown;
  task: { path: string[] };
}

/**
 * listr2's test renderer prints one JSON object per event; this keeps them per task. Output lines
 * are left out unless asked for: the view keeps only the latest one until listr2 calls the task,
 * so how many get through depends on timing.
 */
function byTask(text: string, { outputs = false } = {}): Record<string, string[]> {
  const tasks: Record<string, string[]> = {};
  for (const line of text.split("\n").filter(Boolean)) {
    const { event, data, task } = JSON.parse(line) as TestRendererLine;
    if (event === "OUTPUT" && !outputs) continue;
    (tasks[task.path.join(" / ")] ??= []).push(`${event} ${typeof data === "string" ? data : JSON.stringify(data)}`);
  }
  return tasks;
}

const plan = [
  step("infra/vpc", {
    title: "VPC",
    run: (_context, report) => {
      report.status("creating VPC");
      return Promise.resolve({ vpcId: "vpc-123" });
    },
  }),
  step("infra/kms", {
    title: "KMS key",
    run: (_context, report) => {
      report.skip("key alias/btp-test already exists");
      return Promise.resolve();
    },
  }),
  step("btp/release", { title: "BTP platform", phase: "btp", needs: ["infra/vpc"] }),
];

describe("listr renderer", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("draws each step as a task that ends the way the step ended", async () => {
    const stdout = vi.spyOn(process.stdout, "write");
    const { output, text } = capture();
    const view = createListrRenderer(plan, { output, renderer: "test" });

    const result = await runSteps(plan, { config, services: {}, store: memoryStore(), events: view.events, now: fakeTime().now });
    await view.done();

    expect(result.status).toBe("succeeded");
    expect(byTask(text())).toEqual({
      "infra › VPC": ["STATE STARTED", "TITLE infra › VPC (0.0s)", "STATE COMPLETED"],
      "infra › KMS key": ["STATE STARTED", "TITLE infra › KMS key (0.0s)", "STATE SKIPPED", 'MESSAGE {"skip":"key alias/btp-test already exists"}'],
      "btp › BTP platform": ["STATE STARTED", "TITLE btp › BTP platform (0.0s)", "STATE COMPLETED"],
    });
    expect(byTask(text(), { outputs: true })["infra › VPC"]).toContain("OUTPUT creating VPC");
    expect(stdout).not.toHaveBeenCalled();
  });

  it("shows a failure with its hint, closes the steps that never ran, and does not throw", async () => {
    const { output, text } = capture();
    const failing = [
      step("infra/rds", {
        title: "PostgreSQL (RDS)",
        run: () => Promise.reject(new BtpAwsError("create RDS instance btp-test-db: quota exceeded", { hint: "raise the DB instances quota" })),
      }),
      step("btp/release", { title: "BTP platform", phase: "btp", needs: ["infra/rds"] }),
    ];
    const view = createListrRenderer(failing, { output, renderer: "test" });

    const result = await runSteps(failing, { config, services: {}, store: memoryStore(), events: view.events });
    await expect(view.done()).resolves.toBeUndefined();

    expect(result).toMatchObject({ status: "failed", failed: ["infra/rds"], notStarted: ["btp/release"] });
    expect(byTask(text())).toEqual({
      "infra › PostgreSQL (RDS)": [
        "STATE STARTED",
        "STATE FAILED",
        'MESSAGE {"error":"create RDS instance btp-test-db: quota exceeded\\n→ raise the DB instances quota"}',
      ],
      "btp › BTP platform": ["STATE STARTED", "STATE SKIPPED", 'MESSAGE {"skip":"not started"}'],
    });
  });

  it("marks a step stopped by an interrupt as skipped, to resume later", async () => {
    const { output, text } = capture();
    const controller = new AbortController();
    const waiting = step("infra/eks", {
      title: "EKS cluster",
      run: (context) => {
        controller.abort();
        context.signal.throwIfAborted();
        return Promise.resolve();
      },
    });
    const view = createListrRenderer([waiting], { output, renderer: "test" });

    const result = await runSteps([waiting], { config, services: {}, store: memoryStore(), events: view.events, signal: controller.signal });
    await view.done();

    expect(result.status).toBe("interrupted");
    expect(byTask(text())["infra › EKS cluster"]).toEqual([
      "STATE STARTED",
      "STATE SKIPPED",
      'MESSAGE {"skip":"interrupted: resumes on the next run"}',
    ]);
  });

  it("draws nothing when the plan is refused before any step runs", async () => {
    const { output, text } = capture();
    const refused = [step("infra/vpc", { availableIn: "0.2.0" })];
    const view = createListrRenderer(refused, { output, renderer: "test" });

    await expect(runSteps(refused, { config, services: {}, store: memoryStore(), events: view.events })).rejects.toThrow(BtpAwsError);
    await view.done();

    expect(text()).toBe("");
  });

  it("ends the live renderer too, on the stream it was given", async () => {
    const { output, text } = capture();
    const view = createListrRenderer(plan, { output });

    await runSteps(plan, { config, services: {}, store: memoryStore(), events: view.events, now: fakeTime().now });
    await view.done();

    // The last frame is printed plainly once the live drawing ends.
    const lastFrame = text().split("\u001B[G").at(-1);
    expect(lastFrame).toContain("infra › VPC (0.0s)");
    expect(lastFrame).toContain("key alias/btp-test already exists");
    expect(lastFrame).toContain("btp › BTP platform (0.0s)");
  });
});
