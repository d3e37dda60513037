import { describe, expect, it } from "vitest";
import { fanOut } from "../../../src/runner/events.js";
import { eventLog, step } from "./helpers.js";

describe("fanOut", () => {
  it("forwards every event to each observer, in order", () => {
    const screen = eventLog();
    const logFile = eventLog();
    const events = fanOut(screen.events, logFile.events);
    const vpc = step("infra/vpc");

    events.stepWaiting?.(vpc, ["prepare/credentials"]);
    events.stepStarted?.(vpc);
    events.stepStatus?.(vpc, "CREATING");
    events.stepInfo?.(vpc, "vpc-123 created");
    events.stepWarn?.(vpc, "no flow logs");
    events.stepSkipped?.(vpc, "already exists");
    events.stepDone?.(vpc, { durationMs: 10, skipped: "already exists" });
    events.stepFailed?.(vpc, new Error("boom"));
    events.stepInterrupted?.(vpc);

    const expected = [
      "waiting infra/vpc: prepare/credentials",
      "started infra/vpc",
      "status infra/vpc: CREATING",
      "info infra/vpc: vpc-123 created",
      "warn infra/vpc: no flow logs",
      "skipped infra/vpc: already exists",
      "done infra/vpc (skipped: already exists)",
      "failed infra/vpc: boom",
      "interrupted infra/vpc",
    ];
    expect(screen.log).toEqual(expected);
    expect(logFile.log).toEqual(expected);
  });

  it("skips observers without the callback and keeps going past one that throws", () => {
    const logFile = eventLog();
    const events = fanOut(
      {},
      {
        stepStarted: () => {
          throw new Error("renderer bug");
        },
      },
      logFile.events,
    );

    expect(() => events.stepStarted?.(step("infra/vpc"))).not.toThrow();
    expect(logFile.log).toEqual(["started infra/vpc"]);
  });
});
