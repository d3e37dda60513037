import {
  ACMClient, AddTagsToCertificateCommand, DescribeCertificateCommand, ListCertificatesCommand, ListTagsForCertificateCommand, RequestCertificateCommand,
  type CertificateDetail,
} from "@aws-sdk/client-acm";
import { ChangeResourceRecordSetsCommand, GetChangeCommand, ListResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import type { AwsClients } from "../../../../src/aws/clients.js";
import type { WaitSettings } from "../../../../src/aws/wait.js";
import type { Config } from "../../../../src/config/schema.js";
import { BtpAwsError } from "../../../../src/errors.js";
import { acmStep, idempotencyToken } from "../../../../src/phases/infra/acm.js";
import type { StepOutputs } from "../../../../src/plan/types.js";
import { testConfig } from "../../../support/config.js";
import { recordingReporter } from "../../../support/reporter.js";

const ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/aaaa";
const OTHER_ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/bbbb";
const ZONE = "Z0123456789ABCDEFGHIJ";
const RECORD = { Name: "_abc.btp.example.com.", Type: "CNAME" as const, Value: "_xyz.acm-validations.aws." };
const OUR_TAGS = [{ Key: "Name", Value: "btp-btp-test" }, { Key: "btp-aws:platform", Value: "btp-test" }, { Key: "btp-aws:managed-by", Value: "btp-aws" }];
const NOT_AFTER = new Date(Date.now() + 300 * 86_400_000);

const acm = mockClient(ACMClient);
const route53 = mockClient(Route53Client);

/** Sleeps take no time but move the clock, so timeouts are reached at once. */
function instantWait(): WaitSettings {
  let clock = 0;
  return { scale: 1, now: () => clock, sleep: (ms) => ((clock += ms), Promise.resolve()) };
}

const services = {
  aws: {
    region: "eu-west-1", endpoint: undefined, counter: undefined,
    acm: () => Promise.resolve(new ACMClient({ region: "eu-west-1" })),
    route53: () => Promise.resolve(new Route53Client({ region: "eu-west-1" })),
  } as unknown as AwsClients,
  wait: instantWait(),
};

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

function certificate(status: string, extra: Partial<CertificateDetail> = {}): { Certificate: CertificateDetail } {
  return {
    Certificate: {
      CertificateArn: ARN, DomainName: "btp.example.com", SubjectAlternativeNames: ["btp.example.com", "*.btp.example.com"], Status: status as never, NotAfter: NOT_AFTER, Type: "AMAZON_ISSUED",
      DomainValidationOptions: [
        { DomainName: "btp.example.com", ResourceRecord: RECORD },
        { DomainName: "*.btp.example.com", ResourceRecord: RECORD },
      ],
      ...extra,
    },
  };
}

function run(config: Config = testConfig(), previous?: StepOutputs) {
  const report = recordingReporter();
  const promise = acmStep.run({ config, services: { ...services, wait: instantWait() }, outputs: {}, previous, signal: new AbortController().signal }, report);
  return { promise, report };
}

async function failure(promise: Promise<unknown>): Promise<BtpAwsError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BtpAwsError);
  return error as BtpAwsError;
}

const writes = () => [...acm.calls(), ...route53.calls()].map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name).filter((n) => !/^(Describe|List|Get)/.test(n));

/** An issued certificate of ours whose record is in the zone. */
function issuedAndPresent(): void {
  acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [{ CertificateArn: ARN, DomainName: "btp.example.com" }] });
  acm.on(DescribeCertificateCommand).resolves(certificate("ISSUED"));
  acm.on(ListTagsForCertificateCommand).resolves({ Tags: OUR_TAGS });
  route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [{ Name: RECORD.Name, Type: "CNAME", TTL: 300, ResourceRecords: [{ Value: RECORD.Value }] }] });
}

beforeEach(() => {
  acm.reset();
  route53.reset();
});

