import { describe, expect, it } from "vitest";
import type { Call } from "../../reliability/proxy/detect.js";
import { FaultPlan, decideFault, validateFaults, type Fault } from "../../reliability/proxy/faults.js";

const call = (operation: string, service = "ec2"): Call => ({ service, region: "eu-west-1", operation, protocol: service === "ec2" ? "ec2" : "json" });

function fates(plan: FaultPlan, calls: Call[]): (Fault | undefined)[] {
  return calls.map((c) => plan.next(c));
}

describe("decideFault", () => {
  it("injects each fault in about its share of 20,000 calls", () => {
    const counts: Record<string, number> = {};
    for (let n = 0; n < 20_000; n++) {
      const fault = decideFault({ throttle: 0.2, serverError: 0.02, drop: 0.01, lostResponse: 0.01 }, 7, "eu-west-1/ec2.DescribeVpcs", n) ?? "none";
      counts[fault] = (counts[fault] ?? 0) + 1;
    }
    const share = (k: string) => (counts[k] ?? 0) / 20_000;
    expect(Math.abs(share("throttle") - 0.2)).toBeLessThan(0.01);
    expect(Math.abs(share("internal") + share("unavailable") - 0.02)).toBeLessThan(0.004);
    expect(share("internal")).toBeGreaterThan(0.005);
    expect(share("unavailable")).toBeGreaterThan(0.005);
    expect(Math.abs(share("drop") - 0.01)).toBeLessThan(0.003);
    expect(Math.abs(share("lost-response") - 0.01)).toBeLessThan(0.003);
    expect(Math.abs(share("none") - 0.76)).toBeLessThan(0.01);
  });

  it("is a function of the seed, the key and the ordinal", () => {
    const faults = { throttle: 0.5 };
    const run = (seed: number) => Array.from({ length: 64 }, (_, n) => decideFault(faults, seed, "k", n));
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
    expect(Array.from({ length: 64 }, (_, n) => decideFault({}, 1, "k", n)).every((f) => f === undefined)).toBe(true);
    expect(Array.from({ length: 64 }, (_, n) => decideFault({ drop: 1 }, 1, "k", n)).every((f) => f === "drop")).toBe(true);
  });
});

describe("FaultPlan", () => {
  it("gives the n-th call of an operation the same fate however calls interleave", () => {
    const a = Array.from({ length: 20 }, () => call("DescribeVpcs"));
    const b = Array.from({ length: 20 }, () => call("CreateKey", "kms"));
    const plan1 = new FaultPlan(3);
    plan1.set({ throttle: 0.3, serverError: 0.1 });
    const first = fates(plan1, [...a, ...b]);
    const plan2 = new FaultPlan(3);
    plan2.set({ throttle: 0.3, serverError: 0.1 });
    const interleaved = fates(plan2, a.flatMap((c, i) => [b[i]!, c]));
    expect(interleaved.filter((_, i) => i % 2 === 1)).toEqual(first.slice(0, 20));
    expect(interleaved.filter((_, i) => i % 2 === 0)).toEqual(first.slice(20));
    expect(first.filter((f) => f !== undefined).length).toBeGreaterThan(0);
  });

  it("limit 1 fails only the first eligible call; only() picks the eligible ones", () => {
    const plan = new FaultPlan(1);
    plan.set({ throttle: 1, limit: 1, only: (c) => c.service === "kms" });
    expect(fates(plan, [call("DescribeVpcs"), call("ListKeys", "kms"), call("ListKeys", "kms"), call("DescribeVpcs")])).toEqual([undefined, "throttle", undefined, undefined]);
  });

  it("replays from the first call after set(), with a new seed when given", () => {
    const calls = Array.from({ length: 30 }, () => call("DescribeSubnets"));
    const plan = new FaultPlan(1);
    plan.set({ throttle: 0.5 });
    const once = fates(plan, calls);
    plan.set({ throttle: 0.5 });
    expect(fates(plan, calls)).toEqual(once);
    plan.set({ throttle: 0.5, seed: 99 });
    const reseeded = fates(plan, calls);
    expect(reseeded).not.toEqual(once);
    expect(new FaultPlan(99).next(call("DescribeSubnets"))).toBeUndefined(); // no faults until set()
  });

  it("rejects shares outside 0..1 or summing above 1", () => {
    expect(() => validateFaults({ throttle: 0.8, serverError: 0.3 })).toThrow("fault shares must each be within 0..1 and sum to at most 1, got [0.8,0.3,0,0]");
    expect(() => validateFaults({ drop: -0.1 })).toThrow("fault shares must each be within 0..1");
    expect(() => validateFaults({ throttle: 0.2, serverError: 0.02 })).not.toThrow();
  });
});
