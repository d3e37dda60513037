/**
 * The secrets the BTP values need, gathered for one release: generated credentials and the Vault
 * AppRole from the platform secret (Secrets Manager), the license token and OAuth client secret
 * from the user, and an external dependency's credentials from the secret its
 * `credentialsSecretArn` names or the BTP_AWS_* variable. Every value is registered with the
 * redactor before anything else sees it.
 */
import { readSecretString, secretRegion } from "../../aws/secret-string.js";
import { readPlatformSecret } from "../../aws/secrets-manager.js";
import { SECRET_VARIABLES } from "../../config/env.js";
import type { UserSecrets } from "../../config/schema.js";
import { parseCacheSecret, parseDatabaseSecret, parseStorageSecret } from "../../secrets/external-credentials.js";
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
  objectStorageAccessKey: "infra/secrets",
  objectStorageSecretKey: "infra/secrets",
  jwtSigningKey: "infra/secrets",
  stateEncryptionKey: "infra/secrets",
  ipfsClusterSecret: "infra/secrets",
  vaultRoleId: "vault/configure",
  vaultSecretId: "vault/configure",
};

/** A user-supplied credential (BTP_AWS_* or the prompt), or the config error that names both ways to give it. */
function userSecret(context: SecretContext, key: keyof UserSecrets, field: string, section: string): string {
  const value = context.services.userSecrets[key];
  if (value === undefined || value === "") {
    throw new BtpAwsError(`${field}: is required when ${section}.mode is external, or set ${SECRET_VARIABLES[key]}`, {
      hint: `export ${SECRET_VARIABLES[key]}=<…> or set ${field} in the config, then run \`btp-aws install\` again (it resumes here)`,
      exitCode: ExitCode.usage,
    });
  }
  context.services.secrets.add(value);
  return value;
}

/** Reads a user's credentials secret from its own region. */
async function externalSecret(context: SecretContext, arn: string): Promise<string> {
  const sm = await context.services.aws.secretsManager(secretRegion(arn));
  return readSecretString(sm, arn, (value) => context.services.secrets.add(value));
}

type ExternalValues = Pick<BtpSecretValues, "databaseUser" | "storageAccessKeyId" | "storageSecretAccessKey"> & { databasePassword?: string; redisAuthToken?: string };

/** The external dependencies' credentials; the env-supplied ones first, so a missing one fails before any AWS call. */
async function externalCredentials(context: SecretContext): Promise<ExternalValues> {
  const { database, cache, storage } = context.config;
  const redact = (value: string) => context.services.secrets.add(value);
  const fromEnv: ExternalValues = {};
  if (database.mode === "external" && database.external?.credentialsSecretArn === undefined) {
    fromEnv.databasePassword = userSecret(context, "databasePassword", "database.external.credentialsSecretArn", "database");
  }
  if (cache.mode === "external" && cache.external?.credentialsSecretArn === undefined) {
    fromEnv.redisAuthToken = userSecret(context, "redisPassword", "cache.external.credentialsSecretArn", "cache");
  }
  if (storage.mode === "external" && storage.external?.credentialsSecretArn === undefined) {
    fromEnv.storageAccessKeyId = userSecret(context, "storageAccessKeyId", "storage.external.credentialsSecretArn", "storage");
    fromEnv.storageSecretAccessKey = userSecret(context, "storageSecretAccessKey", "storage.external.credentialsSecretArn", "storage");
  }
  const result: ExternalValues = { ...fromEnv };
  const databaseArn = database.mode === "external" ? database.external?.credentialsSecretArn : undefined;
  if (databaseArn !== undefined) {
    const credentials = parseDatabaseSecret(await externalSecret(context, databaseArn), databaseArn, redact);
    result.databasePassword = credentials.password;
    if (credentials.username !== undefined) result.databaseUser = credentials.username;
  }
  const cacheArn = cache.mode === "external" ? cache.external?.credentialsSecretArn : undefined;
  if (cacheArn !== undefined) result.redisAuthToken = parseCacheSecret(await externalSecret(context, cacheArn), cacheArn, redact);
  const storageArn = storage.mode === "external" ? storage.external?.credentialsSecretArn : undefined;
  if (storageArn !== undefined) {
    const keys = parseStorageSecret(await externalSecret(context, storageArn), storageArn, redact);
    result.storageAccessKeyId = keys.accessKeyId;
    result.storageSecretAccessKey = keys.secretAccessKey;
  }
  return result;
}

export async function btpSecretValues(context: SecretContext): Promise<BtpSecretValues> {
  // Both user secrets first: a missing one fails before any AWS call.
  const token = licenseToken(context);
  const clientSecret = authClientSecret(context);
  const external = await externalCredentials(context);
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
  const inCluster = context.config.storage.mode === "in-cluster";
  return {
    databasePassword: external.databasePassword ?? pick("databasePassword"),
    redisAuthToken: external.redisAuthToken ?? pick("redisAuthToken"),
    ...(external.databaseUser === undefined ? {} : { databaseUser: external.databaseUser }),
    // MinIO's keys come from the platform secret; an external bucket's from the user.
    ...(inCluster ? { storageAccessKeyId: pick("objectStorageAccessKey"), storageSecretAccessKey: pick("objectStorageSecretKey") } : {}),
    ...(external.storageAccessKeyId === undefined ? {} : { storageAccessKeyId: external.storageAccessKeyId }),
    ...(external.storageSecretAccessKey === undefined ? {} : { storageSecretAccessKey: external.storageSecretAccessKey }),
    jwtSigningKey: pick("jwtSigningKey"),
    stateEncryptionKey: pick("stateEncryptionKey"),
    ipfsClusterSecret: pick("ipfsClusterSecret"),
    vaultRoleId: pick("vaultRoleId"),
    vaultSecretId: pick("vaultSecretId"),
    licenseToken: token,
    authClientSecret: clientSecret,
  };
}
