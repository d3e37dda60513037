/**
 * The S3 object calls dr-snapshot makes. Copies carry the source object's ETag as metadata: an
 * SSE-KMS object's ETag is not a digest of its content, so the copy's own ETag never equals the
 * source's, and "already copied" has to be recorded on the copy itself.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { awsErrorCode } from "../../aws/errors.js";
import type { BucketRef } from "../../aws/s3.js";
import { loadSdk } from "../../aws/sdk.js";

export const SOURCE_ETAG = "btp-aws-source-etag";
/** CopyObject's limit; bigger objects need a multipart copy. */
export const SINGLE_COPY_LIMIT = 5 * 1024 ** 3;

export interface ObjectSummary {
  key: string;
  etag: string;
  size: number;
}

export async function listObjects(s3: S3Client, bucket: BucketRef, prefix = ""): Promise<ObjectSummary[]> {
  const { paginateListObjectsV2 } = await loadSdk("@aws-sdk/client-s3");
  const found: ObjectSummary[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket.name, ExpectedBucketOwner: bucket.owner, Prefix: prefix })) {
    for (const o of page.Contents ?? []) if (o.Key !== undefined) found.push({ key: o.Key, etag: o.ETag ?? "", size: o.Size ?? 0 });
  }
  return found;
}

/** The "directories" right below `prefix` ("sets/a/", "sets/b/"). */
export async function childPrefixes(s3: S3Client, bucket: BucketRef, prefix: string): Promise<string[]> {
  const { paginateListObjectsV2 } = await loadSdk("@aws-sdk/client-s3");
  const found: string[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket.name, ExpectedBucketOwner: bucket.owner, Prefix: prefix, Delimiter: "/" })) {
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix) found.push(p.Prefix);
  }
  return found;
}

export interface ObjectHead {
  versionId: string | undefined;
  metadata: Record<string, string>;
  size: number;
}

export async function headObject(s3: S3Client, bucket: BucketRef, key: string): Promise<ObjectHead | undefined> {
  const { HeadObjectCommand } = await loadSdk("@aws-sdk/client-s3");
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner, Key: key }));
    return { versionId: head.VersionId, metadata: head.Metadata ?? {}, size: head.ContentLength ?? 0 };
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || awsErrorCode(error) === "NotFound" || awsErrorCode(error) === "NoSuchKey") return undefined;
    throw error;
  }
}

/** Server-side copy into the DR bucket, encrypted with the DR key; returns the new version id. */
export async function copyObject(s3: S3Client, spec: { source: BucketRef; sourceKey: string; sourceEtag: string; target: BucketRef; targetKey: string; kmsKeyArn: string }): Promise<string | undefined> {
  const { CopyObjectCommand } = await loadSdk("@aws-sdk/client-s3");
  const { VersionId } = await s3.send(new CopyObjectCommand({
    CopySource: `${spec.source.name}/${encodeURIComponent(spec.sourceKey).replace(/%2F/g, "/")}`,
    ExpectedSourceBucketOwner: spec.source.owner,
    Bucket: spec.target.name,
    ExpectedBucketOwner: spec.target.owner,
    Key: spec.targetKey,
    // The source's ETag guards against the object changing between listing and copying.
    CopySourceIfMatch: spec.sourceEtag,
    MetadataDirective: "REPLACE",
    Metadata: { [SOURCE_ETAG]: spec.sourceEtag },
    ServerSideEncryption: "aws:kms",
    SSEKMSKeyId: spec.kmsKeyArn,
    BucketKeyEnabled: true,
  }));
  return VersionId;
}

export async function putObject(s3: S3Client, bucket: BucketRef, key: string, body: Uint8Array | string, kmsKeyArn: string, contentType: string): Promise<string | undefined> {
  const { PutObjectCommand } = await loadSdk("@aws-sdk/client-s3");
  const { VersionId } = await s3.send(new PutObjectCommand({
    Bucket: bucket.name, ExpectedBucketOwner: bucket.owner, Key: key, Body: body, ContentType: contentType,
    ServerSideEncryption: "aws:kms", SSEKMSKeyId: kmsKeyArn, BucketKeyEnabled: true,
  }));
  return VersionId;
}

export async function getObjectText(s3: S3Client, bucket: BucketRef, key: string): Promise<string | undefined> {
  const { GetObjectCommand } = await loadSdk("@aws-sdk/client-s3");
  try {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner, Key: key }));
    return Body ? await Body.transformToString("utf8") : undefined;
  } catch (error) {
    if (awsErrorCode(error) === "NoSuchKey") return undefined;
    throw error;
  }
}

export async function getObjectBytes(s3: S3Client, bucket: BucketRef, key: string): Promise<Uint8Array | undefined> {
  const { GetObjectCommand } = await loadSdk("@aws-sdk/client-s3");
  try {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner, Key: key }));
    return Body ? await Body.transformToByteArray() : undefined;
  } catch (error) {
    if (awsErrorCode(error) === "NoSuchKey") return undefined;
    throw error;
  }
}

export interface ObjectVersion {
  key: string;
  versionId: string;
  latest: boolean;
}

/** Every version and delete marker under `prefix`. */
export async function objectVersions(s3: S3Client, bucket: BucketRef, prefix: string): Promise<ObjectVersion[]> {
  const { ListObjectVersionsCommand } = await loadSdk("@aws-sdk/client-s3");
  const found: ObjectVersion[] = [];
  let marker: { KeyMarker?: string; VersionIdMarker?: string } = {};
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner, Prefix: prefix, ...marker }));
    for (const v of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
      if (v.Key !== undefined && v.VersionId !== undefined) found.push({ key: v.Key, versionId: v.VersionId, latest: v.IsLatest === true });
    }
    if (page.IsTruncated !== true) return found;
    marker = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
  }
}

/** Deletes these versions for good (not a delete marker), 1,000 at a time. */
export async function deleteVersions(s3: S3Client, bucket: BucketRef, versions: readonly ObjectVersion[]): Promise<void> {
  const { DeleteObjectsCommand } = await loadSdk("@aws-sdk/client-s3");
  for (let i = 0; i < versions.length; i += 1000) {
    const batch = versions.slice(i, i + 1000).map((v) => ({ Key: v.key, VersionId: v.versionId }));
    const answer = await s3.send(new DeleteObjectsCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner, Delete: { Objects: batch, Quiet: true } }));
    const failed = answer.Errors?.[0];
    if (failed) throw Object.assign(new Error(`${failed.Key ?? "?"}: ${failed.Message ?? "not deleted"}`), { name: failed.Code ?? "DeleteObjectsFailed", $metadata: {} });
  }
}
