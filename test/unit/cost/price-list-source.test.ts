/**
 * The Price List API source against aws-sdk-client-mock (moto has no Pricing API): the exact
 * GetProducts requests, reading the on-demand price out of realistic PriceList documents, and the
 * fallback to the table, marked per line, when the API refuses, hangs or answers ambiguously.
 */
import { GetProductsCommand, PricingClient, type GetProductsCommandInput } from "@aws-sdk/client-pricing";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { estimateCost } from "../../../src/cost/estimate.js";
import { priceListApiSource, pricingEndpointRegion } from "../../../src/cost/price-list-source.js";
import type { CostLine } from "../../../src/cost/types.js";
import { CLOUDWATCH_ALARM_EU_WEST_1, EC2_M5_XLARGE_EU_WEST_1, NAT_GATEWAY_EU_WEST_1, RDS_R6G_LARGE_MULTI_AZ_EU_WEST_1, priceListItem, type FixtureProduct } from "./price-list-fixtures.js";
import { PRODUCTION_EXAMPLE, exampleConfig } from "./examples.js";

const pricing = mockClient(PricingClient);
afterEach(() => pricing.reset());

const FAST = { callTimeoutMs: 200, deadlineMs: 1000, concurrency: 4 };

function filterValue(input: GetProductsCommandInput, field: string): string | undefined {
  return input.Filters?.find((f) => f.Field === field)?.Value;
}

/** Answers each GetProducts with the fixture products whose attributes match every filter. */
function serve(products: readonly FixtureProduct[]): void {
  pricing.on(GetProductsCommand).callsFake((input: GetProductsCommandInput) => {
    const matches = products.filter((p) => p.serviceCode === input.ServiceCode && (input.Filters ?? []).every((f) => {
      const actual = f.Field === "productFamily" ? p.productFamily : p.attributes[f.Field!];
      return f.Type === "CONTAINS" ? actual?.includes(f.Value!) : actual === f.Value;
    }));
    return Promise.resolve({ FormatVersion: "aws_v1", PriceList: matches.map(priceListItem) });
  });
}

const line = (lines: readonly CostLine[], resource: string) => lines.find((l) => l.resource === resource)!;

