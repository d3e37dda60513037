/**
 * The node group's launch template: IMDSv2 required (hop limit 2, so pods behind the node's
 * network namespace still reach it), an encrypted gp3 root volume on the platform key, the
 * cluster's and the nodes' security groups, and platform tags on the instances and volumes.
 *
 * A change is a new template version, never an edit: EKS rolls the nodes when the node group is
 * pointed at the new version. The newest version is compared with what the config asks for.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import { createLaunchTemplate, createLaunchTemplateVersion, findLaunchTemplate, launchSettings, tagLaunchTemplate, type LaunchSettings } from "../../aws/ec2-launch-template.js";
import { PLATFORM_TAG, missingTags, platformTags } from "../../aws/tags.js";
import type { Config } from "../../config/schema.js";
import { BtpAwsError } from "../../errors.js";
import { infraNames } from "./names.js";

/** The root device of the EKS-optimised Amazon Linux AMIs. */
export const ROOT_DEVICE = "/dev/xvda";

type Call = <T>(action: string, fn: () => Promise<T>) => Promise<T>;

export function wantedLaunchSettings(config: Config, inputs: { kmsKeyArn: string; securityGroupIds: string[] }): LaunchSettings {
  const nodeGroup = infraNames(config).nodeGroup;
  const tags = platformTags(config, { Name: nodeGroup });
  return {
    httpTokens: "required",
    httpPutResponseHopLimit: 2,
    rootVolume: { deviceName: ROOT_DEVICE, sizeGiB: config.cluster.diskSizeGiB, type: "gp3", encrypted: true, kmsKeyId: inputs.kmsKeyArn, deleteOnTermination: true },
    securityGroupIds: inputs.securityGroupIds,
    resourceTags: { instance: tags, volume: tags },
  };
}

function keyId(keyArnOrId: string | undefined): string | undefined {
  return keyArnOrId?.slice(keyArnOrId.lastIndexOf("/") + 1);
}

/** What differs between a template version and the wanted settings, in words; [] when equal. */
export function launchSettingsDiff(actual: LaunchSettings, wanted: LaunchSettings): string[] {
  const differences: string[] = [];
  if (actual.httpTokens !== wanted.httpTokens) differences.push(`IMDS tokens ${actual.httpTokens ?? "optional"} → ${wanted.httpTokens ?? "optional"}`);
  if (actual.httpPutResponseHopLimit !== wanted.httpPutResponseHopLimit) differences.push(`IMDS hop limit ${actual.httpPutResponseHopLimit ?? "default"} → ${wanted.httpPutResponseHopLimit ?? "default"}`);
  const [a, w] = [actual.rootVolume, wanted.rootVolume];
  if (w && !a) differences.push(`root volume ${w.deviceName} missing`);
  if (a && w) {
    if (a.sizeGiB !== w.sizeGiB) differences.push(`root volume ${a.sizeGiB ?? "default"} → ${w.sizeGiB ?? "default"} GiB`);
    if (a.type !== w.type) differences.push(`root volume type ${a.type ?? "default"} → ${w.type ?? "default"}`);
    if (a.encrypted !== w.encrypted || keyId(a.kmsKeyId) !== keyId(w.kmsKeyId)) differences.push("root volume encryption key");
    if (a.deleteOnTermination !== w.deleteOnTermination) differences.push("root volume deletion on termination");
  }
  if ([...actual.securityGroupIds].sort().join() !== [...wanted.securityGroupIds].sort().join()) {
    differences.push(`security groups ${actual.securityGroupIds.join(", ") || "none"} → ${wanted.securityGroupIds.join(", ")}`);
  }
  for (const [type, tags] of Object.entries(wanted.resourceTags)) {
    const absent = Object.keys(missingTags(actual.resourceTags[type] ?? {}, tags));
    if (absent.length > 0) differences.push(`${type} tags ${absent.join(", ")}`);
  }
  return differences;
}

/** Finds or creates the template and makes its newest version match; returns id and version. */
export async function ensureLaunchTemplate(ec2: EC2Client, config: Config, wanted: LaunchSettings, call: Call): Promise<{ id: string; version: string; done: string | undefined }> {
  const name = infraNames(config).launchTemplate;
  const tags = platformTags(config, { Name: name });
  const found = await call(`read launch template ${name} (ec2:DescribeLaunchTemplates)`, () => findLaunchTemplate(ec2, name));
  if (!found) {
    const created = await call(`create launch template ${name} (ec2:CreateLaunchTemplate, ec2:CreateTags)`, () => createLaunchTemplate(ec2, name, wanted, tags));
    return { id: created.id, version: String(created.version), done: `created launch template ${name} (${created.id})` };
  }
  if (found.tags[PLATFORM_TAG] !== config.platform) {
    throw new BtpAwsError(`launch template ${name} (${found.id}) exists but is not managed by btp-aws for platform ${config.platform} (its ${PLATFORM_TAG} tag is ${found.tags[PLATFORM_TAG] ?? "missing"})`, {
      hint: `choose another platform name, or delete the template (aws ec2 delete-launch-template --launch-template-id ${found.id}) if nothing uses it`,
    });
  }
  const done: string[] = [];
  const absent = missingTags(found.tags, tags);
  if (Object.keys(absent).length > 0) {
    await call(`tag launch template ${name} (ec2:CreateTags)`, () => tagLaunchTemplate(ec2, found.id, absent));
    done.push(`added tags ${Object.keys(absent).join(", ")}`);
  }
  const latest = String(found.latestVersion);
  const actual = await call(`read launch template ${name} version ${latest} (ec2:DescribeLaunchTemplateVersions)`, () => launchSettings(ec2, found.id, latest, wanted.rootVolume?.deviceName ?? ROOT_DEVICE));
  const differences = launchSettingsDiff(actual, wanted);
  let version = latest;
  if (differences.length > 0) {
    version = String(await call(`create a version of launch template ${name} (ec2:CreateLaunchTemplateVersion)`, () => createLaunchTemplateVersion(ec2, found.id, wanted)));
    done.push(`version ${version} (${differences.join("; ")})`);
  }
  return { id: found.id, version, done: done.length > 0 ? `launch template ${name}: ${done.join("; ")}` : undefined };
}
