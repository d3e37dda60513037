/**
 * The btp values' postgresql, redis and deployment-engine state for each dependency mode, and
 * where btpSecretValues takes each credential from: the platform secret (aws, in-cluster), the
 * user's credentials secret in its own region, or the BTP_AWS_* variables (external).
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ExitCode } from "../../../../src/errors.js";
import { btpSecretValues } from "../../../../src/phases/btp/secrets.js";
import { BTP_SECRET_PLACEHOLDERS, btpValues, type BtpSecretValues } from "../../../../src/phases/btp/values.js";
import type { StepOutputs } from "../../../../src/plan/types.js";
import { testConfig } from "../../../support/config.js";
import { stepContext } from "../../../support/context.js";
import { ACCOUNT, INFRA_OUTPUTS, PLATFORM_SECRET, SECRET_ARN, TEST_SECRETS } from "./fixtures.js";
import { failure, kubernetesServices } from "./helpers.js";

const sm = mockClient(SecretsManagerClient);
afterEach(() => sm.reset());

const MINIO_KEYS = { storageAccessKeyId: "MINIOACCESSKEY7Q2XZ9", storageSecretAccessKey: "minio-secret-Hw83-secret" };
const USER_SECRETS = { licenseToken: TEST_SECRETS.licenseToken, authClientSecret: TEST_SECRETS.authClientSecret };

/** What infra leaves when every dependency is in the cluster: the three steps recorded only their mode. */
const IN_CLUSTER_OUTPUTS: Record<string, StepOutputs> = {
  ...INFRA_OUTPUTS,
  "infra/rds": { mode: "in-cluster" },
  "infra/elasticache": { mode: "in-cluster" },
  "infra/s3": { mode: "in-cluster" },
};

const DB_ARN = `arn:aws:secretsmanager:eu-central-1:${ACCOUNT}:secret:acme/postgres-AbCdEf`;
const REDIS_ARN = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:acme/redis-AbCdEf`;
const BUCKET_ARN = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:acme/bucket-AbCdEf`;

const EXTERNAL = testConfig({
  database: { mode: "external", external: { host: "pg.acme.internal", port: 6432, database: "platform", sslMode: "verify-full", credentialsSecretArn: DB_ARN } },
  cache: { mode: "external", external: { host: "redis.acme.internal", tls: false, credentialsSecretArn: REDIS_ARN } },
  storage: { mode: "external", external: { bucket: "acme-btp-state", endpoint: "https://objects.acme.example", region: "eu-central-1", credentialsSecretArn: BUCKET_ARN } },
});
const EXTERNAL_ENV = testConfig({
  database: { mode: "external", external: { host: "pg.acme.internal", user: "btp" } },
  cache: { mode: "external", external: { host: "redis.acme.internal" } },
  storage: { mode: "external", external: { bucket: "acme-btp-state" } },
});

function at(value: unknown, ...path: string[]): unknown {
  return path.reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);
}

