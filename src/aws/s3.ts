/**
 * The S3 bucket calls the installer makes, as domain operations. "Not configured" is `undefined`.
 *
 * Every call carries ExpectedBucketOwner: should the bucket ever belong to another account (a
 * deleted bucket whose name someone else took), AWS answers 403 instead of letting us read or
 * write a stranger's bucket.
 */
import type { BucketLocationConstraint, LifecycleRule, S3Client } from "@aws-sdk/client-s3";
import { awsErrorCode } from "./errors.js";
import { tagList, tagMap, type TagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

export type { LifecycleRule };

/** A bucket name with the account that must own it. */
export interface BucketRef {
  name: string;
  owner: string;
}

export type BucketPresence =
  | { state: "owned"; region: string | undefined }
  | { state: "missing" }
  /** 403: another account owns it, or we may not even look at it. */
  | { state: "forbidden" };

export interface BucketEncryption {
  algorithm: string | undefined;
  keyId: string | undefined;
  bucketKey: boolean;
}

export interface PublicAccessBlock {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}

function statusOf(error: unknown): number | undefined {
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata;
  return typeof metadata?.httpStatusCode === "number" ? metadata.httpStatusCode : undefined;
}

/** Runs a Get call; the listed error codes mean "this setting is not configured". */
async function unlessAbsent<T>(codes: readonly string[], call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (codes.includes(awsErrorCode(error) ?? "")) return undefined;
    throw error;
  }
}

/** HEAD has no body, so the SDK names errors after the HTTP status; the status decides. */
export async function headBucket(s3: S3Client, bucket: BucketRef): Promise<BucketPresence> {
  const { HeadBucketCommand } = await loadSdk("@aws-sdk/client-s3");
  try {
    const head = await s3.send(new HeadBucketCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner }));
    return { state: "owned", region: head.BucketRegion };
  } catch (error) {
    const status = statusOf(error);
    if (status === 404 || awsErrorCode(error) === "NotFound" || awsErrorCode(error) === "NoSuchBucket") return { state: "missing" };
    if (status === 403) return { state: "forbidden" };
    throw error;
  }
}

/** Creates the bucket with ACLs disabled. us-east-1 rejects a LocationConstraint naming itself. */
export async function createBucket(s3: S3Client, name: string, region: string): Promise<void> {
  const { CreateBucketCommand } = await loadSdk("@aws-sdk/client-s3");
  await s3.send(new CreateBucketCommand({
    Bucket: name,
    ObjectOwnership: "BucketOwnerEnforced",
    ...(region === "us-east-1" ? {} : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
  }));
}

export async function versioningStatus(s3: S3Client, bucket: BucketRef): Promise<string | undefined> {
  const { GetBucketVersioningCommand } = await loadSdk("@aws-sdk/client-s3");
  const { Status } = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner }));
  return Status;
}

export async function enableVersioning(s3: S3Client, bucket: BucketRef): Promise<void> {
  const { PutBucketVersioningCommand } = await loadSdk("@aws-sdk/client-s3");
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner, VersioningConfiguration: { Status: "Enabled" } }));
}

/** The default encryption rule; undefined when none is set (only on buckets from before 2023). */
export async function bucketEncryption(s3: S3Client, bucket: BucketRef): Promise<BucketEncryption | undefined> {
  const { GetBucketEncryptionCommand } = await loadSdk("@aws-sdk/client-s3");
  const result = await unlessAbsent(["ServerSideEncryptionConfigurationNotFoundError"], () =>
    s3.send(new GetBucketEncryptionCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner })));
  const rule = result?.ServerSideEncryptionConfiguration?.Rules?.[0];
  if (!rule) return undefined;
  return {
    algorithm: rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
    keyId: rule.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID,
    bucketKey: rule.BucketKeyEnabled === true,
  };
}

/**
 * SSE-S3 (AES-256, keys managed by S3): for the account's audit-log bucket, which CloudTrail and
 * Config must write to without a grant on any platform's key (and must outlive every platform).
 */
export async function putS3ManagedEncryption(s3: S3Client, bucket: BucketRef): Promise<void> {
  const { PutBucketEncryptionCommand } = await loadSdk("@aws-sdk/client-s3");
  await s3.send(new PutBucketEncryptionCommand({
    Bucket: bucket.name,
    ExpectedBucketOwner: bucket.owner,
    ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] },
  }));
}

