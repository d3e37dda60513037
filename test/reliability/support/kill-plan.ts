/**
 * Where the kill-and-resume test SIGKILLs the installer, drawn from a seed so a failure can be
 * replayed. Three kinds of moment, all within one logical install:
 * - `moment`: an offset on the install's logical clock (the latency model's clock, which stops
 *   while no run is past its catch-up; see logical-clock.ts), uniform in [0, span]: wherever the
 *   uninterrupted install would be at that time, creating or waiting;
 * - `after-create`: right after the proxy answered the n-th mutating call of the install, the
 *   moment a resource exists that the state has not recorded yet;
 * - `catch-up`: a fraction into a resumed run's catch-up (start-up, lock takeover, re-observing
 *   the steps already done), before it reaches new work.
 */
import { draw } from "../proxy/prng.js";

export interface KillPlan {
  /** Logical offsets in ms, ascending. */
  moments: number[];
  /** 1-based indices of mutating calls, ascending. */
  afterCreates: number[];
  /** Fractions of the previous catch-up's duration, in the order they are used. */
  catchUps: number[];
}

export interface KillPlanOptions {
  moments: number;
  afterCreates: number;
  catchUps: number;
  /** Logical span the moments fall in, ms. */
  spanMs: number;
  /** The highest mutating call index to kill after (below an install's total, so each fires). */
  maxCall: number;
}

export function killPlan(seed: number, options: KillPlanOptions): KillPlan {
  const pick = (kind: string, i: number) => draw(seed, `${kind}#${i}`);
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  return {
    moments: range(options.moments).map((i) => Math.round(pick("moment", i) * options.spanMs)).sort((a, b) => a - b),
    // Distinct indices: two kills at one call would be one kill.
    afterCreates: [...new Set(range(options.afterCreates * 4).map((i) => 1 + Math.floor(pick("create", i) * options.maxCall)))].slice(0, options.afterCreates).sort((a, b) => a - b),
    catchUps: range(options.catchUps).map((i) => pick("catch-up", i)),
  };
}

/**
 * Whether resumed run `run` also gets a catch-up kill: a seeded coin with the odds that spread the
 * catch-up kills over the other kills' runs; once those are used up, every remaining run gets one.
 */
export function catchUpThisRun(seed: number, run: number, plan: KillPlan, othersLeft: number): boolean {
  if (othersLeft === 0) return true;
  const others = plan.moments.length + plan.afterCreates.length;
  return draw(seed, `catch-up-run#${run}`) < plan.catchUps.length / Math.max(1, others);
}
