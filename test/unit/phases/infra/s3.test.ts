import {
  CreateBucketCommand, GetBucketEncryptionCommand, GetBucketLifecycleConfigurationCommand, GetBucketOwnershipControlsCommand, GetBucketPolicyCommand,
  GetBucketTaggingCommand, GetBucketVersioningCommand, GetPublicAccessBlockCommand, HeadBucketCommand, PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand, PutBucketOwnershipControlsCommand, PutBucketPolicyCommand, PutBucketTaggingCommand, PutBucketVersioningCommand,
  PutPublicAccessBlockCommand, S3Client, type LifecycleRule,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AwsClients } from "../../../../src/aws/clients.js";
import { BtpAwsError } from "../../../../src/errors.js";
import { desiredLifecycleRule, lifecycleRulesToWrite } from "../../../../src/phases/infra/s3-lifecycle.js";
import { policyToWrite, tlsOnlyStatement } from "../../../../src/phases/infra/s3-policy.js";
import { s3Step } from "../../../../src/phases/infra/s3.js";
import type { Config } from "../../../../src/config/schema.js";
import type { StepOutputs } from "../../../../src/plan/types.js";
import { awsTestConfig as testConfig } from "../../../support/aws-modes.js";
import { recordingReporter } from "../../../support/reporter.js";

