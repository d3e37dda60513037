import { BtpAwsError } from "../errors.js";
import { PHASES } from "../plan/types.js";
import type { State } from "../state/types.js";
import type { PlannedStep } from "./types.js";

/** Everything that can be known wrong before the first AWS call, rather than halfway through. */
export function checkPlan(
  selected: readonly PlannedStep[],
  allSteps: readonly PlannedStep[] | undefined,
  state: Readonly<State>,
): void {
  checkDuplicates(selected);
  const plan = mergePlans(selected, allSteps);
  // Without the whole plan an unknown need cannot be told from an unselected one; the last check
  // then reports it as not completed.
  if (allSteps !== undefined) checkKnownNeeds(selected, plan);
  checkAcyclic(selected, plan);
  checkAvailable(selected, allSteps ?? selected);
  checkUnselectedNeedsDone(selected, plan, state);
}

function mergePlans(selected: readonly PlannedStep[], allSteps: readonly PlannedStep[] | undefined): Map<string, PlannedStep> {
  const plan = new Map<string, PlannedStep>();
  for (const step of allSteps ?? []) plan.set(step.id, step);
  for (const step of selected) plan.set(step.id, step);
  return plan;
}

function checkDuplicates(selected: readonly PlannedStep[]): void {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const { id } of selected) (seen.has(id) ? duplicates : seen).add(id);
  if (duplicates.size > 0) throw new BtpAwsError(`duplicate step ids in the plan: ${[...duplicates].join(", ")}`);
}

function checkKnownNeeds(selected: readonly PlannedStep[], plan: ReadonlyMap<string, PlannedStep>): void {
  for (const step of selected) {
    for (const need of step.needs) {
      if (!plan.has(need)) throw new BtpAwsError(`step ${step.id} needs ${need}, which is not a step of the plan`);
    }
  }
}

function checkAcyclic(selected: readonly PlannedStep[], plan: ReadonlyMap<string, PlannedStep>): void {
  const finished = new Set<string>();
  const path: string[] = [];
  const visit = (id: string): void => {
    if (finished.has(id)) return;
    const loopStart = path.indexOf(id);
    if (loopStart >= 0) {
      const cycle = [...path.slice(loopStart), id];
      throw new BtpAwsError(`steps need each other in a cycle: ${cycle.join(" → ")}`);
    }
    path.push(id);
    for (const need of plan.get(id)?.needs ?? []) visit(need);
    path.pop();
    finished.add(id);
  };
  for (const step of selected) visit(step.id);
}

function checkAvailable(selected: readonly PlannedStep[], plan: readonly PlannedStep[]): void {
  const unavailable = selected.filter((step) => step.availableIn !== undefined);
  if (unavailable.length === 0) return;
  const blockedPhases = new Set(plan.filter((step) => step.availableIn !== undefined).map((step) => step.phase));
  const plannedPhases = new Set(plan.map((step) => step.phase));
  const runnable = PHASES.filter((phase) => plannedPhases.has(phase) && !blockedPhases.has(phase));
  const hint =
    runnable.length > 0
      ? `run the phases that are available: \`btp-aws install --only ${runnable.join(",")}\``
      : "these steps ship in a later version of btp-aws";
  throw new BtpAwsError(`not available in this version: ${unavailable.map((step) => step.id).join(", ")}`, { hint });
}

function checkUnselectedNeedsDone(
  selected: readonly PlannedStep[],
  plan: ReadonlyMap<string, PlannedStep>,
  state: Readonly<State>,
): void {
  const selectedIds = new Set(selected.map((step) => step.id));
  for (const step of selected) {
    for (const need of step.needs) {
      if (selectedIds.has(need) || state.steps[need]?.status === "done") continue;
      const phase = plan.get(need)?.phase;
      throw new BtpAwsError(
        phase === undefined
          ? `step ${step.id} needs ${need}, which has not completed`
          : `step ${step.id} needs ${need} (phase ${phase}), which has not completed`,
        {
          hint:
            phase === undefined
              ? `run \`btp-aws install\` without --only or --from, so that ${need} runs first`
              : `run \`btp-aws install --from ${phase}\``,
        },
      );
    }
  }
}
