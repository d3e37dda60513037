/**
 * infra/secrets: one Secrets Manager secret per platform, encrypted with the platform key,
 * holding every credential the installer generates (database password, Redis AUTH token, JWT
 * signing key, state encryption key, IPFS cluster secret). Later phases add Vault's recovery keys
 * and root token to it (src/aws/secrets-manager.ts, mergeIntoPlatformSecret).
 *
 * The credentials are generated only when the secret is created. An existing secret is adopted
 * from DescribeSecret alone: its value is never read here, so a re-run is cheap and can never
 * regenerate (and so silently rotate) a password that RDS or ElastiCache already holds.
 */
import { createSecret, describeSecret, setSecretKey, tagSecret, type SecretDescription } from "../../aws/secrets-manager.js";
import { describeAwsError } from "../../aws/errors.js";
import { belongsTo, missingTags, platformTags } from "../../aws/tags.js";
import { BtpAwsError } from "../../errors.js";
import type { Reporter, Step } from "../../plan/types.js";
import { generateSecrets } from "../../secrets/generate.js";
import { infraNames } from "./names.js";
import { isPlatformKey, platformKey } from "./platform-key.js";
import type { InfraServices } from "./services.js";

type Services = Pick<InfraServices, "aws" | "secrets">;

function unusable(found: SecretDescription, platform: string, region: string): BtpAwsError | undefined {
  if (found.deletedDate !== undefined) {
    return new BtpAwsError(`secret ${found.name} is scheduled for deletion (on ${found.deletedDate.toISOString()}): it holds the platform's credentials`, {
      hint: `restore it (aws secretsmanager restore-secret --secret-id ${found.name} --region ${region}), then run again`,
    });
  }
  if (!belongsTo(found.tags, platform)) {
    return new BtpAwsError(`secret ${found.name} exists but is not managed by btp-aws for platform ${platform} (no btp-aws:platform=${platform} tag)`, {
      hint: "choose another platform name, or delete that secret if it is a leftover, then run again",
    });
  }
  return undefined;
}

export const secretsStep: Step<Services> = {
  id: "infra/secrets",
  title: "Platform secret (Secrets Manager)",
  phase: "infra",
  needs: ["infra/kms"],
  describe: (config) => [`create or adopt secret ${infraNames(config).secret}, encrypted with ${infraNames(config).keyAlias}, holding the generated credentials`],
  async run(context, report: Reporter) {
    const { config, services } = context;
    const name = infraNames(config).secret;
    const key = platformKey(context.outputs);
    const tags = platformTags(config, { Name: name });
    try {
      const sm = await services.aws.secretsManager();
      report.status(`looking for secret ${name}`);
      const found = await describeSecret(sm, name);
      if (!found) {
        report.status("generating credentials");
        const value: Record<string, string> = { ...generateSecrets() };
        for (const secret of Object.values(value)) services.secrets.add(secret);
        const created = await createSecret(sm, { name, description: `btp-aws platform ${config.platform}: generated credentials`, kmsKeyId: key.keyArn, value, tags });
        report.info(`created secret ${name} (${key.alias}) with ${Object.keys(value).length} generated credentials`);
        return { secretArn: created.arn, secretName: name };
      }

      const problem = unusable(found, config.platform, config.aws.region);
      if (problem) throw problem;
      const repaired: string[] = [];
      if (!isPlatformKey(found.kmsKeyId, key)) {
        await setSecretKey(sm, found.arn, key.keyArn);
        repaired.push(`switched encryption from ${found.kmsKeyId ?? "aws/secretsmanager"} to ${key.alias}`);
      }
      const absent = missingTags(found.tags, tags);
      if (Object.keys(absent).length > 0) {
        await tagSecret(sm, found.arn, absent);
        repaired.push(`added tags ${Object.keys(absent).join(", ")}`);
      }
      if (repaired.length > 0) report.info(`secret ${name}: ${repaired.join("; ")}`);
      else report.skip(`secret ${name} exists, encrypted with ${key.alias}`);
      return { secretArn: found.arn, secretName: name };
    } catch (error) {
      throw describeAwsError(error, `set up secret ${name} (secretsmanager:DescribeSecret, secretsmanager:CreateSecret, secretsmanager:UpdateSecret, secretsmanager:TagResource)`, { endpoint: services.aws.endpoint, region: config.aws.region });
    }
  },
};
