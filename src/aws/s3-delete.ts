/**
 * Emptying and deleting a versioned bucket (destroy --delete-data). A versioned bucket can be
 * deleted only when every object version and every delete marker is gone, so all are listed
 * and deleted in batches of 1,000 (DeleteObjects' limit).
 */
import type { ObjectIdentifier, S3Client } from "@aws-sdk/client-s3";
import { deleteUnlessGone } from "./idempotent-delete.js";
import type { BucketRef } from "./s3.js";
import { loadSdk } from "./sdk.js";

/** Deletes every version and delete marker; returns how many it deleted. `onProgress` gets running totals. */
export async function emptyBucket(s3: S3Client, bucket: BucketRef, onProgress?: (deleted: number) => void): Promise<number> {
  const { DeleteObjectsCommand, ListObjectVersionsCommand } = await loadSdk("@aws-sdk/client-s3");
  let deleted = 0;
  for (;;) {
    // Always from the start: deleting shifts the listing, so markers from a previous page could skip keys.
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner, MaxKeys: 1000 }));
    const batch: ObjectIdentifier[] = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
      .filter((v) => v.Key !== undefined)
      .map((v) => ({ Key: v.Key!, ...(v.VersionId ? { VersionId: v.VersionId } : {}) }))
      .slice(0, 1000);
    if (batch.length === 0) return deleted;
    const answer = await s3.send(new DeleteObjectsCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner, Delete: { Objects: batch, Quiet: true } }));
    const failed = answer.Errors?.[0];
    if (failed) throw Object.assign(new Error(`${failed.Key ?? "?"} (version ${failed.VersionId ?? "null"}): ${failed.Message ?? "not deleted"}`), { name: failed.Code ?? "DeleteObjectsFailed", $metadata: {} });
    deleted += batch.length;
    onProgress?.(deleted);
  }
}

export async function deleteBucket(s3: S3Client, bucket: BucketRef): Promise<boolean> {
  const { DeleteBucketCommand } = await loadSdk("@aws-sdk/client-s3");
  return deleteUnlessGone(["NoSuchBucket", "NotFound"], () => s3.send(new DeleteBucketCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner })));
}
