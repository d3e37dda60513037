/** Several problems of one resource folded into one check outcome: the worst decides the status. */
import type { CheckOutcome } from "./types.js";

export interface Finding {
  status: "warn" | "fail";
  text: string;
  fix: string;
}

export function finding(status: Finding["status"], text: string, fix: string): Finding {
  return { status, text, fix };
}

/**
 * `subject` names the resource ("bucket btp-x-…"); with no findings it is the ok detail. The fix
 * shown is the worst finding's: one line, the most urgent thing to do.
 */
export function outcome(subject: string, findings: readonly Finding[], okDetail = subject): CheckOutcome {
  if (findings.length === 0) return { status: "ok", detail: okDetail };
  const worst = findings.find((f) => f.status === "fail") ?? findings[0]!;
  return { status: worst.status, detail: `${subject}: ${findings.map((f) => f.text).join("; ")}`, fix: worst.fix };
}

const DAY_MS = 86_400_000;

export function daysBetween(from: Date, to: Date): number {
  return Math.floor((to.getTime() - from.getTime()) / DAY_MS);
}

/** How to re-run what infra does: it repairs drift it knows how to repair. */
export const REPAIR_INFRA = "`btp-aws install --only prepare,infra`";
