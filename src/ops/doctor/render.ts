/** The doctor's report: a table for people (grouped by area, a fix under each finding), JSON for machines. */
import { formatDuration } from "../../runner/format.js";
import { countByStatus } from "./runner.js";
import { AREAS, type CheckResult, type CheckStatus } from "./types.js";

const MARK: Record<CheckStatus, string> = { ok: "✔", warn: "⚠", fail: "✘" };
const COLOR: Record<CheckStatus, string> = { ok: "32", warn: "33", fail: "31" };

export interface RenderOptions {
  platform: string;
  region: string;
  color: boolean;
  durationMs: number;
}

export function renderDoctorTable(results: readonly CheckResult[], options: RenderOptions): string {
  const paint = (code: string, text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const width = Math.max(0, ...results.map((r) => r.title.length));
  const lines = [`Doctor for platform ${options.platform} in ${options.region}`, ""];
  for (const area of AREAS) {
    const inArea = results.filter((r) => r.area === area);
    if (inArea.length === 0) continue;
    lines.push(area);
    for (const result of inArea) {
      lines.push(`  ${paint(COLOR[result.status], MARK[result.status])} ${result.title.padEnd(width)}  ${result.detail}`);
      if (result.status !== "ok" && result.fix) lines.push(`    ${paint("36", "→")} ${result.fix}`);
    }
  }
  const counts = countByStatus(results);
  lines.push("", `${results.length} checks in ${formatDuration(options.durationMs)}: ${counts.ok} ok, ${counts.warn} ${counts.warn === 1 ? "warning" : "warnings"}, ${counts.fail} failed`);
  return lines.join("\n");
}

/** The documented JSON contract: an array of {id, title, status, detail, fix}; fix is null when ok. */
export interface DoctorJsonEntry {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  fix: string | null;
}

export function doctorJson(results: readonly CheckResult[]): DoctorJsonEntry[] {
  return results.map((r) => ({ id: r.id, title: r.title, status: r.status, detail: r.detail, fix: r.fix ?? null }));
}
