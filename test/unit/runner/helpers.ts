import type { Config } from "../../../src/config/schema.js";
import type { PhaseName, Reporter, Step, StepContext, StepOutputs } from "../../../src/plan/types.js";
import type { RunEvents } from "../../../src/runner/types.js";

/** Steps here never read the config; the scheduler only passes it through. */
export const config = {} as Config;

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback and timer-free continuation run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

type Run = (context: StepContext, report: Reporter) => Promise<StepOutputs | void>;

export function step(
  id: string,
  options: { needs?: string[]; phase?: PhaseName; title?: string; availableIn?: string; run?: Run } = {},
): Step {
  return {
    id,
    title: options.title ?? `Step ${id}`,
    phase: options.phase ?? "infra",
    needs: options.needs ?? [],
    describe: () => [`run ${id}`],
    run: options.run ?? (() => Promise.resolve({})),
    ...(options.availableIn === undefined ? {} : { availableIn: options.availableIn }),
  };
}

/** Every event as one readable string, in the order they arrived. */
export function eventLog(): { log: string[]; events: RunEvents } {
  const log: string[] = [];
  return {
    log,
    events: {
      stepStarted: (s) => log.push(`started ${s.id}`),
      stepStatus: (s, text) => log.push(`status ${s.id}: ${text}`),
      stepInfo: (s, text) => log.push(`info ${s.id}: ${text}`),
      stepWarn: (s, text) => log.push(`warn ${s.id}: ${text}`),
      stepSkipped: (s, reason) => log.push(`skipped ${s.id}: ${reason}`),
      stepDone: (s, timing) => log.push(`done ${s.id}${timing.skipped === undefined ? "" : ` (skipped: ${timing.skipped})`}`),
      stepFailed: (s, error) => log.push(`failed ${s.id}: ${error.message}`),
      stepInterrupted: (s) => log.push(`interrupted ${s.id}`),
      stepWaiting: (s, waitingFor) => log.push(`waiting ${s.id}: ${waitingFor.join(", ")}`),
    },
  };
}

/** A clock that moves only when told: stable ISO timestamps and durations. */
export function fakeTime(start = Date.UTC(2025, 0, 1, 12, 0, 0)): { now: () => number; advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}
