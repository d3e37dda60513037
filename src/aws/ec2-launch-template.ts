/**
 * EC2 launch templates for the managed node group, as domain operations: the few settings the
 * installer manages (IMDS, root volume, security groups, tags of launched resources), read back in
 * the same shape so a step can compare them. "Not found" is `undefined`.
 */
import type { EC2Client, LaunchTemplateHttpTokensState, LaunchTemplateVersion, RequestLaunchTemplateData, ResourceType, VolumeType } from "@aws-sdk/client-ec2";
import { tagList, tagMap, type TagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

export interface LaunchTemplate {
  id: string;
  name: string;
  latestVersion: number;
  tags: Record<string, string>;
}

export interface RootVolume {
  deviceName: string;
  sizeGiB: number | undefined;
  type: VolumeType | undefined;
  encrypted: boolean;
  kmsKeyId: string | undefined;
  deleteOnTermination: boolean;
}

/** What a launch template version sets, as far as the installer cares. */
export interface LaunchSettings {
  /** "required" is IMDSv2 only. */
  httpTokens: LaunchTemplateHttpTokensState | undefined;
  httpPutResponseHopLimit: number | undefined;
  rootVolume: RootVolume | undefined;
  securityGroupIds: string[];
  /** Tags stamped on what the template launches, by resource type ("instance", "volume"). */
  resourceTags: Record<string, Record<string, string>>;
}

function toData(settings: LaunchSettings): RequestLaunchTemplateData {
  const volume = settings.rootVolume;
  return {
    MetadataOptions: { HttpEndpoint: "enabled", HttpTokens: settings.httpTokens, HttpPutResponseHopLimit: settings.httpPutResponseHopLimit },
    BlockDeviceMappings: volume
      ? [{ DeviceName: volume.deviceName, Ebs: { VolumeSize: volume.sizeGiB, VolumeType: volume.type, Encrypted: volume.encrypted, KmsKeyId: volume.kmsKeyId, DeleteOnTermination: volume.deleteOnTermination } }]
      : [],
    SecurityGroupIds: settings.securityGroupIds,
    TagSpecifications: Object.entries(settings.resourceTags).map(([type, tags]) => ({ ResourceType: type as ResourceType, Tags: tagList(tags) })),
  };
}

function fromVersion(version: LaunchTemplateVersion | undefined, rootDevice: string): LaunchSettings {
  const data = version?.LaunchTemplateData ?? {};
  const root = data.BlockDeviceMappings?.find((m) => m.DeviceName === rootDevice);
  const resourceTags: Record<string, Record<string, string>> = {};
  for (const spec of data.TagSpecifications ?? []) {
    if (spec.ResourceType) resourceTags[spec.ResourceType] = { ...resourceTags[spec.ResourceType], ...tagMap(spec.Tags) };
  }
  return {
    httpTokens: data.MetadataOptions?.HttpTokens,
    httpPutResponseHopLimit: data.MetadataOptions?.HttpPutResponseHopLimit,
    rootVolume: root?.DeviceName
      ? {
          deviceName: root.DeviceName,
          sizeGiB: root.Ebs?.VolumeSize,
          type: root.Ebs?.VolumeType,
          encrypted: root.Ebs?.Encrypted === true,
          kmsKeyId: root.Ebs?.KmsKeyId,
          deleteOnTermination: root.Ebs?.DeleteOnTermination !== false,
        }
      : undefined,
    securityGroupIds: data.SecurityGroupIds ?? [],
    resourceTags,
  };
}

export async function findLaunchTemplate(ec2: EC2Client, name: string): Promise<LaunchTemplate | undefined> {
  const { DescribeLaunchTemplatesCommand } = await loadSdk("@aws-sdk/client-ec2");
  // A filter rather than LaunchTemplateNames: the latter fails with NotFound instead of answering [].
  const { LaunchTemplates } = await ec2.send(new DescribeLaunchTemplatesCommand({ Filters: [{ Name: "launch-template-name", Values: [name] }] }));
  const found = LaunchTemplates?.find((t) => t.LaunchTemplateName === name);
  if (!found?.LaunchTemplateId) return undefined;
  return { id: found.LaunchTemplateId, name, latestVersion: found.LatestVersionNumber ?? 1, tags: tagMap(found.Tags) };
}

/** The settings of one version ("3", "$Latest"). `rootDevice` picks the block device mapping. */
export async function launchSettings(ec2: EC2Client, id: string, version: string, rootDevice: string): Promise<LaunchSettings> {
  const { DescribeLaunchTemplateVersionsCommand } = await loadSdk("@aws-sdk/client-ec2");
  const { LaunchTemplateVersions } = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: [version] }));
  return fromVersion(LaunchTemplateVersions?.[0], rootDevice);
}

export async function createLaunchTemplate(ec2: EC2Client, name: string, settings: LaunchSettings, tags: TagMap): Promise<{ id: string; version: number }> {
  const { CreateLaunchTemplateCommand } = await loadSdk("@aws-sdk/client-ec2");
  const { LaunchTemplate: t } = await ec2.send(new CreateLaunchTemplateCommand({
    LaunchTemplateName: name,
    VersionDescription: "btp-aws",
    LaunchTemplateData: toData(settings),
    TagSpecifications: [{ ResourceType: "launch-template", Tags: tagList(tags) }],
  }));
  if (!t?.LaunchTemplateId) throw new Error("ec2:CreateLaunchTemplate returned no launch template id");
  return { id: t.LaunchTemplateId, version: t.LatestVersionNumber ?? 1 };
}

export async function createLaunchTemplateVersion(ec2: EC2Client, id: string, settings: LaunchSettings): Promise<number> {
  const { CreateLaunchTemplateVersionCommand } = await loadSdk("@aws-sdk/client-ec2");
  const { LaunchTemplateVersion: v } = await ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: id, VersionDescription: "btp-aws", LaunchTemplateData: toData(settings) }));
  if (v?.VersionNumber === undefined) throw new Error("ec2:CreateLaunchTemplateVersion returned no version number");
  return v.VersionNumber;
}

export async function tagLaunchTemplate(ec2: EC2Client, id: string, tags: TagMap): Promise<void> {
  const { CreateTagsCommand } = await loadSdk("@aws-sdk/client-ec2");
  await ec2.send(new CreateTagsCommand({ Resources: [id], Tags: tagList(tags) }));
}