describe("the Price List API source", () => {
  it("sends one exact GetProducts for an EC2 instance type and reads the on-demand price, not the reserved one", async () => {
    serve([EC2_M5_XLARGE_EU_WEST_1]);
    const source = priceListApiSource(pricing, FAST);
    expect(await source.price({ kind: "ec2-instance", region: "eu-west-1", instanceType: "m5.xlarge" })).toBe(0.214);
    expect(pricing.commandCalls(GetProductsCommand).map((c) => c.args[0].input)).toEqual([{
      ServiceCode: "AmazonEC2",
      FormatVersion: "aws_v1",
      MaxResults: 100,
      Filters: [
        { Type: "TERM_MATCH", Field: "regionCode", Value: "eu-west-1" },
        { Type: "TERM_MATCH", Field: "productFamily", Value: "Compute Instance" },
        { Type: "TERM_MATCH", Field: "instanceType", Value: "m5.xlarge" },
        { Type: "TERM_MATCH", Field: "operatingSystem", Value: "Linux" },
        { Type: "TERM_MATCH", Field: "tenancy", Value: "Shared" },
        { Type: "TERM_MATCH", Field: "preInstalledSw", Value: "NA" },
        { Type: "TERM_MATCH", Field: "capacitystatus", Value: "Used" },
        { Type: "TERM_MATCH", Field: "licenseModel", Value: "No License required" },
      ],
    }]);
  });

  it("asks RDS for PostgreSQL in the deployment option the config names", async () => {
    serve([RDS_R6G_LARGE_MULTI_AZ_EU_WEST_1]);
    const source = priceListApiSource(pricing, FAST);
    expect(await source.price({ kind: "rds-instance", region: "eu-west-1", instanceClass: "db.r6g.large", multiAz: true })).toBe(0.502);
    expect(await source.price({ kind: "rds-instance", region: "eu-west-1", instanceClass: "db.r6g.large", multiAz: false })).toBeUndefined();
    const inputs = pricing.commandCalls(GetProductsCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => [i.ServiceCode, filterValue(i, "databaseEngine"), filterValue(i, "deploymentOption")])).toEqual([
      ["AmazonRDS", "PostgreSQL", "Multi-AZ"],
      ["AmazonRDS", "PostgreSQL", "Single-AZ"],
    ]);
    expect(source.missReason?.({ kind: "rds-instance", region: "eu-west-1", instanceClass: "db.r6g.large", multiAz: false })).toBe("the Price List API has no matching product");
  });

  it("matches region-prefixed usage types with CONTAINS and asks once for a price two lines share", async () => {
    serve([...NAT_GATEWAY_EU_WEST_1, CLOUDWATCH_ALARM_EU_WEST_1]);
    const source = priceListApiSource(pricing, FAST);
    const [nat, again, alarm] = await Promise.all([
      source.price({ kind: "nat-gateway", region: "eu-west-1" }),
      source.price({ kind: "nat-gateway", region: "eu-west-1" }),
      source.price({ kind: "cloudwatch-alarm", region: "eu-west-1" }),
    ]);
    expect([nat, again, alarm]).toEqual([0.048, 0.048, 0.1]);
    const inputs = pricing.commandCalls(GetProductsCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(2);
    expect(inputs[0]!.Filters).toContainEqual({ Type: "CONTAINS", Field: "usagetype", Value: "NatGateway-Hours" });
  });

  it("refuses an answer with two different prices rather than pick one", async () => {
    const twin = { ...EC2_M5_XLARGE_EU_WEST_1, sku: "ZZZZZZZZZZZZZZZZ", onDemand: [{ unit: "Hrs", usd: "0.2460000000", description: "$0.246 per On Demand Linux m5.xlarge Instance Hour" }] };
    serve([EC2_M5_XLARGE_EU_WEST_1, twin]);
    const source = priceListApiSource(pricing, FAST);
    const query = { kind: "ec2-instance", region: "eu-west-1", instanceType: "m5.xlarge" } as const;
    expect(await source.price(query)).toBeUndefined();
    expect(source.missReason?.(query)).toBe("the Price List API answered 2 different prices (0.214, 0.246 USD)");
  });

  it("picks the Price List endpoint nearest the platform's region", () => {
    expect(["eu-west-1", "me-south-1", "ap-southeast-1", "us-west-2", "ca-central-1", "sa-east-1"].map(pricingEndpointRegion))
      .toEqual(["eu-central-1", "eu-central-1", "ap-south-1", "us-east-1", "us-east-1", "us-east-1"]);
  });
});

