/** Reading the on-demand price out of PriceList items, in every form the SDK may hand them over. */
import { describe, expect, it } from "vitest";
import { readPrice } from "../../../src/cost/price-list-parse.js";
import { CLOUDWATCH_ALARM_EU_WEST_1, EC2_M5_XLARGE_EU_WEST_1, priceListItem } from "./price-list-fixtures.js";

describe("readPrice", () => {
  const item = priceListItem(EC2_M5_XLARGE_EU_WEST_1);

  it("reads a JSON string, a String object (the SDK's LazyJsonString) and an already parsed document alike", () => {
    // The SDK's LazyJsonString is a String subclass: a String object, not a primitive.
    for (const form of [item, new String(item), JSON.parse(item) as unknown]) expect(readPrice([form], "Hrs")).toEqual({ ok: true, usd: 0.214 });
  });

  it("reads only the wanted unit and only the first tier", () => {
    const tiered = priceListItem({
      ...CLOUDWATCH_ALARM_EU_WEST_1,
      onDemand: [
        { unit: "Alarms", usd: "0.1000000000", description: "first tier", beginRange: "0", endRange: "1000" },
        { unit: "Alarms", usd: "0.0800000000", description: "volume tier", beginRange: "1000", endRange: "Inf" },
        { unit: "Requests", usd: "0.0000100000", description: "another dimension" },
      ],
    });
    expect(readPrice([tiered], "Alarms")).toEqual({ ok: true, usd: 0.1 });
    expect(readPrice([tiered], "GB-Mo")).toEqual({ ok: false, reason: "the Price List API has no on-demand price per GB-Mo for it" });
  });

  it("says no product, not JSON, or ambiguous instead of guessing", () => {
    expect(readPrice([], "Hrs")).toEqual({ ok: false, reason: "the Price List API has no matching product" });
    expect(readPrice(["{not json"], "Hrs")).toEqual({ ok: false, reason: "the Price List API answered with a product that is not JSON" });
    const other = priceListItem({ ...EC2_M5_XLARGE_EU_WEST_1, onDemand: [{ unit: "Hrs", usd: "0.2300000000", description: "" }] });
    expect(readPrice([item, other], "Hrs")).toEqual({ ok: false, reason: "the Price List API answered 2 different prices (0.214, 0.23 USD)" });
    // Two products with the same price (an attribute the query does not care about) are one price.
    expect(readPrice([item, priceListItem({ ...EC2_M5_XLARGE_EU_WEST_1, sku: "OTHERSKU" })], "Hrs")).toEqual({ ok: true, usd: 0.214 });
  });

  it("ignores a price that is not a number", () => {
    const broken = priceListItem({ ...EC2_M5_XLARGE_EU_WEST_1, onDemand: [{ unit: "Hrs", usd: "n/a", description: "" }] });
    expect(readPrice([broken], "Hrs")).toEqual({ ok: false, reason: "the Price List API has no on-demand price per Hrs for it" });
  });
});
