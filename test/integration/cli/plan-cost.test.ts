/**
 * `btp-aws plan` ends with the cost estimate: the built CLI as a child process, on the two
 * example configs, offline. The Price List API itself is covered in test/unit/cost/ (moto has
 * no Pricing API).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE, cleanEnv, runCli } from "../../support/cli.js";
import { REPO_ROOT } from "../../support/paths.js";

const DEVELOPMENT = join(REPO_ROOT, "examples", "btp-aws.development.yaml");

interface CostJson {
  region: string;
  currency: string;
  totalMonthlyUsd: number;
  lines: { resource: string; quantity: number; unitPriceUsd: number | null; monthlyUsd: number | null; priceFrom: string; step: string }[];
  priceTable: { date: string; source: string };
  notes: string[];
}

describe("btp-aws plan: the cost estimate", () => {
  it("--prices table ends the plan with the cost section: every line, the total, where prices came from", async () => {
    const result = await runCli(["plan", "--config", EXAMPLE, "--prices", "table"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const section = result.stdout.slice(result.stdout.indexOf("Estimated monthly cost"));
    expect(result.stdout.indexOf("Critical path")).toBeLessThan(result.stdout.indexOf("Estimated monthly cost"));
    expect(section.split("\n")[0]).toBe("Estimated monthly cost in eu-west-1 (USD, on-demand, 730 hours a month)");
    expect(section).toMatch(/^ {2}NAT gateways \(per-az\) +3 gateways +0\.048\/h +105\.12 {2}table$/m);
    expect(section).toMatch(/^ {2}RDS PostgreSQL db\.r6g\.large Multi-AZ +1 instance +0\.50\/h +365\.00 {2}table$/m);
    expect(section).toMatch(/^ {2}ALB capacity units +1 LCU +0\.008\/h +5\.84 {2}table$/m);
    expect(section).toContain("      the 1-LCU minimum; traffic adds more");
    expect(section).toMatch(/^ {2}WAF rules and rule groups +3 rules +1\.00\/mo +3\.00 {2}table$/m);
    expect(section).toMatch(/^ {2}Total +1,462\.26$/m);
    expect(section).toMatch(/^Every price is from the price table shipped with btp-aws, dated \d{4}-\d{2}-\d{2}; the AWS Price List API was not asked: --prices table\.$/m);
    expect(section).toMatch(/^Not included: usage-based charges \(data transfer, NAT gateway data processing, .*\), and the existing Route 53 hosted zone\.$/m);
  });

  it("--output json includes the estimate as `cost`", async () => {
    const result = await runCli(["plan", "--config", EXAMPLE, "--prices", "table", "--output", "json"]);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as { platform: string; steps: unknown[]; cost: CostJson };
    expect(parsed.platform).toBe("acme-prod");
    expect(parsed.steps.length).toBeGreaterThan(20);
    expect(parsed.cost).toMatchObject({ region: "eu-west-1", currency: "USD", totalMonthlyUsd: 1462.26 });
    expect(parsed.cost.lines).toHaveLength(18);
    expect(parsed.cost.lines.every((l) => l.priceFrom === "table")).toBe(true);
    expect(parsed.cost.lines.find((l) => l.step === "infra/elasticache")).toMatchObject({ resource: "ElastiCache redis cache.r6g.large", quantity: 2, unitPriceUsd: 0.229, monthlyUsd: 334.34 });
    expect(parsed.cost.priceTable.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("compares development and production: the development example, with its dependencies in the cluster, costs well under half", async () => {
    const [development, production] = await Promise.all([DEVELOPMENT, EXAMPLE].map(async (config) => {
      const result = await runCli(["plan", "--config", config, "--prices", "table", "--output", "json"]);
      expect(result.code).toBe(0);
      return (JSON.parse(result.stdout) as { cost: CostJson }).cost;
    }));
    expect(development!.totalMonthlyUsd).toBe(649.6);
    expect(production!.totalMonthlyUsd).toBe(1462.26);
    const monthly = (cost: CostJson, step: string) => cost.lines.filter((l) => l.step === step).reduce((s, l) => s + (l.monthlyUsd ?? 0), 0);
    // Where the difference comes from: RDS and ElastiCache against three gp3 volumes in the
    // cluster (PostgreSQL 20 GiB, Redis 8 GiB, MinIO 100 GiB), the NAT gateway per AZ, WAF.
    expect([monthly(production!, "infra/rds"), monthly(development!, "infra/rds")]).toEqual([390.4, 0]);
    expect([monthly(production!, "infra/elasticache"), monthly(development!, "infra/elasticache")]).toEqual([334.34, 0]);
    const inCluster = (cost: CostJson) => ["addons/postgresql", "addons/redis", "addons/minio"].map((step) => monthly(cost, step));
    expect(inCluster(development!)).toEqual([1.76, 0.7, 8.8]);
    expect(inCluster(production!)).toEqual([0, 0, 0]);
    expect(monthly(production!, "infra/nat-gateways") - monthly(development!, "infra/nat-gateways")).toBeCloseTo(116.07 - 38.69, 2);
    expect([monthly(production!, "infra/waf"), monthly(development!, "infra/waf")]).toEqual([8, 0]);
  });

  it("rejects an unknown --prices value as a usage error", async () => {
    const result = await runCli(["plan", "--config", EXAMPLE, "--prices", "cheap"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("argument 'cheap' is invalid. Allowed choices are auto, table, api.");
  });

  describe("by default (auto) without credentials", () => {
    let server: Server;
    let endpoint: string;
    let requests = 0;
    beforeAll(async () => {
      server = createServer((request, response) => {
        requests++;
        request.resume();
        response.writeHead(500).end();
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it("stays offline and fast, prices from the table and says the API was not asked", async () => {
      const env = cleanEnv({ AWS_ENDPOINT_URL: endpoint, AWS_CONFIG_FILE: "/nonexistent/btp-aws/config", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/btp-aws/credentials" });
      const started = Date.now();
      const result = await runCli(["plan", "--config", DEVELOPMENT], { env });
      const elapsed = Date.now() - started;
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(requests).toBe(0);
      expect(result.stdout).toMatch(/^ {2}Total +649\.60$/m);
      expect(result.stdout).toMatch(/; the AWS Price List API was not asked: no AWS credentials \(.+\)\.$/m);
      console.log(`[plan-cost] plan (auto, no credentials) took ${elapsed} ms`);
      expect(elapsed).toBeLessThan(10_000);
    });
  });
});
