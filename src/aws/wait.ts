/**
 * Polling with a deadline and a status line. AWS resources take minutes to become ready; a wait
 * must say what it is waiting for, how long it has waited, and why it gave up.
 */
import { BtpAwsError } from "../errors.js";
import { idle } from "../plan/activity.js";

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
  /**
   * How long the resource usually takes (the plan's typical-duration table). Near it polls come
   * more often: eight times from 90% to 120% of it, four times up to 150%. That is when it most
   * likely becomes ready, and half a poll interval of lag there is lag on the whole install
   * (a 10-minute cluster: 2.5 s polls for 3 minutes, at most 72 reads more). Elsewhere polls stay sparse.
   */
  typicalMs?: number;
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

/** The pause before the next poll, `elapsedMs` into the wait (both already scaled). */
export function pollInterval(options: Pick<WaitOptions<unknown>, "intervalMs" | "typicalMs" | "settings">, elapsedMs: number): number {
  const scale = options.settings.scale;
  const base = options.intervalMs * scale;
  const typical = options.typicalMs === undefined ? undefined : options.typicalMs * scale;
  if (typical === undefined || elapsedMs < 0.9 * typical || elapsedMs > 1.5 * typical) return Math.max(1, base);
  return Math.max(1, elapsedMs <= 1.2 * typical ? base / 8 : base / 4);
}

export async function waitFor<T>(options: WaitOptions<T>): Promise<T> {
  const sleep = options.settings.sleep ?? defaultSleep;
  const now = options.settings.now ?? Date.now;
  const started = now();
  const deadline = started + options.timeoutMs * options.settings.scale;
  for (;;) {
    const seen = await options.observe();
    const elapsed = formatElapsed(now() - started);
    if (seen.state === "ready") return seen.value;
    if (seen.state === "failed") throw new BtpAwsError(`${options.what}: it is ${seen.status}: ${seen.reason}`, { hint: options.hint ?? "fix the cause above, then run the same command again" });
    options.onStatus?.(`${seen.status}, ${elapsed}`);
    const left = deadline - now();
    if (left <= 0) {
      throw new BtpAwsError(`timed out waiting for ${options.what}: still ${seen.status} after ${elapsed}`, {
        hint: options.hint ?? "AWS may still finish: run the same command again to keep waiting",
      });
    }
    // The last poll is at the deadline itself, whatever the interval's phase.
    await idle(sleep(Math.min(pollInterval(options, now() - started), left), options.signal));
  }
}