describe("btp values by dependency mode", () => {
  it("in-cluster: the dependency releases' services, no TLS inside the cluster, MinIO in the S3-compatible form with its keys, no IRSA annotation", () => {
    const values = btpValues(testConfig(), IN_CLUSTER_OUTPUTS, { ...TEST_SECRETS, ...MINIO_KEYS });
    expect(at(values, "postgresql")).toEqual({
      host: "postgresql.btp-dependencies.svc.cluster.local", port: 5432, user: "postgres", password: TEST_SECRETS.databasePassword, database: "btp", sslMode: "disable",
    });
    expect(at(values, "redis")).toEqual({ host: "redis-master.btp-dependencies.svc.cluster.local", port: 6379, password: TEST_SECRETS.redisAuthToken, tls: false });
    expect(at(values, "features", "deploymentEngine", "state")).toEqual({
      connectionUrl: "s3://btp-state?region=us-east-1&endpoint=http://minio.btp-dependencies.svc.cluster.local:9000&disableSSL=true&s3ForcePathStyle=true",
      secretsProvider: "passphrase",
      credentials: { encryptionKey: TEST_SECRETS.stateEncryptionKey, aws: { accessKeyId: MINIO_KEYS.storageAccessKeyId, secretAccessKey: MINIO_KEYS.storageSecretAccessKey, region: "us-east-1" } },
    });
    expect(at(values, "serviceAccount")).toEqual({ create: true, name: "settlemint", annotations: {} });
  });

  it("external: host, port, database, TLS and sslMode from the config; the user from the secret unless the config names one", () => {
    const secrets: BtpSecretValues = { ...TEST_SECRETS, databaseUser: "acme_app", storageAccessKeyId: "AKIAEXTERNAL", storageSecretAccessKey: "ext-bucket-secret" };
    const values = btpValues(EXTERNAL, IN_CLUSTER_OUTPUTS, secrets);
    expect(at(values, "postgresql")).toEqual({ host: "pg.acme.internal", port: 6432, user: "acme_app", password: TEST_SECRETS.databasePassword, database: "platform", sslMode: "verify-full" });
    expect(at(values, "redis")).toEqual({ host: "redis.acme.internal", port: 6379, password: TEST_SECRETS.redisAuthToken, tls: false });
    expect(at(values, "features", "deploymentEngine", "state")).toEqual({
      connectionUrl: "s3://acme-btp-state?region=eu-central-1&endpoint=https://objects.acme.example&s3ForcePathStyle=true",
      secretsProvider: "passphrase",
      credentials: { encryptionKey: TEST_SECRETS.stateEncryptionKey, aws: { accessKeyId: "AKIAEXTERNAL", secretAccessKey: "ext-bucket-secret", region: "eu-central-1" } },
    });
    const named = btpValues(EXTERNAL_ENV, IN_CLUSTER_OUTPUTS, secrets);
    expect(at(named, "postgresql", "user")).toBe("btp");
    expect(at(named, "postgresql", "sslMode")).toBe("require");
    expect(at(named, "redis", "tls")).toBe(true);
    // Amazon S3 itself: no endpoint, the platform's region.
    expect(at(named, "features", "deploymentEngine", "state", "connectionUrl")).toBe("s3://acme-btp-state?region=eu-west-1");
  });

  it("a mode's missing credential is an error that says where it comes from", () => {
    expect(() => btpValues(testConfig(), IN_CLUSTER_OUTPUTS, TEST_SECRETS)).toThrow("no object storage access key id for the btp values");
    const noUser = testConfig({ database: { mode: "external", external: { host: "pg.acme.internal", credentialsSecretArn: DB_ARN } } });
    expect(() => btpValues(noUser, IN_CLUSTER_OUTPUTS, { ...TEST_SECRETS, ...MINIO_KEYS })).toThrow("no database user for the btp values");
  });

  it.each([
    ["in-cluster", testConfig(), IN_CLUSTER_OUTPUTS],
    ["external", EXTERNAL, IN_CLUSTER_OUTPUTS],
    ["external from the environment", EXTERNAL_ENV, IN_CLUSTER_OUTPUTS],
  ] as const)("%s: `values btp` shows a placeholder at every secret path and no secret", (_mode, config, outputs) => {
    const real: BtpSecretValues = { ...TEST_SECRETS, ...MINIO_KEYS, databaseUser: "acme_app" };
    const secretValues = new Set<unknown>(Object.values(real));
    const placeholders = new Set<unknown>(Object.values(BTP_SECRET_PLACEHOLDERS));
    const preview = btpValues(config, outputs, BTP_SECRET_PLACEHOLDERS);
    for (const secret of Object.values(real)) expect(stringify(preview)).not.toContain(secret);
    const where = (tree: unknown, wanted: Set<unknown>) => leaves(tree).filter(([, v]) => wanted.has(v)).map(([p]) => p);
    expect(where(preview, placeholders)).toEqual(where(btpValues(config, outputs, real), secretValues));
  });
});