const ACCOUNT = "123456789012";
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1111-2222`;
const BUCKET = `btp-btp-test-${ACCOUNT}-eu-west-1`;
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const OUTPUTS: Record<string, StepOutputs> = {
  "prepare/credentials": { account: ACCOUNT, principal: `arn:aws:iam::${ACCOUNT}:user/me` },
  "infra/kms": { keyId: "1111-2222", keyArn: KEY_ARN, alias: "alias/btp-btp-test" },
};
const OUR_TAGS = [
  { Key: "Name", Value: BUCKET }, { Key: "btp-aws:platform", Value: "btp-test" }, { Key: "btp-aws:managed-by", Value: "btp-aws" },
];

const s3 = mockClient(S3Client);
const services = { aws: { region: "eu-west-1", endpoint: undefined, counter: undefined, s3: () => Promise.resolve(new S3Client({ region: "eu-west-1" })) } as unknown as AwsClients };

function awsError(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

function run(config: Config = testConfig(), previous?: StepOutputs) {
  const report = recordingReporter();
  const promise = s3Step.run({ config, services, outputs: OUTPUTS, previous, signal: new AbortController().signal }, report);
  return { promise, report };
}

async function failure(promise: Promise<unknown>): Promise<BtpAwsError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BtpAwsError);
  return error as BtpAwsError;
}

const mutations = () => s3.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name).filter((n) => !/^(Get|Head)/.test(n));

/** A bucket with every setting as btp-aws leaves it. */
function intactBucket(): void {
  s3.on(HeadBucketCommand).resolves({ BucketRegion: "eu-west-1" });
  s3.on(GetBucketTaggingCommand).resolves({ TagSet: OUR_TAGS });
  s3.on(GetBucketOwnershipControlsCommand).resolves({ OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] } });
  s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } });
  s3.on(GetBucketVersioningCommand).resolves({ Status: "Enabled" });
  s3.on(GetBucketEncryptionCommand).resolves({ ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: KEY_ARN }, BucketKeyEnabled: true }] } });
  s3.on(GetBucketLifecycleConfigurationCommand).resolves({ Rules: [desiredLifecycleRule(testConfig().storage)] });
  s3.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify({ Version: "2012-10-17", Statement: [tlsOnlyStatement(BUCKET_ARN)] }) });
}

/** What S3 answers for a bucket that was just created: nothing configured yet. */
function newBucket(): void {
  s3.on(HeadBucketCommand).rejects(awsError("NotFound", 404));
  s3.on(CreateBucketCommand).resolves({});
  s3.on(GetBucketTaggingCommand).rejects(awsError("NoSuchTagSet", 404));
  s3.on(GetBucketOwnershipControlsCommand).resolves({ OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] } });
  s3.on(GetPublicAccessBlockCommand).rejects(awsError("NoSuchPublicAccessBlockConfiguration", 404));
  s3.on(GetBucketVersioningCommand).resolves({});
  s3.on(GetBucketEncryptionCommand).resolves({ ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: false }] } });
  s3.on(GetBucketLifecycleConfigurationCommand).rejects(awsError("NoSuchLifecycleConfiguration", 404));
  s3.on(GetBucketPolicyCommand).rejects(awsError("NoSuchBucketPolicy", 404));
}

beforeEach(() => s3.reset());
afterEach(() => s3.reset());

describe("infra/s3 step", () => {
  it("declares its needs and describes the bucket", () => {
    expect([s3Step.id, s3Step.phase, s3Step.needs]).toEqual(["infra/s3", "infra", ["infra/kms", "prepare/credentials"]]);
    expect(s3Step.describe(testConfig())).toEqual([
      "create or adopt bucket btp-btp-test-<account>-eu-west-1: versioning, SSE-KMS with the platform key, public access blocked, TLS-only policy",
      "lifecycle: Standard-IA after 30 days, Glacier after 90, Deep Archive after 180 (noncurrent versions too)",
    ]);
  });

  it("creates a missing bucket with its LocationConstraint and writes every setting", async () => {
    newBucket();
    const { promise, report } = run(testConfig({ tags: { team: "chain" } }));
    expect(await promise).toEqual({ bucket: BUCKET, bucketArn: BUCKET_ARN });
    expect(s3.commandCalls(HeadBucketCommand)[0]!.args[0].input).toEqual({ Bucket: BUCKET, ExpectedBucketOwner: ACCOUNT });
    expect(s3.commandCalls(CreateBucketCommand)[0]!.args[0].input).toEqual({ Bucket: BUCKET, ObjectOwnership: "BucketOwnerEnforced", CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } });
    expect(s3.commandCalls(PutBucketTaggingCommand)[0]!.args[0].input.Tagging?.TagSet).toEqual([{ Key: "team", Value: "chain" }, ...OUR_TAGS]);
    expect(s3.commandCalls(PutPublicAccessBlockCommand)[0]!.args[0].input.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    expect(s3.commandCalls(PutBucketVersioningCommand)[0]!.args[0].input).toEqual({ Bucket: BUCKET, ExpectedBucketOwner: ACCOUNT, VersioningConfiguration: { Status: "Enabled" } });
    expect(s3.commandCalls(PutBucketEncryptionCommand)[0]!.args[0].input.ServerSideEncryptionConfiguration).toEqual({
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: KEY_ARN }, BucketKeyEnabled: true }],
    });
    expect(s3.commandCalls(PutBucketLifecycleConfigurationCommand)[0]!.args[0].input.LifecycleConfiguration?.Rules).toEqual([{
      ID: "btp-aws-storage-tiers", Status: "Enabled", Filter: { Prefix: "" },
      Transitions: [{ Days: 30, StorageClass: "STANDARD_IA" }, { Days: 90, StorageClass: "GLACIER" }, { Days: 180, StorageClass: "DEEP_ARCHIVE" }],
      NoncurrentVersionTransitions: [{ NoncurrentDays: 30, StorageClass: "STANDARD_IA" }, { NoncurrentDays: 90, StorageClass: "GLACIER" }, { NoncurrentDays: 180, StorageClass: "DEEP_ARCHIVE" }],
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
    }]);
    expect(JSON.parse(s3.commandCalls(PutBucketPolicyCommand)[0]!.args[0].input.Policy!)).toEqual({ Version: "2012-10-17", Statement: [tlsOnlyStatement(BUCKET_ARN)] });
    // CreateBucket already disabled ACLs.
    expect(s3.commandCalls(PutBucketOwnershipControlsCommand)).toEqual([]);
    expect(report.infos).toEqual([
      `created bucket ${BUCKET} in eu-west-1: ACLs disabled (BucketOwnerEnforced); public access blocked; versioning enabled; default encryption SSE-KMS with the platform key and bucket keys; lifecycle Standard-IA 30 d, Glacier 90 d, Deep Archive 180 d; policy denies non-TLS requests`,
    ]);
  });

  it("omits the LocationConstraint in us-east-1", async () => {
    newBucket();
    const { promise } = run(testConfig({ aws: { region: "us-east-1", drRegion: "us-west-2" } }));
    await promise;
    expect(s3.commandCalls(CreateBucketCommand)[0]!.args[0].input).toEqual({ Bucket: `btp-btp-test-${ACCOUNT}-us-east-1`, ObjectOwnership: "BucketOwnerEnforced" });
  });

  it("skips an intact bucket without a single write", async () => {
    intactBucket();
    const { promise, report } = run();
    expect(await promise).toEqual({ bucket: BUCKET, bucketArn: BUCKET_ARN });
    expect(mutations()).toEqual([]);
    expect(report.skipped).toEqual([`bucket ${BUCKET} exists with versioning, SSE-KMS, public access blocked, TLS-only policy and lifecycle`]);
  });

  it("accepts the key by id as well as by ARN", async () => {
    intactBucket();
    s3.on(GetBucketEncryptionCommand).resolves({ ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: "1111-2222" }, BucketKeyEnabled: true }] } });
    await run().promise;
    expect(mutations()).toEqual([]);
  });

  it("repairs only what drifted: suspended versioning, bucket keys off, ACLs back on, one public access flag off", async () => {
    intactBucket();
    s3.on(GetBucketVersioningCommand).resolves({ Status: "Suspended" });
    s3.on(GetBucketEncryptionCommand).resolves({ ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: KEY_ARN }, BucketKeyEnabled: false }] } });
    s3.on(GetBucketOwnershipControlsCommand).rejects(awsError("OwnershipControlsNotFoundError", 404));
    s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: true } });
    const { promise, report } = run();
    await promise;
    expect(mutations()).toEqual(["PutBucketOwnershipControlsCommand", "PutPublicAccessBlockCommand", "PutBucketVersioningCommand", "PutBucketEncryptionCommand"]);
    expect(report.infos).toEqual([
      `bucket ${BUCKET}: ACLs disabled (BucketOwnerEnforced); public access blocked; versioning enabled; default encryption SSE-KMS with the platform key and bucket keys`,
    ]);
  });

  it("merges missing platform tags with the tags already on the bucket", async () => {
    intactBucket();
    s3.on(GetBucketTaggingCommand).resolves({ TagSet: [{ Key: "btp-aws:platform", Value: "btp-test" }, { Key: "cost-center", Value: "42" }] });
    const { promise, report } = run();
    await promise;
    expect(s3.commandCalls(PutBucketTaggingCommand)[0]!.args[0].input.Tagging?.TagSet).toEqual([
      { Key: "btp-aws:platform", Value: "btp-test" }, { Key: "cost-center", Value: "42" }, { Key: "Name", Value: BUCKET }, { Key: "btp-aws:managed-by", Value: "btp-aws" },
    ]);
    expect(report.infos).toEqual([`bucket ${BUCKET}: tags Name, btp-aws:managed-by set`]);
  });

  it("refuses a bucket tagged for another platform", async () => {
    intactBucket();
    s3.on(GetBucketTaggingCommand).resolves({ TagSet: [{ Key: "btp-aws:platform", Value: "other" }] });
    const error = await failure(run().promise);
    expect(error.message).toBe(`bucket ${BUCKET} exists but is not managed by btp-aws for platform btp-test: it is tagged for platform other`);
    expect(mutations()).toEqual([]);
  });

  it("refuses an untagged bucket unless state says this platform created it", async () => {
    intactBucket();
    s3.on(GetBucketTaggingCommand).rejects(awsError("NoSuchTagSet", 404));
    const error = await failure(run().promise);
    expect(error.message).toBe(`bucket ${BUCKET} exists but is not managed by btp-aws for platform btp-test: it has no btp-aws:platform tag`);
    expect(error.hint).toMatch(/^if an interrupted btp-aws run created it, tag it \(aws s3api put-bucket-tagging/);

    const { promise, report } = run(testConfig(), { bucket: BUCKET, bucketArn: BUCKET_ARN });
    await promise;
    expect(report.infos).toEqual([`bucket ${BUCKET}: tags Name, btp-aws:platform, btp-aws:managed-by set`]);
  });

  it("checkpoints the bucket before CreateBucket, so a run killed before PutBucketTagging leaves the next run a reason to adopt it", async () => {
    // Found by test/reliability/kill-resume.test.ts: killed right after CreateBucket, every later run refused the untagged bucket.
    newBucket();
    const order: string[] = [];
    s3.on(CreateBucketCommand).callsFake(() => void order.push("CreateBucket"));
    const checkpoint = (outputs: StepOutputs) => Promise.resolve(void order.push(`checkpoint ${JSON.stringify(outputs)}`));
    await s3Step.run({ config: testConfig(), services, outputs: OUTPUTS, previous: undefined, signal: new AbortController().signal, checkpoint }, recordingReporter());
    expect(order).toEqual([`checkpoint ${JSON.stringify({ bucket: BUCKET, bucketArn: BUCKET_ARN })}`, "CreateBucket"]);
  });

  it("checkpoints nothing when the bucket exists", async () => {
    intactBucket();
    const saved: StepOutputs[] = [];
    await s3Step.run({ config: testConfig(), services, outputs: OUTPUTS, previous: undefined, signal: new AbortController().signal, checkpoint: (o) => Promise.resolve(void saved.push(o)) }, recordingReporter());
    expect(saved).toEqual([]);
  });

  it("says another account holds the name on a 403 from HeadBucket", async () => {
    s3.on(HeadBucketCommand).rejects(awsError("Forbidden", 403, "UnknownError"));
    const error = await failure(run().promise);
    expect(error.message).toBe(`bucket ${BUCKET} exists but does not belong to account ${ACCOUNT}: S3 bucket names are global and another account holds this one`);
    expect(error.hint).toMatch(/choose another platform name/);
    expect(mutations()).toEqual([]);
  });

  it("says another account holds the name when CreateBucket answers BucketAlreadyExists", async () => {
    newBucket();
    s3.on(CreateBucketCommand).rejects(awsError("BucketAlreadyExists", 409));
    const error = await failure(run().promise);
    expect(error.message).toBe(`bucket ${BUCKET} exists but does not belong to account ${ACCOUNT}: S3 bucket names are global and another account holds this one`);
  });

  it("carries on when CreateBucket finds the bucket already ours", async () => {
    newBucket();
    s3.on(CreateBucketCommand).rejects(awsError("BucketAlreadyOwnedByYou", 409));
    s3.on(GetBucketTaggingCommand).resolves({ TagSet: OUR_TAGS });
    const { promise } = run();
    expect(await promise).toEqual({ bucket: BUCKET, bucketArn: BUCKET_ARN });
  });

  it("names the bucket quota on TooManyBuckets", async () => {
    newBucket();
    s3.on(CreateBucketCommand).rejects(awsError("TooManyBuckets", 400));
    const error = await failure(run().promise);
    expect(error.message).toBe(`create bucket ${BUCKET}: TooManyBuckets: the account has as many buckets as its quota allows`);
    expect(error.hint).toMatch(/service quotas: s3 L-DC2B2D3D/);
  });

  it("refuses a bucket in another region", async () => {
    intactBucket();
    s3.on(HeadBucketCommand).resolves({ BucketRegion: "us-west-2" });
    const error = await failure(run().promise);
    expect(error.message).toBe(`bucket ${BUCKET} exists in us-west-2, not in eu-west-1 (aws.region)`);
  });

  it("names the IAM action when a write is denied", async () => {
    intactBucket();
    s3.on(GetBucketVersioningCommand).resolves({ Status: "Suspended" });
    s3.on(PutBucketVersioningCommand).rejects(awsError("AccessDenied", 403, "Access Denied"));
    const error = await failure(run().promise);
    expect(error.message).toBe(`not allowed to set the versioning of bucket ${BUCKET} (s3:PutBucketVersioning): AccessDenied: Access Denied`);
  });

  it("names the IAM action when a read is denied", async () => {
    intactBucket();
    s3.on(GetBucketPolicyCommand).rejects(awsError("AccessDenied", 403, "Access Denied"));
    const error = await failure(run().promise);
    expect(error.message).toBe(`not allowed to read the bucket policy of bucket ${BUCKET} (s3:GetBucketPolicy): AccessDenied: Access Denied`);
  });

  it("names the storage fields when S3 rejects the lifecycle rule", async () => {
    newBucket();
    s3.on(PutBucketLifecycleConfigurationCommand).rejects(awsError("InvalidArgument", 400, "'Days' in the Transition action for StorageClass 'GLACIER' must be 30 days more than 'STANDARD_IA'"));
    const error = await failure(run().promise);
    expect(error.message).toBe(
      `storage.infrequentAccessDays, storage.glacierDays, storage.deepArchiveDays: S3 rejected the lifecycle configuration of bucket ${BUCKET}: InvalidArgument: 'Days' in the Transition action for StorageClass 'GLACIER' must be 30 days more than 'STANDARD_IA'`,
    );
  });
});

describe("lifecycleRulesToWrite", () => {
  const ours = desiredLifecycleRule({ mode: "aws", infrequentAccessDays: 30, glacierDays: 90, deepArchiveDays: 180 });
  const theirs: LifecycleRule = { ID: "expire-tmp", Status: "Enabled", Filter: { Prefix: "tmp/" }, Expiration: { Days: 1 } };

  it("is undefined when our rule is there as wanted, however S3 spells the empty filter", () => {
    expect(lifecycleRulesToWrite([theirs, ours], ours)).toBeUndefined();
    expect(lifecycleRulesToWrite([{ ...ours, Filter: {} }], ours)).toBeUndefined();
    expect(lifecycleRulesToWrite([{ ...ours, Transitions: [...ours.Transitions!].reverse() }], ours)).toBeUndefined();
  });

  it("appends our rule and keeps the user's", () => {
    expect(lifecycleRulesToWrite([theirs], ours)).toEqual([theirs, ours]);
  });

  it("replaces our rule in place when its days or status changed", () => {
    const old = { ...ours, Transitions: [{ Days: 45, StorageClass: "STANDARD_IA" as const }] };
    expect(lifecycleRulesToWrite([old, theirs], ours)).toEqual([ours, theirs]);
    expect(lifecycleRulesToWrite([{ ...ours, Status: "Disabled" }], ours)).toEqual([ours]);
    expect(lifecycleRulesToWrite([{ ...ours, Filter: { Prefix: "logs/" } }], ours)).toEqual([ours]);
    expect(lifecycleRulesToWrite([{ ...ours, AbortIncompleteMultipartUpload: undefined }], ours)).toEqual([ours]);
  });
});

describe("policyToWrite", () => {
  const theirs = { Sid: "Readers", Effect: "Allow", Principal: { AWS: "arn:aws:iam::210987654321:root" }, Action: "s3:GetObject", Resource: `${BUCKET_ARN}/*` };

  it("writes our statement alone when there is no policy", () => {
    expect(JSON.parse(policyToWrite(undefined, BUCKET_ARN)!)).toEqual({ Version: "2012-10-17", Statement: [tlsOnlyStatement(BUCKET_ARN)] });
  });

  it("adds our statement next to the user's", () => {
    const written = JSON.parse(policyToWrite(JSON.stringify({ Version: "2012-10-17", Statement: [theirs] }), BUCKET_ARN)!) as { Statement: unknown[] };
    expect(written.Statement).toEqual([theirs, tlsOnlyStatement(BUCKET_ARN)]);
  });

  it("is undefined when the statement is there, in any of IAM's spellings", () => {
    const respelled = { ...tlsOnlyStatement(BUCKET_ARN), Principal: { AWS: "*" }, Action: ["s3:*"], Resource: [`${BUCKET_ARN}/*`, BUCKET_ARN] };
    expect(policyToWrite(JSON.stringify({ Statement: [theirs, respelled] }), BUCKET_ARN)).toBeUndefined();
  });

  it("replaces a statement of ours that was weakened", () => {
    const weakened = { ...tlsOnlyStatement(BUCKET_ARN), Resource: BUCKET_ARN };
    const written = JSON.parse(policyToWrite(JSON.stringify({ Statement: [weakened, theirs] }), BUCKET_ARN)!) as { Statement: unknown[] };
    expect(written.Statement).toEqual([theirs, tlsOnlyStatement(BUCKET_ARN)]);
  });
});
