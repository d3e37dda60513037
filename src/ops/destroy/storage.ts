/**
 * destroy/bucket, destroy/secret, destroy/key: the platform's data and the keys to it.
 * - The bucket is kept unless --delete-data; then every version and delete marker goes with it.
 * - The secret is deleted with Secrets Manager's default 30-day recovery window.
 * - The KMS key is scheduled for deletion (30 days), unless something destroy keeps is encrypted
 *   with it (the bucket, a database snapshot): deleting the key would make that unreadable once
 *   the 30 days pass, so the key is kept and listed with the command that deletes it later.
 */
import { bucketTags, headBucket, type BucketRef } from "../../aws/s3.js";
import { deleteBucket, emptyBucket } from "../../aws/s3-delete.js";
import { describeSecret } from "../../aws/secrets-manager.js";
import { scheduleSecretDeletion } from "../../aws/secrets-manager-delete.js";
import { describeKey, findKeysByTags, type KmsKey } from "../../aws/kms.js";
import { deleteAlias, KEY_DELETION_DAYS, scheduleKeyDeletion } from "../../aws/kms-delete.js";
import { manualSnapshots } from "../../aws/rds-delete.js";
import { belongsTo, PLATFORM_TAG } from "../../aws/tags.js";
import { BtpAwsError } from "../../errors.js";
import { bucketName } from "../../phases/infra/names.js";
import { attempt, deleting, names, recorded } from "./context.js";
import type { DestroyContext, Stage } from "./types.js";

function day(date: Date | undefined): string {
  return date ? date.toISOString().slice(0, 10) : "in 30 days";
}

export function platformBucket(context: DestroyContext): BucketRef {
  const { platform, account, region } = context.target;
  return { name: recorded(context, "infra/s3", "bucket") ?? bucketName(platform, account, region), owner: account };
}

/** The bucket when it exists and is ours; undefined when it is gone. */
async function ourBucket(context: DestroyContext): Promise<BucketRef | undefined> {
  const bucket = platformBucket(context);
  const s3 = await context.services.aws.s3();
  const presence = await attempt(context, `look for bucket ${bucket.name} (s3:ListBucket)`, () => headBucket(s3, bucket));
  if (presence.state === "missing") return undefined;
  if (presence.state === "forbidden") {
    throw new BtpAwsError(`bucket ${bucket.name} answers 403: it belongs to another account, or the credentials may not read it`, { hint: "run destroy with credentials of the platform's account" });
  }
  const owner = (await attempt(context, `read the tags of bucket ${bucket.name} (s3:GetBucketTagging)`, () => bucketTags(s3, bucket)))[PLATFORM_TAG];
  if (owner === context.target.platform || (owner === undefined && recorded(context, "infra/s3", "bucket") === bucket.name)) return bucket;
  return undefined;
}

export const bucketStage: Stage = {
  id: "destroy/bucket",
  title: "Delete the S3 bucket (with --delete-data)",
  phase: "infra",
  async survey(context) {
    const bucket = await ourBucket(context);
    if (!bucket) return [];
    return context.options.deleteData ? deleting([`S3 bucket ${bucket.name} with every object version`]) : [{ resource: `S3 bucket ${bucket.name}`, kept: "kept without --delete-data" }];
  },
  async run(context, report) {
    const bucket = await ourBucket(context);
    if (!bucket) return report.skip(`no bucket ${platformBucket(context).name} of the platform is left`);
    if (!context.options.deleteData) {
      context.ledger.kept.push({ resource: `S3 bucket ${bucket.name}`, reason: "kept without --delete-data" });
      return report.skip(`kept bucket ${bucket.name}: pass --delete-data to delete it with every object version`);
    }
    const s3 = await context.services.aws.s3();
    const removed = await attempt(context, `empty bucket ${bucket.name} (s3:ListBucketVersions, s3:DeleteObjectVersion)`, () => emptyBucket(s3, bucket, (n) => report.status(`${n} object versions deleted`)));
    await attempt(context, `delete bucket ${bucket.name} (s3:DeleteBucket)`, () => deleteBucket(s3, bucket));
    report.info(`deleted bucket ${bucket.name} and ${removed} object versions and delete markers`);
  },
};

export const secretStage: Stage = {
  id: "destroy/secret",
  title: "Schedule the platform secret's deletion",
  phase: "infra",
  async survey(context) {
    const name = recorded(context, "infra/secrets", "secretArn") ?? names(context).secret;
    const found = await attempt(context, `read secret ${name} (secretsmanager:DescribeSecret)`, async () => describeSecret(await context.services.aws.secretsManager(), name));
    if (!found || found.deletedDate !== undefined || !belongsTo(found.tags, context.target.platform)) return [];
    return deleting([`secret ${found.name} (recoverable for 30 days)`]);
  },
  async run(context, report) {
    const sm = await context.services.aws.secretsManager();
    const name = recorded(context, "infra/secrets", "secretArn") ?? names(context).secret;
    const found = await attempt(context, `read secret ${name} (secretsmanager:DescribeSecret)`, () => describeSecret(sm, name));
    if (!found) return report.skip(`no secret ${names(context).secret}`);
    if (!belongsTo(found.tags, context.target.platform)) {
      report.warn(`left secret ${found.name} alone: it is not tagged for platform ${context.target.platform}`);
      return report.skip(`secret ${found.name} is not this platform's`);
    }
    if (found.deletedDate !== undefined) {
      context.ledger.scheduled.push({ resource: `secret ${found.name}`, reason: `deleted for good after ${day(found.deletedDate)}` });
      return report.skip(`secret ${found.name} is already scheduled for deletion`);
    }
    const when = await attempt(context, `delete secret ${found.name} (secretsmanager:DeleteSecret)`, () => scheduleSecretDeletion(sm, found.arn));
    context.ledger.scheduled.push({ resource: `secret ${found.name}`, reason: `deleted for good after ${day(when)}` });
    report.info(`scheduled secret ${found.name} for deletion on ${day(when)}; until then: aws secretsmanager restore-secret --secret-id ${found.name} --region ${context.target.region}`);
  },
};

