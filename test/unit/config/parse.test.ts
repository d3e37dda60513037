import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/parse.js";
import { example, minimal } from "./fixtures.js";

const today = new Date("2026-11-27T00:00:00Z");

function errorsOf(input: unknown): string[] {
  const result = parseConfig(input, { today });
  if (result.ok) throw new Error("expected the config to be rejected");
  return result.errors;
}

function withAt(path: string, value: unknown, base = minimal()): Record<string, unknown> {
  const copy = structuredClone(base);
  const keys = path.split(".");
  let node = copy;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[keys.at(-1)!] = value;
  return copy;
}

describe("parseConfig", () => {
  it("accepts the shipped production example with no warnings", () => {
    const result = parseConfig(example(), { today });
    expect(result.ok && result.warnings).toEqual([]);
  });

  it("fills production defaults: NAT per AZ, Multi-AZ, deletion protection, flow logs", () => {
    const result = parseConfig(minimal(), { today });
    if (!result.ok) throw new Error(result.errors.join("\n"));
    expect(result.value.network).toEqual({ vpcCidr: "10.0.0.0/16", azCount: 3, natGateways: "per-az", flowLogs: true });
    expect(result.value.database).toMatchObject({ multiAz: true, deletionProtection: true, instanceClass: "db.r6g.large", engineVersion: "16" });
    expect(result.value.cache).toMatchObject({ multiAz: true, nodeType: "cache.r6g.large", replicas: 1 });
    expect(result.value.cluster).toMatchObject({ minNodes: 2, maxNodes: 50, desiredNodes: 3, instanceTypes: ["m5.xlarge"] });
    expect(Object.isFrozen(result.value.database)).toBe(true);
  });

  it("fills development defaults: one NAT gateway, single-AZ, no deletion protection", () => {
    const result = parseConfig(withAt("environment", "development"), { today });
    if (!result.ok) throw new Error(result.errors.join("\n"));
    expect(result.value.network.natGateways).toBe("single");
    expect(result.value.network.flowLogs).toBe(false);
    expect(result.value.database).toMatchObject({ multiAz: false, deletionProtection: false, instanceClass: "db.t4g.medium" });
    expect(result.value.cache.multiAz).toBe(false);
  });

  it("lets explicit values override environment defaults", () => {
    const result = parseConfig(withAt("database.multiAz", false, withAt("environment", "production")), { today });
    expect(result.ok && result.value.database.multiAz).toBe(false);
  });

  it("reports every problem at once, each with its dotted path", () => {
    const input = withAt("aws.region", "eu-west-9", withAt("cluster.minNodes", "two", withAt("dns.domain", "not a domain")));
    expect(errorsOf(input)).toEqual([
      'aws.region: "eu-west-9" is not an AWS region (e.g. eu-west-1)',
      "dns.domain: must be a DNS name such as btp.example.com",
      "cluster.minNodes: Invalid input: expected number, received string",
    ]);
  });

  it("names unknown keys with a did-you-mean", () => {
    expect(errorsOf({ ...minimal(), databse: {} })).toEqual(["databse: unknown key (did you mean database?)"]);
    expect(errorsOf(withAt("database.instanceClas", "db.r6g.large"))).toEqual(["database.instanceClas: unknown key (did you mean database.instanceClass?)"]);
    expect(errorsOf(withAt("auth.tenantID", "x"))).toEqual(["auth.tenantID: unknown key (did you mean auth.tenantId?)"]);
  });

  it("refuses secrets in the config file with where they belong instead", () => {
    expect(errorsOf(withAt("license.token", "s3cr3t"))).toEqual([
      "license.token: the license token is never read from a file or flag: set BTP_AWS_LICENSE_TOKEN or let the wizard prompt for it",
    ]);
  });

  it("lists missing required fields as required", () => {
    const result = parseConfig({ platform: "demo" }, { today });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.missing).toEqual(["aws", "dns", "auth", "chart", "license"]);
    expect(result.errors).toContain("aws: is required");
  });

  it("rejects a DR region equal to the region", () => {
    expect(errorsOf(withAt("aws.drRegion", "eu-west-1"))).toEqual([
      "aws.drRegion: must differ from aws.region (eu-west-1): a copy in the same region does not survive a regional outage",
    ]);
  });

  it("rejects node counts out of order", () => {
    expect(errorsOf(withAt("cluster", { minNodes: 5, maxNodes: 3, desiredNodes: 4 }))).toEqual(["cluster.minNodes: 5 is more than cluster.maxNodes (3)"]);
    expect(errorsOf(withAt("cluster", { minNodes: 2, maxNodes: 4, desiredNodes: 9 }))).toEqual([
      "cluster.desiredNodes: 9 must lie between cluster.minNodes (2) and cluster.maxNodes (4)",
    ]);
  });

  it("rejects invalid and too-small CIDRs", () => {
    expect(errorsOf(withAt("network.vpcCidr", "10.0.0.1/16"))).toEqual(["network.vpcCidr: must be an IPv4 CIDR block such as 10.0.0.0/16"]);
    expect(errorsOf(withAt("network.vpcCidr", "10.0.0.0/23"))).toEqual([
      "network.vpcCidr: 10.0.0.0/23 is too small for 6 subnets (3 AZs × public and private) of at least /24; use /21 or larger",
    ]);
    expect(errorsOf(withAt("network.vpcCidr", "10.0.0.0/8"))).toEqual(["network.vpcCidr: 10.0.0.0/8 is larger than AWS allows for a VPC (/16 at most)"]);
  });

  it("checks the domain lies inside the hosted zone when its name is known", () => {
    expect(errorsOf(withAt("dns.hostedZoneName", "example.org"))).toEqual(["dns.domain: btp.example.com is not inside the hosted zone example.org (dns.hostedZoneName)"]);
    expect(parseConfig(withAt("dns.hostedZoneName", "example.com."), { today }).ok).toBe(true);
  });

  it("requires the fields of the chosen auth provider", () => {
    expect(errorsOf(withAt("auth", { provider: "microsoftEntraId", clientId: "c" }))).toEqual(["auth.tenantId: is required"]);
    expect(errorsOf(withAt("auth", { provider: "github" }))).toEqual(["auth.provider: must name a provider: cognito, google, microsoftEntraId or oidc"]);
  });

  it("warns about an expired license and an open API endpoint in production", () => {
    const result = parseConfig(withAt("license.expirationDate", "2025-01-01"), { today });
    expect(result.ok && result.warnings).toEqual([
      "cluster.publicAccessCidrs: the Kubernetes API is open to the internet (0.0.0.0/0); restrict it to your office or VPN ranges",
      "license.expirationDate: the license expired on 2025-01-01",
    ]);
  });

  it("reserves the btp-aws: tag prefix", () => {
    expect(errorsOf(withAt("tags", { "btp-aws:platform": "x" }))).toEqual(["tags.btp-aws:platform: tag keys starting with aws: or btp-aws: are reserved"]);
  });
});
