/** The envelope around exported Secrets: AES-256-GCM under a KMS data key, opened only with kms:Decrypt, tamper-evident. */
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { open, seal } from "../../../../src/ops/dr-snapshot/envelope.js";

const KEY_ARN = "arn:aws:kms:eu-central-1:123456789012:key/dr-1";
const kms = new KMSClient({ region: "eu-central-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
const mock = mockClient(kms);
const dataKey = () => new Uint8Array(32).fill(7);

beforeEach(() => {
  mock.reset();
  mock.on(GenerateDataKeyCommand).callsFake(() => ({ Plaintext: dataKey(), CiphertextBlob: new Uint8Array([1, 2, 3]), KeyId: KEY_ARN }));
  mock.on(DecryptCommand).callsFake(() => ({ Plaintext: dataKey(), KeyId: KEY_ARN }));
});

describe("envelope encryption", () => {
  it("seals with a fresh AES-256 data key and keeps only its KMS-encrypted form", async () => {
    const secret = "password: c3VwZXItc2VjcmV0";
    const envelope = await seal(kms, KEY_ARN, Buffer.from(secret));
    expect(mock.commandCalls(GenerateDataKeyCommand)[0]?.args[0].input).toEqual({ KeyId: KEY_ARN, KeySpec: "AES_256" });
    expect(envelope).toMatchObject({ format: "btp-aws-envelope/v1", kmsKeyId: KEY_ARN, encryptedDataKey: "AQID", algorithm: "AES-256-GCM" });
    expect(Buffer.from(envelope.iv, "base64")).toHaveLength(12);
    expect(JSON.stringify(envelope)).not.toContain(secret);
    expect(Buffer.from(envelope.ciphertext, "base64").toString("utf8")).not.toContain("password");
    expect((await open(kms, envelope)).toString("utf8")).toBe(secret);
    expect(mock.commandCalls(DecryptCommand)[0]?.args[0].input).toEqual({ CiphertextBlob: Buffer.from([1, 2, 3]), KeyId: KEY_ARN });
  });

  it("refuses an altered ciphertext and an unknown format", async () => {
    const envelope = await seal(kms, KEY_ARN, Buffer.from("a secret"));
    const bytes = Buffer.from(envelope.ciphertext, "base64");
    bytes[0] = bytes[0]! ^ 1;
    await expect(open(kms, { ...envelope, ciphertext: bytes.toString("base64") })).rejects.toThrow("Unsupported state or unable to authenticate data");
    await expect(open(kms, { ...envelope, format: "other" as "btp-aws-envelope/v1" })).rejects.toThrow("not a btp-aws-envelope/v1 envelope (format other)");
  });
});
