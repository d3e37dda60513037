import { afterEach, describe, expect, it, vi } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { GetHostedZoneCommand, ListResourceRecordSetsCommand, NoSuchHostedZone, Route53Client, Route53ServiceException } from "@aws-sdk/client-route-53";
import { hostedZoneStep } from "../../../../src/phases/prepare/index.js";
import { domainInZone, DNS_LOOKUP_TIMEOUT_MS } from "../../../../src/phases/prepare/hosted-zone.js";
import { sameNameServers } from "../../../../src/phases/prepare/name-servers.js";
import type { PrepareServices } from "../../../../src/phases/prepare/index.js";
import { testConfig } from "../../../support/config.js";
import { failure, run, services } from "./helpers.js";

const route53 = mockClient(Route53Client);
afterEach(() => {
  route53.reset();
  vi.useRealTimers();
});

const ZONE_ID = "Z0123456789ABCDEFGHIJ";
const AWS_NS = ["ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk", "ns-3.awsdns-03.com", "ns-4.awsdns-04.net"];
const config = testConfig(); // btp.example.com in zone Z0123456789ABCDEFGHIJ

function zone(options: { name?: string; private?: boolean; apexNs?: string[] | undefined } = {}) {
  const name = options.name ?? "example.com.";
  route53.on(GetHostedZoneCommand).resolves({
    HostedZone: { Id: `/hostedzone/${ZONE_ID}`, Name: name, CallerReference: "ref", Config: { PrivateZone: options.private ?? false } },
    DelegationSet: { NameServers: AWS_NS },
  });
  const apex = options.apexNs === undefined && "apexNs" in options ? [] : [{ Name: name, Type: "NS" as const, TTL: 172800, ResourceRecords: (options.apexNs ?? AWS_NS).map((Value) => ({ Value })) }];
  route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [...apex, { Name: name, Type: "SOA", TTL: 900, ResourceRecords: [{ Value: "soa" }] }], IsTruncated: false, MaxItems: 1 });
}

function dns(answer: string[] | Error | "never"): PrepareServices["dns"] & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    resolveNs(name) {
      asked.push(name);
      if (answer === "never") return new Promise(() => {});
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
}
const dnsError = (code: string) => Object.assign(new Error(`queryNs ${code} example.com`), { code });

const REGISTRAR_LINES = [
  "set these NS records for example.com at its registrar (or in the parent zone, if example.com is a subdomain), one per line:",
  ...AWS_NS,
  "until public DNS answers them, certificate validation (ACM, cert-manager DNS-01) would hang: nobody outside sees the records btp-aws writes into this zone",
];

