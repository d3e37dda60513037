/**
 * planCost through the real SDK and the real credential chain, against a local stand-in for the
 * Price List API (moto has none): the request the SDK signs, the PriceList it deserialises
 * (LazyJsonString items), the fallback when the endpoint hangs, and no request at all when
 * there are no credentials.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { planCost } from "../../../src/cost/plan-cost.js";
import { EC2_M5_XLARGE_EU_WEST_1, NAT_GATEWAY_EU_WEST_1, priceListItem, type FixtureProduct } from "./price-list-fixtures.js";
import { DEVELOPMENT_EXAMPLE, exampleConfig } from "./examples.js";

interface Seen {
  headers: IncomingHttpHeaders;
  body: { ServiceCode: string; Filters: { Type: string; Field: string; Value: string }[] };
}

const PRODUCTS: FixtureProduct[] = [EC2_M5_XLARGE_EU_WEST_1, ...NAT_GATEWAY_EU_WEST_1];
let mode: "answer" | "hang" = "answer";
const seen: Seen[] = [];
let server: Server;
let endpoint: string;

function answer(body: Seen["body"], response: ServerResponse): void {
  const matches = PRODUCTS.filter((p) => p.serviceCode === body.ServiceCode && body.Filters.every((f) => {
    const actual = f.Field === "productFamily" ? p.productFamily : p.attributes[f.Field];
    return f.Type === "CONTAINS" ? actual?.includes(f.Value) : actual === f.Value;
  }));
  response.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
  response.end(JSON.stringify({ FormatVersion: "aws_v1", PriceList: matches.map(priceListItem) }));
}

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = "";
    request.on("data", (chunk: Buffer) => (text += chunk.toString()));
    request.on("end", () => {
      const body = JSON.parse(text) as Seen["body"];
      seen.push({ headers: request.headers, body });
      if (mode === "answer") answer(body, response);
      // "hang": never answer; the estimate's timeouts must end the wait.
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen.length = 0;
  mode = "answer";
  // The real default chain, reading only what each test puts in the environment: no files, no IMDS.
  for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]) {
    vi.stubEnv(name, undefined);
  }
  vi.stubEnv("AWS_CONFIG_FILE", "/nonexistent/btp-aws-test/config");
  vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/btp-aws-test/credentials");
  vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
});

const withKeys = () => {
  vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIAPRICINGTEST00001");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "pricing-test-secret");
};

describe("planCost", () => {
  it("asks the Price List endpoint nearest the region, signed for pricing, and reads the SDK's PriceList", async () => {
    withKeys();
    const estimate = await planCost(await exampleConfig(DEVELOPMENT_EXAMPLE), { mode: "auto", endpoint, userAgentSuffix: "btp-aws/test" });
    expect(estimate.lines.filter((l) => l.priceFrom === "api").map((l) => [l.resource, l.unitPriceUsd])).toEqual([
      ["EC2 nodes m5.xlarge", 0.214],
      ["NAT gateways (single)", 0.048],
    ]);
    expect(estimate.lines.filter((l) => l.priceFrom === "table")).toHaveLength(14);
    // One request per distinct price: 16 lines; six gp3 volume lines (nodes, PostgreSQL, Redis,
    // MinIO, Vault, monitoring) share one price, the two public IPv4 lines another.
    expect(seen).toHaveLength(10);
    expect(seen[0]!.headers["x-amz-target"]).toBe("AWSPriceListService.GetProducts");
    expect(seen[0]!.headers.authorization).toMatch(/Credential=AKIAPRICINGTEST00001\/\d{8}\/eu-central-1\/pricing\/aws4_request/);
    expect(seen[0]!.headers["user-agent"]).toContain("btp-aws/test");
    expect(new Set(seen.map((s) => s.body.ServiceCode))).toEqual(new Set(["AmazonEKS", "AmazonEC2", "AmazonVPC", "AWSELB", "awskms", "AWSSecretsManager", "AmazonCloudWatch"]));
  });

  it("falls back to the table, within its deadline, when the endpoint never answers", async () => {
    withKeys();
    mode = "hang";
    const started = Date.now();
    const estimate = await planCost(await exampleConfig(DEVELOPMENT_EXAMPLE), {
      mode: "auto", endpoint, userAgentSuffix: "btp-aws/test", priceList: { callTimeoutMs: 300, deadlineMs: 1000, concurrency: 4 },
    });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(estimate.lines.every((l) => l.priceFrom === "table")).toBe(true);
    expect(estimate.totalMonthlyUsd).toBe(649.6);
    expect(estimate.lines[0]!.note).toBe("standard support");
    expect(estimate.notes[0]).toMatch(/; the AWS Price List API failed: no answer within 0\.3 s\.$/);
  });

  it("does not touch the network without credentials, and says why the table priced everything", async () => {
    const estimate = await planCost(await exampleConfig(DEVELOPMENT_EXAMPLE), { mode: "auto", endpoint, userAgentSuffix: "btp-aws/test" });
    expect(seen).toEqual([]);
    expect(estimate.lines.every((l) => l.priceFrom === "table")).toBe(true);
    expect(estimate.notes[0]).toMatch(/^Every price is from the price table shipped with btp-aws, dated \d{4}-\d{2}-\d{2}; the AWS Price List API was not asked: no AWS credentials \(.+\)\.$/);
  });

  it("with --prices api and no credentials, fails with what to do", async () => {
    const failure = await planCost(await exampleConfig(DEVELOPMENT_EXAMPLE), { mode: "api", endpoint, userAgentSuffix: "btp-aws/test" }).catch((error: unknown) => error as Error & { hint?: string });
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/^price the plan with the AWS Price List API \(--prices api\): no AWS credentials: /);
    expect((failure as { hint?: string }).hint).toBe("sign in (--profile, AWS_PROFILE, `aws sso login`, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or run `btp-aws plan --prices table`");
    expect(seen).toEqual([]);
  });

  it("with --prices table, never builds a client", async () => {
    withKeys();
    const estimate = await planCost(await exampleConfig(DEVELOPMENT_EXAMPLE), { mode: "table", endpoint, userAgentSuffix: "btp-aws/test" });
    expect(seen).toEqual([]);
    expect(estimate.notes[0]).toContain("the AWS Price List API was not asked: --prices table.");
  });
});