describe("btpSecretValues by dependency mode", () => {
  it("in-cluster: the generated passwords and the MinIO keys from the platform secret", async () => {
    sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: JSON.stringify({ ...PLATFORM_SECRET, objectStorageAccessKey: MINIO_KEYS.storageAccessKeyId, objectStorageSecretKey: MINIO_KEYS.storageSecretAccessKey }) });
    const services = kubernetesServices({ userSecrets: USER_SECRETS });
    const values = await btpSecretValues(stepContext(testConfig(), services, INFRA_OUTPUTS));
    expect(values).toEqual({ ...TEST_SECRETS, ...MINIO_KEYS });
    expect(services.registered).toEqual(expect.arrayContaining(Object.values(MINIO_KEYS)));
  });

  it("in-cluster storage without the MinIO keys names the step that adds them", async () => {
    sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: JSON.stringify(PLATFORM_SECRET) });
    const error = await failure(btpSecretValues(stepContext(testConfig(), kubernetesServices({ userSecrets: USER_SECRETS }), INFRA_OUTPUTS)));
    expect(error.message).toBe(`the platform secret ${SECRET_ARN} has no objectStorageAccessKey`);
    expect(error.hint).toBe("step infra/secrets writes it: run `btp-aws install --from infra` so it runs again");
  });

  it("external with ARNs: each secret read from its own region, in its documented format, every value registered", async () => {
    sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: JSON.stringify(PLATFORM_SECRET) });
    // The RDS format carries non-string fields too (port); only username and password are read.
    sm.on(GetSecretValueCommand, { SecretId: DB_ARN }).resolves({ SecretString: JSON.stringify({ engine: "postgres", port: 6432, username: "acme_app", password: "ext-pg-Pw-secret" }) });
    sm.on(GetSecretValueCommand, { SecretId: REDIS_ARN }).resolves({ SecretString: "ext-redis-plain-secret" });
    sm.on(GetSecretValueCommand, { SecretId: BUCKET_ARN }).resolves({ SecretString: JSON.stringify({ accessKeyId: "AKIAEXTERNAL", secretAccessKey: "ext-bucket-secret" }) });
    const services = kubernetesServices({ userSecrets: USER_SECRETS });
    const asked: (string | undefined)[] = [];
    const aws = services.aws;
    const values = await btpSecretValues(stepContext(EXTERNAL, { ...services, aws: { ...aws, secretsManager: (region?: string) => (asked.push(region), aws.secretsManager(region)) } }, INFRA_OUTPUTS));
    expect(values).toMatchObject({ databaseUser: "acme_app", databasePassword: "ext-pg-Pw-secret", redisAuthToken: "ext-redis-plain-secret", storageAccessKeyId: "AKIAEXTERNAL", storageSecretAccessKey: "ext-bucket-secret" });
    expect(asked).toEqual(["eu-central-1", "eu-west-1", "eu-west-1", undefined]);
    expect(services.registered).toEqual(expect.arrayContaining(["ext-pg-Pw-secret", "ext-redis-plain-secret", "AKIAEXTERNAL", "ext-bucket-secret"]));
    // An external dependency's password is never taken from, nor required in, the platform secret.
    sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: JSON.stringify({ ...PLATFORM_SECRET, databasePassword: undefined, redisAuthToken: undefined }) });
    await expect(btpSecretValues(stepContext(EXTERNAL, services, INFRA_OUTPUTS))).resolves.toMatchObject({ databasePassword: "ext-pg-Pw-secret" });
  });

  it("external from the environment: the BTP_AWS_* values, with no read of any credentials secret", async () => {
    sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: JSON.stringify(PLATFORM_SECRET) });
    const user = { ...USER_SECRETS, databasePassword: "env-pg-secret", redisPassword: "env-redis-secret", storageAccessKeyId: "AKIAENV", storageSecretAccessKey: "env-bucket-secret" };
    const services = kubernetesServices({ userSecrets: user });
    const values = await btpSecretValues(stepContext(EXTERNAL_ENV, services, INFRA_OUTPUTS));
    expect(values).toMatchObject({ databasePassword: "env-pg-secret", redisAuthToken: "env-redis-secret", storageAccessKeyId: "AKIAENV", storageSecretAccessKey: "env-bucket-secret" });
    expect(values.databaseUser).toBeUndefined();
    expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual([SECRET_ARN]);
  });

  it("external without the ARN or the variable: a config error naming both, before any AWS call", async () => {
    const services = kubernetesServices({ userSecrets: { ...USER_SECRETS, databasePassword: "env-pg-secret", storageAccessKeyId: "AKIAENV", storageSecretAccessKey: "env-bucket-secret" } });
    const error = await failure(btpSecretValues(stepContext(EXTERNAL_ENV, services, INFRA_OUTPUTS)));
    expect(error.message).toBe("cache.external.credentialsSecretArn: is required when cache.mode is external, or set BTP_AWS_REDIS_PASSWORD");
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(sm.calls()).toEqual([]);
  });

  it("a credentials secret in the wrong format is named without quoting it", async () => {
    sm.on(GetSecretValueCommand, { SecretId: BUCKET_ARN }).resolves({ SecretString: "not-json-bucket-secret" });
    sm.on(GetSecretValueCommand, { SecretId: DB_ARN }).resolves({ SecretString: JSON.stringify({ username: "acme_app", password: "ext-pg-Pw-secret" }) });
    sm.on(GetSecretValueCommand, { SecretId: REDIS_ARN }).resolves({ SecretString: JSON.stringify({ password: "ext-redis-json-secret" }) });
    const error = await failure(btpSecretValues(stepContext(EXTERNAL, kubernetesServices({ userSecrets: USER_SECRETS }), INFRA_OUTPUTS)));
    expect(error.message).toBe(`secret ${BUCKET_ARN} is not JSON`);
    expect(error.hint).toBe('store JSON {"accessKeyId": "…", "secretAccessKey": "…"} in it, then run again');
    expect(JSON.stringify({ message: error.message, hint: error.hint })).not.toContain("not-json-bucket-secret");
  });
});

/** [dotted path, leaf value] of every leaf. */
function leaves(value: unknown, prefix = ""): [string, unknown][] {
  if (value === null || typeof value !== "object") return [[prefix, value]];
  return Object.entries(value).flatMap(([key, child]) => leaves(child, prefix ? `${prefix}.${key}` : key));
}
