/** infra/security-services against moto: GuardDuty, CloudTrail and AWS Config enabled or adopted, never duplicated. */
import { CreateDetectorCommand, GetDetectorCommand, ListDetectorsCommand } from "@aws-sdk/client-guardduty";
import { CreateTrailCommand, DescribeTrailsCommand, GetTrailStatusCommand, StopLoggingCommand } from "@aws-sdk/client-cloudtrail";
import { DescribeConfigurationRecorderStatusCommand, DescribeDeliveryChannelsCommand } from "@aws-sdk/client-config-service";
import { CreateBucketCommand, GetBucketEncryptionCommand, GetBucketPolicyCommand, GetBucketTaggingCommand, GetBucketVersioningCommand } from "@aws-sdk/client-s3";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { securityServicesStep } from "../../../src/phases/infra/security-services.js";
import { testConfig } from "../../support/config.js";
import { PREPARE_OUTPUTS, infraServices, runStep } from "../../support/infra.js";
import { MOTO_ACCOUNT, motoControl } from "../../support/moto.js";

const moto = motoControl(inject("motoEndpoint"));
const all = testConfig({ security: { guardDuty: true, cloudTrail: true, awsConfig: true } });
const BUCKET = `btp-aws-audit-${MOTO_ACCOUNT}-eu-west-1`;

describe("infra/security-services against moto", () => {
  beforeEach(() => moto.reset());

  it("enables all three into one private, encrypted audit bucket without the platform tag; a re-run writes nothing", async () => {
    const services = infraServices(moto.endpoint);
    const first = await runStep(securityServicesStep, all, services, PREPARE_OUTPUTS);
    const guardduty = await services.aws.guardduty();
    const detectors = (await guardduty.send(new ListDetectorsCommand({}))).DetectorIds ?? [];
    expect(detectors).toEqual([first.outputs.guardDutyDetectorId]);
    expect((await guardduty.send(new GetDetectorCommand({ DetectorId: detectors[0] }))).Status).toBe("ENABLED");

    const cloudtrail = await services.aws.cloudtrail();
    const trails = (await cloudtrail.send(new DescribeTrailsCommand({}))).trailList ?? [];
    expect(trails.map((t) => [t.Name, t.IsMultiRegionTrail, t.S3BucketName, t.LogFileValidationEnabled])).toEqual([["btp-aws-audit", true, BUCKET, true]]);
    expect((await cloudtrail.send(new GetTrailStatusCommand({ Name: "btp-aws-audit" }))).IsLogging).toBe(true);

    const configService = await services.aws.configService();
    expect((await configService.send(new DescribeConfigurationRecorderStatusCommand({}))).ConfigurationRecordersStatus?.map((r) => [r.name, r.recording])).toEqual([["default", true]]);
    expect((await configService.send(new DescribeDeliveryChannelsCommand({}))).DeliveryChannels?.map((c) => [c.s3BucketName, c.s3KeyPrefix])).toEqual([[BUCKET, "config"]]);

    const s3 = await services.aws.s3();
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }))).Status).toBe("Enabled");
    expect((await s3.send(new GetBucketEncryptionCommand({ Bucket: BUCKET }))).ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe("AES256");
    const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy ?? "{}") as { Statement: { Sid: string }[] };
    expect(policy.Statement.map((s) => s.Sid)).toEqual(["AuditServicesAclCheck", "CloudTrailWrite", "ConfigWrite", "DenyInsecureTransport"]);
    const tags = (await s3.send(new GetBucketTaggingCommand({ Bucket: BUCKET }))).TagSet ?? [];
    // Account-wide: destroy's sweep by the platform tag must never find it.
    expect(tags.map((t) => t.Key)).not.toContain("btp-aws:platform");
    expect(first.outputs).toMatchObject({ trailArn: trails[0]!.TrailARN, configRecorder: "default", auditBucket: BUCKET });

    services.aws.counter.reset();
    const second = await runStep(securityServicesStep, all, services, PREPARE_OUTPUTS);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    expect(second.report.skipped).toEqual([`GuardDuty detector ${detectors[0]} is enabled`, `multi-region trail btp-aws-audit is logging into ${BUCKET}`, "AWS Config recorder default is recording"]);
    services.aws.destroy();
  });

  it("adopts the account's own detector and trail, and restarts a stopped trail", async () => {
    const services = infraServices(moto.endpoint);
    const guardduty = await services.aws.guardduty();
    const { DetectorId } = await guardduty.send(new CreateDetectorCommand({ Enable: true }));
    const s3 = await services.aws.s3();
    await s3.send(new CreateBucketCommand({ Bucket: "corp-trail", CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
    const cloudtrail = await services.aws.cloudtrail();
    await cloudtrail.send(new CreateTrailCommand({ Name: "corp", S3BucketName: "corp-trail", IsMultiRegionTrail: true }));
    await cloudtrail.send(new StopLoggingCommand({ Name: "corp" }));

    const config = testConfig({ security: { guardDuty: true, cloudTrail: true } });
    const result = await runStep(securityServicesStep, config, services, PREPARE_OUTPUTS);
    expect((await guardduty.send(new ListDetectorsCommand({}))).DetectorIds).toEqual([DetectorId]);
    expect((await cloudtrail.send(new DescribeTrailsCommand({}))).trailList?.map((t) => t.Name)).toEqual(["corp"]);
    expect((await cloudtrail.send(new GetTrailStatusCommand({ Name: "corp" }))).IsLogging).toBe(true);
    expect(result.report.infos).toEqual(["multi-region trail corp was not logging: started it"]);
    // No new trail, so no audit bucket either.
    expect(result.outputs).not.toHaveProperty("auditBucket");
    services.aws.destroy();
  });

  it("does nothing at all when every service is off (the default)", async () => {
    const services = infraServices(moto.endpoint);
    const result = await runStep(securityServicesStep, testConfig(), services, PREPARE_OUTPUTS);
    expect(result.outputs).toEqual({});
    expect(services.aws.counter.snapshot()).toMatchObject({ read: 0, mutating: 0 });
    services.aws.destroy();
  });
});
