import { BtpAwsError } from "../errors.js";
import type { Reporter, Step, StepContext, StepOutputs } from "../plan/types.js";
import type { State } from "../state/types.js";
import { fanOut } from "./events.js";
import { describeFailure, toError } from "./failure.js";
import { markDone, markFailed, markInterrupted, markRunning } from "./record.js";
import type { RunOptions, RunResult, StepTiming } from "./types.js";
import { checkPlan } from "./validate.js";

const DEFAULT_CONCURRENCY = 4;

/**
 * Runs every given step once its needs are done, at most `concurrency` at a time, recording each
 * transition in the state. Steps observe the world before acting, so re-running a step recorded as
 * done is cheap and repairs what was changed out of band. Never throws once steps have started:
 * the outcome is in the result and the state. Throws BtpAwsError up front when the plan is unusable.
 */
export async function runSteps<S>(steps: readonly Step<S>[], options: RunOptions<S>): Promise<RunResult> {
  const { config, services, store } = options;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new BtpAwsError(`cannot run steps: concurrency must be a whole number of at least 1, not ${concurrency}`);
  }
  const now = options.now ?? Date.now;
  // fanOut of one isolates the run from an observer that throws.
  const events = fanOut(options.events ?? {});
  const signal = options.signal ?? new AbortController().signal;

  const initial = store.current();
  checkPlan(steps, options.allSteps, initial);
  const previous = new Map(steps.map((step) => [step.id, initial.steps[step.id]?.outputs]));
  const outputs = doneOutputs(initial);

  const runStartedAt = now();
  const selected = new Set(steps.map((step) => step.id));
  const finished = new Set<string>();
  const waiting = new Map(steps.map((step) => [step.id, step]));
  const inFlight = new Map<string, Promise<void>>();
  const result: RunResult = { status: "succeeded", completed: [], failed: [], interrupted: [], notStarted: [], durationMs: 0, perStep: {} };
  let stopScheduling = false;

  // Needs outside the selection were checked done in the state: only selected ones are awaited.
  const awaited = (step: Step<S>): string[] => step.needs.filter((need) => selected.has(need) && !finished.has(need));

  const execute = async (step: Step<S>): Promise<void> => {
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
      const context: StepContext<S> = {
        config,
        services,
        signal,
        previous: previous.get(step.id),
        // A snapshot: a step sees the world as it was when it started, not a moving target.
        outputs: { ...outputs },
      };
      const stepOutputs: StepOutputs = (await step.run(context, report)) ?? {};
      const finishedAt = now();
      await markDone(store, step.id, { finishedAt: iso(finishedAt), outputs: stepOutputs, skipped });
      const timing: StepTiming = skipped === undefined ? { durationMs: finishedAt - startedAt } : { durationMs: finishedAt - startedAt, skipped };
      outputs[step.id] = stepOutputs;
      finished.add(step.id);
      result.completed.push(step.id);
      result.perStep[step.id] = timing;
      events.stepDone?.(step, timing);
      announceWaiting(step.id);
    } catch (error) {
      const finishedAt = now();
      result.perStep[step.id] = { durationMs: finishedAt - startedAt };
      // A step that throws after Ctrl-C was most likely stopped by it: it did not fail, it will resume.
      if (signal.aborted) {
        result.interrupted.push(step.id);
        await markInterrupted(store, step.id, iso(finishedAt)).catch(ignoreSecondFailure);
        events.stepInterrupted?.(step);
      } else {
        stopScheduling = true;
        result.failed.push(step.id);
        await markFailed(store, step.id, iso(finishedAt), describeFailure(error)).catch(ignoreSecondFailure);
        events.stepFailed?.(step, toError(error));
      }
    }
  };

  const announceWaiting = (doneId: string): void => {
    for (const step of waiting.values()) {
      const remaining = awaited(step);
      if (step.needs.includes(doneId) && remaining.length > 0) events.stepWaiting?.(step, remaining);
    }
  };

  for (const step of steps) {
    const remaining = awaited(step);
    if (remaining.length > 0) events.stepWaiting?.(step, remaining);
  }

  for (;;) {
    if (!stopScheduling && !signal.aborted) {
      for (const step of waiting.values()) {
        if (inFlight.size >= concurrency) break;
        if (awaited(step).length > 0) continue;
        waiting.delete(step.id);
        inFlight.set(step.id, execute(step).finally(() => inFlight.delete(step.id)));
      }
    }
    if (inFlight.size === 0) break;
    // execute() never rejects, so this only wakes the loop when a slot frees up.
    await Promise.race(inFlight.values());
  }

  result.notStarted = [...waiting.keys()];
  result.durationMs = now() - runStartedAt;
  if (result.failed.length > 0) result.status = "failed";
  else if (result.interrupted.length > 0 || result.notStarted.length > 0) result.status = "interrupted";
  return result;
}

function doneOutputs(state: Readonly<State>): Record<string, StepOutputs> {
  const outputs: Record<string, StepOutputs> = {};
  for (const [id, record] of Object.entries(state.steps)) if (record.status === "done") outputs[id] = record.outputs;
  return outputs;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** When the state cannot be written, the step's own error is the one worth showing. */
function ignoreSecondFailure(): void {}
