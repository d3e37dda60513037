/**
 * Deleting the platform secret with Secrets Manager's default recovery window (30 days): until
 * then `aws secretsmanager restore-secret` brings it back, passwords and Vault keys included.
 */
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { loadSdk } from "./sdk.js";

/** Returns the date the secret will be gone for good. */
export async function scheduleSecretDeletion(sm: SecretsManagerClient, secretId: string): Promise<Date | undefined> {
  const { DeleteSecretCommand } = await loadSdk("@aws-sdk/client-secrets-manager");
  const { DeletionDate } = await sm.send(new DeleteSecretCommand({ SecretId: secretId }));
  return DeletionDate;
}
