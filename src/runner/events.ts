import type { RunEvents } from "./types.js";

// A record rather than a list, so a callback added to RunEvents but not here fails to compile.
const EVENTS: Record<keyof RunEvents, true> = {
  stepStarted: true,
  stepStatus: true,
  stepInfo: true,
  stepWarn: true,
  stepSkipped: true,
  stepDone: true,
  stepFailed: true,
  stepInterrupted: true,
  stepWaiting: true,
};
const EVENT_NAMES = Object.keys(EVENTS) as (keyof RunEvents)[];

type Listener = (...args: unknown[]) => void;

/** Forwards each event to every target; one that throws is skipped: a view must not change an install. */
export function fanOut(...targets: RunEvents[]): RunEvents {
  const combined: Partial<Record<keyof RunEvents, Listener>> = {};
  for (const name of EVENT_NAMES) {
    combined[name] = (...args) => {
      for (const target of targets) {
        const listener = target[name] as Listener | undefined;
        try {
          listener?.(...args);
        } catch {
          // see above
        }
      }
    };
  }
  return combined;
}
