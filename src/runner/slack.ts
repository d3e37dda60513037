/**
 * How much each step could be delayed without delaying the whole run, from typical durations:
 * the classic critical-path slack (latest start minus earliest start). Steps on the longest chain
 * have none; the scheduler starts them first and holds back those with minutes to spare.
 */
import { DEFAULT_SECONDS } from "../plan/critical-path.js";
import type { Step } from "../plan/types.js";

export function slackSeconds(steps: readonly Pick<Step, "id" | "needs">[], seconds: Readonly<Record<string, number>>): Map<string, number> {
  const ids = new Set(steps.map((s) => s.id));
  const duration = (id: string) => seconds[id] ?? DEFAULT_SECONDS;
  const needs = new Map(steps.map((s) => [s.id, s.needs.filter((n) => ids.has(n))]));
  const dependents = new Map<string, string[]>(steps.map((s) => [s.id, []]));
  for (const s of steps) for (const n of needs.get(s.id)!) dependents.get(n)!.push(s.id);

  // Earliest start: after the slowest need. Tail: the step plus the longest chain after it.
  const earliest = new Map<string, number>();
  const tail = new Map<string, number>();
  const start = (id: string): number => {
    let at = earliest.get(id);
    if (at === undefined) earliest.set(id, (at = Math.max(0, ...needs.get(id)!.map((n) => start(n) + duration(n)))));
    return at;
  };
  const rest = (id: string): number => {
    let t = tail.get(id);
    if (t === undefined) tail.set(id, (t = duration(id) + Math.max(0, ...dependents.get(id)!.map(rest))));
    return t;
  };
  const length = Math.max(0, ...steps.map((s) => start(s.id) + rest(s.id)));
  return new Map(steps.map((s) => [s.id, length - start(s.id) - rest(s.id)]));
}
