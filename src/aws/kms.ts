/** The KMS calls the installer makes, as domain operations. "Not found" is `undefined`. */
import type { KMSClient } from "@aws-sdk/client-kms";
import { awsErrorCode } from "./errors.js";
import { kmsTagList, tagMap, type TagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

export interface KmsKey {
  keyId: string;
  arn: string;
  /** Enabled, Disabled, PendingDeletion, PendingImport, Unavailable … */
  state: string;
  customerManaged: boolean;
}

const NOT_FOUND = new Set(["NotFoundException"]);

/** The key an alias points at, or undefined when the alias does not exist. */
export async function describeKey(kms: KMSClient, keyIdOrAlias: string): Promise<KmsKey | undefined> {
  const { DescribeKeyCommand } = await loadSdk("@aws-sdk/client-kms");
  try {
    const { KeyMetadata: m } = await kms.send(new DescribeKeyCommand({ KeyId: keyIdOrAlias }));
    if (!m?.KeyId || !m.Arn) return undefined;
    return { keyId: m.KeyId, arn: m.Arn, state: m.KeyState ?? "Unknown", customerManaged: m.KeyManager === "CUSTOMER" };
  } catch (error) {
    if (NOT_FOUND.has(awsErrorCode(error) ?? "")) return undefined;
    throw error;
  }
}

/** Customer managed keys whose tags include every tag in `match`; for adoption without state. */
export async function findKeysByTags(kms: KMSClient, match: TagMap): Promise<KmsKey[]> {
  const { paginateListKeys } = await loadSdk("@aws-sdk/client-kms");
  const found: KmsKey[] = [];
  for await (const page of paginateListKeys({ client: kms }, {})) {
    for (const entry of page.Keys ?? []) {
      if (!entry.KeyId) continue;
      const key = await describeKey(kms, entry.KeyId);
      if (!key?.customerManaged || key.state === "PendingDeletion") continue;
      const tags = await keyTags(kms, key.keyId);
      if (Object.entries(match).every(([k, v]) => tags[k] === v)) found.push(key);
    }
  }
  return found;
}

export async function keyTags(kms: KMSClient, keyId: string): Promise<Record<string, string>> {
  const { ListResourceTagsCommand } = await loadSdk("@aws-sdk/client-kms");
  const { Tags } = await kms.send(new ListResourceTagsCommand({ KeyId: keyId }));
  return tagMap(Tags);
}

export async function createKey(kms: KMSClient, spec: { description: string; policy: string; tags: TagMap }): Promise<KmsKey> {
  const { CreateKeyCommand } = await loadSdk("@aws-sdk/client-kms");
  const { KeyMetadata: m } = await kms.send(new CreateKeyCommand({
    Description: spec.description,
    KeySpec: "SYMMETRIC_DEFAULT",
    KeyUsage: "ENCRYPT_DECRYPT",
    Policy: spec.policy,
    Tags: kmsTagList(spec.tags),
  }));
  if (!m?.KeyId || !m.Arn) throw new Error("kms:CreateKey returned no key id");
  return { keyId: m.KeyId, arn: m.Arn, state: m.KeyState ?? "Enabled", customerManaged: true };
}

export async function createAlias(kms: KMSClient, alias: string, keyId: string): Promise<void> {
  const { CreateAliasCommand } = await loadSdk("@aws-sdk/client-kms");
  await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
}

export async function rotationEnabled(kms: KMSClient, keyId: string): Promise<boolean> {
  const { GetKeyRotationStatusCommand } = await loadSdk("@aws-sdk/client-kms");
  const { KeyRotationEnabled } = await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
  return KeyRotationEnabled === true;
}

export async function enableRotation(kms: KMSClient, keyId: string): Promise<void> {
  const { EnableKeyRotationCommand } = await loadSdk("@aws-sdk/client-kms");
  await kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
}

export async function tagKey(kms: KMSClient, keyId: string, tags: TagMap): Promise<void> {
  const { TagResourceCommand } = await loadSdk("@aws-sdk/client-kms");
  await kms.send(new TagResourceCommand({ KeyId: keyId, Tags: kmsTagList(tags) }));
}
