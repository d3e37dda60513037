import type { RunEvents } from "./types.js";

const EVENT_NAMES = [
  "stepStarted",
  "stepStatus",
  "stepInfo",
  "stepWarn",
  "stepSkipped",
  "stepDone",
  "stepFailed",
  "stepInterrupted",
  "stepWaiting",
] as const satisfies readonly (keyof RunEvents)[];

// Fails to compile when RunEvents gains a callback that is missing from the list above.
type Unlisted = Exclude<keyof RunEvents, (typeof EVENT_NAMES)[number]>;
const everyEventListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyEventListed;

type Listener = (...args: unknown[]) => void;

/**
 * One observer that forwards every event to each of `targets` in order. A target that throws is
 * ignored: a broken view or log writer must never change the outcome of an install.
 */
export function fanOut(...targets: RunEvents[]): RunEvents {
  const combined: Partial<Record<keyof RunEvents, Listener>> = {};
  for (const name of EVENT_NAMES) {
    combined[name] = (...args) => {
      for (const target of targets) {
        const listener = target[name] as Listener | undefined;
        try {
          listener?.(...args);
        } catch {
          // deliberately ignored, see above
        }
      }
    };
  }
  return combined;
}