/** The platform key: the alias, the key the state recorded, or the key tagged for the platform. */
async function platformKey(context: DestroyContext): Promise<KmsKey | undefined> {
  const kms = await context.services.aws.kms();
  const alias = names(context).keyAlias;
  return attempt(context, `find the platform key (kms:DescribeKey, kms:ListKeys, kms:ListResourceTags)`, async () => {
    const byAlias = await describeKey(kms, alias);
    if (byAlias) return byAlias;
    const id = recorded(context, "infra/kms", "keyId");
    const byId = id === undefined ? undefined : await describeKey(kms, id);
    if (byId) return byId;
    return (await findKeysByTags(kms, { [PLATFORM_TAG]: context.target.platform, "btp-aws:role": "platform" }))[0];
  });
}

/** What destroy keeps that this key encrypts: the bucket, database snapshots in the region. */
async function encryptedKeepers(context: DestroyContext, key: KmsKey): Promise<string[]> {
  const keepers: string[] = [];
  if (await ourBucket(context)) keepers.push(`bucket ${platformBucket(context).name}`);
  const rds = await context.services.aws.rds();
  const snapshots = await attempt(context, "list the platform's DB snapshots (rds:DescribeDBSnapshots)", () => manualSnapshots(rds, `btp-${context.target.platform}-`));
  for (const snapshot of snapshots) {
    if (snapshot.kmsKeyId !== undefined && (snapshot.kmsKeyId === key.arn || snapshot.kmsKeyId.endsWith(`/${key.keyId}`) || snapshot.kmsKeyId === key.keyId)) keepers.push(`DB snapshot ${snapshot.id}`);
  }
  return keepers;
}

export const keyStage: Stage = {
  id: "destroy/key",
  title: "Schedule the KMS key's deletion",
  phase: "infra",
  async survey(context) {
    const key = await platformKey(context);
    if (!key || key.state === "PendingDeletion") return [];
    const keepers = await encryptedKeepers(context, key);
    return keepers.length > 0 ? [{ resource: `KMS key ${key.keyId} (${names(context).keyAlias})`, kept: `it encrypts ${keepers.join(", ")}` }] : deleting([`KMS key ${key.keyId} (${names(context).keyAlias}), deleted after ${KEY_DELETION_DAYS} days`]);
  },
  async run(context, report) {
    const key = await platformKey(context);
    const kms = await context.services.aws.kms();
    const alias = names(context).keyAlias;
    if (!key) return report.skip(`no KMS key ${alias} of the platform`);
    if (key.state === "PendingDeletion") {
      // A re-install must not adopt a dying key through its alias.
      await attempt(context, `delete alias ${alias} (kms:DeleteAlias)`, () => deleteAlias(kms, alias));
      context.ledger.scheduled.push({ resource: `KMS key ${key.keyId}`, reason: "already scheduled for deletion" });
      return report.skip(`key ${key.keyId} is already scheduled for deletion`);
    }
    const keepers = await encryptedKeepers(context, key);
    if (keepers.length > 0) {
      context.ledger.kept.push({ resource: `KMS key ${key.keyId} (${alias})`, reason: `it encrypts ${keepers.join(", ")}; once those are gone: aws kms schedule-key-deletion --key-id ${key.keyId} --pending-window-in-days ${KEY_DELETION_DAYS} --region ${context.target.region}` });
      report.warn(`kept KMS key ${key.keyId} (${alias}): it encrypts ${keepers.join(", ")}, which destroy keeps; deleting the key would make them unreadable`);
      return report.skip(`kept key ${key.keyId}: it encrypts what destroy keeps`);
    }
    const when = await attempt(context, `schedule the deletion of key ${key.keyId} (kms:ScheduleKeyDeletion)`, () => scheduleKeyDeletion(kms, key.keyId));
    await attempt(context, `delete alias ${alias} (kms:DeleteAlias)`, () => deleteAlias(kms, alias));
    context.ledger.scheduled.push({ resource: `KMS key ${key.keyId}`, reason: `deleted on ${day(when)}` });
    report.info(`scheduled key ${key.keyId} for deletion on ${day(when)} and deleted alias ${alias}; until then: aws kms cancel-key-deletion --key-id ${key.keyId} --region ${context.target.region}`);
  },
};