/** SSE-KMS with the given key; bucket keys cut the KMS requests (and their cost) by ~99%. */
export async function putKmsEncryption(s3: S3Client, bucket: BucketRef, keyArn: string): Promise<void> {
  const { PutBucketEncryptionCommand } = await loadSdk("@aws-sdk/client-s3");
  await s3.send(new PutBucketEncryptionCommand({
    Bucket: bucket.name,
    ExpectedBucketOwner: bucket.owner,
    ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: keyArn }, BucketKeyEnabled: true }] },
  }));
}

export async function publicAccessBlock(s3: S3Client, bucket: BucketRef): Promise<PublicAccessBlock | undefined> {
  const { GetPublicAccessBlockCommand } = await loadSdk("@aws-sdk/client-s3");
  const result = await unlessAbsent(["NoSuchPublicAccessBlockConfiguration"], () =>
    s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner })));
  const c = result?.PublicAccessBlockConfiguration;
  if (!c) return undefined;
  return {
    blockPublicAcls: c.BlockPublicAcls === true,
    ignorePublicAcls: c.IgnorePublicAcls === true,
    blockPublicPolicy: c.BlockPublicPolicy === true,
    restrictPublicBuckets: c.RestrictPublicBuckets === true,
  };
}

export async function blockAllPublicAccess(s3: S3Client, bucket: BucketRef): Promise<void> {
  const { PutPublicAccessBlockCommand } = await loadSdk("@aws-sdk/client-s3");
  await s3.send(new PutPublicAccessBlockCommand({
    Bucket: bucket.name,
    ExpectedBucketOwner: bucket.owner,
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
  }));
}

/** Every lifecycle rule, ours and the user's; [] when the bucket has none. */
export async function lifecycleRules(s3: S3Client, bucket: BucketRef): Promise<LifecycleRule[]> {
  const { GetBucketLifecycleConfigurationCommand } = await loadSdk("@aws-sdk/client-s3");
  const result = await unlessAbsent(["NoSuchLifecycleConfiguration"], () =>
    s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner })));
  return result?.Rules ?? [];
}

/** Replaces the whole lifecycle configuration: pass the rules to keep along with ours. */
export async function putLifecycleRules(s3: S3Client, bucket: BucketRef, rules: LifecycleRule[]): Promise<void> {
  const { PutBucketLifecycleConfigurationCommand } = await loadSdk("@aws-sdk/client-s3");
  await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner, LifecycleConfiguration: { Rules: rules } }));
}

/** The bucket policy document (JSON text), or undefined when there is none. */
export async function bucketPolicy(s3: S3Client, bucket: BucketRef): Promise<string | undefined> {
  const { GetBucketPolicyCommand } = await loadSdk("@aws-sdk/client-s3");
  const result = await unlessAbsent(["NoSuchBucketPolicy"], () => s3.send(new GetBucketPolicyCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner })));
  return result?.Policy;
}

export async function putBucketPolicy(s3: S3Client, bucket: BucketRef, policy: string): Promise<void> {
  const { PutBucketPolicyCommand } = await loadSdk("@aws-sdk/client-s3");
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner, Policy: policy }));
}

/** "BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter", or undefined when unset. */
export async function objectOwnership(s3: S3Client, bucket: BucketRef): Promise<string | undefined> {
  const { GetBucketOwnershipControlsCommand } = await loadSdk("@aws-sdk/client-s3");
  const result = await unlessAbsent(["OwnershipControlsNotFoundError"], () =>
    s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner })));
  return result?.OwnershipControls?.Rules?.[0]?.ObjectOwnership;
}

export async function enforceBucketOwner(s3: S3Client, bucket: BucketRef): Promise<void> {
  const { PutBucketOwnershipControlsCommand } = await loadSdk("@aws-sdk/client-s3");
  await s3.send(new PutBucketOwnershipControlsCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner, OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] } }));
}

export async function bucketTags(s3: S3Client, bucket: BucketRef): Promise<Record<string, string>> {
  const { GetBucketTaggingCommand } = await loadSdk("@aws-sdk/client-s3");
  const result = await unlessAbsent(["NoSuchTagSet"], () => s3.send(new GetBucketTaggingCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner })));
  return tagMap(result?.TagSet);
}

/** Replaces every tag of the bucket: callers merge with the current tags first. */
export async function putBucketTags(s3: S3Client, bucket: BucketRef, tags: TagMap): Promise<void> {
  const { PutBucketTaggingCommand } = await loadSdk("@aws-sdk/client-s3");
  await s3.send(new PutBucketTaggingCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner, Tagging: { TagSet: tagList(tags) } }));
}
