/**
 * Reading a secret the user made (an external database's, Redis's or bucket's credentials): its
 * string value, from the secret's own region. The value goes through `redact` before it is
 * returned; errors never carry it.
 */
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { BtpAwsError } from "../errors.js";
import type { Redact } from "./secrets-manager.js";
import { loadSdk } from "./sdk.js";

/** The region in a Secrets Manager ARN (`arn:aws:secretsmanager:<region>:…`), if it has one. */
export function secretRegion(arn: string): string | undefined {
  const region = arn.split(":")[3];
  return region === undefined || region === "" ? undefined : region;
}

export async function readSecretString(sm: SecretsManagerClient, arn: string, redact: Redact): Promise<string> {
  const { GetSecretValueCommand } = await loadSdk("@aws-sdk/client-secrets-manager");
  const { SecretString } = await sm.send(new GetSecretValueCommand({ SecretId: arn }));
  if (SecretString === undefined || SecretString === "") {
    throw new BtpAwsError(`secret ${arn} has no string value`, { hint: "store the credentials as a SecretString (JSON or plain text), then run again" });
  }
  redact(SecretString);
  return SecretString;
}
