import { BtpAwsError } from "../errors.js";
import type { Step, StepOutputs } from "../plan/types.js";
import type { State } from "../state/types.js";
import { fanOut } from "./events.js";
import { executeStep, type StepOutcome } from "./execute-step.js";
import { markProgress } from "./record.js";
import type { RunOptions, RunResult } from "./types.js";
import { checkPlan } from "./validate.js";

const DEFAULT_CONCURRENCY = 4;

/**
 * Runs every given step, even those recorded as done: steps observe before acting, so a re-run is
 * cheap and repairs out-of-band changes. Throws only up front, when the plan cannot run.
 */
export async function runSteps<S>(steps: readonly Step<S>[], options: RunOptions<S>): Promise<RunResult> {
  const { config, services, store } = options;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new BtpAwsError(`cannot run steps: concurrency must be a whole number of at least 1, not ${concurrency}`);
  }
  const now = options.now ?? Date.now;
  const events = fanOut(options.events ?? {}); // isolates the run from an observer that throws
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

  const settle = (step: Step<S>, outcome: StepOutcome): void => {
    result.perStep[step.id] = outcome.timing;
    if (outcome.kind === "failed") {
      stopScheduling = true;
      result.failed.push(step.id);
    } else if (outcome.kind === "interrupted") {
      result.interrupted.push(step.id);
    } else {
      outputs[step.id] = outcome.outputs;
      finished.add(step.id);
      result.completed.push(step.id);
      for (const next of waiting.values()) {
        const remaining = awaited(next);
        if (next.needs.includes(step.id) && remaining.length > 0) events.stepWaiting?.(next, remaining);
      }
    }
  };

  const start = (step: Step<S>): void => {
    waiting.delete(step.id);
    // outputs is copied: a step sees the outputs as they were when it started, not a moving target.
    const context = { config, services, signal, previous: previous.get(step.id), outputs: { ...outputs }, checkpoint: (partial: StepOutputs) => markProgress(store, step.id, partial) };
    const running = executeStep(step, context, { store, events, now }).then((outcome) => settle(step, outcome));
    inFlight.set(step.id, running.finally(() => inFlight.delete(step.id)));
  };

  for (const step of steps) {
    const remaining = awaited(step);
    if (remaining.length > 0) events.stepWaiting?.(step, remaining);
  }
  for (;;) {
    if (!stopScheduling && !signal.aborted) {
      for (const step of waiting.values()) {
        if (inFlight.size >= concurrency) break;
        if (awaited(step).length === 0) start(step);
      }
    }
    if (inFlight.size === 0) break;
    await Promise.race(inFlight.values()); // wakes when any step ends: a slot and maybe its dependents are free
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
