/**
 * infra/s3: the platform bucket btp-<platform>-<account>-<region>, versioned, SSE-KMS with the
 * platform key (bucket keys on), public access blocked, ACLs disabled, a TLS-only policy and the
 * guide's storage-tier lifecycle.
 *
 * Bucket names are global: a name taken by another account is an error, never worked around.
 * A bucket of ours is adopted when it carries this platform's tag (or state says we made it).
 * Only storage.mode aws makes a bucket; in-cluster and external skip with `{ mode }` as outputs.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { awsErrorCode, describeAwsError, type AwsCallTarget } from "../../aws/errors.js";
import { bucketTags, createBucket, headBucket, putBucketTags, type BucketPresence, type BucketRef } from "../../aws/s3.js";
import { PLATFORM_TAG, missingTags, platformTags } from "../../aws/tags.js";
import type { Config } from "../../config/schema.js";
import { BtpAwsError } from "../../errors.js";
import { stringOutput } from "../../plan/outputs.js";
import type { Reporter, Step, StepContext, StepOutputs } from "../../plan/types.js";
import { bucketName } from "./names.js";
import { platformKey } from "./platform-key.js";
import type { InfraServices } from "./services.js";
import { applyBucketSettings, bucketSettings } from "./s3-settings.js";
import { refuseModeSwitch } from "./mode-switch.js";

type Services = Pick<InfraServices, "aws">;

async function wrapped<T>(call: () => Promise<T>, action: string, target: AwsCallTarget): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw describeAwsError(error, action, target);
  }
}

function takenByAnotherAccount(name: string, account: string): BtpAwsError {
  return new BtpAwsError(`bucket ${name} exists but does not belong to account ${account}: S3 bucket names are global and another account holds this one`, {
    hint: `if it is yours in another account, run btp-aws with that account's credentials; otherwise choose another platform name (the bucket is btp-<platform>-<account>-<region>). A 403 can also mean the credentials lack s3:ListBucket on ${name}`,
  });
}

/** Creates the bucket; false when it turned out to exist already (HeadBucket is eventually consistent). */
async function create(s3: S3Client, bucket: BucketRef, region: string, target: AwsCallTarget): Promise<boolean> {
  try {
    await createBucket(s3, bucket.name, region);
    return true;
  } catch (error) {
    const code = awsErrorCode(error);
    if (code === "BucketAlreadyOwnedByYou") return false;
    if (code === "BucketAlreadyExists") throw takenByAnotherAccount(bucket.name, bucket.owner);
    if (code === "TooManyBuckets") {
      throw new BtpAwsError(`create bucket ${bucket.name}: TooManyBuckets: the account has as many buckets as its quota allows`, {
        cause: error,
        hint: "delete unused buckets or raise the quota General purpose buckets (service quotas: s3 L-DC2B2D3D), then run again",
      });
    }
    throw describeAwsError(error, `create bucket ${bucket.name} (s3:CreateBucket)`, target);
  }
}

/** What the step does instead of a bucket when the state store lives elsewhere (storage.mode). */
function notAws(config: Config): string {
  const { mode, external } = config.storage;
  return mode === "in-cluster"
    ? "storage.mode is in-cluster: no S3 bucket; MinIO runs in the cluster on an encrypted gp3 volume (addons/minio)"
    : `storage.mode is external: no S3 bucket; the platform uses your bucket ${external?.bucket ?? "?"}${external?.endpoint ? ` at ${external.endpoint}` : " on Amazon S3"}`;
}

/** Refuses a bucket that another platform, or no btp-aws run, claimed. */
function checkOwnership(tags: Record<string, string>, name: string, config: Config, recorded: boolean): void {
  const owner = tags[PLATFORM_TAG];
  if (owner === config.platform) return;
  // Our own bucket whose tags were removed out of band: state remembers creating it.
  if (owner === undefined && recorded) return;
  const why = owner === undefined ? "it has no btp-aws:platform tag" : `it is tagged for platform ${owner}`;
  throw new BtpAwsError(`bucket ${name} exists but is not managed by btp-aws for platform ${config.platform}: ${why}`, {
    hint: owner === undefined
      ? `if an interrupted btp-aws run created it, tag it (aws s3api put-bucket-tagging --bucket ${name} --tagging 'TagSet=[{Key=${PLATFORM_TAG},Value=${config.platform}}]') and run again; otherwise remove it or choose another platform name`
      : "choose another platform name, or run with the config of the platform that owns it",
  });
}

