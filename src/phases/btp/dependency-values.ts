/**
 * Where the platform finds its database, Redis and deployment-engine state, for each dependency
 * mode (database.mode, cache.mode, storage.mode):
 * - aws: the endpoints infra/rds, infra/elasticache and infra/s3 recorded; TLS to both, and the
 *   bucket reached through the btp IRSA role (no access keys).
 * - in-cluster: the releases of src/phases/dependencies (names.ts); plain connections inside the
 *   cluster network, and MinIO in the S3-compatible URL form (endpoint, path-style, region) with
 *   the MinIO keys from the platform secret under credentials.aws.
 * - external: host, port and TLS from the config; credentials from the user's secret or env.
 */
import type { Config } from "../../config/schema.js";
import { BtpAwsError } from "../../errors.js";
import { output, stringOutput } from "../../plan/outputs.js";
import type { StepOutputs } from "../../plan/types.js";
import { IN_CLUSTER_CACHE, IN_CLUSTER_DATABASE, IN_CLUSTER_STORAGE } from "../dependencies/names.js";
import { DATABASE_NAME, DATABASE_USER } from "./names.js";
import type { BtpSecretValues } from "./values.js";

type Outputs = Readonly<Record<string, StepOutputs>>;

/** MinIO answers in any region name; us-east-1 is its default and what S3 SDKs sign with. */
export const MINIO_REGION = "us-east-1";

function portOutput(outputs: Outputs, step: string, key: string): number {
  const value = output(outputs, step, key);
  const port = typeof value === "number" ? value : Number(value);
  if (!Number.isInteger(port) || port <= 0) throw new BtpAwsError(`output ${key} of step ${step} is not a port number in the state`);
  return port;
}

function required(value: string | undefined, what: string, hint: string): string {
  if (value === undefined || value === "") throw new BtpAwsError(`no ${what} for the btp values`, { hint });
  return value;
}

export function postgresqlValues(config: Config, outputs: Outputs, secrets: BtpSecretValues): Record<string, unknown> {
  const { mode, external } = config.database;
  if (mode === "in-cluster") {
    // The traffic stays on the cluster network; the chart's PostgreSQL serves no certificate.
    return { host: IN_CLUSTER_DATABASE.host, port: IN_CLUSTER_DATABASE.port, user: IN_CLUSTER_DATABASE.user, password: secrets.databasePassword, database: IN_CLUSTER_DATABASE.database, sslMode: "disable" };
  }
  if (mode === "external" && external !== undefined) {
    const user = required(external.user ?? secrets.databaseUser, "database user", "set database.external.user, or put a username field in the secret database.external.credentialsSecretArn names");
    return { host: external.host, port: external.port, user, password: secrets.databasePassword, database: external.database, sslMode: external.sslMode };
  }
  return {
    host: stringOutput(outputs, "infra/rds", "dbEndpoint"),
    port: portOutput(outputs, "infra/rds", "dbPort"),
    user: DATABASE_USER,
    password: secrets.databasePassword,
    database: DATABASE_NAME,
    // infra/rds's parameter group sets rds.force_ssl=1.
    sslMode: "require",
  };
}

export function redisValues(config: Config, outputs: Outputs, secrets: BtpSecretValues): Record<string, unknown> {
  const { mode, external } = config.cache;
  if (mode === "in-cluster") return { host: IN_CLUSTER_CACHE.host, port: IN_CLUSTER_CACHE.port, password: secrets.redisAuthToken, tls: false };
  if (mode === "external" && external !== undefined) return { host: external.host, port: external.port, password: secrets.redisAuthToken, tls: external.tls };
  return {
    host: stringOutput(outputs, "infra/elasticache", "redisEndpoint"),
    port: portOutput(outputs, "infra/elasticache", "redisPort"),
    password: secrets.redisAuthToken,
    // infra creates the replication group with encryption in transit: plain connections fail.
    tls: true,
  };
}

function accessKeys(secrets: BtpSecretValues, hint: string): { accessKeyId: string; secretAccessKey: string } {
  return {
    accessKeyId: required(secrets.storageAccessKeyId, "object storage access key id", hint),
    secretAccessKey: required(secrets.storageSecretAccessKey, "object storage secret access key", hint),
  };
}

/** features.deploymentEngine.state: where the deployment engine keeps its (encrypted) state. */
export function stateValues(config: Config, outputs: Outputs, secrets: BtpSecretValues): Record<string, unknown> {
  const { mode, external } = config.storage;
  const region = config.aws.region;
  const common = { secretsProvider: "passphrase" };
  if (mode === "in-cluster") {
    const endpoint = IN_CLUSTER_STORAGE.endpoint;
    return {
      ...common,
      // The docs' S3-compatible form (gocloud.dev s3blob URL): MinIO serves buckets by path over HTTP.
      connectionUrl: `s3://${IN_CLUSTER_STORAGE.bucket}?region=${MINIO_REGION}&endpoint=${endpoint}&disableSSL=${endpoint.startsWith("http://")}&s3ForcePathStyle=true`,
      credentials: { encryptionKey: secrets.stateEncryptionKey, aws: { ...accessKeys(secrets, "infra/secrets adds the MinIO keys to the platform secret: run `btp-aws install --from infra`"), region: MINIO_REGION } },
    };
  }
  if (mode === "external" && external !== undefined) {
    const bucketRegion = external.region ?? region;
    const compatible = external.endpoint === undefined ? "" : `&endpoint=${external.endpoint}&s3ForcePathStyle=true`;
    return {
      ...common,
      connectionUrl: `s3://${external.bucket}?region=${bucketRegion}${compatible}`,
      credentials: { encryptionKey: secrets.stateEncryptionKey, aws: { ...accessKeys(secrets, "set storage.external.credentialsSecretArn, or export BTP_AWS_STORAGE_ACCESS_KEY_ID and BTP_AWS_STORAGE_SECRET_ACCESS_KEY, then run `btp-aws install` again"), region: bucketRegion } },
    };
  }
  // The btp IRSA role reaches the bucket: no access keys, only the region.
  return {
    ...common,
    connectionUrl: `s3://${stringOutput(outputs, "infra/s3", "bucket")}?region=${region}`,
    credentials: { encryptionKey: secrets.stateEncryptionKey, aws: { region } },
  };
}
