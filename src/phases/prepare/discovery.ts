/**
 * prepare/discovery: lists what already carries this platform's tag in its region, so a user
 * sees before infra runs what it will adopt (a resumed install, a lost state file). The tagging
 * API does not see IAM roles or Route 53 records; infra finds those by name.
 */
import { describeAwsError } from "../../aws/errors.js";
import { findTaggedResourceArns } from "../../aws/tagging.js";
import { PLATFORM_TAG } from "../../aws/tags.js";
import type { Step } from "../../plan/types.js";
import type { PrepareServices } from "./services.js";

/** State files stay small: the first ARNs are enough to see what was found. */
export const MAX_RECORDED_ARNS = 200;
const MAX_IDS_PER_TYPE = 10;

/**
 * "arn:aws:ec2:eu-west-1:123:vpc/vpc-1" → { type: "ec2:vpc", id: "vpc-1" }.
 * The resource part is "type/id", "type:id" or a bare id (S3 buckets, SNS topics).
 */
export function parseArn(arn: string): { type: string; id: string } {
  const parts = arn.split(":");
  const service = parts[2] ?? "unknown";
  const resource = parts.slice(5).join(":");
  const separator = resource.search(/[/:]/);
  if (separator < 0) return { type: service, id: resource };
  return { type: `${service}:${resource.slice(0, separator)}`, id: resource.slice(separator + 1) };
}

export function groupByType(arns: readonly string[]): string {
  const groups = new Map<string, string[]>();
  for (const arn of arns) {
    const { type, id } = parseArn(arn);
    groups.set(type, [...(groups.get(type) ?? []), id]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, ids]) => {
      const shown = ids.slice(0, MAX_IDS_PER_TYPE).join(", ");
      return `${type}: ${shown}${ids.length > MAX_IDS_PER_TYPE ? ` and ${ids.length - MAX_IDS_PER_TYPE} more` : ""}`;
    })
    .join("; ");
}

export const discoveryStep: Step<PrepareServices> = {
  id: "prepare/discovery",
  title: "Find existing platform resources",
  phase: "prepare",
  needs: ["prepare/credentials"],
  describe: (config) => [`list resources tagged ${PLATFORM_TAG}=${config.platform} in ${config.aws.region} (tag:GetResources)`],
  async run({ config, services }, report) {
    const platform = config.platform;
    report.status(`looking for resources tagged ${PLATFORM_TAG}=${platform}`);
    let arns: string[];
    try {
      arns = await findTaggedResourceArns(await services.aws.tagging(config.aws.region), { [PLATFORM_TAG]: platform });
    } catch (error) {
      throw describeAwsError(error, `list resources tagged for platform ${platform} (tag:GetResources)`, { endpoint: services.aws.endpoint, region: config.aws.region });
    }
    if (arns.length === 0) report.info(`nothing tagged for platform ${platform} yet in ${config.aws.region}`);
    else report.info(`found ${arns.length} ${arns.length === 1 ? "resource" : "resources"} tagged for platform ${platform} in ${config.aws.region}: ${groupByType(arns)}`);
    return { resourceCount: arns.length, resourceArns: arns.slice(0, MAX_RECORDED_ARNS) };
  },
};
