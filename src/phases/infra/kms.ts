/**
 * infra/kms: the platform's customer managed key, with rotation, behind alias/btp-<platform>.
 * It encrypts Vault's unseal, EKS secrets, RDS, ElastiCache, S3, Secrets Manager and EBS.
 *
 * Found in this order: the alias; the key id recorded in state (the alias may have been deleted
 * out of band); a key tagged for this platform. Only when none exists is a key created.
 */
import { createAlias, createKey, describeKey, enableRotation, findKeysByTags, keyTags, rotationEnabled, tagKey, type KmsKey } from "../../aws/kms.js";
import { describeAwsError } from "../../aws/errors.js";
import { PLATFORM_TAG, missingTags, platformTags } from "../../aws/tags.js";
import { BtpAwsError } from "../../errors.js";
import { stringOutput } from "../../plan/outputs.js";
import type { Reporter, Step, StepContext } from "../../plan/types.js";
import { platformKeyPolicy } from "./kms-policy.js";
import { infraNames } from "./names.js";
import type { InfraServices } from "./services.js";
import { allSettledOrThrow } from "../../all-settled.js";

type Context = StepContext<Pick<InfraServices, "aws">>;

async function locateKey(context: Context, alias: string): Promise<{ key: KmsKey; viaAlias: boolean } | undefined> {
  const kms = await context.services.aws.kms();
  const byAlias = await describeKey(kms, alias);
  if (byAlias) return { key: byAlias, viaAlias: true };
  const recorded = typeof context.previous?.keyId === "string" ? await describeKey(kms, context.previous.keyId) : undefined;
  if (recorded && recorded.state !== "PendingDeletion") return { key: recorded, viaAlias: false };
  const tagged = await findKeysByTags(kms, { [PLATFORM_TAG]: context.config.platform, "btp-aws:role": "platform" });
  if (tagged.length > 1) {
    throw new BtpAwsError(`found ${tagged.length} KMS keys tagged for platform ${context.config.platform} and no alias ${alias}: ${tagged.map((k) => k.keyId).join(", ")}`, {
      hint: `point the alias at the right one (aws kms create-alias --alias-name ${alias} --target-key-id <id>), then run again`,
    });
  }
  return tagged[0] ? { key: tagged[0], viaAlias: false } : undefined;
}

export const kmsStep: Step<Pick<InfraServices, "aws">> = {
  id: "infra/kms",
  title: "KMS key",
  phase: "infra",
  needs: ["prepare/credentials"],
  describe: (config) => [`create or adopt a customer managed key with yearly rotation, alias ${infraNames(config).keyAlias}`],
  async run(context, report: Reporter) {
    const { config, services } = context;
    const alias = infraNames(config).keyAlias;
    const account = stringOutput(context.outputs, "prepare/credentials", "account");
    const tags = platformTags(config, { "btp-aws:role": "platform", Name: alias.slice("alias/".length) });
    try {
      const kms = await services.aws.kms();
      report.status(`looking for ${alias}`);
      const found = await locateKey(context, alias);
      let key: KmsKey;
      if (!found) {
        report.status("creating the key");
        key = await createKey(kms, { description: `btp-aws platform ${config.platform}`, policy: platformKeyPolicy(account, config.aws.region), tags });
        const made = key;
        await allSettledOrThrow([createAlias(kms, alias, made.keyId), enableRotation(kms, made.keyId)]);
        report.info(`created key ${key.keyId} (${alias}), rotation on`);
        return { keyId: key.keyId, keyArn: key.arn, alias };
      }
      key = found.key;
      if (key.state !== "Enabled") {
        throw new BtpAwsError(`KMS key ${key.keyId} (${alias}) is ${key.state}: the platform cannot use it`, {
          hint: key.state === "PendingDeletion" ? `cancel the deletion (aws kms cancel-key-deletion --key-id ${key.keyId}), enable it, then run again` : `enable it (aws kms enable-key --key-id ${key.keyId}), then run again`,
        });
      }
      const repaired: string[] = [];
      if (!found.viaAlias) {
        await createAlias(kms, alias, key.keyId);
        repaired.push(`recreated alias ${alias}`);
      }
      if (!(await rotationEnabled(kms, key.keyId))) {
        await enableRotation(kms, key.keyId);
        repaired.push("turned rotation back on");
      }
      const absent = missingTags(await keyTags(kms, key.keyId), tags);
      if (Object.keys(absent).length > 0) {
        await tagKey(kms, key.keyId, absent);
        repaired.push(`added tags ${Object.keys(absent).join(", ")}`);
      }
      if (repaired.length > 0) report.info(`key ${key.keyId}: ${repaired.join("; ")}`);
      else report.skip(`key ${key.keyId} (${alias}) exists with rotation on`);
      return { keyId: key.keyId, keyArn: key.arn, alias };
    } catch (error) {
      throw describeAwsError(error, `set up KMS key ${alias} (kms:CreateKey, kms:CreateAlias, kms:EnableKeyRotation)`, { endpoint: services.aws.endpoint, region: config.aws.region });
    }
  },
};
