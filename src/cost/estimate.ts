/**
 * The monthly cost of what a complete install runs: each billable resource priced by the given
 * source, falling back to the shipped table line by line, at 730 hours a month.
 */
import type { Config } from "../config/schema.js";
import { EXISTING_EXCLUDED, billableItems, externalExcluded, securityServicesExcluded, usageExcluded, type BillableItem } from "./billable.js";
import { PRICE_TABLE_DATE, PRICE_TABLE_SOURCE, priceTableSource } from "./price-table.js";
import { HOURS_PER_MONTH, type CostEstimate, type CostLine, type PriceSource } from "./types.js";

export interface EstimateOptions {
  /** Asked when `source` has no price; the shipped table unless a test passes another. */
  fallback?: PriceSource;
  /** Why the Price List API was not asked at all, when it was not (no credentials, --prices table). */
  apiNotTried?: string;
}

const cents = (value: number) => Math.round(value * 100) / 100;

interface Priced {
  item: BillableItem;
  unitPrice: number | undefined;
  from: CostLine["priceFrom"];
  /** Why the first source had no price, when the fallback priced the line. */
  fallbackWhy: string | undefined;
  unknownWhy: string[];
}

async function lookUp(item: BillableItem, source: PriceSource, fallback: PriceSource): Promise<Priced> {
  const first = await source.price(item.query);
  if (first !== undefined) return { item, unitPrice: first, from: source.kind, fallbackWhy: undefined, unknownWhy: [] };
  const why = source.missReason?.(item.query);
  if (fallback.kind !== source.kind) {
    const second = await fallback.price(item.query);
    if (second !== undefined) return { item, unitPrice: second, from: fallback.kind, fallbackWhy: why, unknownWhy: [] };
  }
  const reasons = [why, fallback.kind !== source.kind ? fallback.missReason?.(item.query) : undefined].filter((r): r is string => r !== undefined);
  return { item, unitPrice: undefined, from: "unknown", fallbackWhy: undefined, unknownWhy: reasons };
}

/** A reason every line shares (the API stopped answering) is said once in the notes, not per line. */
function toLine({ item, unitPrice, from, fallbackWhy, unknownWhy }: Priced, shared: string | undefined): CostLine {
  const { query: _query, ...shown } = item;
  const notes = item.note ? [item.note] : [];
  if (unitPrice === undefined) {
    notes.push(`price unknown: ${unknownWhy.join("; ") || "no source has it"}`);
    return { ...shown, unitPriceUsd: null, monthlyUsd: null, priceFrom: "unknown", note: notes.join("; ") };
  }
  // Say why the API had nothing: the reader should know this price may be older.
  if (fallbackWhy !== undefined && fallbackWhy !== shared) notes.push(`table price: ${fallbackWhy}`);
  const monthly = item.quantity * unitPrice * (item.per === "hour" ? HOURS_PER_MONTH : 1);
  return { ...shown, unitPriceUsd: unitPrice, monthlyUsd: cents(monthly), priceFrom: from, ...(notes.length > 0 ? { note: notes.join("; ") } : {}) };
}

/** "Price List API: AccessDenied…" → "AccessDenied…", for a sentence that already names the API. */
const bare = (reason: string) => reason.replace(/^Price List API: /, "");

function sourceSentence(lines: readonly CostLine[], apiNotTried: string | undefined, apiFailure: string | undefined): string {
  const count = (from: CostLine["priceFrom"]) => lines.filter((l) => l.priceFrom === from).length;
  const api = count("api");
  const table = count("table");
  const tableWords = `the price table shipped with btp-aws, dated ${PRICE_TABLE_DATE}`;
  if (api === 0 && table > 0) {
    const why = apiNotTried ? `the AWS Price List API was not asked: ${apiNotTried}` : apiFailure ? `the AWS Price List API failed: ${bare(apiFailure)}` : "the AWS Price List API had none of them (see each line)";
    return `Every price is from ${tableWords}; ${why}.`;
  }
  if (table === 0 && api > 0) return "Every price is from the AWS Price List API (on-demand, read now).";
  if (api > 0) {
    return `${api} price${api === 1 ? "" : "s"} from the AWS Price List API (on-demand, read now), ${table} from ${tableWords} where the API had no answer (marked "table")${apiFailure ? `; the API stopped answering: ${bare(apiFailure)}` : ""}.`;
  }
  return "No price was found for any resource.";
}

export async function estimateCost(config: Config, source: PriceSource, options: EstimateOptions = {}): Promise<CostEstimate> {
  const fallback = options.fallback ?? priceTableSource();
  const priced = await Promise.all(billableItems(config).map((item) => lookUp(item, source, fallback)));
  const apiFailure = source.failure?.();
  const lines = priced.map((p) => toLine(p, apiFailure));
  const total = cents(lines.reduce((sum, line) => sum + (line.monthlyUsd ?? 0), 0));
  const unknown = lines.filter((l) => l.priceFrom === "unknown");
  const notes = [
    sourceSentence(lines, source.kind === "table" ? options.apiNotTried : undefined, apiFailure),
    `Not included: usage-based charges (${[...usageExcluded(config), ...(config.waf.enabled ? ["WAF requests"] : []), ...securityServicesExcluded(config)].join(", ")}), and ${[...EXISTING_EXCLUDED, ...externalExcluded(config)].join(", ")}.`,
  ];
  if (lines.some((l) => l.priceFrom === "table")) notes.push(`The price table (${PRICE_TABLE_DATE}): ${PRICE_TABLE_SOURCE}.`);
  if (unknown.length > 0) {
    notes.push(`Price unknown, left out of the total: ${unknown.map((l) => l.resource).join(", ")}.`);
  }
  return {
    region: config.aws.region,
    currency: "USD",
    hoursPerMonth: HOURS_PER_MONTH,
    lines,
    totalMonthlyUsd: total,
    priceTable: { date: PRICE_TABLE_DATE, source: PRICE_TABLE_SOURCE },
    notes,
  };
}
