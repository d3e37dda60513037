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
      ["EBS gp3 monitoring volumes", 62, 0.088, 5.46],
      ["WAF web ACL btp-acme-prod", 1, 5, 5],
      ["WAF rules and rule groups", 3, 1, 3],
    ]);
    expect(estimate.lines.every((l) => l.priceFrom === "table")).toBe(true);
    expect(estimate.totalMonthlyUsd).toBe(1462.26);
    expect(estimate.region).toBe("eu-west-1");
    expect(estimate.notes[0]).toBe(`Every price is from the price table shipped with btp-aws, dated ${PRICE_TABLE_DATE}; the AWS Price List API was not asked: --prices table.`);
    expect(estimate.notes[2]).toBe(`The price table (${PRICE_TABLE_DATE}): AWS public on-demand prices (EC2 Linux shared tenancy, EBS, EKS, VPC, ELB, RDS for PostgreSQL, ElastiCache, KMS, Secrets Manager, CloudWatch, WAF price pages), compiled by hand.`);
    expect(estimate.notes[1]).toMatch(/^Not included: usage-based charges \(data transfer, NAT gateway data processing, .*S3 storage and requests, CloudWatch Logs .*\), and the existing Route 53 hosted zone\.$/);
  });

  it("prices the development example (eu-west-1): one NAT gateway, in-cluster PostgreSQL, Redis and MinIO on gp3 volumes, no WAF", async () => {
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
      ["EBS gp3 PostgreSQL volume (in-cluster)", 20, 0.088, 1.76],
      ["EBS gp3 Redis volume (in-cluster)", 8, 0.088, 0.7],
      ["EBS gp3 MinIO volume (in-cluster)", 100, 0.088, 8.8],
      ["EBS gp3 Vault data volumes", 30, 0.088, 2.64],
      ["KMS key alias/btp-acme-dev", 1, 1, 1],
      ["Secrets Manager secret btp-acme-dev/credentials", 1, 0.4, 0.4],
      // Only the node CPU alarm: in-cluster dependencies publish no RDS or ElastiCache metrics.
      ["CloudWatch alarms", 1, 0.1, 0.1],
      // The chart's Prometheus, Grafana and Alertmanager (monitoring.prometheusStack, on by default).
      ["EBS gp3 monitoring volumes", 62, 0.088, 5.46],
    ]);
    expect(estimate.totalMonthlyUsd).toBe(649.6);
    expect(estimate.lines.map((l) => l.step).filter((step) => step.startsWith("addons/"))).toEqual(["addons/postgresql", "addons/redis", "addons/minio"]);
    // Neither S3's nor RDS's usage charges apply without them.
    expect(estimate.notes[1]).not.toMatch(/S3 storage|RDS backup/);
  });

  it("prices nothing for an external dependency, and names it among the exclusions", async () => {
    const estimate = await estimateCost(testConfig({
      database: { mode: "external", external: { host: "db.example.com", user: "btp" } },
      cache: { mode: "aws" },
      storage: { mode: "external", external: { bucket: "acme-btp-state" } },
    }), priceTableSource());
    const resources = estimate.lines.map((l) => l.resource);
    expect(resources.filter((r) => /RDS|PostgreSQL|MinIO|S3/.test(r))).toEqual([]);
    expect(resources).toContain("ElastiCache redis cache.t4g.medium");
    expect(estimate.lines.find((l) => l.resource === "CloudWatch alarms")?.quantity).toBe(1 + 2 * 2);
    expect(estimate.notes[1]).toMatch(/, and the existing Route 53 hosted zone, your external database, your external bucket\.$/);
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
    const managed = await estimateCost(testConfig({ environment: "development", database: { mode: "aws" }, cache: { mode: "aws" } }), priceTableSource());
    const line = (lines: readonly CostLine[], start: string) => lines.find((l) => l.resource.startsWith(start))!;
    expect(line(production.lines, "NAT gateways")).toMatchObject({ resource: "NAT gateways (per-az)", quantity: 3 });
    expect(line(development.lines, "NAT gateways")).toMatchObject({ resource: "NAT gateways (single)", quantity: 1 });
    expect(line(production.lines, "RDS PostgreSQL").resource).toBe("RDS PostgreSQL db.r6g.large Multi-AZ");
    // Development defaults to in-cluster dependencies; database.storageGiB sizes the PostgreSQL volume.
    expect(line(development.lines, "EBS gp3 PostgreSQL")).toMatchObject({ quantity: 100, step: "addons/postgresql" });
    expect(development.lines.some((l) => /^(RDS|ElastiCache)/.test(l.resource))).toBe(false);
    expect(line(managed.lines, "RDS PostgreSQL").resource).toBe("RDS PostgreSQL db.t4g.medium");
    // The schema's default of one replica: two cache nodes in both environments.
    expect(line(managed.lines, "ElastiCache")).toMatchObject({ resource: "ElastiCache redis cache.t4g.medium", quantity: 2, note: "primary and 1 replica" });
  });

  it("prices the monitoring volumes only with monitoring.prometheusStack, and names Container Insights among the exclusions", async () => {
    const off = await estimateCost(testConfig({ monitoring: { prometheusStack: false, containerInsights: true } }), priceTableSource());
    expect(off.lines.some((l) => l.resource === "EBS gp3 monitoring volumes")).toBe(false);
    expect(off.notes[1]).toContain(", volumes that workloads deployed on the platform claim, Container Insights (CloudWatch metrics and logs per node and pod)), and");
    const on = await estimateCost(testConfig(), priceTableSource());
    expect(on.lines.find((l) => l.resource === "EBS gp3 monitoring volumes")).toMatchObject({ step: "btp/release", quantity: 62, note: "Prometheus 50, Grafana 10, Alertmanager 2 GiB (monitoring.prometheusStack)" });
    expect(on.notes[1]).not.toContain("Container Insights");
  });

  it("prices no control plane, nodes or NAT for an adopted cluster (cluster.mode existing), and names it among the exclusions", async () => {
    const created = await estimateCost(testConfig({}), priceTableSource());
    const adopted = await estimateCost(testConfig({ cluster: { mode: "existing", name: "team-cluster" } }), priceTableSource());
    const clusterSteps = new Set(["infra/eks", "infra/nodegroup", "infra/nat-gateways"]);
    expect(adopted.lines.filter((l) => clusterSteps.has(l.step))).toEqual([]);
    expect(adopted.lines).toEqual(created.lines.filter((l) => !clusterSteps.has(l.step)));
    expect(adopted.notes.join(" ")).toContain("your existing EKS cluster team-cluster, its nodes and network");
  });

  it("names the account-wide security services it cannot price among the exclusions", async () => {
    const estimate = await estimateCost(testConfig({ security: { guardDuty: true, cloudTrail: true, awsConfig: false } }), priceTableSource());
    expect(estimate.notes[1]).toContain(", GuardDuty (events and data analysed), CloudTrail (its log bucket; the first copy of management events is free)), and the existing Route 53 hosted zone.");
    expect(estimate.notes[1]).not.toContain("AWS Config");
    expect(estimate.lines.some((l) => /GuardDuty|CloudTrail/.test(l.resource))).toBe(false);
  });

  it("prices a Valkey cache 20% below Redis OSS", async () => {
    const valkey = await estimateCost(testConfig({ cache: { mode: "aws", engine: "valkey", nodeType: "cache.r6g.large" } }), priceTableSource());
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
