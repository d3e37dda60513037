/**
 * The certificate's DNS validation records in the platform's hosted zone.
 *
 * ACM gives `domain` and `*.domain` the same CNAME, so the records are de-duplicated before they
 * are compared and written. They stay in the zone after issue: ACM renews the certificate
 * through them every year, so a deleted record is put back on the next run.
 */
import type { Route53Client } from "@aws-sdk/client-route-53";
import type { Certificate, DnsRecord } from "../../aws/acm.js";
import { awsErrorCode, describeAwsError, type AwsCallTarget } from "../../aws/errors.js";
import { findRecordSet, normalizeName, upsertRecords, waitForChange, type RecordToWrite, type WaitControl } from "../../aws/route53.js";
import { BtpAwsError } from "../../errors.js";

// What ACM's console writes; the value never changes for a certificate, so caching is harmless.
const VALIDATION_TTL = 300;

/** One record per distinct name and value, in a stable order. */
export function validationRecords(certificate: Certificate): DnsRecord[] {
  const byKey = new Map<string, DnsRecord>();
  for (const validation of certificate.validations) {
    const record = validation.record;
    if (!record) continue;
    const normalized = { name: normalizeName(record.name), type: record.type, value: normalizeName(record.value) };
    byKey.set(`${normalized.name} ${normalized.type} ${normalized.value}`, normalized);
  }
  return [...byKey.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function zoneError(error: unknown, zoneId: string, action: string, target: AwsCallTarget): BtpAwsError {
  const code = awsErrorCode(error);
  const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
  if (code === "NoSuchHostedZone") {
    return new BtpAwsError(`dns.hostedZoneId: hosted zone ${zoneId} does not exist`, { cause: error, hint: "set dns.hostedZoneId to the public hosted zone that contains dns.domain (aws route53 list-hosted-zones)" });
  }
  if (code === "InvalidChangeBatch" || code === "InvalidInput") {
    return new BtpAwsError(`dns.hostedZoneId: Route 53 refused the certificate's validation records in zone ${zoneId}: ${code}: ${detail}`, {
      cause: error,
      hint: "the zone must be the public hosted zone that contains dns.domain",
    });
  }
  return describeAwsError(error, action, target);
}

/** The records the zone lacks or holds with another value. */
export async function recordsMissingFromZone(route53: Route53Client, zoneId: string, records: readonly DnsRecord[], target: AwsCallTarget): Promise<DnsRecord[]> {
  const missing: DnsRecord[] = [];
  for (const record of records) {
    let found;
    try {
      found = await findRecordSet(route53, zoneId, record.name, "CNAME");
    } catch (error) {
      throw zoneError(error, zoneId, `read records of hosted zone ${zoneId} (route53:ListResourceRecordSets)`, target);
    }
    const same = found?.values.length === 1 && normalizeName(found.values[0]!) === record.value;
    if (!same) missing.push(record);
  }
  return missing;
}

/** UPSERTs the records and waits until Route 53 serves them everywhere. */
export async function writeValidationRecords(route53: Route53Client, zoneId: string, records: readonly DnsRecord[], control: WaitControl & { target: AwsCallTarget }): Promise<void> {
  const changes: RecordToWrite[] = records.map((r) => ({ name: r.name, type: "CNAME", ttl: VALIDATION_TTL, values: [r.value] }));
  let changeId: string;
  try {
    changeId = await upsertRecords(route53, zoneId, changes, "btp-aws: ACM DNS validation");
  } catch (error) {
    throw zoneError(error, zoneId, `write the certificate's validation records to hosted zone ${zoneId} (route53:ChangeResourceRecordSets)`, control.target);
  }
  try {
    await waitForChange(route53, changeId, control);
  } catch (error) {
    throw describeAwsError(error, `wait for Route 53 change ${changeId} (route53:GetChange)`, control.target);
  }
}
