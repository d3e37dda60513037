/**
 * The estimate from the shipped price table for the two example configs in eu-west-1: every
 * line, its quantity as infra would create it, the table's price, and the total.
 */
import { describe, expect, it } from "vitest";
import { estimateCost } from "../../../src/cost/estimate.js";
import { PRICE_TABLE_DATE, priceTableSource } from "../../../src/cost/price-table.js";
import type { CostLine } from "../../../src/cost/types.js";
import { testConfig } from "../../support/config.js";
import { DEVELOPMENT_EXAMPLE, PRODUCTION_EXAMPLE, exampleConfig } from "./examples.js";

type Row = [resource: string, quantity: number, unitPriceUsd: number, monthlyUsd: number];
const rows = (lines: readonly CostLine[]): Row[] => lines.map((l) => [l.resource, l.quantity, l.unitPriceUsd!, l.monthlyUsd!]);

describe("estimateCost with the price table", () => {
  it("prices the production example (eu-west-1): NAT per AZ, Multi-AZ database, two cache nodes, WAF", async () => {
    const estimate = await estimateCost(await exampleConfig(PRODUCTION_EXAMPLE), priceTableSource(), { apiNotTried: "--prices table" });
    expect(rows(estimate.lines)).toEqual([
      ["EKS control plane btp-acme-prod", 1, 0.1, 73],
      ["EC2 nodes m5.xlarge", 3, 0.214, 468.66],
      ["EBS gp3 node root volumes", 300, 0.088, 26.4],
      ["NAT gateways (per-az)", 3, 0.048, 105.12],
      ["Elastic IPs of the NAT gateways", 3, 0.005, 10.95],
      ["Application Load Balancer", 1, 0.0252, 18.4],
      ["ALB capacity units", 1, 0.008, 5.84],
      ["ALB public IPv4 addresses", 3, 0.005, 10.95],
      ["RDS PostgreSQL db.r6g.large Multi-AZ", 1, 0.5, 365],
      ["RDS gp3 storage Multi-AZ", 100, 0.254, 25.4],
      ["ElastiCache redis cache.r6g.large", 2, 0.229, 334.34],
      ["EBS gp3 Vault data volumes", 30, 0.088, 2.64],
      ["KMS key alias/btp-acme-prod", 1, 1, 1],
      ["Secrets Manager secret btp-acme-prod/credentials", 1, 0.4, 0.4],
      ["CloudWatch alarms", 7, 0.1, 0.7],
      ["WAF web ACL btp-acme-prod", 1, 5, 5],
      ["WAF rules and rule groups", 3, 1, 3],
    ]);
    expect(estimate.lines.every((l) => l.priceFrom === "table")).toBe(true);
    expect(estimate.totalMonthlyUsd).toBe(1456.8);
    expect(estimate.region).toBe("eu-west-1");
    expect(estimate.notes[0]).toBe(`Every price is from the price table shipped with btp-aws, dated ${PRICE_TABLE_DATE}; the AWS Price List API was not asked: --prices table.`);
    expect(estimate.notes[2]).toBe(`The price table (${PRICE_TABLE_DATE}): AWS public on-demand prices (EC2 Linux shared tenancy, EBS, EKS, VPC, ELB, RDS for PostgreSQL, ElastiCache, KMS, Secrets Manager, CloudWatch, WAF price pages), compiled by hand.`);
    expect(estimate.notes[1]).toMatch(/^Not included: usage-based charges \(data transfer, NAT gateway data processing, .*S3 storage and requests, CloudWatch Logs .*\), and the existing Route 53 hosted zone\.$/);
  });

  it("prices the development example (eu-west-1): one NAT gateway, Single-AZ t4g database, one cache node, no WAF", async () => {
    const estimate = await estimateCost(await exampleConfig(DEVELOPMENT_EXAMPLE), priceTableSource());
    expect(rows(estimate.lines)).toEqual([
      ["EKS control plane btp-acme-dev", 1, 0.1, 73],
      ["EC2 nodes m5.xlarge", 3, 0.214, 468.66],
      ["EBS gp3 node root volumes", 150, 0.088, 13.2],
      ["NAT gateways (single)", 1, 0.048, 35.04],
      ["Elastic IPs of the NAT gateways", 1, 0.005, 3.65],
      ["Application Load Balancer", 1, 0.0252, 18.4],
      ["ALB capacity units", 1, 0.008, 5.84],
      ["ALB public IPv4 addresses", 3, 0.005, 10.95],
      ["RDS PostgreSQL db.t4g.medium", 1, 0.068, 49.64],
      ["RDS gp3 storage", 20, 0.127, 2.54],
      ["ElastiCache redis cache.t4g.medium", 1, 0.072, 52.56],
      ["EBS gp3 Vault data volumes", 30, 0.088, 2.64],
      ["KMS key alias/btp-acme-dev", 1, 1, 1],
      ["Secrets Manager secret btp-acme-dev/credentials", 1, 0.4, 0.4],
      ["CloudWatch alarms", 5, 0.1, 0.5],
    ]);
    expect(estimate.totalMonthlyUsd).toBe(738.02);
  });

  it("has a total equal to the sum of its lines, for both examples", async () => {
    for (const path of [PRODUCTION_EXAMPLE, DEVELOPMENT_EXAMPLE]) {
      const estimate = await estimateCost(await exampleConfig(path), priceTableSource());
      const sum = estimate.lines.reduce((s, l) => s + l.monthlyUsd!, 0);
      expect(estimate.totalMonthlyUsd).toBeCloseTo(sum, 6);
    }
  });

  it("follows the environment defaults when the config leaves them out", async () => {
    const production = await estimateCost(testConfig({ environment: "production" }), priceTableSource());
    const development = await estimateCost(testConfig({ environment: "development" }), priceTableSource());
    const line = (lines: readonly CostLine[], start: string) => lines.find((l) => l.resource.startsWith(start))!;
    expect(line(production.lines, "NAT gateways")).toMatchObject({ resource: "NAT gateways (per-az)", quantity: 3 });
    expect(line(development.lines, "NAT gateways")).toMatchObject({ resource: "NAT gateways (single)", quantity: 1 });
    expect(line(production.lines, "RDS PostgreSQL").resource).toBe("RDS PostgreSQL db.r6g.large Multi-AZ");
    expect(line(development.lines, "RDS PostgreSQL").resource).toBe("RDS PostgreSQL db.t4g.medium");
    // The schema's default of one replica: two cache nodes in both environments.
    expect(line(development.lines, "ElastiCache")).toMatchObject({ resource: "ElastiCache redis cache.t4g.medium", quantity: 2, note: "primary and 1 replica" });
  });

  it("names the account-wide security services it cannot price among the exclusions", async () => {
    const estimate = await estimateCost(testConfig({ security: { guardDuty: true, cloudTrail: true, awsConfig: false } }), priceTableSource());
    expect(estimate.notes[1]).toContain(", GuardDuty (events and data analysed), CloudTrail (its log bucket; the first copy of management events is free)), and the existing Route 53 hosted zone.");
    expect(estimate.notes[1]).not.toContain("AWS Config");
    expect(estimate.lines.some((l) => /GuardDuty|CloudTrail/.test(l.resource))).toBe(false);
  });

  it("prices a Valkey cache 20% below Redis OSS", async () => {
    const valkey = await estimateCost(testConfig({ cache: { engine: "valkey", nodeType: "cache.r6g.large" } }), priceTableSource());
    expect(valkey.lines.find((l) => l.resource.startsWith("ElastiCache"))).toMatchObject({ resource: "ElastiCache valkey cache.r6g.large", unitPriceUsd: 0.1832 });
  });

  it("lists a resource the table lacks as price unknown and leaves it out of the total", async () => {
    const config = testConfig({ cluster: { instanceTypes: ["c7i.4xlarge", "m5.xlarge"] } });
    const estimate = await estimateCost(config, priceTableSource());
    const nodes = estimate.lines.find((l) => l.step === "infra/nodegroup" && l.unit === "node")!;
    expect(nodes).toMatchObject({ resource: "EC2 nodes c7i.4xlarge", priceFrom: "unknown", unitPriceUsd: null, monthlyUsd: null });
    expect(nodes.note).toBe("priced at the desired 3; the node group runs 2 to 50; priced as c7i.4xlarge, the group may also launch m5.xlarge; price unknown: not in the price table for eu-west-1");
    const known = estimate.lines.filter((l) => l.monthlyUsd !== null).reduce((s, l) => s + l.monthlyUsd!, 0);
    expect(estimate.totalMonthlyUsd).toBeCloseTo(known, 6);
    expect(estimate.notes).toContain("Price unknown, left out of the total: EC2 nodes c7i.4xlarge.");
  });

  it("says when the table does not cover the region at all", async () => {
    const estimate = await estimateCost(testConfig({ aws: { region: "sa-east-1", drRegion: "us-east-1" } }), priceTableSource());
    expect(estimate.lines.every((l) => l.priceFrom === "unknown")).toBe(true);
    expect(estimate.totalMonthlyUsd).toBe(0);
    expect(estimate.lines[0]!.note).toBe("standard support; price unknown: the price table does not cover sa-east-1 (it covers us-east-1, us-west-2, eu-west-1, eu-central-1, ap-southeast-1)");
  });
});
