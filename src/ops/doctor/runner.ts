/**
 * Runs every check at once, each against its own deadline. A check that throws or runs out of
 * time is a failed check, never a crashed doctor: the table must always come out whole.
 */
import { describeAwsError } from "../../aws/errors.js";
import { BtpAwsError, errorMessage } from "../../errors.js";
import type { Check, CheckOutcome, CheckResult, CheckStatus, DoctorContext } from "./types.js";

export interface RunChecksOptions {
  /** Per check, in milliseconds. */
  timeoutMs: number;
  /** Tests pass a fake clock; durations are measured with it. */
  clock?: () => number;
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(1);
}

/** An unexpected error as an outcome: AWS errors get their code and the permission to ask for. */
export function outcomeOfError(error: unknown, check: Pick<Check, "title">): CheckOutcome {
  const isAwsError = typeof error === "object" && error !== null && "$metadata" in error;
  const described = error instanceof BtpAwsError ? error : isAwsError ? describeAwsError(error, `check ${check.title}`) : undefined;
  return {
    status: "fail",
    detail: described?.message ?? `the check itself failed: ${errorMessage(error)}`,
    fix: described?.hint ?? "fix the cause above, then run `btp-aws doctor` again",
  };
}

async function runOne(check: Check, context: Omit<DoctorContext, "signal">, options: RunChecksOptions): Promise<CheckResult> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`timed out after ${formatSeconds(options.timeoutMs)} s`));
      resolve({
        status: "fail",
        detail: `timed out after ${formatSeconds(options.timeoutMs)} s`,
        fix: "the service did not answer in time: check the network path to it, or give checks longer with --timeout <seconds>",
      });
    }, options.timeoutMs);
  });
  // A check that ignores the signal keeps running in the background; its late answer is dropped.
  const ran = (async () => check.run({ ...context, signal: controller.signal }))().catch((error: unknown) => outcomeOfError(error, check));
  try {
    const outcome = await Promise.race([ran, timedOut]);
    return { id: check.id, title: check.title, area: check.area, ...normalise(outcome), durationMs: clock() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** A warn or fail without a fix would leave the user guessing; it is a bug in the check. */
function normalise(outcome: CheckOutcome): CheckOutcome {
  if (outcome.status === "ok" || outcome.fix) return outcome;
  return { ...outcome, fix: "btp-aws has no specific advice for this finding: look at the detail above" };
}

/** Every check, concurrently; the results come back in the order of `checks`. */
export async function runChecks(checks: readonly Check[], context: Omit<DoctorContext, "signal">, options: RunChecksOptions): Promise<CheckResult[]> {
  return Promise.all(checks.map((check) => runOne(check, context, options)));
}

export function countByStatus(results: readonly Pick<CheckResult, "status">[]): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { ok: 0, warn: 0, fail: 0 };
  for (const result of results) counts[result.status] += 1;
  return counts;
}

/** 0 when nothing failed (warnings too, with --strict), 1 otherwise. */
export function doctorExitCode(results: readonly Pick<CheckResult, "status">[], strict: boolean): 0 | 1 {
  const counts = countByStatus(results);
  return counts.fail > 0 || (strict && counts.warn > 0) ? 1 : 0;
}
