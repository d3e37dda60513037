import type { Writable } from "node:stream";
import { BtpAwsError } from "../errors.js";
import { palette } from "./ansi.js";
import { formatClock, formatDuration } from "./format.js";
import type { RunEvents, StepRef } from "./types.js";

export interface LineRendererOptions {
  /** stderr in the CLI: stdout is kept for data. */
  output: Writable;
  /** The caller has already weighed NO_COLOR and whether `output` is a terminal. */
  color?: boolean;
  clock?: () => Date;
}

/** For CI, pipes and --verbose: nothing is redrawn, so each line carries its time and step id. */
export function createLineRenderer(options: LineRendererOptions): RunEvents {
  const { output } = options;
  const clock = options.clock ?? (() => new Date());
  const paint = palette(options.color ?? false);
  // Steps poll every few seconds; repeating an unchanged status would bury the useful lines.
  const lastStatus = new Map<string, string>();

  const line = (step: StepRef, text: string): void => {
    output.write(`${paint.dim(`[${formatClock(clock())}]`)} ${paint.bold(step.id)} ${text}\n`);
  };

  return {
    stepStarted: (step) => line(step, "▶ started"),
    stepStatus: (step, text) => {
      if (lastStatus.get(step.id) === text) return;
      lastStatus.set(step.id, text);
      line(step, paint.dim(`… ${text}`));
    },
    stepInfo: (step, text) => line(step, `ℹ ${text}`),
    stepWarn: (step, text) => line(step, paint.yellow(`⚠ ${text}`)),
    stepSkipped: (step, reason) => line(step, paint.yellow(`↷ skipped: ${reason}`)),
    stepDone: (step, timing) => {
      lastStatus.delete(step.id);
      line(step, paint.green(`✔ done in ${formatDuration(timing.durationMs)}`));
    },
    stepFailed: (step, error) => {
      lastStatus.delete(step.id);
      line(step, paint.red(`✘ failed: ${error.message}`));
      if (error instanceof BtpAwsError && error.hint !== undefined) output.write(`  ${paint.cyan(`→ ${error.hint}`)}\n`);
    },
    stepInterrupted: (step) => {
      lastStatus.delete(step.id);
      line(step, paint.yellow("■ interrupted: will resume on the next run"));
    },
  };
}
