/**
 * Polling with a deadline and a status line. AWS resources take minutes to become ready; a wait
 * must say what it is waiting for, how long it has waited, and why it gave up.
 */
import { BtpAwsError } from "../errors.js";

export interface WaitSettings {
  /**
   * Multiplies every poll interval and timeout. 1 in real use; the reliability tests run a
   * latency model where a minute becomes a second and set this to 1/60 (BTP_AWS_POLL_SCALE).
   */
  readonly scale: number;
  /** Injectable for unit tests. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly now?: () => number;
}

export const REAL_TIME: WaitSettings = { scale: 1 };

export type Observation<T> =
  | { state: "ready"; value: T; status: string }
  | { state: "pending"; status: string }
  /** A terminal failure: `reason` is what AWS reports (status reason, events). */
  | { state: "failed"; status: string; reason: string };

export interface WaitOptions<T> {
  /** "EKS cluster btp-prod-eks to become ACTIVE". */
  what: string;
  observe: () => Promise<Observation<T>>;
  timeoutMs: number;
  intervalMs: number;
  settings: WaitSettings;
  /** Receives "CREATING, 2m10s" lines. */
  onStatus?: (text: string) => void;
  signal?: AbortSignal;
  /** What the user should do when the wait times out. */
  hint?: string;
}

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
}

export async function waitFor<T>(options: WaitOptions<T>): Promise<T> {
  const sleep = options.settings.sleep ?? defaultSleep;
  const now = options.settings.now ?? Date.now;
  const started = now();
  const deadline = started + options.timeoutMs * options.settings.scale;
  const interval = Math.max(1, options.intervalMs * options.settings.scale);
  for (;;) {
    const seen = await options.observe();
    const elapsed = formatElapsed(now() - started);
    if (seen.state === "ready") return seen.value;
    if (seen.state === "failed") throw new BtpAwsError(`${options.what}: it is ${seen.status}: ${seen.reason}`, { hint: options.hint ?? "fix the cause above, then run the same command again" });
    options.onStatus?.(`${seen.status}, ${elapsed}`);
    if (now() + interval > deadline) {
      throw new BtpAwsError(`timed out waiting for ${options.what}: still ${seen.status} after ${elapsed}`, {
        hint: options.hint ?? "AWS may still finish: run the same command again to keep waiting",
      });
    }
    await sleep(interval, options.signal);
  }
}
