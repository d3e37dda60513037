/** The cost section `btp-aws plan` prints after the steps: one row a resource, the total, the notes. */
import type { CostEstimate, CostLine } from "./types.js";

const UNCOUNTED = new Set(["GiB", "LCU"]);

function plural(count: number, unit: string): string {
  if (count === 1 || UNCOUNTED.has(unit)) return `${count} ${unit}`;
  return `${count} ${unit.endsWith("s") ? `${unit}es` : `${unit}s`}`;
}

export function formatUsd(value: number): string {
  return value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** Unit prices keep their precision (0.0225 a load balancer hour) but show at least cents. */
function unitPrice(line: CostLine): string {
  if (line.unitPriceUsd === null) return "?";
  const digits = line.unitPriceUsd.toFixed(4).replace(/0{1,2}$/, "");
  return `${digits}/${line.per === "hour" ? "h" : "mo"}`;
}

function pad(cells: readonly string[], widths: readonly number[], right: ReadonlySet<number>): string {
  return cells.map((cell, i) => (right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join("  ").trimEnd();
}

export function renderCost(estimate: CostEstimate): string {
  const header = ["resource", "quantity", "unit price", "per month", "from"];
  const rows = estimate.lines.map((line) => [line.resource, plural(line.quantity, line.unit), unitPrice(line), line.monthlyUsd === null ? "?" : formatUsd(line.monthlyUsd), line.priceFrom]);
  const total = ["Total", "", "", formatUsd(estimate.totalMonthlyUsd), ""];
  const widths = header.map((_, i) => Math.max(...[header, ...rows, total].map((row) => row[i]!.length)));
  const right = new Set([2, 3]);
  const lines = [`Estimated monthly cost in ${estimate.region} (${estimate.currency}, on-demand, ${estimate.hoursPerMonth} hours a month)`, ""];
  lines.push(`  ${pad(header, widths, right)}`);
  estimate.lines.forEach((line, i) => {
    lines.push(`  ${pad(rows[i]!, widths, right)}`);
    if (line.note) lines.push(`      ${line.note}`);
  });
  lines.push(`  ${pad(total, widths, right)}`, "");
  for (const note of estimate.notes) lines.push(note);
  return lines.join("\n");
}
