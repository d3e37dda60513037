/**
 * infra/secrets: one Secrets Manager secret per platform, encrypted with the platform key,
 * holding every credential the installer generates (database password, Redis AUTH token, JWT
 * signing key, state encryption key, IPFS cluster secret). Later phases add Vault's recovery keys
 * and root token to it (src/aws/secrets-manager.ts, mergeIntoPlatformSecret).
 *
 * Which credentials it holds follows the dependency modes (generatedKeys): aws and in-cluster
 * databases and caches get generated passwords, in-cluster object storage gets MinIO keys, and an
 * external dependency brings its own. A value is generated once and never regenerated: an existing
 * secret is adopted from DescribeSecret, and its value is read only when this step's recorded key
 * list (state) lacks a key the config now needs, to add just the missing ones. So a re-run stays
 * cheap and can never silently rotate a password that RDS, ElastiCache or a release already holds.
 */
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createSecret, describeSecret, mergeIntoPlatformSecret, readPlatformSecret, setSecretKey, tagSecret, type SecretDescription } from "../../aws/secrets-manager.js";
import { describeAwsError } from "../../aws/errors.js";
import { belongsTo, missingTags, platformTags } from "../../aws/tags.js";
import { BtpAwsError } from "../../errors.js";
import type { Reporter, Step, StepContext } from "../../plan/types.js";
import { generateSecrets, generatedKeys, type GeneratedKey } from "../../secrets/generate.js";
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

/** Key names this step recorded last time (names only, never values). */
function recordedKeys(context: StepContext<Services>): readonly string[] {
  const keys = context.previous?.keys;
  return Array.isArray(keys) ? (keys as readonly string[]) : [];
}

/**
 * Adds the keys the config needs that the secret lacks (an older run, or a mode changed to
 * in-cluster); returns their names. Present keys are kept as they are, whatever their value.
 */
async function addMissingKeys(context: StepContext<Services>, sm: SecretsManagerClient, arn: string, wanted: readonly GeneratedKey[]): Promise<{ added: GeneratedKey[]; keys: string[] }> {
  const redact = (value: string) => context.services.secrets.add(value);
  const current = await readPlatformSecret(sm, arn, redact);
  const added = wanted.filter((key) => current[key] === undefined || current[key] === "");
  if (added.length > 0) await mergeIntoPlatformSecret(sm, arn, defined(generateSecrets(added)), redact);
  return { added, keys: [...new Set([...Object.keys(current), ...added])].sort() };
}

function defined(values: Partial<Record<GeneratedKey, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export const secretsStep: Step<Services> = {
  id: "infra/secrets",
  title: "Platform secret (Secrets Manager)",
  phase: "infra",
  needs: ["infra/kms"],
  describe: (config) => [`create or adopt secret ${infraNames(config).secret}, encrypted with ${infraNames(config).keyAlias}, holding the generated credentials: ${generatedKeys(config).join(", ")}`],
  async run(context, report: Reporter) {
    const { config, services } = context;
    const name = infraNames(config).secret;
    const key = platformKey(context.outputs);
    const tags = platformTags(config, { Name: name });
    const wanted = generatedKeys(config);
    try {
      const sm = await services.aws.secretsManager();
      report.status(`looking for secret ${name}`);
      const found = await describeSecret(sm, name);
      if (!found) {
        report.status("generating credentials");
        const value = defined(generateSecrets(wanted));
        for (const secret of Object.values(value)) services.secrets.add(secret);
        const created = await createSecret(sm, { name, description: `btp-aws platform ${config.platform}: generated credentials`, kmsKeyId: key.keyArn, value, tags });
        report.info(`created secret ${name} (${key.alias}) with ${Object.keys(value).length} generated credentials`);
        return { secretArn: created.arn, secretName: name, keys: Object.keys(value).sort() };
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
      let keys = [...recordedKeys(context)];
      if (!wanted.every((k) => keys.includes(k))) {
        report.status(`checking the credentials in secret ${name}`);
        const result = await addMissingKeys(context, sm, found.arn, wanted);
        keys = result.keys;
        if (result.added.length > 0) repaired.push(`added ${result.added.join(", ")}`);
      }
      if (repaired.length > 0) report.info(`secret ${name}: ${repaired.join("; ")}`);
      else report.skip(`secret ${name} exists, encrypted with ${key.alias}, holding ${wanted.join(", ")}`);
      return { secretArn: found.arn, secretName: name, keys };
    } catch (error) {
      throw describeAwsError(error, `set up secret ${name} (secretsmanager:DescribeSecret, secretsmanager:CreateSecret, secretsmanager:GetSecretValue, secretsmanager:PutSecretValue, secretsmanager:UpdateSecret, secretsmanager:TagResource)`, { endpoint: services.aws.endpoint, region: config.aws.region });
    }
  },
};
