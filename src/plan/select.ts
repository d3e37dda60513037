/** Which steps a run executes: all, `--only <phase,...>` or `--from <phase>`. */
import { UsageError } from "../errors.js";
import { closest } from "../config/paths.js";
import { PHASES, type PhaseName, type Step } from "./types.js";

export interface Selection {
  only?: readonly string[];
  from?: string;
}

export function parsePhases(names: readonly string[], flag: string): PhaseName[] {
  const problems = names
    .filter((n) => !(PHASES as readonly string[]).includes(n))
    .map((n) => {
      const guess = closest(n, PHASES);
      return `${flag} ${n}: not a phase${guess ? ` (did you mean ${guess}?)` : ""}; phases are ${PHASES.join(", ")}`;
    });
  if (problems.length > 0) throw new UsageError(`unknown phase in ${flag}`, problems);
  return names as PhaseName[];
}

export function selectSteps<S>(steps: readonly Step<S>[], selection: Selection): Step<S>[] {
  if (selection.only && selection.from) throw new UsageError("--only and --from cannot be combined", [], "use one of them");
  if (selection.only) {
    const phases = new Set(parsePhases(selection.only, "--only"));
    return steps.filter((s) => phases.has(s.phase));
  }
  if (selection.from) {
    const [from] = parsePhases([selection.from], "--from");
    const start = PHASES.indexOf(from!);
    return steps.filter((s) => PHASES.indexOf(s.phase) >= start);
  }
  return [...steps];
}
