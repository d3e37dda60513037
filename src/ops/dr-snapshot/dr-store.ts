/**
 * dr/key and dr/bucket: the DR region's KMS key (alias/btp-<platform>-dr) and bucket
 * (btp-<platform>-dr-<account>-<region>: versioned, SSE-KMS with that key, public access blocked,
 * TLS only). Each is adopted when it exists and carries the platform's tag, created otherwise,
 * and its settings are put right on every run. The bucket stage also reads the set's manifest
 * back when --id names a set that was started before: that is how a re-run resumes.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { describeAwsError } from "../../aws/errors.js";
import { createAlias, createKey, describeKey, enableRotation, findKeysByTags, keyTags, rotationEnabled } from "../../aws/kms.js";
import {
  blockAllPublicAccess, bucketEncryption, bucketPolicy, bucketTags, createBucket, enableVersioning, headBucket, publicAccessBlock, putBucketPolicy, putBucketTags,
  putKmsEncryption, versioningStatus,
} from "../../aws/s3.js";
import { belongsTo, missingTags, PLATFORM_TAG, platformTags } from "../../aws/tags.js";
import { BtpAwsError } from "../../errors.js";
import { policyToWrite } from "../../phases/infra/s3-policy.js";
import type { Reporter } from "../../plan/types.js";
import type { Stage } from "../destroy/types.js";
import { parseManifest, type Manifest } from "./manifest.js";
import { drKeyAlias, manifestKey } from "./names.js";
import { getObjectText } from "./s3-objects.js";
import type { DrContext } from "./types.js";

/** Runs one AWS call; a failure names the action and the region it was aimed at. */
export async function call<T>(context: DrContext, region: string, action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw describeAwsError(error, action, { endpoint: context.services.aws.endpoint, region });
  }
}

export function drTags(context: DrContext, extra: Record<string, string> = {}): Record<string, string> {
  return platformTags({ platform: context.target.platform, tags: context.target.tags }, { "btp-aws:role": "dr", ...extra });
}

/** Only the account may use the key, through IAM policies: no service needs a grant of its own. */
function drKeyPolicy(context: DrContext): string {
  const { partition, account } = context.target;
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "AccountAdministration", Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: "kms:*", Resource: "*" }],
  });
}

export const drKeyStage: Stage<DrContext> = {
  id: "dr/key",
  title: "DR KMS key",
  phase: "infra",
  async survey(context) {
    const { drRegion, platform } = context.target;
    const alias = drKeyAlias(platform);
    const key = await call(context, drRegion, `read ${alias} (kms:DescribeKey)`, async () => describeKey(await context.services.aws.kms(drRegion), alias));
    return [{ resource: key ? `KMS key ${alias} in ${drRegion} (${key.keyId}, adopted)` : `KMS key ${alias} in ${drRegion} (created, rotation on)` }];
  },
  async run(context, report) {
    const { drRegion, platform } = context.target;
    const alias = drKeyAlias(platform);
    const kms = await context.services.aws.kms(drRegion);
    const tags = drTags(context, { Name: alias.slice("alias/".length) });
    const found = await call(context, drRegion, `read ${alias} (kms:DescribeKey)`, () => describeKey(kms, alias));
    let key = found;
    if (found) {
      const owner = (await call(context, drRegion, `read the tags of ${found.keyId} (kms:ListResourceTags)`, () => keyTags(kms, found.keyId)))[PLATFORM_TAG];
      if (owner !== platform) throw new BtpAwsError(`${alias} in ${drRegion} points at key ${found.keyId}, which is not tagged ${PLATFORM_TAG}=${platform}`, { hint: "point the alias at the platform's DR key, or delete the alias, then run again" });
      if (found.state !== "Enabled") throw new BtpAwsError(`DR key ${found.keyId} (${alias}) in ${drRegion} is ${found.state}`, { hint: `enable it (aws kms enable-key --key-id ${found.keyId} --region ${drRegion}; cancel-key-deletion first if it is pending deletion), then run again` });
    } else {
      const tagged = (await call(context, drRegion, "find the DR key by its tags (kms:ListKeys, kms:ListResourceTags)", () => findKeysByTags(kms, { [PLATFORM_TAG]: platform, "btp-aws:role": "dr" })))[0];
      key = tagged ?? (await call(context, drRegion, `create the DR key (kms:CreateKey)`, () => createKey(kms, { description: `btp-aws platform ${platform}: disaster-recovery copies`, policy: drKeyPolicy(context), tags })));
      const keyId = key.keyId;
      await call(context, drRegion, `create alias ${alias} (kms:CreateAlias)`, () => createAlias(kms, alias, keyId));
      report.info(tagged ? `adopted DR key ${keyId} and pointed ${alias} at it` : `created DR key ${keyId} (${alias}) in ${drRegion}`);
    }
    const keyId = key!.keyId;
    if (!(await call(context, drRegion, `read the rotation of ${keyId} (kms:GetKeyRotationStatus)`, () => rotationEnabled(kms, keyId)))) {
      await call(context, drRegion, `turn on rotation of ${keyId} (kms:EnableKeyRotation)`, () => enableRotation(kms, keyId));
    }
    context.dr.keyArn = key!.arn;
    context.manifest.drKeyArn = key!.arn;
    if (found) report.skip(`DR key ${keyId} (${alias}) in ${drRegion} is in place`);
  },
};

