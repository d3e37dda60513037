/** The ACM calls the installer makes, as domain operations. "Not found" is `undefined`. */
import type { ACMClient, CertificateStatus } from "@aws-sdk/client-acm";
import { awsErrorCode } from "./errors.js";
import { tagList, tagMap, type TagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

export interface DnsRecord {
  name: string;
  type: string;
  value: string;
}

export interface DomainValidation {
  domain: string;
  /** PENDING_VALIDATION, SUCCESS, FAILED. */
  status: string | undefined;
  /** ACM fills this in a few seconds after the request; until then it is undefined. */
  record: DnsRecord | undefined;
}

export interface Certificate {
  arn: string;
  domain: string;
  /** Every name the certificate covers, the domain included. */
  names: string[];
  /** PENDING_VALIDATION, ISSUED, INACTIVE, EXPIRED, VALIDATION_TIMED_OUT, REVOKED, FAILED. */
  status: string;
  failureReason: string | undefined;
  notAfter: Date | undefined;
  /** AMAZON_ISSUED, IMPORTED, PRIVATE. */
  type: string | undefined;
  validations: DomainValidation[];
}

export async function describeCertificate(acm: ACMClient, arn: string): Promise<Certificate | undefined> {
  const { DescribeCertificateCommand } = await loadSdk("@aws-sdk/client-acm");
  try {
    const { Certificate: c } = await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
    if (!c?.CertificateArn || !c.DomainName) return undefined;
    return {
      arn: c.CertificateArn,
      domain: c.DomainName,
      names: c.SubjectAlternativeNames ?? [c.DomainName],
      status: c.Status ?? "UNKNOWN",
      failureReason: c.FailureReason,
      notAfter: c.NotAfter,
      type: c.Type,
      validations: (c.DomainValidationOptions ?? []).map((o) => ({
        domain: o.DomainName ?? "",
        status: o.ValidationStatus,
        record: o.ResourceRecord?.Name && o.ResourceRecord.Value ? { name: o.ResourceRecord.Name, type: o.ResourceRecord.Type ?? "CNAME", value: o.ResourceRecord.Value } : undefined,
      })),
    };
  } catch (error) {
    // An ARN from state whose certificate was deleted, or a malformed one.
    if (["ResourceNotFoundException", "InvalidArnException"].includes(awsErrorCode(error) ?? "")) return undefined;
    throw error;
  }
}

/** ARNs of the certificates for exactly this domain name in the given statuses. */
export async function certificatesForDomain(acm: ACMClient, domain: string, statuses: readonly CertificateStatus[]): Promise<string[]> {
  const { paginateListCertificates } = await loadSdk("@aws-sdk/client-acm");
  const arns: string[] = [];
  for await (const page of paginateListCertificates({ client: acm }, { CertificateStatuses: [...statuses] })) {
    for (const summary of page.CertificateSummaryList ?? []) {
      if (summary.CertificateArn && summary.DomainName?.toLowerCase() === domain.toLowerCase()) arns.push(summary.CertificateArn);
    }
  }
  return arns;
}

export async function certificateTags(acm: ACMClient, arn: string): Promise<Record<string, string>> {
  const { ListTagsForCertificateCommand } = await loadSdk("@aws-sdk/client-acm");
  const { Tags } = await acm.send(new ListTagsForCertificateCommand({ CertificateArn: arn }));
  return tagMap(Tags);
}

export interface CertificateRequest {
  domain: string;
  alternativeNames: string[];
  /** Same token within an hour → the same certificate: a retried request does not make two. */
  idempotencyToken: string;
  tags: TagMap;
}

/** Requests a DNS-validated public certificate; returns its ARN. */
export async function requestCertificate(acm: ACMClient, request: CertificateRequest): Promise<string> {
  const { RequestCertificateCommand } = await loadSdk("@aws-sdk/client-acm");
  const { CertificateArn } = await acm.send(new RequestCertificateCommand({
    DomainName: request.domain,
    SubjectAlternativeNames: request.alternativeNames,
    ValidationMethod: "DNS",
    IdempotencyToken: request.idempotencyToken,
    Tags: tagList(request.tags),
  }));
  if (!CertificateArn) throw new Error("acm:RequestCertificate returned no certificate ARN");
  return CertificateArn;
}

export async function tagCertificate(acm: ACMClient, arn: string, tags: TagMap): Promise<void> {
  const { AddTagsToCertificateCommand } = await loadSdk("@aws-sdk/client-acm");
  await acm.send(new AddTagsToCertificateCommand({ CertificateArn: arn, Tags: tagList(tags) }));
}
