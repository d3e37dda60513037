/**
 * Where the kill-and-resume test SIGKILLs the installer. Three kinds of moment, all within one
 * logical install:
 * - `moment`: an offset on the install's logical clock (the latency model's clock, which stops
 *   while no run is past its catch-up; see logical-clock.ts), drawn from a seed, uniform in
 *   [0, span]: wherever the uninterrupted install would be at that time, creating or waiting;
 * - `catch-up`: a seeded fraction into a resumed run's catch-up (start-up, lock takeover,
 *   re-observing the steps already done), before it reaches new work;
 * - `after-create`: right after the proxy answered the first call of each operation that brings
 *   a resource into being (CreateBucket, AllocateAddress, …): the resource exists, the state has
 *   not recorded it, and whatever the step meant to do next (tag it, name it) has not happened.
 *   Not random: every such window of the install is hit once.
 */
import { draw } from "../proxy/prng.js";

export interface KillPlan {
  /** Logical offsets in ms, ascending. */
  moments: number[];
  /** Fractions of the previous catch-up's duration, in the order they are used. */
  catchUps: number[];
}

export function killPlan(seed: number, options: { moments: number; catchUps: number; spanMs: number }): KillPlan {
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  return {
    moments: range(options.moments).map((i) => Math.round(draw(seed, `moment#${i}`) * options.spanMs)).sort((a, b) => a - b),
    catchUps: range(options.catchUps).map((i) => draw(seed, `catch-up#${i}`)),
  };
}

/** Operations that bring a new resource into being (the after-create kills' triggers). */
export function createsResource(operation: string): boolean {
  return /^(Create|Allocate|Request|Run|Subscribe)/.test(operation) || operation === "PutMetricAlarm" || operation === "ChangeResourceRecordSets";
}

/**
 * Whether resumed run `run` also gets a catch-up kill: a seeded coin with odds that spread the
 * catch-up kills over about `runs` runs; once no other kill is left, every run gets one.
 */
export function catchUpThisRun(seed: number, run: number, catchUpsLeft: number, runs: number, othersLeft: boolean): boolean {
  if (catchUpsLeft === 0) return false;
  return !othersLeft || draw(seed, `catch-up-run#${run}`) < catchUpsLeft / Math.max(1, runs - run);
}
