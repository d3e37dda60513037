import type { Reporter, Step, StepContext, StepOutputs } from "../plan/types.js";
import type { StateStore } from "../state/types.js";
import { describeFailure, toError } from "./failure.js";
import { markDone, markFailed, markInterrupted, markRunning } from "./record.js";
import type { RunEvents, StepTiming } from "./types.js";

export type StepOutcome =
  | { kind: "done"; outputs: StepOutputs; timing: StepTiming }
  | { kind: "failed"; timing: StepTiming }
  | { kind: "interrupted"; timing: StepTiming };

export interface Execution {
  store: StateStore;
  events: RunEvents;
  now: () => number;
}

/** Records each transition before telling the observers, so what is shown has been saved. Never rejects. */
export async function executeStep<S>(step: Step<S>, context: StepContext<S>, { store, events, now }: Execution): Promise<StepOutcome> {
  const startedAt = now();
  let skipped: string | undefined;
  const report: Reporter = {
    status: (text) => events.stepStatus?.(step, text),
    info: (text) => events.stepInfo?.(step, text),
    warn: (text) => events.stepWarn?.(step, text),
    skip: (reason) => {
      skipped = reason;
      events.stepSkipped?.(step, reason);
    },
  };

  try {
    await markRunning(store, step.id, iso(startedAt));
    events.stepStarted?.(step);
    const outputs: StepOutputs = (await step.run(context, report)) ?? {};
    const finishedAt = now();
    await markDone(store, step.id, { finishedAt: iso(finishedAt), outputs, skipped });
    const timing: StepTiming = { durationMs: finishedAt - startedAt, ...(skipped === undefined ? {} : { skipped }) };
    events.stepDone?.(step, timing);
    return { kind: "done", outputs, timing };
  } catch (error) {
    const finishedAt = now();
    const timing: StepTiming = { durationMs: finishedAt - startedAt };
    // A step that throws after Ctrl-C was most likely stopped by it: not a failure, it will resume.
    if (context.signal.aborted) {
      await markInterrupted(store, step.id, iso(finishedAt)).catch(keepFirstError);
      events.stepInterrupted?.(step);
      return { kind: "interrupted", timing };
    }
    await markFailed(store, step.id, iso(finishedAt), describeFailure(error)).catch(keepFirstError);
    events.stepFailed?.(step, toError(error));
    return { kind: "failed", timing };
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** When the state cannot be written either, the step's own error is the one worth showing. */
function keepFirstError(): void {}
