/**
 * The secrets the BTP values need, gathered for one release: generated credentials and the Vault
 * AppRole from the platform secret (Secrets Manager), the license token and OAuth client secret
 * from the user. Every value is registered with the redactor before anything else sees it.
 */
import { readPlatformSecret } from "../../aws/secrets-manager.js";
import { BtpAwsError, ExitCode } from "../../errors.js";
import { stringOutput } from "../../plan/outputs.js";
import type { StepContext } from "../../plan/types.js";
import type { KubernetesServices } from "../cluster/services.js";
import { SECRET_KEYS } from "./names.js";
import type { BtpSecretValues } from "./values.js";

type SecretContext = StepContext<Pick<KubernetesServices, "aws" | "secrets" | "userSecrets">>;

/** The license token, or an error that says how to supply it (exit 2: nothing ran without it). */
export function licenseToken(context: Pick<SecretContext, "services">): string {
  const token = context.services.userSecrets.licenseToken;
  if (token === undefined || token === "") {
    throw new BtpAwsError("no SettleMint license token: the chart registry login and the platform's image pulls need it", {
      hint: "export BTP_AWS_LICENSE_TOKEN=<the token from your SettleMint license>, then run `btp-aws install` again (it resumes here)",
      exitCode: ExitCode.usage,
    });
  }
  context.services.secrets.add(token);
  return token;
}

function authClientSecret(context: SecretContext): string {
  const secret = context.services.userSecrets.authClientSecret;
  if (secret === undefined || secret === "") {
    throw new BtpAwsError(`no OAuth client secret for ${context.config.auth.provider} client ${context.config.auth.clientId}: the platform's sign-in needs it`, {
      hint: "export BTP_AWS_AUTH_CLIENT_SECRET=<the client secret your identity provider issued>, then run `btp-aws install` again (it resumes here)",
      exitCode: ExitCode.usage,
    });
  }
  context.services.secrets.add(secret);
  return secret;
}

/** Which step puts each key there, for the error when one is missing. */
const WRITTEN_BY: Record<keyof typeof SECRET_KEYS, string> = {
  databasePassword: "infra/secrets",
  redisAuthToken: "infra/secrets",
  jwtSigningKey: "infra/secrets",
  stateEncryptionKey: "infra/secrets",
  ipfsClusterSecret: "infra/secrets",
  vaultRoleId: "vault/configure",
  vaultSecretId: "vault/configure",
};

export async function btpSecretValues(context: SecretContext): Promise<BtpSecretValues> {
  // Both user secrets first: a missing one fails before any AWS call.
  const token = licenseToken(context);
  const clientSecret = authClientSecret(context);
  const arn = stringOutput(context.outputs, "infra/secrets", "secretArn");
  const sm = await context.services.aws.secretsManager();
  const stored = await readPlatformSecret(sm, arn, (value) => context.services.secrets.add(value));
  const pick = (key: keyof typeof SECRET_KEYS): string => {
    const value = stored[SECRET_KEYS[key]];
    if (value === undefined || value === "") {
      throw new BtpAwsError(`the platform secret ${arn} has no ${SECRET_KEYS[key]}`, {
        hint: `step ${WRITTEN_BY[key]} writes it: run \`btp-aws install --from ${WRITTEN_BY[key].split("/")[0]}\` so it runs again`,
      });
    }
    return value;
  };
  return {
    databasePassword: pick("databasePassword"),
    redisAuthToken: pick("redisAuthToken"),
    jwtSigningKey: pick("jwtSigningKey"),
    stateEncryptionKey: pick("stateEncryptionKey"),
    ipfsClusterSecret: pick("ipfsClusterSecret"),
    vaultRoleId: pick("vaultRoleId"),
    vaultSecretId: pick("vaultSecretId"),
    licenseToken: token,
    authClientSecret: clientSecret,
  };
}
