/**
 * `btp-aws destroy`, without the CLI: survey (the dry run) or run every stage, then the leak
 * report. The command wires flags, the lock, confirmation and rendering around these two calls.
 */
import type { RunEvents } from "../../runner/types.js";
import { leakReport, type LeakReport } from "./leaks.js";
import { runStages, surveyStages, type StageSurvey, type StagesResult } from "./run-stages.js";
import { DESTROY_STAGES } from "./stages.js";
import type { DestroyContext, DestroyLedger, DestroyOptions, DestroyServices, DestroyTarget, Stage } from "./types.js";

export type { DestroyOptions, DestroyServices, DestroyTarget } from "./types.js";
export { DESTROY_STAGES } from "./stages.js";

export interface DestroyRequest {
  target: DestroyTarget;
  options: DestroyOptions;
  services: DestroyServices;
  signal?: AbortSignal;
  events?: RunEvents;
  /** Tests run a selection; the CLI runs them all. */
  stages?: readonly Stage[];
}

export interface DestroyOutcome {
  stages: StagesResult;
  /** Only when every stage finished: a half-done destroy has nothing meaningful to sweep yet. */
  report: LeakReport | undefined;
  ledger: DestroyLedger;
}

function contextOf(request: DestroyRequest): DestroyContext {
  return { target: request.target, options: request.options, services: request.services, signal: request.signal ?? new AbortController().signal, ledger: { kept: [], scheduled: [] } };
}

export function surveyPlatform(request: DestroyRequest): Promise<StageSurvey[]> {
  return surveyStages(request.stages ?? DESTROY_STAGES, contextOf(request));
}

export async function destroyPlatform(request: DestroyRequest): Promise<DestroyOutcome> {
  const stages = request.stages ?? DESTROY_STAGES;
  const context = contextOf(request);
  const result = await runStages(stages, context, request.events ?? {});
  const report = result.status === "succeeded" ? await leakReport(stages, context) : undefined;
  return { stages: result, report, ledger: context.ledger };
}
