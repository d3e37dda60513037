/**
 * infra/acm: a public certificate for dns.domain and *.dns.domain, validated through DNS records
 * in dns.hostedZoneId, waited until ISSUED. The load balancer terminates TLS with it.
 *
 * Found in this order: the ARN recorded in state; a certificate for the domain tagged for this
 * platform. Certificates of the same domain without our tag are left alone, never adopted: a
 * domain can have many certificates, and requesting ours costs nothing.
 */
import { createHash } from "node:crypto";
import type { ACMClient } from "@aws-sdk/client-acm";
import { certificateTags, certificatesForDomain, describeCertificate, requestCertificate, tagCertificate, type Certificate } from "../../aws/acm.js";
import { awsErrorCode, describeAwsError, type AwsCallTarget } from "../../aws/errors.js";
import { PLATFORM_TAG, missingTags, platformTags } from "../../aws/tags.js";
import { waitFor } from "../../aws/wait.js";
import type { Config } from "../../config/schema.js";
import { BtpAwsError } from "../../errors.js";
import type { Reporter, Step, StepContext } from "../../plan/types.js";
import { recordsMissingFromZone, validationRecords, writeValidationRecords } from "./acm-validation.js";
import type { InfraServices } from "./services.js";

type Services = Pick<InfraServices, "aws" | "wait">;
type Context = StepContext<Services>;

const ADOPTABLE = ["ISSUED", "PENDING_VALIDATION"] as const;
// ACM usually fills in the validation records within seconds of the request.
const RECORDS_TIMEOUT_MS = 5 * 60_000;
const RECORDS_POLL_MS = 10_000;
// Issue follows the records by ~3 minutes when DNS is delegated right; ACM itself gives up after 72 h.
const ISSUE_TIMEOUT_MS = 45 * 60_000;
const ISSUE_POLL_MS = 15_000;

/** ACM allows \w{1,32}; a hash of platform and domain fits any name and changes with the domain. */
export function idempotencyToken(config: Pick<Config, "platform" | "dns">): string {
  return createHash("sha256").update(`btp-aws/${config.platform}/${config.dns.domain}`).digest("hex").slice(0, 32);
}

function wantedNames(config: Config): string[] {
  return [config.dns.domain, `*.${config.dns.domain}`];
}

function usable(certificate: Certificate, names: readonly string[], now: number): boolean {
  const covered = new Set(certificate.names.map((n) => n.toLowerCase()));
  return (ADOPTABLE as readonly string[]).includes(certificate.status)
    && (certificate.notAfter === undefined || certificate.notAfter.getTime() > now)
    && names.every((n) => covered.has(n.toLowerCase()));
}

/** ISSUED before PENDING_VALIDATION, then the one that expires last. */
function preferred(a: Certificate, b: Certificate): number {
  if (a.status !== b.status) return a.status === "ISSUED" ? -1 : 1;
  return (b.notAfter?.getTime() ?? 0) - (a.notAfter?.getTime() ?? 0);
}

interface Found {
  certificate: Certificate;
  tags: Record<string, string>;
}

async function locate(acm: ACMClient, context: Context, report: Reporter): Promise<Found | undefined> {
  const { config } = context;
  const names = wantedNames(config);
  const now = Date.now();
  const recordedArn = typeof context.previous?.certificateArn === "string" ? context.previous.certificateArn : undefined;
  if (recordedArn !== undefined) {
    const recorded = await describeCertificate(acm, recordedArn);
    if (recorded && usable(recorded, names, now)) {
      const tags = await certificateTags(acm, recorded.arn);
      // State says we requested it: adopt it even if its tags were removed, not if another platform claims it.
      if (tags[PLATFORM_TAG] === undefined || tags[PLATFORM_TAG] === config.platform) return { certificate: recorded, tags };
    } else if (recorded) {
      report.warn(`certificate ${recorded.arn} from the last run is ${recorded.status}${recorded.failureReason ? ` (${recorded.failureReason})` : ""}: requesting a new one`);
    }
  }
  const ours: Found[] = [];
  const others: string[] = [];
  for (const arn of await certificatesForDomain(acm, config.dns.domain, ADOPTABLE)) {
    if (arn === recordedArn) continue;
    const certificate = await describeCertificate(acm, arn);
    if (!certificate || !usable(certificate, names, now)) continue;
    const tags = await certificateTags(acm, arn);
    if (tags[PLATFORM_TAG] === config.platform) ours.push({ certificate, tags });
    else others.push(arn);
  }
  if (ours.length === 0 && others.length > 0) {
    report.info(`${others.length} certificate(s) for ${config.dns.domain} are not tagged for platform ${config.platform} and are left alone: ${others.join(", ")}`);
  }
  return ours.sort((a, b) => preferred(a.certificate, b.certificate))[0];
}

function acmError(error: unknown, action: string, target: AwsCallTarget): BtpAwsError {
  const code = awsErrorCode(error);
  const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
  if (code === "LimitExceededException") {
    return new BtpAwsError(`${action}: ${code}: ${detail}`, { cause: error, hint: "delete unused certificates or raise the quota ACM certificates (service quotas: acm L-F141DD1D), then run again" });
  }
  if (code === "InvalidDomainValidationOptionsException" || code === "ValidationException" || code === "InvalidParameterException") {
    return new BtpAwsError(`dns.domain: ACM rejected the certificate request: ${code}: ${detail}`, { cause: error, hint: "dns.domain must be a public DNS name you own, under dns.hostedZoneId" });
  }
  if (code === "InvalidTagException" || code === "TooManyTagsException" || code === "TagPolicyException") {
    return new BtpAwsError(`tags: ACM rejected the certificate's tags: ${code}: ${detail}`, { cause: error, hint: "fix the tags section of the config (tag policies of your organization may apply), then run again" });
  }
  return describeAwsError(error, action, target);
}

