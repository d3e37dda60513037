/**
 * Which requests fail, and how. Shares of all requests (0..1, summed at most 1), decided per
 * request from a seeded draw keyed by the call and its ordinal, so a seed replays the same faults.
 */
import type { Call } from "./detect.js";
import { draw } from "./prng.js";

export interface Faults {
  /** Answered with the protocol's throttling error (RequestLimitExceeded, Throttling, ThrottlingException, SlowDown). */
  throttle?: number;
  /** Answered 500 InternalError or 503 ServiceUnavailable (half each). */
  serverError?: number;
  /** Connection destroyed before the request reaches moto: nothing happened. */
  drop?: number;
  /**
   * Request forwarded and executed by moto, then the connection destroyed before the answer:
   * the client retries a call that already took effect (a create must then be idempotent).
   */
  lostResponse?: number;
  /** Only these calls are eligible (default: every AWS call). */
  only?: (call: Call) => boolean;
  /** At most this many faults in total, e.g. 1 to fail just the first eligible attempt. */
  limit?: number;
  /** Replaces the proxy's seed from now on. */
  seed?: number;
}

export type Fault = "throttle" | "internal" | "unavailable" | "drop" | "lost-response";

/** The fault for the n-th (0-based) eligible call with this key, or undefined to let it through. */
export function decideFault(faults: Faults, seed: number, key: string, n: number): Fault | undefined {
  const r = draw(seed, `${key}#${n}`);
  let edge = faults.throttle ?? 0;
  if (r < edge) return "throttle";
  edge += faults.serverError ?? 0;
  if (r < edge) return draw(seed, `${key}#${n}/5xx`) < 0.5 ? "internal" : "unavailable";
  edge += faults.drop ?? 0;
  if (r < edge) return "drop";
  edge += faults.lostResponse ?? 0;
  if (r < edge) return "lost-response";
  return undefined;
}

export function validateFaults(faults: Faults): void {
  const shares = [faults.throttle, faults.serverError, faults.drop, faults.lostResponse].map((s) => s ?? 0);
  if (shares.some((s) => !(s >= 0 && s <= 1)) || shares.reduce((a, b) => a + b, 0) > 1 + 1e-9) {
    throw new Error(`fault shares must each be within 0..1 and sum to at most 1, got ${JSON.stringify(shares)}`);
  }
}

/**
 * The proxy's fault state: the current settings, the calls seen per key since they were set,
 * and the faults injected so far (for `limit`).
 */
export class FaultPlan {
  private faults: Faults = {};
  private seen = new Map<string, number>();
  private injected = 0;

  constructor(private seed: number) {}

  set(faults: Faults): void {
    validateFaults(faults);
    this.faults = faults;
    if (faults.seed !== undefined) this.seed = faults.seed;
    // A new scenario replays from its first call.
    this.seen.clear();
    this.injected = 0;
  }

  next(call: Call): Fault | undefined {
    if (this.faults.only && !this.faults.only(call)) return undefined;
    if (this.faults.limit !== undefined && this.injected >= this.faults.limit) return undefined;
    const key = `${call.region}/${call.service}.${call.operation}`;
    const n = this.seen.get(key) ?? 0;
    this.seen.set(key, n + 1);
    const fault = decideFault(this.faults, this.seed, key, n);
    if (fault) this.injected += 1;
    return fault;
  }
}
