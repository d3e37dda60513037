/** The destroy executor: order, skip reasons, the first failure stopping the run, Ctrl-C between stages. */
import { describe, expect, it } from "vitest";
import { BtpAwsError } from "../../../../src/errors.js";
import { runStages } from "../../../../src/ops/destroy/run-stages.js";
import type { Stage } from "../../../../src/ops/destroy/types.js";
import type { RunEvents } from "../../../../src/runner/types.js";
import { destroyContext } from "./fakes.js";

function stage(id: string, run: Stage["run"]): Stage {
  return { id: `destroy/${id}`, title: id, phase: "infra", survey: () => Promise.resolve([]), run };
}

function recorder(): { events: RunEvents; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    events: {
      stepStarted: (s) => lines.push(`${s.id} started`),
      stepSkipped: (s, reason) => lines.push(`${s.id} skipped: ${reason}`),
      stepInfo: (s, text) => lines.push(`${s.id} ${text}`),
      stepDone: (s) => lines.push(`${s.id} done`),
      stepFailed: (s, error) => lines.push(`${s.id} failed: ${error.message}`),
      stepInterrupted: (s) => lines.push(`${s.id} interrupted`),
    },
  };
}

describe("runStages", () => {
  it("runs the stages in order, reports skips, and stops at the first failure", async () => {
    const { events, lines } = recorder();
    const ran: string[] = [];
    const result = await runStages([
      stage("a", (_c, report) => Promise.resolve(void (ran.push("a"), report.info("deleted a")))),
      stage("b", (_c, report) => Promise.resolve(void (ran.push("b"), report.skip("nothing left")))),
      stage("c", () => Promise.reject(new BtpAwsError("delete VPC vpc-1: DependencyViolation", { hint: "remove it" }))),
      stage("d", () => Promise.resolve(void ran.push("d"))),
    ], destroyContext({}), events);
    expect(ran).toEqual(["a", "b"]);
    expect(lines).toEqual([
      "destroy/a started", "destroy/a deleted a", "destroy/a done",
      "destroy/b started", "destroy/b skipped: nothing left", "destroy/b done",
      "destroy/c started", "destroy/c failed: delete VPC vpc-1: DependencyViolation",
    ]);
    expect(result).toMatchObject({ status: "failed", completed: ["destroy/a", "destroy/b"], failed: "destroy/c", notStarted: ["destroy/d"] });
    expect(result.perStage["destroy/b"]?.skipped).toBe("nothing left");
  });

  it("after Ctrl-C finishes the stage in flight and starts no other", async () => {
    const controller = new AbortController();
    const { events, lines } = recorder();
    const result = await runStages([
      stage("a", () => Promise.resolve(void controller.abort())),
      stage("b", () => Promise.resolve()),
    ], destroyContext({}, { signal: controller.signal }), events);
    expect(lines).toEqual(["destroy/a started", "destroy/a done"]);
    expect(result).toMatchObject({ status: "interrupted", completed: ["destroy/a"], notStarted: ["destroy/b"] });
  });
});
