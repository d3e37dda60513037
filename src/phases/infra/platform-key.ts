/**
 * The platform key as infra/kms recorded it, and whether a resource's KmsKeyId names it.
 * Services report the key the way it was given (id, key ARN, alias or alias ARN), so a plain
 * string comparison would call a correctly encrypted resource drifted.
 */
import { stringOutput } from "../../plan/outputs.js";
import type { StepOutputs } from "../../plan/types.js";

export interface PlatformKey {
  keyId: string;
  keyArn: string;
  /** alias/btp-<platform> */
  alias: string;
}

export function platformKey(outputs: Readonly<Record<string, StepOutputs>>): PlatformKey {
  return {
    keyId: stringOutput(outputs, "infra/kms", "keyId"),
    keyArn: stringOutput(outputs, "infra/kms", "keyArn"),
    alias: stringOutput(outputs, "infra/kms", "alias"),
  };
}

export function isPlatformKey(reported: string | undefined, key: PlatformKey): boolean {
  if (reported === undefined || reported === "") return false;
  return reported === key.keyId || reported === key.keyArn || reported === key.alias || reported.endsWith(`:key/${key.keyId}`) || reported.endsWith(`:${key.alias}`);
}
