/**
 * Account-wide security services: GuardDuty, CloudTrail, AWS Config. Reads find what already
 * exists (any detector, any multi-region trail, any recorder: one per account or region is the
 * norm, and a second costs money and adds nothing); writes create btp-aws's own.
 */
import type { GuardDutyClient } from "@aws-sdk/client-guardduty";
import type { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import type { ConfigServiceClient } from "@aws-sdk/client-config-service";
import type { IAMClient } from "@aws-sdk/client-iam";
import { awsErrorCode } from "./errors.js";
import { tagList, type TagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

export interface Detector {
  id: string;
  /** ENABLED or DISABLED. */
  status: string;
}

/** Every GuardDuty detector in the region (one at most, in practice) with its status. */
export async function guardDutyDetectors(guardduty: GuardDutyClient): Promise<Detector[]> {
  const { GetDetectorCommand, paginateListDetectors } = await loadSdk("@aws-sdk/client-guardduty");
  const ids: string[] = [];
  for await (const page of paginateListDetectors({ client: guardduty }, {})) ids.push(...(page.DetectorIds ?? []));
  return Promise.all(ids.map(async (id) => ({ id, status: (await guardduty.send(new GetDetectorCommand({ DetectorId: id }))).Status ?? "UNKNOWN" })));
}

export async function findDetector(guardduty: GuardDutyClient): Promise<{ id: string; enabled: boolean } | undefined> {
  const [detector] = await guardDutyDetectors(guardduty);
  return detector && { id: detector.id, enabled: detector.status === "ENABLED" };
}

export async function createDetector(guardduty: GuardDutyClient, tags: TagMap): Promise<string> {
  const { CreateDetectorCommand } = await loadSdk("@aws-sdk/client-guardduty");
  const { DetectorId } = await guardduty.send(new CreateDetectorCommand({ Enable: true, FindingPublishingFrequency: "FIFTEEN_MINUTES", Tags: { ...tags } }));
  if (!DetectorId) throw new Error("CreateDetector answered without a detector id");
  return DetectorId;
}

export async function enableDetector(guardduty: GuardDutyClient, id: string): Promise<void> {
  const { UpdateDetectorCommand } = await loadSdk("@aws-sdk/client-guardduty");
  await guardduty.send(new UpdateDetectorCommand({ DetectorId: id, Enable: true }));
}

export interface Trail {
  name: string;
  arn: string;
  bucket: string | undefined;
  multiRegion: boolean;
  homeRegion: string | undefined;
  logging: boolean;
}

/** Trails that apply to this region (its own and multi-region ones), with whether they log. */
export async function cloudTrails(cloudtrail: CloudTrailClient): Promise<Trail[]> {
  const { DescribeTrailsCommand, GetTrailStatusCommand } = await loadSdk("@aws-sdk/client-cloudtrail");
  const { trailList } = await cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
  return Promise.all((trailList ?? []).filter((t) => t.TrailARN ?? t.Name).map(async (t) => {
    const status = await cloudtrail.send(new GetTrailStatusCommand({ Name: t.TrailARN ?? t.Name }));
    return { name: t.Name ?? t.TrailARN ?? "", arn: t.TrailARN ?? "", bucket: t.S3BucketName, multiRegion: t.IsMultiRegionTrail === true, homeRegion: t.HomeRegion, logging: status.IsLogging === true };
  }));
}

/** A multi-region trail that covers this region: the one CloudTrail setting that matters here. */
export async function findMultiRegionTrail(cloudtrail: CloudTrailClient): Promise<Trail | undefined> {
  return (await cloudTrails(cloudtrail)).find((t) => t.multiRegion && t.arn !== "" && t.name !== "");
}

export async function createTrail(cloudtrail: CloudTrailClient, spec: { name: string; bucket: string; tags: TagMap }): Promise<string> {
  const { CreateTrailCommand } = await loadSdk("@aws-sdk/client-cloudtrail");
  const trail = await cloudtrail.send(new CreateTrailCommand({
    Name: spec.name,
    S3BucketName: spec.bucket,
    IsMultiRegionTrail: true,
    IncludeGlobalServiceEvents: true,
    EnableLogFileValidation: true,
    TagsList: tagList(spec.tags),
  }));
  if (!trail.TrailARN) throw new Error(`CreateTrail ${spec.name} answered without an ARN`);
  return trail.TrailARN;
}

export async function startLogging(cloudtrail: CloudTrailClient, trail: string): Promise<void> {
  const { StartLoggingCommand } = await loadSdk("@aws-sdk/client-cloudtrail");
  await cloudtrail.send(new StartLoggingCommand({ Name: trail }));
}

export interface Recorder {
  name: string;
  recording: boolean;
  hasDeliveryChannel: boolean;
}

export async function findRecorder(config: ConfigServiceClient): Promise<Recorder | undefined> {
  const { DescribeConfigurationRecordersCommand, DescribeConfigurationRecorderStatusCommand, DescribeDeliveryChannelsCommand } = await loadSdk("@aws-sdk/client-config-service");
  const [recorder] = (await config.send(new DescribeConfigurationRecordersCommand({}))).ConfigurationRecorders ?? [];
  if (!recorder?.name) return undefined;
  const [status] = (await config.send(new DescribeConfigurationRecorderStatusCommand({ ConfigurationRecorderNames: [recorder.name] }))).ConfigurationRecordersStatus ?? [];
  const channels = (await config.send(new DescribeDeliveryChannelsCommand({}))).DeliveryChannels ?? [];
  return { name: recorder.name, recording: status?.recording === true, hasDeliveryChannel: channels.length > 0 };
}

/** AWS Config's service-linked role: made once per account; "already exists" is success. */
export async function ensureConfigServiceRole(iam: IAMClient, partition: string, account: string): Promise<string> {
  const { CreateServiceLinkedRoleCommand } = await loadSdk("@aws-sdk/client-iam");
  try {
    await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: "config.amazonaws.com" }));
  } catch (error) {
    if (awsErrorCode(error) !== "InvalidInput" && awsErrorCode(error) !== "EntityAlreadyExists") throw error;
  }
  return `arn:${partition}:iam::${account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`;
}

export async function putRecorder(config: ConfigServiceClient, spec: { name: string; roleArn: string; bucket: string; prefix: string }): Promise<void> {
  const { PutConfigurationRecorderCommand, PutDeliveryChannelCommand } = await loadSdk("@aws-sdk/client-config-service");
  await config.send(new PutConfigurationRecorderCommand({
    ConfigurationRecorder: { name: spec.name, roleARN: spec.roleArn, recordingGroup: { allSupported: true, includeGlobalResourceTypes: true } },
  }));
  await config.send(new PutDeliveryChannelCommand({ DeliveryChannel: { name: spec.name, s3BucketName: spec.bucket, s3KeyPrefix: spec.prefix } }));
}

export async function startRecorder(config: ConfigServiceClient, name: string): Promise<void> {
  const { StartConfigurationRecorderCommand } = await loadSdk("@aws-sdk/client-config-service");
  await config.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: name }));
}
