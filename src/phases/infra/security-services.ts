/**
 * infra/security-services: the guide's production checklist asks for GuardDuty, CloudTrail and
 * AWS Config. They are account-wide, so each is opt-in (config `security.*`), an existing one is
 * adopted (and turned on if it is off), and `btp-aws destroy` never removes them: other
 * workloads in the account rely on them too.
 */
import { createDetector, createTrail, enableDetector, ensureConfigServiceRole, findDetector, findMultiRegionTrail, findRecorder, putRecorder, startLogging, startRecorder } from "../../aws/account-security.js";
import { describeAwsError } from "../../aws/errors.js";
import { awsPartition } from "../../aws/iam.js";
import { MANAGED_BY, MANAGED_BY_TAG } from "../../aws/tags.js";
import type { Config } from "../../config/schema.js";
import { BtpAwsError } from "../../errors.js";
import { stringOutput } from "../../plan/outputs.js";
import type { Reporter, Step, StepContext, StepOutputs } from "../../plan/types.js";
import { ACCOUNT_SERVICE_TAG, CONFIG_PREFIX, ensureAuditBucket } from "./audit-bucket.js";
import type { InfraServices } from "./services.js";

type Services = Pick<InfraServices, "aws">;

export const TRAIL_NAME = "btp-aws-audit";
export const RECORDER_NAME = "default";

function wanted(config: Pick<Config, "security">): string[] {
  return [config.security.guardDuty && "GuardDuty", config.security.cloudTrail && "CloudTrail", config.security.awsConfig && "AWS Config"].filter((s): s is string => typeof s === "string");
}

async function guardDuty(context: StepContext<Services>, report: Reporter): Promise<string> {
  const client = await context.services.aws.guardduty();
  const found = await findDetector(client);
  if (!found) {
    const id = await createDetector(client, { [MANAGED_BY_TAG]: MANAGED_BY, [ACCOUNT_SERVICE_TAG]: "guardduty" });
    report.info(`enabled GuardDuty: detector ${id}`);
    return id;
  }
  if (!found.enabled) {
    await enableDetector(client, found.id);
    report.info(`GuardDuty detector ${found.id} was suspended: enabled it`);
  } else report.skip(`GuardDuty detector ${found.id} is enabled`);
  return found.id;
}

async function auditBucket(context: StepContext<Services>, report: Reporter): Promise<string> {
  const account = stringOutput(context.outputs, "prepare/credentials", "account");
  const { bucket, changes } = await ensureAuditBucket(await context.services.aws.s3(), { account, region: context.config.aws.region, partition: awsPartition(context.config.aws.region) });
  if (changes.length > 0) report.info(`audit bucket ${bucket}: ${changes.join("; ")}`);
  return bucket;
}

async function cloudTrail(context: StepContext<Services>, report: Reporter, bucket: () => Promise<string>): Promise<string> {
  const client = await context.services.aws.cloudtrail();
  const found = await findMultiRegionTrail(client);
  if (!found) {
    const arn = await createTrail(client, { name: TRAIL_NAME, bucket: await bucket(), tags: { [MANAGED_BY_TAG]: MANAGED_BY, [ACCOUNT_SERVICE_TAG]: "cloudtrail" } });
    await startLogging(client, arn);
    report.info(`created multi-region trail ${TRAIL_NAME}, logging`);
    return arn;
  }
  if (!found.logging) {
    await startLogging(client, found.arn);
    report.info(`multi-region trail ${found.name} was not logging: started it`);
  } else report.skip(`multi-region trail ${found.name} is logging${found.bucket ? ` into ${found.bucket}` : ""}`);
  return found.arn;
}

async function awsConfig(context: StepContext<Services>, report: Reporter, bucket: () => Promise<string>): Promise<string> {
  const client = await context.services.aws.configService();
  const found = await findRecorder(client);
  if (found?.recording) {
    report.skip(`AWS Config recorder ${found.name} is recording`);
    return found.name;
  }
  const name = found?.name ?? RECORDER_NAME;
  if (!found || !found.hasDeliveryChannel) {
    const account = stringOutput(context.outputs, "prepare/credentials", "account");
    const roleArn = await ensureConfigServiceRole(await context.services.aws.iam(), awsPartition(context.config.aws.region), account);
    await putRecorder(client, { name, roleArn, bucket: await bucket(), prefix: CONFIG_PREFIX });
  }
  await startRecorder(client, name);
  report.info(`${found ? "started" : "created and started"} AWS Config recorder ${name}`);
  return name;
}

export const securityServicesStep: Step<Services> = {
  id: "infra/security-services",
  title: "Account security services",
  phase: "infra",
  needs: ["prepare/credentials"],
  describe: (config) => {
    const services = wanted(config);
    return services.length === 0
      ? ["security.* all off: GuardDuty, CloudTrail and AWS Config left as they are"]
      : [`adopt or enable ${services.join(", ")} (account-wide; never removed by destroy)`];
  },
  async run(context, report): Promise<StepOutputs> {
    const { security } = context.config;
    if (wanted(context.config).length === 0) {
      report.skip("security.guardDuty, security.cloudTrail and security.awsConfig are off");
      return {};
    }
    // One bucket for both log streams, made only when a new trail or recorder needs it.
    let bucket: Promise<string> | undefined;
    const sharedBucket = () => (bucket ??= auditBucket(context, report));
    const outputs: Record<string, string> = {};
    try {
      if (security.guardDuty) outputs.guardDutyDetectorId = await guardDuty(context, report);
      if (security.cloudTrail) outputs.trailArn = await cloudTrail(context, report, sharedBucket);
      if (security.awsConfig) outputs.configRecorder = await awsConfig(context, report, sharedBucket);
      if (bucket) outputs.auditBucket = await bucket;
    } catch (error) {
      if (error instanceof BtpAwsError) throw error;
      throw describeAwsError(error, "set up the account security services", { endpoint: context.services.aws.endpoint, region: context.config.aws.region });
    }
    return outputs;
  },
};
