/**
 * Reads the on-demand price out of a GetProducts answer. Each PriceList item is one product as a
 * JSON document (the SDK hands it over as a string or a LazyJsonString):
 *
 *   { product: { productFamily, attributes: { regionCode, usagetype, ... }, sku },
 *     terms: { OnDemand: { "<sku>.<term>": { priceDimensions: { "<sku>.<term>.<rate>":
 *       { unit: "Hrs", beginRange: "0", endRange: "Inf", pricePerUnit: { USD: "0.2140000000" } } } } } } }
 */

export type PriceReading =
  | { ok: true; usd: number }
  | { ok: false; reason: string };

interface PriceDimension {
  unit?: unknown;
  beginRange?: unknown;
  pricePerUnit?: { USD?: unknown };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A PriceList item as an object: the SDK may give a string, a String object, or parsed JSON. */
function productDocument(item: unknown): Record<string, unknown> | undefined {
  if (typeof item === "string" || item instanceof String) {
    try {
      const parsed: unknown = JSON.parse(String(item));
      return isRecord(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return isRecord(item) ? item : undefined;
}

/** The first-tier USD prices of one product's on-demand terms, in the wanted unit. */
function onDemandPrices(product: Record<string, unknown>, unit: string | undefined): number[] {
  const terms = isRecord(product.terms) && isRecord(product.terms.OnDemand) ? product.terms.OnDemand : {};
  const prices: number[] = [];
  for (const offer of Object.values(terms)) {
    if (!isRecord(offer) || !isRecord(offer.priceDimensions)) continue;
    for (const raw of Object.values(offer.priceDimensions)) {
      if (!isRecord(raw)) continue;
      const dimension = raw as PriceDimension;
      if (unit !== undefined && dimension.unit !== unit) continue;
      // Tiered prices (volume discounts) start at "0": the first tier is the price of the first unit.
      if (dimension.beginRange !== undefined && dimension.beginRange !== "0") continue;
      const usd = Number(dimension.pricePerUnit?.USD);
      if (typeof dimension.pricePerUnit?.USD === "string" && Number.isFinite(usd) && usd >= 0) prices.push(usd);
    }
  }
  return prices;
}

/**
 * The one price the answer holds. More than one distinct price means the filters matched
 * products that differ in a way the query does not know about: better no price than a wrong one.
 */
export function readPrice(priceList: readonly unknown[], unit: string | undefined): PriceReading {
  const documents = priceList.map(productDocument);
  if (documents.some((d) => d === undefined)) return { ok: false, reason: "the Price List API answered with a product that is not JSON" };
  const prices = [...new Set(documents.flatMap((d) => onDemandPrices(d!, unit)))];
  if (prices.length === 1) return { ok: true, usd: prices[0]! };
  if (prices.length === 0) return { ok: false, reason: documents.length === 0 ? "the Price List API has no matching product" : `the Price List API has no on-demand price${unit ? ` per ${unit}` : ""} for it` };
  return { ok: false, reason: `the Price List API answered ${prices.length} different prices (${prices.sort((a, b) => a - b).join(", ")} USD)` };
}