/** Puts each bucket setting right; returns what it changed. */
async function settle(context: DrContext, s3: S3Client, keyArn: string): Promise<string[]> {
  const { drRegion } = context.target;
  const bucket = context.dr.bucket;
  const changed: string[] = [];
  const at = (what: string) => `${what} of bucket ${bucket.name}`;
  if ((await call(context, drRegion, at("read the versioning (s3:GetBucketVersioning)"), () => versioningStatus(s3, bucket))) !== "Enabled") {
    await call(context, drRegion, at("turn on the versioning (s3:PutBucketVersioning)"), () => enableVersioning(s3, bucket));
    changed.push("versioning on");
  }
  const encryption = await call(context, drRegion, at("read the encryption (s3:GetEncryptionConfiguration)"), () => bucketEncryption(s3, bucket));
  if (encryption?.algorithm !== "aws:kms" || encryption.keyId !== keyArn) {
    await call(context, drRegion, at("set SSE-KMS (s3:PutEncryptionConfiguration)"), () => putKmsEncryption(s3, bucket, keyArn));
    changed.push("SSE-KMS with the DR key");
  }
  const block = await call(context, drRegion, at("read the public access block (s3:GetBucketPublicAccessBlock)"), () => publicAccessBlock(s3, bucket));
  if (!block || !Object.values(block).every(Boolean)) {
    await call(context, drRegion, at("block public access (s3:PutBucketPublicAccessBlock)"), () => blockAllPublicAccess(s3, bucket));
    changed.push("public access blocked");
  }
  const arn = `arn:${context.target.partition}:s3:::${bucket.name}`;
  const policy = policyToWrite(await call(context, drRegion, at("read the policy (s3:GetBucketPolicy)"), () => bucketPolicy(s3, bucket)), arn);
  if (policy !== undefined) {
    await call(context, drRegion, at("require TLS (s3:PutBucketPolicy)"), () => putBucketPolicy(s3, bucket, policy));
    changed.push("TLS-only policy");
  }
  return changed;
}

/** The captured parts of a manifest, to compare two states of one set. */
export function partsOf(manifest: Manifest): string {
  return JSON.stringify([manifest.rds, manifest.s3, manifest.kubernetes, manifest.vault, manifest.volumes]);
}

async function resume(context: DrContext, s3: S3Client, report: Reporter): Promise<void> {
  const { drRegion } = context.target;
  const text = await call(context, drRegion, `read the manifest of set ${context.options.setId} (s3:GetObject)`, () => getObjectText(s3, context.dr.bucket, manifestKey(context.options.setId)));
  const earlier = text === undefined ? undefined : parseManifest(text);
  if (!earlier) return;
  if (earlier.status === "complete") {
    report.info(`set ${earlier.id} is complete (${earlier.finishedAt ?? ""}): checking it, nothing is captured twice`);
    context.completeBefore = partsOf(earlier);
  }
  const done = (["rds", "s3", "volumes", "kubernetes", "vault"] as const).filter((part) => earlier[part] !== undefined);
  if (earlier.status === "partial") report.info(`resuming set ${earlier.id} started ${earlier.startedAt}${done.length > 0 ? `: ${done.join(", ")} already captured` : ""}`);
  context.manifest = { ...earlier, status: "partial", drKeyArn: context.manifest.drKeyArn };
}

export const drBucketStage: Stage<DrContext> = {
  id: "dr/bucket",
  title: "DR bucket",
  phase: "infra",
  async survey(context) {
    const { drRegion } = context.target;
    const presence = await call(context, drRegion, `look for bucket ${context.dr.bucket.name} (s3:ListBucket)`, async () => headBucket(await context.services.aws.s3(drRegion), context.dr.bucket));
    return [{ resource: `bucket ${context.dr.bucket.name} in ${drRegion} (${presence.state === "owned" ? "adopted" : "created: versioned, SSE-KMS with the DR key, public access blocked, TLS only"})` }];
  },
  async run(context, report) {
    const { drRegion, platform } = context.target;
    const keyArn = context.dr.keyArn;
    if (keyArn === undefined) throw new BtpAwsError("internal: dr/bucket ran before dr/key");
    const s3 = await context.services.aws.s3(drRegion);
    const bucket = context.dr.bucket;
    const tags = drTags(context, { Name: bucket.name });
    const presence = await call(context, drRegion, `look for bucket ${bucket.name} (s3:ListBucket)`, () => headBucket(s3, bucket));
    if (presence.state === "forbidden") throw new BtpAwsError(`bucket ${bucket.name} exists but does not belong to account ${bucket.owner}`, { hint: "S3 bucket names are global: remove that bucket or run with the account that owns it" });
    const created = presence.state === "missing";
    if (created) await call(context, drRegion, `create bucket ${bucket.name} (s3:CreateBucket)`, () => createBucket(s3, bucket.name, drRegion));
    const current = await call(context, drRegion, `read the tags of bucket ${bucket.name} (s3:GetBucketTagging)`, () => bucketTags(s3, bucket));
    if (!created && !belongsTo(current, platform)) throw new BtpAwsError(`bucket ${bucket.name} exists but is not tagged ${PLATFORM_TAG}=${platform}`, { hint: "tag it if it is this platform's DR bucket, or remove it, then run again" });
    if (Object.keys(missingTags(current, tags)).length > 0) await call(context, drRegion, `tag bucket ${bucket.name} (s3:PutBucketTagging)`, () => putBucketTags(s3, bucket, { ...current, ...tags }));
    const changed = await settle(context, s3, keyArn);
    context.manifest.drBucket = bucket.name;
    await resume(context, s3, report);
    if (created) report.info(`created bucket ${bucket.name} in ${drRegion}: ${changed.join(", ")}`);
    else if (changed.length > 0) report.info(`bucket ${bucket.name}: ${changed.join(", ")}`);
    else report.skip(`bucket ${bucket.name} in ${drRegion} is in place`);
  },
};
