import { describe, expect, it } from "vitest";
import { pollInterval, waitFor, type WaitSettings } from "../../../src/aws/wait.js";
import { BtpAwsError } from "../../../src/errors.js";

/** A clock that only moves when the wait sleeps, and the pauses it was asked for. */
function fakeClock(scale = 1): { settings: WaitSettings; pauses: number[] } {
  let t = 0;
  const pauses: number[] = [];
  const settings: WaitSettings = {
    scale,
    now: () => t,
    sleep: (ms) => {
      pauses.push(ms);
      t += ms;
      return Promise.resolve();
    },
  };
  return { settings, pauses };
}

describe("waitFor", () => {
  it("polls every interval without a typical duration, and returns the ready value", async () => {
    const { settings, pauses } = fakeClock();
    let polls = 0;
    const value = await waitFor({
      what: "thing",
      settings,
      timeoutMs: 600_000,
      intervalMs: 20_000,
      observe: () => Promise.resolve(++polls < 4 ? { state: "pending" as const, status: "CREATING" } : { state: "ready" as const, value: "done", status: "ACTIVE" }),
    });
    expect(value).toBe("done");
    expect(pauses).toEqual([20_000, 20_000, 20_000]);
  });

  it("polls eight times as often from 90% to 120% of the typical duration, four times up to 150%, and sparsely again after", async () => {
    // Found by test/bench (makespan): the cluster, node group and add-on waits each lost half a
    // poll interval on average after the resource was ready, on the install's longest chain.
    const { settings, pauses } = fakeClock();
    const readyAt = 200_000;
    await waitFor({
      what: "thing",
      settings,
      timeoutMs: 3_600_000,
      intervalMs: 20_000,
      typicalMs: 100_000,
      observe: () => Promise.resolve((settings.now!() >= readyAt ? { state: "ready", value: 1, status: "ACTIVE" } : { state: "pending", status: "CREATING" }) as never),
    });
    // Polls at 0…80 s every 20 s; 100…120 s every 2.5 s; 122.5…150 s every 5 s; from 152.5 s every
    // 20 s again (ready at 212.5).
    expect(pauses.slice(0, 5)).toEqual([20_000, 20_000, 20_000, 20_000, 20_000]);
    expect(pauses.slice(5, 14)).toEqual(Array.from({ length: 9 }, () => 2_500));
    expect(pauses.slice(14, 20)).toEqual(Array.from({ length: 6 }, () => 5_000));
    expect(pauses.slice(20)).toEqual([20_000, 20_000, 20_000]);
  });

  it("scales the typical duration like the intervals (BTP_AWS_POLL_SCALE)", () => {
    const settings = { scale: 1 / 60 };
    expect(pollInterval({ intervalMs: 20_000, typicalMs: 600_000, settings }, 5_000)).toBeCloseTo(333.3, 1);
    expect(pollInterval({ intervalMs: 20_000, typicalMs: 600_000, settings }, 9_500)).toBeCloseTo(41.7, 1);
    expect(pollInterval({ intervalMs: 20_000, typicalMs: 600_000, settings }, 13_000)).toBeCloseTo(83.3, 1);
    expect(pollInterval({ intervalMs: 20_000, typicalMs: 600_000, settings }, 16_000)).toBeCloseTo(333.3, 1);
  });

  it("polls a last time at the deadline, whatever the phase of the intervals, then gives up with what it saw", async () => {
    const { settings } = fakeClock();
    const error = await waitFor({
      what: "EKS cluster x to become ACTIVE",
      settings,
      timeoutMs: 60_000,
      intervalMs: 20_000,
      typicalMs: 30_000,
      observe: () => Promise.resolve({ state: "pending" as const, status: "CREATING" }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BtpAwsError);
    expect((error as Error).message).toBe("timed out waiting for EKS cluster x to become ACTIVE: still CREATING after 1m00s");
  });
});
