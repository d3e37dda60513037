/** The cost section's text: aligned columns, units, notes under their line, total, source notes. */
import { describe, expect, it } from "vitest";
import { renderCost } from "../../../src/cost/render.js";
import type { CostEstimate } from "../../../src/cost/types.js";

const ESTIMATE: CostEstimate = {
  region: "eu-west-1",
  currency: "USD",
  hoursPerMonth: 730,
  lines: [
    { resource: "EC2 nodes m5.xlarge", step: "infra/nodegroup", quantity: 3, unit: "node", per: "hour", unitPriceUsd: 0.214, monthlyUsd: 468.66, priceFrom: "api" },
    { resource: "Application Load Balancer", step: "btp/release", quantity: 1, unit: "load balancer", per: "hour", unitPriceUsd: 0.0252, monthlyUsd: 18.4, priceFrom: "table", note: "created by the controller" },
    { resource: "ALB public IPv4 addresses", step: "btp/release", quantity: 3, unit: "address", per: "hour", unitPriceUsd: 0.005, monthlyUsd: 10.95, priceFrom: "table" },
    { resource: "EBS gp3 Vault data volumes", step: "vault/release", quantity: 30, unit: "GiB", per: "month", unitPriceUsd: 0.088, monthlyUsd: 2.64, priceFrom: "table" },
    { resource: "KMS key alias/btp-x", step: "infra/kms", quantity: 1, unit: "key", per: "month", unitPriceUsd: 1, monthlyUsd: 1, priceFrom: "table" },
    { resource: "EC2 nodes c7i.48xlarge", step: "infra/nodegroup", quantity: 40, unit: "node", per: "hour", unitPriceUsd: null, monthlyUsd: null, priceFrom: "unknown", note: "price unknown: not in the price table for eu-west-1" },
  ],
  totalMonthlyUsd: 1501.65,
  priceTable: { date: "2026-11-28", source: "test" },
  notes: ["Where the prices came from.", "What is not included."],
};

describe("renderCost", () => {
  it("prints one aligned row a resource, its note beneath, then the total and the notes", () => {
    expect(renderCost(ESTIMATE)).toBe([
      "Estimated monthly cost in eu-west-1 (USD, on-demand, 730 hours a month)",
      "",
      "  resource                    quantity         unit price  per month  from",
      "  EC2 nodes m5.xlarge         3 nodes             0.214/h     468.66  api",
      "  Application Load Balancer   1 load balancer    0.0252/h      18.40  table",
      "      created by the controller",
      "  ALB public IPv4 addresses   3 addresses         0.005/h      10.95  table",
      "  EBS gp3 Vault data volumes  30 GiB             0.088/mo       2.64  table",
      "  KMS key alias/btp-x         1 key               1.00/mo       1.00  table",
      "  EC2 nodes c7i.48xlarge      40 nodes                  ?          ?  unknown",
      "      price unknown: not in the price table for eu-west-1",
      "  Total                                                     1,501.65",
      "",
      "Where the prices came from.",
      "What is not included.",
    ].join("\n"));
  });
});