describe("infra/acm step", () => {
  it("declares its needs and describes the certificate", () => {
    expect([acmStep.id, acmStep.needs]).toEqual(["infra/acm", ["prepare/credentials"]]);
    expect(acmStep.describe(testConfig())).toEqual([
      "request or adopt a certificate for btp.example.com and *.btp.example.com (DNS validation)",
      `write its validation record into hosted zone ${ZONE} and wait until it is ISSUED`,
    ]);
  });

  it("derives a stable idempotency token ACM accepts, changing with the domain", () => {
    const token = idempotencyToken(testConfig());
    expect(token).toMatch(/^\w{32}$/);
    expect(idempotencyToken(testConfig())).toBe(token);
    expect(idempotencyToken(testConfig({ dns: { domain: "other.example.com", hostedZoneId: ZONE, acmeEmail: "ops@example.com" } }))).not.toBe(token);
  });

  it("requests a certificate, waits for its records, writes the shared record once, waits INSYNC and ISSUED", async () => {
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [] });
    acm.on(RequestCertificateCommand).resolves({ CertificateArn: ARN });
    acm.on(DescribeCertificateCommand)
      .resolvesOnce(certificate("PENDING_VALIDATION", { DomainValidationOptions: [{ DomainName: "btp.example.com" }, { DomainName: "*.btp.example.com" }] }))
      .resolvesOnce(certificate("PENDING_VALIDATION"))
      .resolvesOnce(certificate("PENDING_VALIDATION"))
      .resolves(certificate("ISSUED"));
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [] });
    route53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: "/change/C1", Status: "PENDING", SubmittedAt: new Date() } });
    route53.on(GetChangeCommand).resolvesOnce({ ChangeInfo: { Id: "C1", Status: "PENDING", SubmittedAt: new Date() } }).resolves({ ChangeInfo: { Id: "C1", Status: "INSYNC", SubmittedAt: new Date() } });

    const { promise, report } = run(testConfig({ tags: { team: "chain" } }));
    expect(await promise).toEqual({ certificateArn: ARN });
    expect(acm.commandCalls(RequestCertificateCommand)[0]!.args[0].input).toEqual({
      DomainName: "btp.example.com", SubjectAlternativeNames: ["btp.example.com", "*.btp.example.com"], ValidationMethod: "DNS",
      IdempotencyToken: idempotencyToken(testConfig()), Tags: [{ Key: "team", Value: "chain" }, ...OUR_TAGS],
    });
    expect(route53.commandCalls(ListResourceRecordSetsCommand)[0]!.args[0].input).toEqual({ HostedZoneId: ZONE, StartRecordName: RECORD.Name, StartRecordType: "CNAME", MaxItems: 1 });
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0]!.args[0].input).toEqual({
      HostedZoneId: ZONE,
      ChangeBatch: { Comment: "btp-aws: ACM DNS validation", Changes: [{ Action: "UPSERT", ResourceRecordSet: { Name: RECORD.Name, Type: "CNAME", TTL: 300, ResourceRecords: [{ Value: RECORD.Value }] } }] },
    });
    expect(route53.commandCalls(GetChangeCommand)[0]!.args[0].input).toEqual({ Id: "/change/C1" });
    expect(report.statuses).toEqual(expect.arrayContaining(["WAITING_FOR_RECORDS, 0s", "PENDING, 0s", "PENDING_VALIDATION, 0s"]));
    expect(report.infos).toEqual([
      `requested certificate ${ARN} for btp.example.com and *.btp.example.com`,
      `certificate ${ARN}: validation record ${RECORD.Name} written to zone ${ZONE}; issued`,
    ]);
  });

  it("skips an issued certificate of ours whose record is in the zone, without a write", async () => {
    issuedAndPresent();
    const { promise, report } = run();
    expect(await promise).toEqual({ certificateArn: ARN });
    expect(writes()).toEqual([]);
    expect(report.skipped).toEqual([`certificate ${ARN} for btp.example.com and *.btp.example.com is ISSUED; its validation record is in zone ${ZONE}`]);
  });

  it("rewrites a validation record whose value was changed", async () => {
    issuedAndPresent();
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [{ Name: RECORD.Name, Type: "CNAME", TTL: 300, ResourceRecords: [{ Value: "elsewhere.example.net." }] }] });
    route53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: "/change/C2", Status: "PENDING", SubmittedAt: new Date() } });
    route53.on(GetChangeCommand).resolves({ ChangeInfo: { Id: "C2", Status: "INSYNC", SubmittedAt: new Date() } });
    const { promise, report } = run();
    await promise;
    expect(writes()).toEqual(["ChangeResourceRecordSetsCommand"]);
    expect(report.infos).toEqual([`certificate ${ARN}: validation record ${RECORD.Name} written to zone ${ZONE}`]);
  });

  it("leaves certificates of the domain that are not tagged for the platform alone, and requests its own", async () => {
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [{ CertificateArn: OTHER_ARN, DomainName: "btp.example.com" }] });
    acm.on(DescribeCertificateCommand, { CertificateArn: OTHER_ARN }).resolves(certificate("ISSUED", { CertificateArn: OTHER_ARN }));
    acm.on(ListTagsForCertificateCommand, { CertificateArn: OTHER_ARN }).resolves({ Tags: [{ Key: "owner", Value: "someone" }] });
    acm.on(RequestCertificateCommand).resolves({ CertificateArn: ARN });
    acm.on(DescribeCertificateCommand, { CertificateArn: ARN }).resolves(certificate("ISSUED"));
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [{ Name: RECORD.Name, Type: "CNAME", ResourceRecords: [{ Value: RECORD.Value }] }] });
    const { promise, report } = run();
    expect(await promise).toEqual({ certificateArn: ARN });
    expect(report.infos[0]).toBe(`1 certificate(s) for btp.example.com are not tagged for platform btp-test and are left alone: ${OTHER_ARN}`);
    expect(acm.commandCalls(AddTagsToCertificateCommand)).toEqual([]);
  });

  it("prefers an issued certificate of ours over a pending one, and ignores expired or narrower ones", async () => {
    const pending = "arn:aws:acm:eu-west-1:123456789012:certificate/pending";
    const narrow = "arn:aws:acm:eu-west-1:123456789012:certificate/narrow";
    const expired = "arn:aws:acm:eu-west-1:123456789012:certificate/expired";
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [pending, narrow, expired, ARN].map((CertificateArn) => ({ CertificateArn, DomainName: "btp.example.com" })) });
    acm.on(DescribeCertificateCommand, { CertificateArn: pending }).resolves(certificate("PENDING_VALIDATION", { CertificateArn: pending }));
    acm.on(DescribeCertificateCommand, { CertificateArn: narrow }).resolves(certificate("ISSUED", { CertificateArn: narrow, SubjectAlternativeNames: ["btp.example.com"] }));
    acm.on(DescribeCertificateCommand, { CertificateArn: expired }).resolves(certificate("ISSUED", { CertificateArn: expired, NotAfter: new Date(Date.now() - 1000) }));
    acm.on(DescribeCertificateCommand, { CertificateArn: ARN }).resolves(certificate("ISSUED"));
    acm.on(ListTagsForCertificateCommand).resolves({ Tags: OUR_TAGS });
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [{ Name: RECORD.Name, Type: "CNAME", ResourceRecords: [{ Value: RECORD.Value }] }] });
    expect(await run().promise).toEqual({ certificateArn: ARN });
    expect(writes()).toEqual([]);
  });

  it("adopts the certificate recorded in state even when its tags were removed, and tags it", async () => {
    acm.on(DescribeCertificateCommand).resolves(certificate("ISSUED"));
    acm.on(ListTagsForCertificateCommand).resolves({ Tags: [] });
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [{ Name: RECORD.Name, Type: "CNAME", ResourceRecords: [{ Value: RECORD.Value }] }] });
    const { promise, report } = run(testConfig(), { certificateArn: ARN });
    expect(await promise).toEqual({ certificateArn: ARN });
    expect(acm.commandCalls(ListCertificatesCommand)).toEqual([]);
    expect(acm.commandCalls(AddTagsToCertificateCommand)[0]!.args[0].input).toEqual({ CertificateArn: ARN, Tags: OUR_TAGS });
    expect(report.infos).toEqual([`certificate ${ARN}: tags Name, btp-aws:platform, btp-aws:managed-by set`]);
  });

  it("warns about a recorded certificate that failed and requests a new one", async () => {
    acm.on(DescribeCertificateCommand, { CertificateArn: OTHER_ARN }).resolves(certificate("FAILED", { CertificateArn: OTHER_ARN, FailureReason: "CAA_ERROR" }));
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [] });
    acm.on(RequestCertificateCommand).resolves({ CertificateArn: ARN });
    acm.on(DescribeCertificateCommand, { CertificateArn: ARN }).resolves(certificate("ISSUED"));
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [{ Name: RECORD.Name, Type: "CNAME", ResourceRecords: [{ Value: RECORD.Value }] }] });
    const { promise, report } = run(testConfig(), { certificateArn: OTHER_ARN });
    expect(await promise).toEqual({ certificateArn: ARN });
    expect(report.warnings).toEqual([`certificate ${OTHER_ARN} from the last run is FAILED (CAA_ERROR): requesting a new one`]);
  });

  it.each([
    ["FAILED", "CAA_ERROR"],
    ["VALIDATION_TIMED_OUT", "NO_AVAILABLE_CONTACTS"],
  ])("fails with ACM's reason when the certificate turns %s", async (status, reason) => {
    issuedAndPresent();
    acm.on(DescribeCertificateCommand).resolvesOnce(certificate("PENDING_VALIDATION")).resolves(certificate(status, { FailureReason: reason as never }));
    const error = await failure(run().promise);
    expect(error.message).toBe(`certificate ${ARN} to be ISSUED: it is ${status}: ${reason}`);
  });

  it("times out after 45 minutes with a hint about DNS delegation", async () => {
    issuedAndPresent();
    acm.on(DescribeCertificateCommand).resolves(certificate("PENDING_VALIDATION"));
    const error = await failure(run().promise);
    expect(error.message).toMatch(new RegExp(`^timed out waiting for certificate ${ARN} to be ISSUED: still PENDING_VALIDATION after 4[45]m\\d\\ds$`));
    expect(error.hint).toBe(`ACM has not seen the validation records yet: check that public DNS delegates btp.example.com to hosted zone ${ZONE} (prepare shows the name servers to set at the registrar), then run again to keep waiting`);
  });

  it("names the certificate quota on LimitExceededException", async () => {
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [] });
    acm.on(RequestCertificateCommand).rejects(awsError("LimitExceededException", "Error: you have reached your limit of 2500 certificates in the last year."));
    const error = await failure(run().promise);
    expect(error.message).toBe("request a certificate for btp.example.com (acm:RequestCertificate): LimitExceededException: Error: you have reached your limit of 2500 certificates in the last year.");
    expect(error.hint).toMatch(/service quotas: acm L-F141DD1D/);
  });

  it("names dns.domain when ACM rejects the domain", async () => {
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [] });
    acm.on(RequestCertificateCommand).rejects(awsError("InvalidDomainValidationOptionsException", "DomainName btp.example.com is not valid"));
    const error = await failure(run().promise);
    expect(error.message).toBe("dns.domain: ACM rejected the certificate request: InvalidDomainValidationOptionsException: DomainName btp.example.com is not valid");
  });

  it("names tags when ACM rejects them", async () => {
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [] });
    acm.on(RequestCertificateCommand).rejects(awsError("InvalidTagException", "bad tag"));
    const error = await failure(run().promise);
    expect(error.message).toBe("tags: ACM rejected the certificate's tags: InvalidTagException: bad tag");
  });

  it("names the IAM action when listing is denied", async () => {
    acm.on(ListCertificatesCommand).rejects(awsError("AccessDeniedException", "not authorized"));
    const error = await failure(run().promise);
    expect(error.message).toBe("not allowed to look for certificates of btp.example.com (acm:ListCertificates, acm:DescribeCertificate, acm:ListTagsForCertificate): AccessDeniedException: not authorized");
  });

  it("names dns.hostedZoneId when Route 53 refuses the record", async () => {
    issuedAndPresent();
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [] });
    route53.on(ChangeResourceRecordSetsCommand).rejects(awsError("InvalidChangeBatch", "RRSet with DNS name _abc.btp.example.com. is not permitted in zone other.org."));
    const error = await failure(run().promise);
    expect(error.message).toBe(`dns.hostedZoneId: Route 53 refused the certificate's validation records in zone ${ZONE}: InvalidChangeBatch: RRSet with DNS name _abc.btp.example.com. is not permitted in zone other.org.`);
  });

  it("names dns.hostedZoneId when the zone does not exist", async () => {
    issuedAndPresent();
    route53.on(ListResourceRecordSetsCommand).rejects(awsError("NoSuchHostedZone", "No hosted zone found"));
    const error = await failure(run().promise);
    expect(error.message).toBe(`dns.hostedZoneId: hosted zone ${ZONE} does not exist`);
  });

  it("names route53:ChangeResourceRecordSets when the write is denied", async () => {
    issuedAndPresent();
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [] });
    route53.on(ChangeResourceRecordSetsCommand).rejects(awsError("AccessDenied", "not authorized"));
    const error = await failure(run().promise);
    expect(error.message).toBe(`not allowed to write the certificate's validation records to hosted zone ${ZONE} (route53:ChangeResourceRecordSets): AccessDenied: not authorized`);
  });
});
