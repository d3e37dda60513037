import { BtpAwsError } from "../errors.js";
import { withActivity, type Activity } from "../plan/activity.js";
import type { Step, StepOutputs } from "../plan/types.js";
import type { State } from "../state/types.js";
import { fanOut } from "./events.js";
import { executeStep, type StepOutcome } from "./execute-step.js";
import { markProgress } from "./record.js";
import { slackSeconds } from "./slack.js";
import type { RunOptions, RunResult } from "./types.js";
import { checkPlan } from "./validate.js";

const DEFAULT_CONCURRENCY = 4;
/** Typical seconds of slack above which a ready step is held back while the longest chain works. */
const HOLD_SLACK_S = 60;
/** The longest a step is held back: typical durations are estimates, and a hold must not become a delay. */
const HOLD_MAX_MS = 30_000;
/** What a step the state records done counts for: it only re-checks what it made. */
const RECHECK_S = 1;

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

  // Critical-path scheduling (slack.ts), when typical durations are given: ready steps start in
  // order of slack, and a step with minutes to spare is held back while any step without is
  // working (not just polling AWS): a step on the longest chain then has the machine and the
  // API to itself, and the held ones run in its waits. On a re-run every step is quick and
  // nothing is held.
  const slack = options.typicalSeconds === undefined ? undefined : slackSeconds(steps, rechecking(options.typicalSeconds, initial));
  const holdable = (id: string) => (slack?.get(id) ?? 0) > HOLD_SLACK_S;
  const ordered = slack === undefined ? steps : [...steps].sort((a, b) => slack.get(a.id)! - slack.get(b.id)!);
  let working = 0; // started steps that are never held, while not waiting
  const heldSince = new Map<string, number>();
  let holdTimer: ReturnType<typeof setTimeout> | undefined;
  let wake = () => {};
  const activity = (step: Step<S>): (Activity & { end(): void }) | undefined => {
    if (slack === undefined || holdable(step.id)) return undefined;
    let depth = 0;
    working += 1;
    return {
      waiting(delta) {
        const before = depth;
        depth += delta;
        if (before === 0 && depth > 0) {
          working -= 1;
          wake();
        } else if (before > 0 && depth === 0) working += 1;
      },
      end() {
        if (depth === 0) working -= 1;
        depth = -Infinity; // a late callback changes nothing
      },
    };
  };
  /** Whether the step must wait for the longest chain; arms a wake-up for when its hold ends. */
  const held = (step: Step<S>): boolean => {
    if (!holdable(step.id) || working === 0) return false;
    const since = heldSince.get(step.id) ?? now();
    heldSince.set(step.id, since);
    const left = since + HOLD_MAX_MS - now();
    if (left <= 0) return false;
    clearTimeout(holdTimer);
    holdTimer = setTimeout(() => wake(), left);
    holdTimer.unref?.();
    return true;
  };
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
    const tracked = activity(step);
    const execution = () => executeStep(step, context, { store, events, now });
    const running = (tracked ? withActivity(tracked, execution) : execution()).then((outcome) => {
      tracked?.end();
      settle(step, outcome);
    });
    inFlight.set(step.id, running.finally(() => inFlight.delete(step.id)));
  };

  for (const step of steps) {
    const remaining = awaited(step);
    if (remaining.length > 0) events.stepWaiting?.(step, remaining);
  }
  for (;;) {
    const woken = new Promise<void>((resolve) => (wake = resolve));
    if (!stopScheduling && !signal.aborted) {
      for (const step of ordered) {
        if (!waiting.has(step.id) || awaited(step).length > 0) continue;
        if (inFlight.size >= concurrency) break;
        if (!held(step)) start(step);
      }
    }
    if (inFlight.size === 0) break;
    // Wakes when a step ends (a slot and maybe its dependents are free), or when the longest
    // chain starts waiting or a hold runs out (a held step may start).
    await Promise.race([...inFlight.values(), woken]);
  }
  clearTimeout(holdTimer);

  result.notStarted = [...waiting.keys()];
  result.durationMs = now() - runStartedAt;
  if (result.failed.length > 0) result.status = "failed";
  else if (result.interrupted.length > 0 || result.notStarted.length > 0) result.status = "interrupted";
  return result;
}

/** The typical durations for this run: a step recorded done only re-checks. */
function rechecking(seconds: Readonly<Record<string, number>>, state: Readonly<State>): Record<string, number> {
  const result: Record<string, number> = { ...seconds };
  for (const [id, record] of Object.entries(state.steps)) if (record.status === "done") result[id] = RECHECK_S;
  return result;
}

function doneOutputs(state: Readonly<State>): Record<string, StepOutputs> {
  const outputs: Record<string, StepOutputs> = {};
  for (const [id, record] of Object.entries(state.steps)) if (record.status === "done") outputs[id] = record.outputs;
  return outputs;
}
