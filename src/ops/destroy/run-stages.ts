/**
 * Runs the destroy stages one after the other, through the same RunEvents the install renderers
 * draw. One at a time, because each stage needs the one before it finished (a VPC is deleted only
 * once everything in it is gone). The first failure stops the run: the stages after it would
 * only fail on the same dependency. Everything done so far stays done; a re-run resumes.
 */
import type { Reporter } from "../../plan/types.js";
import { toError } from "../../runner/failure.js";
import type { RunEvents } from "../../runner/types.js";
import type { DestroyContext, Stage, SurveyItem } from "./types.js";

/** What the executor needs of a stage context: Ctrl-C. */
interface Interruptible {
  readonly signal: AbortSignal;
}

export interface StagesResult {
  status: "succeeded" | "failed" | "interrupted";
  completed: string[];
  failed: string | undefined;
  error: Error | undefined;
  notStarted: string[];
  durationMs: number;
  perStage: Record<string, { durationMs: number; skipped?: string }>;
}

export async function runStages<C extends Interruptible>(stages: readonly Stage<C>[], context: C, events: RunEvents, now: () => number = Date.now): Promise<StagesResult> {
  const started = now();
  const result: StagesResult = { status: "succeeded", completed: [], failed: undefined, error: undefined, notStarted: [], durationMs: 0, perStage: {} };
  for (const [index, stage] of stages.entries()) {
    if (context.signal.aborted) {
      result.status = "interrupted";
      result.notStarted = stages.slice(index).map((s) => s.id);
      break;
    }
    let skipped: string | undefined;
    const report: Reporter = {
      status: (text) => events.stepStatus?.(stage, text),
      info: (text) => events.stepInfo?.(stage, text),
      warn: (text) => events.stepWarn?.(stage, text),
      skip: (reason) => {
        skipped = reason;
        events.stepSkipped?.(stage, reason);
      },
    };
    const stageStarted = now();
    events.stepStarted?.(stage);
    try {
      await stage.run(context, report);
      const timing = { durationMs: now() - stageStarted, ...(skipped === undefined ? {} : { skipped }) };
      result.perStage[stage.id] = timing;
      result.completed.push(stage.id);
      events.stepDone?.(stage, timing);
    } catch (error) {
      result.perStage[stage.id] = { durationMs: now() - stageStarted };
      result.notStarted = stages.slice(index + 1).map((s) => s.id);
      if (context.signal.aborted) {
        result.status = "interrupted";
        events.stepInterrupted?.(stage);
      } else {
        result.status = "failed";
        result.failed = stage.id;
        result.error = toError(error);
        events.stepFailed?.(stage, result.error);
      }
      break;
    }
  }
  result.durationMs = now() - started;
  return result;
}

export interface StageSurvey<C = DestroyContext> {
  stage: Stage<C>;
  items: SurveyItem[];
}

/** Every stage's survey, in order: what --dry-run prints and the leak report re-reads. */
export async function surveyStages<C>(stages: readonly Stage<C>[], context: C): Promise<StageSurvey<C>[]> {
  const surveys: StageSurvey<C>[] = [];
  for (const stage of stages) surveys.push({ stage, items: await stage.survey(context) });
  return surveys;
}
