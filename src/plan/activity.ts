/**
 * Whether a step is working or only waiting. A step that polls AWS for minutes (a cluster being
 * created) leaves the machine and the API to others between polls; the scheduler uses that to
 * hold back steps that have time to spare until the install's longest chain is waiting, so they
 * do not slow it down (runner/scheduler.ts). Tracked through async context, so a step's code and
 * the helpers it calls need not pass anything along.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** One per running step: told when the step starts and stops waiting. Nesting is counted. */
export interface Activity {
  waiting(delta: 1 | -1): void;
}

const current = new AsyncLocalStorage<Activity>();

/** Runs `fn` (a step) with `activity` as the one its waits report to. */
export function withActivity<T>(activity: Activity, fn: () => T): T {
  return current.run(activity, fn);
}

/** Awaits `pause` (a poll interval, a back-off) as time the current step spends only waiting. */
export async function idle<T>(pause: Promise<T>): Promise<T> {
  const activity = current.getStore();
  activity?.waiting(1);
  try {
    return await pause;
  } finally {
    activity?.waiting(-1);
  }
}
