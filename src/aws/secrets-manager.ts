/**
 * The Secrets Manager calls the installer makes. "Not found" is `undefined`.
 *
 * The platform secret is one JSON object of strings. Whoever reads it passes `redact`, which
 * receives every value before this module returns it, so no value can reach a log unregistered.
 * Errors here never carry the secret's text: JSON.parse quotes its input in its message, so a
 * parse failure is reported without the original error attached.
 */
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { BtpAwsError } from "../errors.js";
import { awsErrorCode } from "./errors.js";
import { tagList, tagMap, type TagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

export interface SecretDescription {
  arn: string;
  name: string;
  /** As AWS reports it (key id, key ARN or alias); undefined means the AWS managed aws/secretsmanager key. */
  kmsKeyId: string | undefined;
  /** Set when the secret is scheduled for deletion. */
  deletedDate: Date | undefined;
  tags: Record<string, string>;
}

/** Registers a secret value with the log redactor. */
export type Redact = (value: string) => void;

/** The secret's metadata; never its value. */
export async function describeSecret(sm: SecretsManagerClient, secretId: string): Promise<SecretDescription | undefined> {
  const { DescribeSecretCommand } = await loadSdk("@aws-sdk/client-secrets-manager");
  try {
    const s = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
    if (!s.ARN || !s.Name) return undefined;
    return { arn: s.ARN, name: s.Name, kmsKeyId: s.KmsKeyId, deletedDate: s.DeletedDate, tags: tagMap(s.Tags) };
  } catch (error) {
    if (awsErrorCode(error) === "ResourceNotFoundException") return undefined;
    throw error;
  }
}

export async function createSecret(sm: SecretsManagerClient, spec: { name: string; description: string; kmsKeyId: string; value: Record<string, string>; tags: TagMap }): Promise<{ arn: string; name: string }> {
  const { CreateSecretCommand } = await loadSdk("@aws-sdk/client-secrets-manager");
  const created = await sm.send(new CreateSecretCommand({
    Name: spec.name,
    Description: spec.description,
    KmsKeyId: spec.kmsKeyId,
    SecretString: JSON.stringify(spec.value),
    Tags: tagList(spec.tags),
  }));
  if (!created.ARN) throw new Error("secretsmanager:CreateSecret returned no ARN");
  return { arn: created.ARN, name: created.Name ?? spec.name };
}

/** Points the secret at another KMS key; Secrets Manager re-encrypts the current version. */
export async function setSecretKey(sm: SecretsManagerClient, secretId: string, kmsKeyId: string): Promise<void> {
  const { UpdateSecretCommand } = await loadSdk("@aws-sdk/client-secrets-manager");
  await sm.send(new UpdateSecretCommand({ SecretId: secretId, KmsKeyId: kmsKeyId }));
}

export async function tagSecret(sm: SecretsManagerClient, secretId: string, tags: TagMap): Promise<void> {
  const { TagResourceCommand } = await loadSdk("@aws-sdk/client-secrets-manager");
  await sm.send(new TagResourceCommand({ SecretId: secretId, Tags: tagList(tags) }));
}

function parsePlatformSecret(text: string, arn: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BtpAwsError(`secret ${arn} does not hold a JSON object`, { hint: "it was changed outside btp-aws: restore the previous version (aws secretsmanager update-secret-version-stage), then run again" });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new BtpAwsError(`secret ${arn} does not hold a JSON object`, { hint: "it was changed outside btp-aws: restore the previous version, then run again" });
  }
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== "string") throw new BtpAwsError(`secret ${arn}: the value of ${key} is not a string`);
    values[key] = value;
  }
  return values;
}

/** Every key and value of the platform secret; each value goes through `redact` first. */
export async function readPlatformSecret(sm: SecretsManagerClient, arn: string, redact?: Redact): Promise<Record<string, string>> {
  const { GetSecretValueCommand } = await loadSdk("@aws-sdk/client-secrets-manager");
  const { SecretString } = await sm.send(new GetSecretValueCommand({ SecretId: arn }));
  if (SecretString === undefined) throw new BtpAwsError(`secret ${arn} has no string value`);
  const values = parsePlatformSecret(SecretString, arn);
  for (const value of Object.values(values)) redact?.(value);
  return values;
}

/**
 * Adds `values` to the platform secret (Vault's recovery keys and root token, later on).
 * Reads first and writes a new version only when something differs: a re-run stays read-only.
 * Returns whether a new version was written.
 */
export async function mergeIntoPlatformSecret(sm: SecretsManagerClient, arn: string, values: Record<string, string>, redact?: Redact): Promise<boolean> {
  for (const value of Object.values(values)) redact?.(value);
  const current = await readPlatformSecret(sm, arn, redact);
  if (Object.entries(values).every(([key, value]) => current[key] === value)) return false;
  const { PutSecretValueCommand } = await loadSdk("@aws-sdk/client-secrets-manager");
  await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ ...current, ...values }) }));
  return true;
}
