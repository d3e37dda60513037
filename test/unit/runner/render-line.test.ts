import { describe, expect, it } from "vitest";
import { BtpAwsError } from "../../../src/errors.js";
import { createLineRenderer } from "../../../src/runner/render-line.js";
import { runSteps } from "../../../src/runner/scheduler.js";
import { capture } from "./capture.js";
import { memoryStore } from "./fake-store.js";
import { config, step } from "./helpers.js";

/** One clock for the scheduler (durations) and the renderer (timestamps), in local time. */
function localTime() {
  let t = new Date(2025, 0, 1, 12, 1, 2).getTime();
  return { now: () => t, clock: () => new Date(t), advance: (ms: number) => void (t += ms) };
}

describe("line renderer", () => {
  it("prints one line per event for a small run", async () => {
    const time = localTime();
    const { output, text } = capture();
    const steps = [
      step("infra/vpc", {
        run: (_context, report) => {
          report.status("creating VPC");
          time.advance(1000);
          report.status("creating VPC");
          report.status("waiting for NAT gateway");
          report.info("vpc-123 created");
          time.advance(2200);
          return Promise.resolve({ vpcId: "vpc-123" });
        },
      }),
      step("infra/kms", {
        run: (_context, report) => {
          report.skip("key alias/btp-test already exists");
          time.advance(400);
          return Promise.resolve();
        },
      }),
      step("infra/rds", {
        needs: ["infra/vpc"],
        run: (_context, report) => {
          report.warn("Multi-AZ is off in development");
          time.advance(61_000);
          return Promise.reject(
            new BtpAwsError("create RDS instance btp-test-db: InvalidParameterCombination", { hint: "Fix the cause above, then run `btp-aws install` again to resume." }),
          );
        },
      }),
      step("btp/release", { phase: "btp", needs: ["infra/rds"] }),
    ];

    await runSteps(steps, {
      config,
      services: {},
      store: memoryStore(),
      concurrency: 1,
      now: time.now,
      events: createLineRenderer({ output, clock: time.clock }),
    });

    expect(text()).toBe(
      [
        "[12:01:02] infra/vpc ▶ started",
        "[12:01:02] infra/vpc … creating VPC",
        "[12:01:03] infra/vpc … waiting for NAT gateway",
        "[12:01:03] infra/vpc ℹ vpc-123 created",
        "[12:01:05] infra/vpc ✔ done in 3.2s",
        "[12:01:05] infra/kms ▶ started",
        "[12:01:05] infra/kms ↷ skipped: key alias/btp-test already exists",
        "[12:01:05] infra/kms ✔ done in 0.4s",
        "[12:01:05] infra/rds ▶ started",
        "[12:01:05] infra/rds ⚠ Multi-AZ is off in development",
        "[12:02:06] infra/rds ✘ failed: create RDS instance btp-test-db: InvalidParameterCombination",
        "  → Fix the cause above, then run `btp-aws install` again to resume.",
        "",
      ].join("\n"),
    );
  });

  it("prints a step that was interrupted, and a plain error without a hint line", () => {
    const { output, text } = capture();
    const events = createLineRenderer({ output, clock: () => new Date(2025, 0, 1, 9, 5, 0) });
    const vpc = step("infra/vpc");
    events.stepInterrupted?.(vpc);
    events.stepFailed?.(vpc, new Error("socket hang up"));
    expect(text()).toBe("[09:05:00] infra/vpc ■ interrupted: will resume on the next run\n[09:05:00] infra/vpc ✘ failed: socket hang up\n");
  });

  it("prints a status again after the step has finished and started anew", () => {
    const { output, text } = capture();
    const events = createLineRenderer({ output, clock: () => new Date(2025, 0, 1, 9, 5, 0) });
    const vpc = step("infra/vpc");
    events.stepStatus?.(vpc, "CREATING");
    events.stepDone?.(vpc, { durationMs: 125_000 });
    events.stepStatus?.(vpc, "CREATING");
    expect(text()).toBe(
      "[09:05:00] infra/vpc … CREATING\n[09:05:00] infra/vpc ✔ done in 2m05s\n[09:05:00] infra/vpc … CREATING\n",
    );
  });

  it("colours with plain ANSI codes only when asked", () => {
    const { output, text } = capture();
    const events = createLineRenderer({ output, color: true, clock: () => new Date(2025, 0, 1, 9, 5, 0) });
    const vpc = step("infra/vpc");
    events.stepDone?.(vpc, { durationMs: 3200 });
    events.stepFailed?.(vpc, new BtpAwsError("boom", { hint: "retry" }));
    expect(text()).toBe(
      "\u001B[2m[09:05:00]\u001B[22m \u001B[1minfra/vpc\u001B[22m \u001B[32m✔ done in 3.2s\u001B[39m\n" +
        "\u001B[2m[09:05:00]\u001B[22m \u001B[1minfra/vpc\u001B[22m \u001B[31m✘ failed: boom\u001B[39m\n" +
        "  \u001B[36m→ retry\u001B[39m\n",
    );
  });
});