describe("prepare/hosted-zone", () => {
  it("describes its checks", () => {
    expect(hostedZoneStep.describe(config)).toEqual([
      "check that hosted zone Z0123456789ABCDEFGHIJ is public and contains btp.example.com (route53:GetHostedZone)",
      "compare its NS records with what public DNS answers (route53:ListResourceRecordSets, a DNS lookup)",
    ]);
  });

  it("passes when the zone is public, contains the domain and public DNS answers its name servers", async () => {
    zone();
    const resolver = dns(["NS-3.AWSDNS-03.COM.", "ns-1.awsdns-01.org", "ns-4.awsdns-04.net.", "ns-2.awsdns-02.co.uk"]);
    const { outputs, report } = await run(hostedZoneStep, config, services(resolver));
    expect(outputs).toEqual({ hostedZoneName: "example.com", nameServers: AWS_NS });
    expect(report.infos).toEqual(["hosted zone Z0123456789ABCDEFGHIJ (example.com) is public, contains btp.example.com, and public DNS answers its 4 name servers"]);
    expect(report.warnings).toEqual([]);
    expect(resolver.asked).toEqual(["example.com"]);
    expect(route53.commandCalls(GetHostedZoneCommand).map((c) => c.args[0].input)).toEqual([{ Id: ZONE_ID }]);
    expect(route53.commandCalls(ListResourceRecordSetsCommand).map((c) => c.args[0].input)).toEqual([
      { HostedZoneId: ZONE_ID, StartRecordName: "example.com", StartRecordType: "NS", MaxItems: 1 },
    ]);
  });

  it("warns with the records to set at the registrar when public DNS answers other servers", async () => {
    zone();
    const { outputs, report } = await run(hostedZoneStep, config, services(dns(["ns1.registrar.net", "ns2.registrar.net"])));
    expect(outputs).toEqual({ hostedZoneName: "example.com", nameServers: AWS_NS });
    expect(report.infos).toEqual(["hosted zone Z0123456789ABCDEFGHIJ (example.com) is public and contains btp.example.com"]);
    expect(report.warnings).toEqual([[
      "public DNS answers other name servers for example.com than hosted zone Z0123456789ABCDEFGHIJ holds: ns1.registrar.net, ns2.registrar.net",
      ...REGISTRAR_LINES,
    ].join("\n")]);
  });

  it("warns when only some of the servers match", async () => {
    zone();
    const { report } = await run(hostedZoneStep, config, services(dns(AWS_NS.slice(0, 3))));
    expect(report.warnings[0]).toMatch(/^public DNS answers other name servers for example.com/);
  });

  it("warns, without failing, when public DNS does not answer", async () => {
    zone();
    const { report } = await run(hostedZoneStep, config, services(dns(dnsError("ENOTFOUND"))));
    expect(report.warnings).toEqual([["public DNS did not answer the NS records of example.com (ENOTFOUND)", ...REGISTRAR_LINES].join("\n")]);
  });

  it("gives up on a lookup that hangs", async () => {
    vi.useFakeTimers();
    zone();
    const pending = run(hostedZoneStep, config, services(dns("never")));
    await vi.advanceTimersByTimeAsync(DNS_LOOKUP_TIMEOUT_MS);
    const { report } = await pending;
    expect(report.warnings[0]).toMatch(/^public DNS did not answer the NS records of example.com \(no answer within 10 s\)\n/);
  });

  it("accepts a domain that is the zone apex itself", async () => {
    zone({ name: "btp.example.com." });
    const { outputs } = await run(hostedZoneStep, config, services(dns(AWS_NS)));
    expect(outputs.hostedZoneName).toBe("btp.example.com");
  });

  it("uses the delegation set when the zone has no apex NS record set", async () => {
    zone({ apexNs: undefined });
    const { outputs, report } = await run(hostedZoneStep, config, services(dns(AWS_NS)));
    expect(outputs.nameServers).toEqual(AWS_NS);
    expect(report.warnings).toEqual([]);
  });

  it("stops when the zone does not exist", async () => {
    route53.on(GetHostedZoneCommand).rejects(new NoSuchHostedZone({ message: `No hosted zone found with ID: ${ZONE_ID}`, $metadata: { httpStatusCode: 404 } }));
    const error = await failure(run(hostedZoneStep, config));
    expect(error.message).toBe("hosted zone Z0123456789ABCDEFGHIJ (dns.hostedZoneId) does not exist in account 123456789012");
    expect(error.hint).toBe("list the zones with `aws route53 list-hosted-zones` and set dns.hostedZoneId to the public zone that contains btp.example.com");
  });

  it("stops on a private zone", async () => {
    zone({ private: true });
    const error = await failure(run(hostedZoneStep, config));
    expect(error.message).toBe("hosted zone Z0123456789ABCDEFGHIJ (example.com) is private: public DNS cannot see it, so certificates for btp.example.com cannot be validated");
    expect(error.hint).toBe("set dns.hostedZoneId to the public zone that contains btp.example.com (aws route53 list-hosted-zones)");
  });

  it("stops when the domain lies outside the zone", async () => {
    zone({ name: "other.org." });
    const error = await failure(run(hostedZoneStep, config));
    expect(error.message).toBe("dns.domain btp.example.com is not inside hosted zone Z0123456789ABCDEFGHIJ (other.org)");
    expect(error.hint).toBe("choose a domain under other.org, or set dns.hostedZoneId to the zone that contains btp.example.com (aws route53 list-hosted-zones)");
  });

  it("stops when dns.hostedZoneName names another zone than the id", async () => {
    zone();
    const error = await failure(run(hostedZoneStep, testConfig({ dns: { domain: "btp.example.com", hostedZoneId: ZONE_ID, hostedZoneName: "btp.example.com", acmeEmail: "ops@example.com" } })));
    expect(error.message).toBe(`dns.hostedZoneName is btp.example.com, but hosted zone ${ZONE_ID} is example.com`);
  });

  it("names the IAM action when reading the zone is denied", async () => {
    route53.on(GetHostedZoneCommand).rejects(new Route53ServiceException({ name: "AccessDenied", $fault: "client", $metadata: { httpStatusCode: 403 }, message: "User is not authorized to perform: route53:GetHostedZone" }));
    const error = await failure(run(hostedZoneStep, config));
    expect(error.message).toBe(`not allowed to read hosted zone ${ZONE_ID} (route53:GetHostedZone): AccessDenied: User is not authorized to perform: route53:GetHostedZone`);
  });

  it("names the IAM action when listing the records is denied", async () => {
    zone();
    route53.on(ListResourceRecordSetsCommand).rejects(new Route53ServiceException({ name: "AccessDenied", $fault: "client", $metadata: { httpStatusCode: 403 }, message: "denied" }));
    const error = await failure(run(hostedZoneStep, config));
    expect(error.message).toBe(`not allowed to read the NS records of hosted zone ${ZONE_ID} (route53:ListResourceRecordSets): AccessDenied: denied`);
  });
});

describe("domainInZone and sameNameServers", () => {
  it("places a domain inside a zone by whole labels, ignoring case and trailing dots", () => {
    expect(domainInZone("btp.example.com", "example.com.")).toBe(true);
    expect(domainInZone("a.b.example.com", "EXAMPLE.com")).toBe(true);
    expect(domainInZone("example.com.", "example.com")).toBe(true);
    expect(domainInZone("btp.notexample.com", "example.com")).toBe(false);
    expect(domainInZone("example.com", "btp.example.com")).toBe(false);
  });

  it("compares name servers as sets", () => {
    expect(sameNameServers(["A.example.", "b.example"], ["b.example.", "a.example"])).toBe(true);
    expect(sameNameServers(["a.example"], ["a.example", "b.example"])).toBe(false);
    expect(sameNameServers([], [])).toBe(true);
  });
});
