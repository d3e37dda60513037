/**
 * Puts the redactor between the runner and everything that displays or stores its events: the
 * screen renderers and the log file see the same, redacted, text.
 */
import { BtpAwsError } from "../errors.js";
import type { RunEvents, StepRef } from "../runner/types.js";
import type { Redactor } from "./redact.js";

export function redactEvents(target: RunEvents, redactor: Redactor): RunEvents {
  const text = (f?: (step: StepRef, t: string) => void) => (step: StepRef, t: string) => f?.call(target, step, redactor.redact(t));
  return {
    stepStarted: (step) => target.stepStarted?.(step),
    stepStatus: text(target.stepStatus),
    stepInfo: text(target.stepInfo),
    stepWarn: text(target.stepWarn),
    stepSkipped: text(target.stepSkipped),
    stepDone: (step, timing) => target.stepDone?.(step, timing.skipped === undefined ? timing : { ...timing, skipped: redactor.redact(timing.skipped) }),
    stepFailed: (step, error) => {
      const hint = error instanceof BtpAwsError ? error.hint : undefined;
      const safe = new BtpAwsError(redactor.redact(error.message), hint === undefined ? {} : { hint: redactor.redact(hint) });
      target.stepFailed?.(step, safe);
    },
    stepInterrupted: (step) => target.stepInterrupted?.(step),
    stepWaiting: (step, waitingFor) => target.stepWaiting?.(step, waitingFor),
  };
}
