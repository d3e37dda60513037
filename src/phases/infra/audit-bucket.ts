/**
 * The account's audit-log bucket for CloudTrail and AWS Config: private, versioned, encrypted,
 * TLS-only, writable by those two services for this account only. Named for the account and
 * region, not a platform, and tagged without the platform tag: it is account-wide, adopted by
 * every platform that asks for it, and `btp-aws destroy` never deletes it.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { blockAllPublicAccess, bucketEncryption, bucketPolicy, createBucket, enableVersioning, headBucket, publicAccessBlock, putBucketPolicy, putBucketTags, putS3ManagedEncryption, versioningStatus, type BucketRef } from "../../aws/s3.js";
import { MANAGED_BY, MANAGED_BY_TAG } from "../../aws/tags.js";
import { BtpAwsError } from "../../errors.js";

export const ACCOUNT_SERVICE_TAG = "btp-aws:account-service";
export const CONFIG_PREFIX = "config";

export function auditBucketName(account: string, region: string): string {
  return `btp-aws-audit-${account}-${region}`;
}

export function auditBucketPolicy(bucket: string, account: string, partition: string): Record<string, unknown> {
  const arn = `arn:${partition}:s3:::${bucket}`;
  const sourceAccount = { StringEquals: { "aws:SourceAccount": account } };
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "AuditServicesAclCheck", Effect: "Allow", Principal: { Service: ["cloudtrail.amazonaws.com", "config.amazonaws.com"] }, Action: ["s3:GetBucketAcl", "s3:ListBucket"], Resource: arn, Condition: sourceAccount },
      { Sid: "CloudTrailWrite", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "s3:PutObject", Resource: `${arn}/AWSLogs/${account}/*`, Condition: sourceAccount },
      { Sid: "ConfigWrite", Effect: "Allow", Principal: { Service: "config.amazonaws.com" }, Action: "s3:PutObject", Resource: `${arn}/${CONFIG_PREFIX}/AWSLogs/${account}/Config/*`, Condition: sourceAccount },
      { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
    ],
  };
}

/** Creates or completes the bucket; returns what it changed (empty: all in place). */
export async function ensureAuditBucket(s3: S3Client, spec: { account: string; region: string; partition: string }): Promise<{ bucket: string; changes: string[] }> {
  const bucket: BucketRef = { name: auditBucketName(spec.account, spec.region), owner: spec.account };
  const changes: string[] = [];
  const presence = await headBucket(s3, bucket);
  if (presence.state === "forbidden") {
    throw new BtpAwsError(`bucket ${bucket.name} exists but this account cannot use it`, { hint: "set security.cloudTrail and security.awsConfig to false, or remove that bucket, then run again" });
  }
  if (presence.state === "missing") {
    await createBucket(s3, bucket.name, spec.region);
    await putBucketTags(s3, bucket, { [MANAGED_BY_TAG]: MANAGED_BY, [ACCOUNT_SERVICE_TAG]: "audit-logs" });
    changes.push(`created audit bucket ${bucket.name}`);
  }
  const block = await publicAccessBlock(s3, bucket);
  if (!block || !Object.values(block).every(Boolean)) {
    await blockAllPublicAccess(s3, bucket);
    changes.push("blocked public access");
  }
  if ((await versioningStatus(s3, bucket)) !== "Enabled") {
    await enableVersioning(s3, bucket);
    changes.push("turned versioning on");
  }
  if ((await bucketEncryption(s3, bucket))?.algorithm === undefined) {
    await putS3ManagedEncryption(s3, bucket);
    changes.push("turned default encryption on");
  }
  const wanted = auditBucketPolicy(bucket.name, spec.account, spec.partition);
  const current = await bucketPolicy(s3, bucket);
  if (current === undefined || JSON.stringify(JSON.parse(current)) !== JSON.stringify(wanted)) {
    await putBucketPolicy(s3, bucket, JSON.stringify(wanted));
    changes.push("set the bucket policy for CloudTrail and Config");
  }
  return { bucket: bucket.name, changes };
}
