/** The endpoint checks with an injected PublicProbe: DNS, HTTPS and the served certificate. */
import { describe, expect, it } from "vitest";
import { endpointChecks, sharedProbe } from "../../../../src/ops/doctor/checks-endpoint.js";
import type { LoadBalancer } from "../../../../src/ops/doctor/aws-reads.js";
import { runChecks } from "../../../../src/ops/doctor/runner.js";
import type { CheckResult, DoctorContext } from "../../../../src/ops/doctor/types.js";
import type { HttpsAnswer, PublicProbe } from "../../../../src/phases/cluster/services.js";
import { testConfig } from "../../../support/config.js";
import { stateWith, stubFacts, testContext } from "./helpers.js";

const NOW = new Date("2026-09-01T12:00:00Z");
const DOMAIN = "btp.example.com";
const ALB: LoadBalancer = { arn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/k8s-settlemint/1", name: "k8s-settlemint", dnsName: "k8s-settlemint-1.eu-west-1.elb.amazonaws.com", hostedZoneId: "Z32O12XQLNTSW2", state: "active" };
const days = (n: number) => new Date(NOW.getTime() + n * 86_400_000);

interface ProbeScript {
  dns?: Record<string, string[] | Error>;
  https?: HttpsAnswer | Error;
}

function probe(script: ProbeScript): PublicProbe & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    resolve4(name) {
      calls.push(`resolve4 ${name}`);
      const answer = script.dns?.[name];
      if (answer === undefined) return Promise.reject(new Error(`ENOTFOUND: queryA ENOTFOUND ${name}`));
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
    https(url) {
      calls.push(`GET ${url}`);
      const answer = script.https;
      if (answer === undefined) return Promise.reject(new Error("no HTTPS answer scripted"));
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
}

const HEALTHY: ProbeScript = {
  dns: { [DOMAIN]: ["198.51.100.7", "198.51.100.8"], [ALB.dnsName]: ["198.51.100.8", "198.51.100.7"] },
  https: { status: 200, certificate: { validTo: days(80), subjectAltNames: [`DNS:${DOMAIN}`, `DNS:*.${DOMAIN}`] } },
};

async function check(script: ProbeScript, given: Partial<DoctorContext> = {}): Promise<Record<string, CheckResult>> {
  const scripted = probe(script);
  const { signal: _signal, ...ctx } = testContext({
    config: testConfig({ dns: { domain: DOMAIN, hostedZoneId: "Z0123456789ABCDEFGHIJ", hostedZoneName: "example.com", acmeEmail: "ops@example.com" } }),
    facts: stubFacts({ loadBalancer: () => Promise.resolve(ALB) }),
    probe: sharedProbe(scripted),
    now: () => NOW,
    state: stateWith(["btp/release", "verify/dns"]),
    ...given,
  });
  const results = await runChecks(endpointChecks, ctx, { timeoutMs: 5000 });
  return Object.fromEntries(results.map((r) => [r.id, r]));
}

describe("endpoint checks", () => {
  it("pass when the domain resolves to the ALB, HTTPS answers and the certificate has months left; the domain is fetched once", async () => {
    const scripted = probe(HEALTHY);
    const { signal: _signal, ...ctx } = testContext({
      config: testConfig({ dns: { domain: DOMAIN, hostedZoneId: "Z0123456789ABCDEFGHIJ", acmeEmail: "ops@example.com" } }),
      facts: stubFacts({ loadBalancer: () => Promise.resolve(ALB) }),
      probe: sharedProbe(scripted),
      now: () => NOW,
    });
    const results = await runChecks(endpointChecks, ctx, { timeoutMs: 5000 });
    expect(results.map((r) => [r.id, r.status, r.detail])).toEqual([
      ["endpoint/dns", "ok", `${DOMAIN} → 198.51.100.7, 198.51.100.8 (the ALB ${ALB.dnsName})`],
      ["endpoint/https", "ok", `https://${DOMAIN} answered 200`],
      ["endpoint/certificate", "ok", `valid for ${DOMAIN} until 2026-11-20 (80 days)`],
    ]);
    expect(scripted.calls.filter((c) => c.startsWith("GET"))).toEqual([`GET https://${DOMAIN}`]);
  });

  it("fails when the domain resolves elsewhere than the ALB", async () => {
    const results = await check({ ...HEALTHY, dns: { [DOMAIN]: ["203.0.113.9"], [ALB.dnsName]: ["198.51.100.8"] } });
    expect(results["endpoint/dns"]).toMatchObject({ status: "fail", detail: `${DOMAIN} → 203.0.113.9, but the ALB ${ALB.dnsName} is at 198.51.100.8` });
    expect(results["endpoint/dns"]!.fix).toContain("btp-aws install --from verify");
  });

  it("fails when the domain does not resolve after install, and only warns before the platform is installed", async () => {
    const failing = await check({ dns: {}, https: new Error("ENOTFOUND: getaddrinfo ENOTFOUND btp.example.com") });
    expect(failing["endpoint/dns"]).toMatchObject({ status: "fail", detail: `${DOMAIN} does not resolve: ENOTFOUND: queryA ENOTFOUND ${DOMAIN}` });
    expect(failing["endpoint/dns"]!.fix).toContain("registrar");
    expect(failing["endpoint/https"]).toMatchObject({ status: "fail", detail: `https://${DOMAIN}: ENOTFOUND: getaddrinfo ENOTFOUND btp.example.com` });
    expect(failing["endpoint/certificate"]!.status).toBe("fail");
    const before = await check({ dns: {}, https: new Error("ENOTFOUND") }, { state: stateWith(["infra/eks"]) });
    expect(Object.values(before).map((r) => r.status)).toEqual(["warn", "warn", "warn"]);
    expect(before["endpoint/dns"]!.detail).toMatch(/the platform is not installed yet$/);
  });

  it("fails on a 5xx answer", async () => {
    const results = await check({ ...HEALTHY, https: { status: 503, certificate: { validTo: days(80), subjectAltNames: [`DNS:${DOMAIN}`] } } });
    expect(results["endpoint/https"]).toMatchObject({ status: "fail", detail: `https://${DOMAIN} answered 503` });
    expect(results["endpoint/certificate"]!.status).toBe("ok");
  });

  it("fails on a certificate with less than 14 days left, and accepts 14", async () => {
    const expiring = await check({ ...HEALTHY, https: { status: 200, certificate: { validTo: days(10), subjectAltNames: [`DNS:${DOMAIN}`] } } });
    expect(expiring["endpoint/certificate"]).toMatchObject({ status: "fail", detail: `valid for ${DOMAIN} until 2026-09-11 (10 days)` });
    const enough = await check({ ...HEALTHY, https: { status: 200, certificate: { validTo: days(14), subjectAltNames: [`DNS:${DOMAIN}`] } } });
    expect(enough["endpoint/certificate"]!.status).toBe("ok");
  });

  it("fails on a certificate for another name; a wildcard covers one label only", async () => {
    const other = await check({ ...HEALTHY, https: { status: 200, certificate: { validTo: days(80), subjectAltNames: ["DNS:*.example.com"] } } });
    expect(other["endpoint/certificate"]).toMatchObject({ status: "ok" });
    const wrong = await check({ ...HEALTHY, https: { status: 200, certificate: { validTo: days(80), subjectAltNames: ["DNS:*.btp.example.com", "DNS:other.example.com"] } } });
    expect(wrong["endpoint/certificate"]).toMatchObject({ status: "fail", detail: `the certificate is for DNS:*.btp.example.com, DNS:other.example.com, not ${DOMAIN}` });
  });

  it("warns without a config: the domain is unknown", async () => {
    const results = await check(HEALTHY, { config: undefined });
    expect(Object.values(results).map((r) => [r.status, r.detail])).toEqual(Array(3).fill(["warn", "the domain is unknown without a config"]));
  });
});
