/**
 * Envelope encryption for what must not sit in the DR bucket readable by whoever can read the
 * bucket (Kubernetes Secrets): KMS makes a fresh AES-256 data key under the DR key; the content is
 * sealed with AES-256-GCM (node:crypto) and only the KMS-encrypted data key is kept with it. To
 * open it one needs kms:Decrypt on the DR key, which SSE-KMS on the bucket alone does not imply.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { KMSClient } from "@aws-sdk/client-kms";
import { BtpAwsError } from "../../errors.js";
import { loadSdk } from "../../aws/sdk.js";

export const ENVELOPE_FORMAT = "btp-aws-envelope/v1";

export interface Envelope {
  format: typeof ENVELOPE_FORMAT;
  /** The KMS key that encrypted the data key (ARN). */
  kmsKeyId: string;
  /** base64 */
  encryptedDataKey: string;
  iv: string;
  authTag: string;
  ciphertext: string;
  algorithm: "AES-256-GCM";
}

export async function seal(kms: KMSClient, keyArn: string, plaintext: Uint8Array): Promise<Envelope> {
  const { GenerateDataKeyCommand } = await loadSdk("@aws-sdk/client-kms");
  const { Plaintext: dataKey, CiphertextBlob, KeyId } = await kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: "AES_256" }));
  if (!dataKey || !CiphertextBlob) throw new BtpAwsError(`kms:GenerateDataKey under ${keyArn} returned no data key`);
  try {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", dataKey, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      format: ENVELOPE_FORMAT,
      kmsKeyId: KeyId ?? keyArn,
      encryptedDataKey: Buffer.from(CiphertextBlob).toString("base64"),
      iv: iv.toString("base64"),
      authTag: cipher.getAuthTag().toString("base64"),
      ciphertext: ciphertext.toString("base64"),
      algorithm: "AES-256-GCM",
    };
  } finally {
    dataKey.fill(0); // the plaintext key lives no longer than it must
  }
}

/** The plaintext of an envelope; fails if it was altered (GCM authenticates it). */
export async function open(kms: KMSClient, envelope: Envelope): Promise<Buffer> {
  const format: string = envelope.format;
  if (format !== ENVELOPE_FORMAT) throw new BtpAwsError(`not a ${ENVELOPE_FORMAT} envelope (format ${format})`);
  const { DecryptCommand } = await loadSdk("@aws-sdk/client-kms");
  const { Plaintext: dataKey } = await kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from(envelope.encryptedDataKey, "base64"), KeyId: envelope.kmsKeyId }));
  if (!dataKey) throw new BtpAwsError("kms:Decrypt returned no data key");
  try {
    const decipher = createDecipheriv("aes-256-gcm", dataKey, Buffer.from(envelope.iv, "base64"));
    decipher.setAuthTag(Buffer.from(envelope.authTag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(envelope.ciphertext, "base64")), decipher.final()]);
  } finally {
    dataKey.fill(0);
  }
}
