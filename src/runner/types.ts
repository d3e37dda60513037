import type { Config } from "../config/schema.js";
import type { Step } from "../plan/types.js";
import type { StateStore } from "../state/types.js";

/** What the renderers and the log need to know about a step: never its code. */
export type StepRef = Pick<Step, "id" | "title" | "phase">;

export type PlannedStep = Pick<Step, "id" | "phase" | "needs" | "availableIn">;

export interface StepTiming {
  durationMs: number;
  skipped?: string;
}

/** Every callback is optional: an observer implements only what it shows. */
export interface RunEvents {
  stepStarted?: (step: StepRef) => void;
  stepStatus?: (step: StepRef, text: string) => void;
  stepInfo?: (step: StepRef, text: string) => void;
  stepWarn?: (step: StepRef, text: string) => void;
  stepSkipped?: (step: StepRef, reason: string) => void;
  stepDone?: (step: StepRef, timing: StepTiming) => void;
  stepFailed?: (step: StepRef, error: Error) => void;
  stepInterrupted?: (step: StepRef) => void;
  /** At the start, and again as the needs it still awaits in this run complete. */
  stepWaiting?: (step: StepRef, waitingFor: string[]) => void;
}

export interface RunOptions<S> {
  readonly config: Config;
  readonly services: S;
  readonly store: StateStore;
  /** Default 4: steps mostly wait on AWS, so a few in parallel cost little. */
  readonly concurrency?: number;
  /**
   * Typical seconds per step (plan/critical-path.ts): when given, steps on the longest chain go
   * first and steps with minutes to spare wait while it works (scheduler.ts).
   */
  readonly typicalSeconds?: Readonly<Record<string, number>>;
  readonly signal?: AbortSignal;
  readonly events?: RunEvents;
  /** The whole plan when `steps` is a selection (--only, --from): to name an unselected need's phase. */
  readonly allSteps?: readonly PlannedStep[];
  readonly now?: () => number;
}

export interface RunResult {
  status: "succeeded" | "failed" | "interrupted";
  completed: string[];
  failed: string[];
  /** Stopped mid-way by an interrupt; they re-run on resume. */
  interrupted: string[];
  notStarted: string[];
  durationMs: number;
  perStep: Record<string, StepTiming>;
}
