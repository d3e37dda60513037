import type { Config } from "../config/schema.js";
import type { Step } from "../plan/types.js";
import type { StateStore } from "../state/types.js";

/** What the renderers and the log need to know about a step: never its code. */
export type StepRef = Pick<Step, "id" | "title" | "phase">;

export interface StepTiming {
  durationMs: number;
  /** Set when the step reported that its work was already done. */
  skipped?: string;
}

/**
 * What a run tells its observers. Every callback is optional, so a renderer implements only what it
 * shows; `fanOut` combines several observers (the screen and the log file).
 */
export interface RunEvents {
  stepStarted?: (step: StepRef) => void;
  stepStatus?: (step: StepRef, text: string) => void;
  stepInfo?: (step: StepRef, text: string) => void;
  stepWarn?: (step: StepRef, text: string) => void;
  stepSkipped?: (step: StepRef, reason: string) => void;
  stepDone?: (step: StepRef, timing: StepTiming) => void;
  /** `error` is an Error; a BtpAwsError carries the hint to show. */
  stepFailed?: (step: StepRef, error: Error) => void;
  /** The step was stopped by an interrupt before it could finish; it will re-run on resume. */
  stepInterrupted?: (step: StepRef) => void;
  /** Emitted at the start and whenever the list shrinks; ids of this run's steps still awaited. */
  stepWaiting?: (step: StepRef, waitingFor: string[]) => void;
}

export interface RunOptions<S> {
  readonly config: Config;
  readonly services: S;
  readonly store: StateStore;
  /** Most steps spend their time waiting on AWS, so a handful in parallel is cheap. Default 4. */
  readonly concurrency?: number;
  /** Aborted on the first Ctrl-C: no new step starts; running ones see it in their context. */
  readonly signal?: AbortSignal;
  readonly events?: RunEvents;
  /**
   * The whole plan, when `steps` is a selection of it (--only, --from): tells unknown needs from
   * unselected ones, and the phase of an unselected need for the hint.
   */
  readonly allSteps?: readonly Pick<Step, "id" | "phase" | "needs">[];
  /** Milliseconds since the epoch; injectable so tests get stable durations and timestamps. */
  readonly now?: () => number;
}

export interface RunResult {
  status: "succeeded" | "failed" | "interrupted";
  completed: string[];
  failed: string[];
  /** In flight when the run was interrupted and stopped mid-way; they re-run on resume. */
  interrupted: string[];
  /** Never started: a dependency failed, or the run stopped first. */
  notStarted: string[];
  durationMs: number;
  perStep: Record<string, StepTiming>;
}