describe("estimateCost with the API, falling back to the table", () => {
  it("marks API prices \"api\" and, line by line, table prices where the API has no product", async () => {
    serve([EC2_M5_XLARGE_EU_WEST_1, ...NAT_GATEWAY_EU_WEST_1, RDS_R6G_LARGE_MULTI_AZ_EU_WEST_1, CLOUDWATCH_ALARM_EU_WEST_1]);
    const estimate = await estimateCost(await exampleConfig(PRODUCTION_EXAMPLE), priceListApiSource(pricing, FAST));
    expect(line(estimate.lines, "EC2 nodes m5.xlarge")).toMatchObject({ priceFrom: "api", unitPriceUsd: 0.214, monthlyUsd: 468.66 });
    expect(line(estimate.lines, "RDS PostgreSQL db.r6g.large Multi-AZ")).toMatchObject({ priceFrom: "api", unitPriceUsd: 0.502, monthlyUsd: 366.46, note: "primary and standby" });
    expect(line(estimate.lines, "CloudWatch alarms")).toMatchObject({ priceFrom: "api", monthlyUsd: 0.7 });
    expect(line(estimate.lines, "EKS control plane btp-acme-prod")).toMatchObject({
      priceFrom: "table", unitPriceUsd: 0.1, note: "standard support; table price: the Price List API has no matching product",
    });
    expect(estimate.lines.filter((l) => l.priceFrom === "api").map((l) => l.resource)).toEqual(["EC2 nodes m5.xlarge", "NAT gateways (per-az)", "RDS PostgreSQL db.r6g.large Multi-AZ", "CloudWatch alarms"]);
    // The table said 0.5 for the database: the total moves by exactly the API's difference.
    expect(estimate.totalMonthlyUsd).toBe(1462.26 + 1.46);
    expect(estimate.notes[0]).toBe(`4 prices from the AWS Price List API (on-demand, read now), 14 from the price table shipped with btp-aws, dated ${estimate.priceTable.date} where the API had no answer (marked "table").`);
  });

  it("falls back to the table for every line when the API refuses, after one call", async () => {
    pricing.on(GetProductsCommand).rejects(Object.assign(new Error("User: arn:aws:iam::123456789012:user/ci is not authorized to perform: pricing:GetProducts"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } }));
    const estimate = await estimateCost(await exampleConfig(PRODUCTION_EXAMPLE), priceListApiSource(pricing, { ...FAST, concurrency: 1 }));
    expect(pricing.commandCalls(GetProductsCommand)).toHaveLength(1);
    expect(estimate.lines.every((l) => l.priceFrom === "table")).toBe(true);
    expect(estimate.totalMonthlyUsd).toBe(1462.26);
    // The reason every line shares is said once, not on each line.
    expect(line(estimate.lines, "NAT gateways (per-az)").note).toBe("hourly charge only; data processed is usage");
    expect(estimate.notes[0]).toBe(
      `Every price is from the price table shipped with btp-aws, dated ${estimate.priceTable.date}; the AWS Price List API failed: AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: pricing:GetProducts.`,
    );
  });

  it("gives up on a call that does not answer within its timeout, and on the rest with it", async () => {
    pricing.on(GetProductsCommand).callsFake(() => new Promise(() => undefined));
    const started = Date.now();
    const estimate = await estimateCost(await exampleConfig(PRODUCTION_EXAMPLE), priceListApiSource(pricing, FAST));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(2000);
    expect(estimate.lines.every((l) => l.priceFrom === "table")).toBe(true);
    expect(line(estimate.lines, "EC2 nodes m5.xlarge").note).toBe("priced at the desired 3; the node group runs 2 to 50");
    expect(estimate.notes[0]).toMatch(/; the AWS Price List API failed: no answer within 0\.2 s\.$/);
    // Four calls in flight when the first timed out; none started after.
    expect(pricing.commandCalls(GetProductsCommand)).toHaveLength(4);
  });

  it("stops at the overall deadline even when each call stays inside its own timeout", async () => {
    // Every answer takes 150 ms (under the 200 ms call timeout); one at a time, 13 lookups would take 2 s.
    pricing.on(GetProductsCommand).callsFake(() => new Promise((resolve) => setTimeout(() => resolve({ FormatVersion: "aws_v1", PriceList: [] }), 150)));
    const started = Date.now();
    const estimate = await estimateCost(await exampleConfig(PRODUCTION_EXAMPLE), priceListApiSource(pricing, { callTimeoutMs: 200, deadlineMs: 500, concurrency: 1 }));
    expect(Date.now() - started).toBeLessThan(2000);
    // Lookups answered before the deadline say so on their line; the rest share the deadline, said once.
    const answered = estimate.lines.filter((l) => l.note?.endsWith("table price: the Price List API has no matching product"));
    expect(answered.length).toBeGreaterThanOrEqual(1);
    expect(answered.length).toBeLessThan(estimate.lines.length);
    expect(estimate.notes[0]).toMatch(/; the AWS Price List API failed: no answer within the 0\.5 s the estimate allows\.$/);
    expect(pricing.commandCalls(GetProductsCommand).length).toBeLessThanOrEqual(4);
  });
});
