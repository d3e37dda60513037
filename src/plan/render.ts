/** `btp-aws plan`: the DAG as text or JSON. Pure: works offline, no credentials. */
import type { Config } from "../config/schema.js";
import type { State } from "../state/types.js";
import { criticalPath, typicalSeconds } from "./critical-path.js";
import { PHASES, type Step } from "./types.js";

export interface PlannedStep {
  id: string;
  title: string;
  phase: string;
  needs: string[];
  actions: string[];
  /** What the state says: never run, done (will be verified), failed (will resume here). */
  state: "new" | "done" | "failed" | "interrupted" | "running";
  available: boolean;
}

export function planSteps(steps: readonly Step[], config: Config, state: State | undefined): PlannedStep[] {
  return steps.map((step) => ({
    id: step.id,
    title: step.title,
    phase: step.phase,
    needs: [...step.needs],
    actions: step.describe(config),
    state: state?.steps[step.id]?.status ?? "new",
    available: step.availableIn === undefined,
  }));
}

const MARK: Record<PlannedStep["state"], string> = { new: "+", done: "✔", failed: "✘", interrupted: "…", running: "…" };
const NOTE: Record<PlannedStep["state"], string> = { new: "", done: " (done; will be verified)", failed: " (failed last run; resumes here)", interrupted: " (interrupted; resumes here)", running: " (was running when the last run stopped)" };

export function renderPlan(planned: readonly PlannedStep[], config: Config): string {
  // The config decides what is built and what is only discovered or skipped (cluster and dependency modes).
  const path = criticalPath(planned, typicalSeconds(config));
  const lines = [`Plan for platform ${config.platform} (${config.environment}) in ${config.aws.region}, DR in ${config.aws.drRegion}`, ""];
  // The prepare checks later steps wait for (discovery only reports): "prepare" says that in one word.
  const prepareIds = planned.filter((s) => s.phase === "prepare" && planned.some((other) => other.needs.includes(s.id))).map((s) => s.id);
  const shortNeeds = (needs: readonly string[]) =>
    prepareIds.length > 1 && prepareIds.every((id) => needs.includes(id)) ? ["prepare", ...needs.filter((n) => !prepareIds.includes(n))] : needs;
  for (const phase of PHASES) {
    const steps = planned.filter((s) => s.phase === phase);
    if (steps.length === 0) continue;
    lines.push(`${phase}`);
    for (const step of steps) {
      const needs = step.needs.length > 0 ? `  ← ${shortNeeds(step.needs).join(", ")}` : "";
      lines.push(`  ${MARK[step.state]} ${step.id}: ${step.title}${NOTE[step.state]}${step.available ? "" : " [not yet available]"}${needs}`);
      for (const action of step.actions) lines.push(`      ${action}`);
    }
    lines.push("");
  }
  const unavailable = planned.filter((s) => !s.available).length;
  lines.push(`${planned.length} steps in ${new Set(planned.map((s) => s.phase)).size} phases; steps whose needs are met run in parallel.`);
  lines.push(`Critical path (typical AWS durations): ${path.steps.join(" → ")} ≈ ${Math.round(path.seconds / 60)} min.`);
  if (unavailable > 0) {
    const ready = PHASES.filter((phase) => planned.some((s) => s.phase === phase) && planned.every((s) => s.phase !== phase || s.available));
    lines.push(`${unavailable} steps are not implemented in this version yet; \`btp-aws install --only ${ready.join(",")}\` runs what is.`);
  }
  return lines.join("\n");
}
