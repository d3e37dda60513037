/** infra/s3 and infra/acm against moto: create once, zero mutating calls on re-run, repair drift. */
import { DescribeCertificateCommand, ListCertificatesCommand, ListTagsForCertificateCommand } from "@aws-sdk/client-acm";
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand } from "@aws-sdk/client-route-53";
import {
  CreateBucketCommand, DeleteBucketEncryptionCommand, GetBucketEncryptionCommand, GetBucketLifecycleConfigurationCommand, GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand, GetBucketPolicyCommand, GetBucketTaggingCommand, GetBucketVersioningCommand, GetPublicAccessBlockCommand,
  PutBucketPolicyCommand, PutBucketTaggingCommand, PutBucketVersioningCommand, S3Client,
} from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { acmStep } from "../../../src/phases/infra/acm.js";
import { kmsStep } from "../../../src/phases/infra/kms.js";
import { s3Step } from "../../../src/phases/infra/s3.js";
import type { Config } from "../../../src/config/schema.js";
import type { StepOutputs } from "../../../src/plan/types.js";
import { awsTestConfig as testConfig } from "../../support/aws-modes.js";
import { PREPARE_OUTPUTS, infraServices, runStep, type TestInfraServices } from "../../support/infra.js";
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, motoControl } from "../../support/moto.js";

const moto = motoControl(inject("motoEndpoint"));

// One reset per file: the first call after a reset costs seconds (moto reloads IAM's managed
// policies), so each test keeps to its own platform name (bucket, key alias) and domain instead.
beforeAll(() => moto.reset());

function s3Config(platform: string, extra: Parameters<typeof testConfig>[0] = {}): { config: Config; bucket: string } {
  const config = testConfig({ platform, tags: { team: "chain" }, ...extra });
  return { config, bucket: `btp-${platform}-${MOTO_ACCOUNT}-${config.aws.region}` };
}

/** Runs infra/kms for real, so infra/s3 gets the outputs it needs. */
async function withKey(services: TestInfraServices, cfg: Config): Promise<Record<string, StepOutputs>> {
  const kms = await runStep(kmsStep, cfg, services, PREPARE_OUTPUTS);
  return { ...PREPARE_OUTPUTS, "infra/kms": kms.outputs };
}