function recordsComplete(certificate: Certificate): boolean {
  if (certificate.status === "ISSUED") return true;
  return certificate.validations.length > 0 && certificate.validations.every((v) => v.record !== undefined);
}

/** Until ACM has published a validation record for every name (seconds after the request). */
async function withRecords(acm: ACMClient, arn: string, context: Context, report: Reporter): Promise<Certificate> {
  return waitFor<Certificate>({
    what: `ACM to publish the DNS validation records of ${arn}`,
    observe: async () => {
      const certificate = await describeCertificate(acm, arn);
      if (!certificate) return { state: "pending", status: "NOT_VISIBLE_YET" };
      if (certificate.status !== "ISSUED" && certificate.status !== "PENDING_VALIDATION") {
        return { state: "failed", status: certificate.status, reason: certificate.failureReason ?? "no reason given" };
      }
      return recordsComplete(certificate) ? { state: "ready", value: certificate, status: certificate.status } : { state: "pending", status: "WAITING_FOR_RECORDS" };
    },
    timeoutMs: RECORDS_TIMEOUT_MS,
    intervalMs: RECORDS_POLL_MS,
    settings: context.services.wait,
    onStatus: (text) => report.status(text),
    signal: context.signal,
  });
}

async function issued(acm: ACMClient, arn: string, context: Context, report: Reporter): Promise<Certificate> {
  return waitFor<Certificate>({
    what: `certificate ${arn} to be ISSUED`,
    observe: async () => {
      const certificate = await describeCertificate(acm, arn);
      if (!certificate) return { state: "failed", status: "DELETED", reason: "the certificate was deleted while waiting" };
      if (certificate.status === "ISSUED") return { state: "ready", value: certificate, status: certificate.status };
      if (certificate.status === "PENDING_VALIDATION") return { state: "pending", status: certificate.status };
      return { state: "failed", status: certificate.status, reason: certificate.failureReason ?? "no reason given" };
    },
    timeoutMs: ISSUE_TIMEOUT_MS,
    intervalMs: ISSUE_POLL_MS,
    settings: context.services.wait,
    onStatus: (text) => report.status(text),
    signal: context.signal,
    hint: `ACM has not seen the validation records yet: check that public DNS delegates ${context.config.dns.domain} to hosted zone ${context.config.dns.hostedZoneId} (prepare shows the name servers to set at the registrar), then run again to keep waiting`,
  });
}

export const acmStep: Step<Services> = {
  id: "infra/acm",
  title: "ACM certificate",
  phase: "infra",
  needs: ["prepare/credentials"],
  describe: (config) => [
    `request or adopt a certificate for ${config.dns.domain} and *.${config.dns.domain} (DNS validation)`,
    `write its validation record into hosted zone ${config.dns.hostedZoneId} and wait until it is ISSUED`,
  ],
  async run(context, report) {
    const { config, services } = context;
    const { domain, hostedZoneId } = config.dns;
    const target: AwsCallTarget = { endpoint: services.aws.endpoint, region: config.aws.region };
    const tags = platformTags(config, { Name: `btp-${config.platform}` });
    const acm = await services.aws.acm();
    const route53 = await services.aws.route53();
    const done: string[] = [];

    report.status(`looking for a certificate for ${domain}`);
    let found: Found | undefined;
    try {
      found = await locate(acm, context, report);
    } catch (error) {
      throw acmError(error, `look for certificates of ${domain} (acm:ListCertificates, acm:DescribeCertificate, acm:ListTagsForCertificate)`, target);
    }
    let arn: string;
    if (found) {
      arn = found.certificate.arn;
      const absent = missingTags(found.tags, tags);
      if (Object.keys(absent).length > 0) {
        try {
          await tagCertificate(acm, arn, absent);
        } catch (error) {
          throw acmError(error, `tag certificate ${arn} (acm:AddTagsToCertificate)`, target);
        }
        done.push(`tags ${Object.keys(absent).join(", ")} set`);
      }
    } else {
      report.status(`requesting a certificate for ${domain}`);
      try {
        arn = await requestCertificate(acm, { domain, alternativeNames: wantedNames(config), idempotencyToken: idempotencyToken(config), tags });
      } catch (error) {
        throw acmError(error, `request a certificate for ${domain} (acm:RequestCertificate)`, target);
      }
      report.info(`requested certificate ${arn} for ${domain} and *.${domain}`);
    }

    let certificate: Certificate;
    try {
      certificate = found && recordsComplete(found.certificate) ? found.certificate : await withRecords(acm, arn, context, report);
    } catch (error) {
      throw acmError(error, `read certificate ${arn} (acm:DescribeCertificate)`, target);
    }
    const records = validationRecords(certificate);
    const missing = await recordsMissingFromZone(route53, hostedZoneId, records, target);
    if (missing.length > 0) {
      report.status(`writing ${missing.length} validation record(s) to zone ${hostedZoneId}`);
      await writeValidationRecords(route53, hostedZoneId, missing, { settings: services.wait, onStatus: (text) => report.status(text), signal: context.signal, target });
      done.push(`validation record ${missing.map((r) => r.name).join(", ")} written to zone ${hostedZoneId}`);
    }

    if (certificate.status !== "ISSUED") {
      try {
        certificate = await issued(acm, arn, context, report);
      } catch (error) {
        throw acmError(error, `wait for certificate ${arn} (acm:DescribeCertificate)`, target);
      }
      done.push("issued");
    }

    if (done.length > 0) report.info(`certificate ${arn}: ${done.join("; ")}`);
    else report.skip(`certificate ${arn} for ${domain} and *.${domain} is ISSUED; its validation record is in zone ${hostedZoneId}`);
    return { certificateArn: arn };
  },
};