export const s3Step: Step<Services> = {
  id: "infra/s3",
  title: "S3 bucket",
  phase: "infra",
  needs: ["infra/kms", "prepare/credentials"],
  describe: (config) => config.storage.mode !== "aws" ? [notAws(config)] : [
    `create or adopt bucket ${bucketName(config.platform, "<account>", config.aws.region)}: versioning, SSE-KMS with the platform key, public access blocked, TLS-only policy`,
    `lifecycle: Standard-IA after ${config.storage.infrequentAccessDays} days, Glacier after ${config.storage.glacierDays}, Deep Archive after ${config.storage.deepArchiveDays} (noncurrent versions too)`,
  ],
  async run(context: StepContext<Services>, report: Reporter): Promise<StepOutputs> {
    const { config, services } = context;
    if (config.storage.mode !== "aws") {
      refuseModeSwitch(context.previous, "bucket", "storage", config.storage.mode, "S3 bucket");
      report.skip(notAws(config));
      return { mode: config.storage.mode };
    }
    const region = config.aws.region;
    const account = stringOutput(context.outputs, "prepare/credentials", "account");
    const key = platformKey(context.outputs);
    const name = bucketName(config.platform, account, region);
    const bucket: BucketRef = { name, owner: account };
    // The key's ARN names the partition (aws, aws-cn, aws-us-gov) the bucket ARN must use.
    const bucketArn = `arn:${key.keyArn.split(":")[1] ?? "aws"}:s3:::${name}`;
    const target: AwsCallTarget = { endpoint: services.aws.endpoint, region };
    const tags = platformTags(config, { Name: name });

    const s3 = await wrapped(() => services.aws.s3(), "load the S3 client", target);
    report.status(`looking for bucket ${name}`);
    const presence: BucketPresence = await wrapped(() => headBucket(s3, bucket), `look for bucket ${name} (s3:ListBucket)`, target);
    if (presence.state === "forbidden") throw takenByAnotherAccount(name, account);
    if (presence.state === "owned" && presence.region !== undefined && presence.region !== region) {
      throw new BtpAwsError(`bucket ${name} exists in ${presence.region}, not in ${region} (aws.region)`, {
        hint: "a bucket cannot move between regions: empty and delete it, or set aws.region to where it is, then run again",
      });
    }
    let created = false;
    if (presence.state === "missing") {
      report.status(`creating bucket ${name}`);
      // Recorded first: a run killed between CreateBucket and PutBucketTagging leaves an untagged
      // bucket, which the next run may then adopt as ours (checkOwnership's `recorded`).
      await context.checkpoint?.({ bucket: name, bucketArn });
      created = await create(s3, bucket, region, target);
    }

    const current = await wrapped(() => bucketTags(s3, bucket), `read the tags of bucket ${name} (s3:GetBucketTagging)`, target);
    if (!created) checkOwnership(current, name, config, context.previous?.bucket === name);
    const absent = missingTags(current, tags);
    const repaired: string[] = [];
    if (Object.keys(absent).length > 0) {
      // PutBucketTagging replaces the whole set: keep the tags others added.
      await wrapped(() => putBucketTags(s3, bucket, { ...current, ...tags }), `tag bucket ${name} (s3:PutBucketTagging)`, target);
      repaired.push(`tags ${Object.keys(absent).join(", ")} set`);
    }

    report.status(`checking the settings of bucket ${name}`);
    const settings = bucketSettings({ key, bucketArn, storage: config.storage });
    repaired.push(...(await applyBucketSettings(s3, bucket, settings, target)));

    if (created) report.info(`created bucket ${name} in ${region}: ${settings.map((s) => s.done).join("; ")}`);
    else if (repaired.length > 0) report.info(`bucket ${name}: ${repaired.join("; ")}`);
    else report.skip(`bucket ${name} exists with versioning, SSE-KMS, public access blocked, TLS-only policy and lifecycle`);
    return { bucket: name, bucketArn };
  },
};
