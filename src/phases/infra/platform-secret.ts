/**
 * Reading one generated credential from the platform secret (infra/secrets). Only a step that
 * creates something calls this: the database password and the Redis AUTH token are sent to AWS
 * once, at creation, and a re-run never reads them.
 */
import { readPlatformSecret } from "../../aws/secrets-manager.js";
import { BtpAwsError } from "../../errors.js";
import { stringOutput } from "../../plan/outputs.js";
import type { StepContext } from "../../plan/types.js";
import type { GeneratedSecrets } from "../../secrets/generate.js";
import type { InfraServices } from "./services.js";

export async function generatedSecret(context: StepContext<Pick<InfraServices, "aws" | "secrets">>, key: keyof GeneratedSecrets): Promise<string> {
  const arn = stringOutput(context.outputs, "infra/secrets", "secretArn");
  const sm = await context.services.aws.secretsManager();
  // Every value is registered with the redactor before it is returned, not just the one asked for.
  const values = await readPlatformSecret(sm, arn, (value) => context.services.secrets.add(value));
  const value = values[key];
  if (value === undefined || value === "") {
    throw new BtpAwsError(`secret ${arn} has no ${key}`, { hint: `it was changed outside btp-aws: add a ${key} value to the secret's JSON (or restore its previous version), then run again` });
  }
  return value;
}
