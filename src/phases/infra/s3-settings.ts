/**
 * The bucket's settings, each as read → compare → write-only-when-different, so a re-run of an
 * intact bucket makes no mutating call and a setting changed out of band is put back alone.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { Config } from "../../config/schema.js";
import { awsErrorCode, describeAwsError, type AwsCallTarget } from "../../aws/errors.js";
import { BtpAwsError } from "../../errors.js";
import {
  blockAllPublicAccess, bucketEncryption, bucketPolicy, enableVersioning, enforceBucketOwner, lifecycleRules, objectOwnership,
  publicAccessBlock, putBucketPolicy, putKmsEncryption, putLifecycleRules, versioningStatus, type BucketRef,
} from "../../aws/s3.js";
import { isPlatformKey, type PlatformKey } from "./platform-key.js";
import { desiredLifecycleRule, lifecycleRulesToWrite } from "./s3-lifecycle.js";
import { policyToWrite } from "./s3-policy.js";

export interface BucketSetting {
  /** "versioning": used in messages. */
  readonly name: string;
  /** IAM actions, so an AccessDenied names the one that is missing. */
  readonly readAction: string;
  readonly writeAction: string;
  /** What the report says after writing it: "versioning enabled". */
  readonly done: string;
  /** Config fields that shape the written value, named when S3 rejects it. */
  readonly configFields?: string;
  /** Reads the current value; returns the write that fixes it, or undefined when it is as wanted. */
  check(s3: S3Client, bucket: BucketRef): Promise<(() => Promise<void>) | undefined>;
}

export interface BucketTargets {
  /** S3 reports the key the way it was given: any form of the platform key counts. */
  key: PlatformKey;
  bucketArn: string;
  storage: Config["storage"];
}

/** In write order: ownership and public access first, so the bucket is never open while the rest is applied. */
export function bucketSettings(targets: BucketTargets): BucketSetting[] {
  return [
    {
      name: "object ownership",
      readAction: "s3:GetBucketOwnershipControls",
      writeAction: "s3:PutBucketOwnershipControls",
      done: "ACLs disabled (BucketOwnerEnforced)",
      async check(s3, bucket) {
        return (await objectOwnership(s3, bucket)) === "BucketOwnerEnforced" ? undefined : () => enforceBucketOwner(s3, bucket);
      },
    },
    {
      name: "public access block",
      readAction: "s3:GetBucketPublicAccessBlock",
      writeAction: "s3:PutBucketPublicAccessBlock",
      done: "public access blocked",
      async check(s3, bucket) {
        const block = await publicAccessBlock(s3, bucket);
        const all = block !== undefined && block.blockPublicAcls && block.ignorePublicAcls && block.blockPublicPolicy && block.restrictPublicBuckets;
        return all ? undefined : () => blockAllPublicAccess(s3, bucket);
      },
    },
    {
      name: "versioning",
      readAction: "s3:GetBucketVersioning",
      writeAction: "s3:PutBucketVersioning",
      done: "versioning enabled",
      async check(s3, bucket) {
        return (await versioningStatus(s3, bucket)) === "Enabled" ? undefined : () => enableVersioning(s3, bucket);
      },
    },
    {
      name: "default encryption",
      readAction: "s3:GetEncryptionConfiguration",
      writeAction: "s3:PutEncryptionConfiguration",
      done: "default encryption SSE-KMS with the platform key and bucket keys",
      async check(s3, bucket) {
        const current = await bucketEncryption(s3, bucket);
        const ours = current?.algorithm === "aws:kms" && isPlatformKey(current.keyId, targets.key) && current.bucketKey;
        return ours ? undefined : () => putKmsEncryption(s3, bucket, targets.key.keyArn);
      },
    },
    {
      name: "lifecycle configuration",
      readAction: "s3:GetLifecycleConfiguration",
      writeAction: "s3:PutLifecycleConfiguration",
      done: `lifecycle Standard-IA ${targets.storage.infrequentAccessDays} d, Glacier ${targets.storage.glacierDays} d, Deep Archive ${targets.storage.deepArchiveDays} d`,
      configFields: "storage.infrequentAccessDays, storage.glacierDays, storage.deepArchiveDays",
      async check(s3, bucket) {
        const rules = lifecycleRulesToWrite(await lifecycleRules(s3, bucket), desiredLifecycleRule(targets.storage));
        return rules === undefined ? undefined : () => putLifecycleRules(s3, bucket, rules);
      },
    },
    {
      name: "bucket policy",
      readAction: "s3:GetBucketPolicy",
      writeAction: "s3:PutBucketPolicy",
      done: "policy denies non-TLS requests",
      async check(s3, bucket) {
        const policy = policyToWrite(await bucketPolicy(s3, bucket), targets.bucketArn);
        return policy === undefined ? undefined : () => putBucketPolicy(s3, bucket, policy);
      },
    },
  ];
}

function firstLine(error: unknown): string {
  return error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
}

/** An AWS failure on one setting, naming the IAM action or, for a rejected value, the config fields. */
function settingError(error: unknown, setting: BucketSetting, bucket: string, target: AwsCallTarget): BtpAwsError {
  const code = awsErrorCode(error) ?? "";
  if (setting.configFields !== undefined && REJECTED_VALUE.has(code)) {
    return new BtpAwsError(`${setting.configFields}: S3 rejected the ${setting.name} of bucket ${bucket}: ${code}: ${firstLine(error)}`, {
      cause: error,
      hint: "S3 wants Standard-IA at 30 days or later, Glacier at least 30 days after Standard-IA, and Deep Archive after Glacier: adjust the storage section of the config, then run again",
    });
  }
  return describeAwsError(error, `set the ${setting.name} of bucket ${bucket} (${setting.writeAction})`, target);
}

const REJECTED_VALUE = new Set(["InvalidArgument", "InvalidRequest", "MalformedXML"]);

/**
 * Reads every setting (at once: they are independent), then writes the ones that differ, in
 * order. Returns what was written, for the report; [] when the bucket was already as wanted.
 */
export async function applyBucketSettings(s3: S3Client, bucket: BucketRef, settings: readonly BucketSetting[], target: AwsCallTarget): Promise<string[]> {
  const fixes = await Promise.all(settings.map(async (setting) => {
    try {
      return await setting.check(s3, bucket);
    } catch (error) {
      throw describeAwsError(error, `read the ${setting.name} of bucket ${bucket.name} (${setting.readAction})`, target);
    }
  }));
  const done: string[] = [];
  for (const [index, setting] of settings.entries()) {
    const fix = fixes[index];
    if (fix === undefined) continue;
    try {
      await fix();
    } catch (error) {
      throw settingError(error, setting, bucket.name, target);
    }
    done.push(setting.done);
  }
  return done;
}