describe("infra/s3 against moto", () => {
  it("creates the bucket once with every setting and the platform tags", async () => {
    const { config, bucket: BUCKET } = s3Config("s3-create");
    const services = infraServices(moto.endpoint);
    const outputs = await withKey(services, config);
    const { outputs: result, report } = await runStep(s3Step, config, services, outputs);
    expect(result).toEqual({ bucket: BUCKET, bucketArn: `arn:aws:s3:::${BUCKET}` });
    const s3 = await services.aws.s3();
    const Bucket = BUCKET;
    expect((await s3.send(new GetBucketLocationCommand({ Bucket }))).LocationConstraint).toBe("eu-west-1");
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBe("Enabled");
    expect((await s3.send(new GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration?.Rules).toEqual([
      { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: outputs["infra/kms"]!.keyArn }, BucketKeyEnabled: true },
    ]);
    expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    expect((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket }))).OwnershipControls?.Rules).toEqual([{ ObjectOwnership: "BucketOwnerEnforced" }]);
    const rules = (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }))).Rules ?? [];
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      ID: "btp-aws-storage-tiers", Status: "Enabled",
      Transitions: [{ Days: 30, StorageClass: "STANDARD_IA" }, { Days: 90, StorageClass: "GLACIER" }, { Days: 180, StorageClass: "DEEP_ARCHIVE" }],
      NoncurrentVersionTransitions: [{ NoncurrentDays: 30, StorageClass: "STANDARD_IA" }, { NoncurrentDays: 90, StorageClass: "GLACIER" }, { NoncurrentDays: 180, StorageClass: "DEEP_ARCHIVE" }],
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
    });
    const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy ?? "{}") as { Statement: unknown[] };
    expect(policy.Statement).toEqual([{
      Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    }]);
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet).toEqual(expect.arrayContaining([
      { Key: "btp-aws:platform", Value: "s3-create" }, { Key: "btp-aws:managed-by", Value: "btp-aws" }, { Key: "team", Value: "chain" }, { Key: "Name", Value: BUCKET },
    ]));
    expect(services.aws.counter.snapshot().byOperation["S3.CreateBucket"]).toBe(1);
    expect(report.infos).toEqual([
      `created bucket ${BUCKET} in eu-west-1: ACLs disabled (BucketOwnerEnforced); public access blocked; versioning enabled; default encryption SSE-KMS with the platform key and bucket keys; lifecycle Standard-IA 30 d, Glacier 90 d, Deep Archive 180 d; policy denies non-TLS requests`,
    ]);
    services.aws.destroy();
  });

  it("makes zero mutating calls on a re-run", async () => {
    const { config, bucket: BUCKET } = s3Config("s3-rerun");
    const services = infraServices(moto.endpoint);
    const outputs = await withKey(services, config);
    const first = await runStep(s3Step, config, services, outputs);
    services.aws.counter.reset();
    const second = await runStep(s3Step, config, services, outputs, first.outputs);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    expect(second.outputs).toEqual(first.outputs);
    expect(second.report.skipped).toEqual([`bucket ${BUCKET} exists with versioning, SSE-KMS, public access blocked, TLS-only policy and lifecycle`]);
    services.aws.destroy();
  });

  it("re-enables suspended versioning and restores removed encryption, keeping a statement the user added", async () => {
    const { config, bucket: BUCKET } = s3Config("s3-repair");
    const services = infraServices(moto.endpoint);
    const outputs = await withKey(services, config);
    const first = await runStep(s3Step, config, services, outputs);
    const s3 = await services.aws.s3();
    await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: "Suspended" } }));
    await s3.send(new DeleteBucketEncryptionCommand({ Bucket: BUCKET }));
    const theirs = { Sid: "ReadersAccount", Effect: "Allow", Principal: { AWS: "arn:aws:iam::210987654321:root" }, Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/*` };
    await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify({ Version: "2012-10-17", Statement: [theirs] }) }));
    services.aws.counter.reset();

    const again = await runStep(s3Step, config, services, outputs, first.outputs);
    expect(again.report.infos).toEqual([`bucket ${BUCKET}: versioning enabled; default encryption SSE-KMS with the platform key and bucket keys; policy denies non-TLS requests`]);
    expect(services.aws.counter.mutatingOperations().sort()).toEqual(["S3.PutBucketEncryption", "S3.PutBucketPolicy", "S3.PutBucketVersioning"]);
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }))).Status).toBe("Enabled");
    expect((await s3.send(new GetBucketEncryptionCommand({ Bucket: BUCKET }))).ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe("aws:kms");
    const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy ?? "{}") as { Statement: { Sid: string }[] };
    expect(policy.Statement.map((s) => s.Sid)).toEqual(["ReadersAccount", "DenyInsecureTransport"]);
    services.aws.destroy();
  });

  it("puts back platform tags removed out of band, keeping the user's", async () => {
    const { config, bucket: BUCKET } = s3Config("s3-retag");
    const services = infraServices(moto.endpoint);
    const outputs = await withKey(services, config);
    const first = await runStep(s3Step, config, services, outputs);
    const s3 = await services.aws.s3();
    await s3.send(new PutBucketTaggingCommand({ Bucket: BUCKET, Tagging: { TagSet: [{ Key: "cost-center", Value: "42" }] } }));
    // State remembers the bucket, so the missing platform tag does not make it a stranger.
    const again = await runStep(s3Step, config, services, outputs, first.outputs);
    expect(again.report.infos).toEqual([`bucket ${BUCKET}: tags team, Name, btp-aws:platform, btp-aws:managed-by set`]);
    const tags = (await s3.send(new GetBucketTaggingCommand({ Bucket: BUCKET }))).TagSet ?? [];
    expect(tags).toEqual(expect.arrayContaining([{ Key: "cost-center", Value: "42" }, { Key: "btp-aws:platform", Value: "s3-retag" }]));
    services.aws.destroy();
  });

  it("creates the bucket in us-east-1 without a LocationConstraint", async () => {
    const { config: east, bucket: name } = s3Config("s3-east", { aws: { region: "us-east-1", drRegion: "us-west-2" } });
    const services = infraServices(moto.endpoint, "us-east-1");
    const outputs = await withKey(services, east);
    const { outputs: result } = await runStep(s3Step, east, services, outputs);
    expect(result.bucket).toBe(name);
    const s3 = await services.aws.s3();
    // moto, like S3, rejects LocationConstraint=us-east-1: creation succeeding proves it was omitted.
    expect((await s3.send(new GetBucketLocationCommand({ Bucket: name }))).LocationConstraint).toBeUndefined();
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: name }))).Status).toBe("Enabled");
    services.aws.destroy();
  });

  it("applies a production config's own storage tiers", async () => {
    const { config: production, bucket: BUCKET } = s3Config("s3-prod", { environment: "production", storage: { infrequentAccessDays: 60, glacierDays: 120, deepArchiveDays: 365 } });
    const services = infraServices(moto.endpoint);
    const outputs = await withKey(services, production);
    await runStep(s3Step, production, services, outputs);
    const s3 = await services.aws.s3();
    const rule = (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET }))).Rules?.[0];
    expect(rule?.Transitions).toEqual([{ Days: 60, StorageClass: "STANDARD_IA" }, { Days: 120, StorageClass: "GLACIER" }, { Days: 365, StorageClass: "DEEP_ARCHIVE" }]);
    expect(rule?.NoncurrentVersionTransitions).toEqual([{ NoncurrentDays: 60, StorageClass: "STANDARD_IA" }, { NoncurrentDays: 120, StorageClass: "GLACIER" }, { NoncurrentDays: 365, StorageClass: "DEEP_ARCHIVE" }]);
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }))).Status).toBe("Enabled");
    services.aws.destroy();
  });

  it("refuses a bucket of that name held by another account, and changes nothing in it", async () => {
    const { config, bucket: BUCKET } = s3Config("s3-foreign");
    const services = infraServices(moto.endpoint);
    const outputs = await withKey(services, config);
    const sts = new STSClient({ region: "eu-west-1", endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS });
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::210987654321:role/squatter", RoleSessionName: "squat" }));
    const other = new S3Client({ region: "eu-west-1", endpoint: moto.endpoint, forcePathStyle: true, credentials: { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! } });
    await other.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
    services.aws.counter.reset();
    // moto answers HeadBucket across accounts (AWS answers 403, unit-tested); the missing tag stops us.
    await expect(runStep(s3Step, config, services, outputs)).rejects.toThrow(`bucket ${BUCKET} exists but is not managed by btp-aws for platform s3-foreign: it has no btp-aws:platform tag`);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    other.destroy();
    sts.destroy();
    services.aws.destroy();
  });
});

describe("infra/acm against moto", () => {
  let zoneId: string;
  beforeAll(async () => {
    zoneId = await moto.seedHostedZone("example.com");
  });

  /** Each test has its own platform and domain, so certificates and records do not meet. */
  function acmConfig(name: string): Config {
    return testConfig({ platform: name, tags: { team: "chain" }, dns: { domain: `${name}.example.com`, hostedZoneId: zoneId, acmeEmail: "ops@example.com" } });
  }

  async function validationRecords(services: TestInfraServices, domain: string): Promise<{ Name?: string; Type?: string; ResourceRecords?: { Value?: string }[] }[]> {
    const route53 = await services.aws.route53();
    const sets = (await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets ?? [];
    return sets.filter((s) => s.Type === "CNAME" && s.Name?.endsWith(`.${domain}.`));
  }

  it("requests one ISSUED certificate for the domain and its wildcard, with its validation record in the zone", async () => {
    const config = acmConfig("acm-create");
    const services = infraServices(moto.endpoint);
    const { outputs, report } = await runStep(acmStep, config, services, PREPARE_OUTPUTS);
    const arn = String(outputs.certificateArn);
    const acm = await services.aws.acm();
    const certificate = (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate!;
    expect(certificate.Status).toBe("ISSUED");
    expect(certificate.DomainName).toBe("acm-create.example.com");
    expect([...(certificate.SubjectAlternativeNames ?? [])].sort()).toEqual(["*.acm-create.example.com", "acm-create.example.com"]);
    const all = (await acm.send(new ListCertificatesCommand({}))).CertificateSummaryList ?? [];
    expect(all.filter((c) => c.DomainName === "acm-create.example.com")).toHaveLength(1);
    expect((await acm.send(new ListTagsForCertificateCommand({ CertificateArn: arn }))).Tags).toEqual(expect.arrayContaining([
      { Key: "btp-aws:platform", Value: "acm-create" }, { Key: "btp-aws:managed-by", Value: "btp-aws" }, { Key: "team", Value: "chain" },
    ]));
    const expected = certificate.DomainValidationOptions![0]!.ResourceRecord!;
    expect(await validationRecords(services, "acm-create.example.com")).toEqual([{ Name: expected.Name, Type: "CNAME", TTL: 300, ResourceRecords: [{ Value: expected.Value }] }]);
    // domain and *.domain share one record: one change, one record.
    expect(services.aws.counter.snapshot().byOperation["Route53.ChangeResourceRecordSets"]).toBe(1);
    expect(report.infos).toEqual([
      `requested certificate ${arn} for acm-create.example.com and *.acm-create.example.com`,
      `certificate ${arn}: validation record ${expected.Name!} written to zone ${zoneId}`,
    ]);
    services.aws.destroy();
  });

  it("adopts the certificate on a re-run with zero mutating calls, with or without state", async () => {
    const config = acmConfig("acm-rerun");
    const services = infraServices(moto.endpoint);
    const first = await runStep(acmStep, config, services, PREPARE_OUTPUTS);
    services.aws.counter.reset();
    const withState = await runStep(acmStep, config, services, PREPARE_OUTPUTS, first.outputs);
    const withoutState = await runStep(acmStep, config, services, PREPARE_OUTPUTS);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    expect(withState.outputs).toEqual(first.outputs);
    expect(withoutState.outputs).toEqual(first.outputs);
    expect(withState.report.skipped).toEqual([
      `certificate ${String(first.outputs.certificateArn)} for acm-rerun.example.com and *.acm-rerun.example.com is ISSUED; its validation record is in zone ${zoneId}`,
    ]);
    services.aws.destroy();
  });

  it("writes the validation record back when it was deleted out of band", async () => {
    const config = acmConfig("acm-repair");
    const services = infraServices(moto.endpoint);
    const first = await runStep(acmStep, config, services, PREPARE_OUTPUTS);
    const [record] = await validationRecords(services, "acm-repair.example.com");
    const route53 = await services.aws.route53();
    await route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: [{ Action: "DELETE", ResourceRecordSet: record as never }] } }));
    expect(await validationRecords(services, "acm-repair.example.com")).toEqual([]);
    const again = await runStep(acmStep, config, services, PREPARE_OUTPUTS, first.outputs);
    expect(again.outputs).toEqual(first.outputs);
    expect(await validationRecords(services, "acm-repair.example.com")).toEqual([record]);
    expect(again.report.infos).toEqual([`certificate ${String(first.outputs.certificateArn)}: validation record ${record!.Name!} written to zone ${zoneId}`]);
    services.aws.destroy();
  });

  it("names dns.hostedZoneId when the zone does not exist", async () => {
    const services = infraServices(moto.endpoint);
    const missing = testConfig({ platform: "acm-nozone", dns: { domain: "acm-nozone.example.com", hostedZoneId: "ZNOSUCHZONE", acmeEmail: "ops@example.com" } });
    await expect(runStep(acmStep, missing, services, PREPARE_OUTPUTS)).rejects.toThrow("dns.hostedZoneId: hosted zone ZNOSUCHZONE does not exist");
    services.aws.destroy();
  });
});
