/**
 * Dependency modes against moto, through the real runner, state file and adapters (what
 * `btp-aws install --only prepare,infra --yes` does, in-process as install-infra.test.ts runs it):
 * - in-cluster (the development default): no RDS instance, no replication group, no bucket, no
 *   bucket role; the platform secret holds the in-cluster credentials (MinIO keys included); a
 *   re-run makes no mutating call; a secret written before the MinIO keys existed gets exactly
 *   those keys added, every value it held kept.
 * - external: nothing managed is created and no password generated for it; the btp phase reads
 *   the credentials from Secrets Manager secrets the user made (one in another region).
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeDBInstancesCommand } from "@aws-sdk/client-rds";
import { DescribeReplicationGroupsCommand } from "@aws-sdk/client-elasticache";
import { GetRoleCommand } from "@aws-sdk/client-iam";
import { ListBucketsCommand } from "@aws-sdk/client-s3";
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { mergeIntoPlatformSecret } from "../../../src/aws/secrets-manager.js";
import { installSteps } from "../../../src/cli/steps.js";
import type { Config, ConfigInput } from "../../../src/config/schema.js";
import { btpSecretValues } from "../../../src/phases/btp/secrets.js";
import { btpValues } from "../../../src/phases/btp/values.js";
import { secretsStep } from "../../../src/phases/infra/secrets.js";
import { selectSteps } from "../../../src/plan/select.js";
import type { StepOutputs } from "../../../src/plan/types.js";
import { runSteps } from "../../../src/runner/scheduler.js";
import type { RunResult } from "../../../src/runner/types.js";
import { Redactor } from "../../../src/secrets/redact.js";
import { openState, type FileStateStore } from "../../../src/state/file-store.js";
import { motoClients, type TestClients } from "../../support/aws.js";
import { testConfig } from "../../support/config.js";
import { stepContext } from "../../support/context.js";
import { motoInstallServices, runStep } from "../../support/infra.js";
import { MOTO_ACCOUNT, motoControl } from "../../support/moto.js";

const moto = motoControl(inject("motoEndpoint"));
const helm = inject("helm");

interface Install {
  config: Config;
  aws: TestClients;
  store: FileStateStore;
  redactor: Redactor;
  run(): Promise<RunResult>;
}

async function installer(overrides: Partial<ConfigInput>, zoneId: string): Promise<Install> {
  const config = testConfig({ dns: { domain: "btp.example.com", hostedZoneId: zoneId, hostedZoneName: "example.com", acmeEmail: "ops@example.com" }, ...overrides });
  const aws = motoClients(moto.endpoint);
  const services = await motoInstallServices(aws, helm.v4.path);
  const store = await openState({ dir: await mkdtemp(join(tmpdir(), "btp-aws-modes-")), platform: config.platform, region: config.aws.region });
  const all = installSteps();
  const selected = selectSteps(all, { only: ["prepare", "infra"] });
  return { config, aws, store, redactor: services.secrets as Redactor, run: () => runSteps(selected, { config, services, store, allSteps: all, concurrency: 8 }) };
}

function expectSucceeded(result: RunResult, store: FileStateStore): void {
  expect(result.failed.map((id) => `${id}: ${store.current().steps[id]?.error?.message ?? ""}`)).toEqual([]);
  expect(result.status).toBe("succeeded");
}

async function platformSecret(install: Install): Promise<Record<string, string>> {
  const arn = String(install.store.current().steps["infra/secrets"]!.outputs.secretArn);
  const { SecretString } = await (await install.aws.secretsManager()).send(new GetSecretValueCommand({ SecretId: arn }));
  return JSON.parse(SecretString!) as Record<string, string>;
}

function outputsOf(install: Install): Record<string, StepOutputs> {
  return Object.fromEntries(Object.entries(install.store.current().steps).map(([id, step]) => [id, step.outputs]));
}

async function managedServices(aws: TestClients): Promise<{ databases: number; caches: number; buckets: string[] }> {
  return {
    databases: ((await (await aws.rds()).send(new DescribeDBInstancesCommand({}))).DBInstances ?? []).length,
    caches: ((await (await aws.elasticache()).send(new DescribeReplicationGroupsCommand({}))).ReplicationGroups ?? []).length,
    buckets: ((await (await aws.s3()).send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name!),
  };
}

async function roleExists(aws: TestClients, name: string): Promise<boolean> {
  return (await aws.iam()).send(new GetRoleCommand({ RoleName: name })).then(() => true, () => false);
}

describe("dependency modes: install --only prepare,infra against moto", () => {
  let zoneId: string;
  beforeEach(async () => {
    await moto.reset();
    zoneId = await moto.seedHostedZone("example.com");
  });

  it("in-cluster: no RDS, ElastiCache or bucket; the platform secret holds the in-cluster credentials; a re-run changes nothing; an older secret gets only the missing keys", async () => {
    const install = await installer({ platform: "dev2" }, zoneId);
    const started = Date.now();
    expectSucceeded(await install.run(), install.store);
    console.log(`[modes] in-cluster prepare+infra against moto: ${((Date.now() - started) / 1000).toFixed(1)} s, ${install.aws.counter.snapshot().mutating} mutating calls`);

    expect(await managedServices(install.aws)).toEqual({ databases: 0, caches: 0, buckets: [] });
    expect(await roleExists(install.aws, "btp-dev2-irsa-btp")).toBe(false);
    expect(await roleExists(install.aws, "btp-dev2-irsa-vault")).toBe(true);
    const steps = install.store.current().steps;
    for (const id of ["infra/rds", "infra/elasticache", "infra/s3"]) expect(steps[id]?.outputs, id).toEqual({ mode: "in-cluster" });

    const secret = await platformSecret(install);
    const keys = ["databasePassword", "redisAuthToken", "jwtSigningKey", "stateEncryptionKey", "ipfsClusterSecret", "objectStorageAccessKey", "objectStorageSecretKey"];
    expect(Object.keys(secret).sort()).toEqual([...keys].sort());
    expect(secret.objectStorageAccessKey).toMatch(/^[A-Z2-9]{20}$/);
    expect(steps["infra/secrets"]?.outputs.keys).toEqual([...keys].sort());
    // Names only in the state; no value, ever.
    const stateText = JSON.stringify(install.store.current());
    for (const value of Object.values(secret)) expect(stateText).not.toContain(value);

    install.aws.counter.reset();
    expectSucceeded(await install.run(), install.store);
    expect(install.aws.counter.mutatingOperations()).toEqual([]);

    // A secret from before storage.mode: no MinIO keys, and a Vault key a later phase added.
    const sm = await install.aws.secretsManager();
    const arn = String(steps["infra/secrets"]!.outputs.secretArn);
    const { objectStorageAccessKey: _a, objectStorageSecretKey: _s, ...older } = secret;
    await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ ...older, vaultRootToken: "hvs.older-run" }) }));
    install.aws.counter.reset();
    const repaired = await runStep(secretsStep, install.config, { aws: install.aws, secrets: install.redactor }, outputsOf(install), { secretArn: arn, secretName: String(steps["infra/secrets"]!.outputs.secretName) });
    expect(repaired.report.infos).toEqual(["secret btp-dev2/credentials: added objectStorageAccessKey, objectStorageSecretKey"]);
    expect(install.aws.counter.mutatingOperations()).toEqual(["SecretsManager.PutSecretValue"]);
    const after = await platformSecret(install);
    expect(after).toMatchObject({ ...older, vaultRootToken: "hvs.older-run" });
    expect(after.objectStorageAccessKey).toMatch(/^[A-Z2-9]{20}$/);
    expect(after.objectStorageAccessKey).not.toBe(secret.objectStorageAccessKey);
    expect(repaired.outputs.keys).toEqual([...keys, "vaultRootToken"].sort());
    install.aws.destroy();
  });

  it("external: nothing managed, no generated dependency password; the btp values take the credentials from the user's secrets, one in another region", async () => {
    const aws = motoClients(moto.endpoint);
    const dbSecret = (await (await aws.secretsManager("eu-central-1")).send(new CreateSecretCommand({
      Name: "acme/postgres", SecretString: JSON.stringify({ engine: "postgres", host: "pg.acme.internal", port: 5432, username: "acme_app", password: "ext-pg-Pw-secret" }),
    }))).ARN!;
    const redisSecret = (await (await aws.secretsManager()).send(new CreateSecretCommand({ Name: "acme/redis", SecretString: "ext-redis-plain-secret" }))).ARN!;
    const bucketSecret = (await (await aws.secretsManager()).send(new CreateSecretCommand({ Name: "acme/bucket", SecretString: JSON.stringify({ accessKeyId: "AKIAEXTERNAL0001", secretAccessKey: "ext-bucket-secret" }) }))).ARN!;
    expect(dbSecret).toMatch(new RegExp(`^arn:aws:secretsmanager:eu-central-1:${MOTO_ACCOUNT}:secret:acme/postgres-`));

    const install = await installer({
      platform: "ext1",
      database: { mode: "external", external: { host: "pg.acme.internal", database: "platform", credentialsSecretArn: dbSecret } },
      cache: { mode: "external", external: { host: "redis.acme.internal", credentialsSecretArn: redisSecret } },
      storage: { mode: "external", external: { bucket: "acme-btp-state", endpoint: "https://objects.acme.example", credentialsSecretArn: bucketSecret } },
    }, zoneId);
    expectSucceeded(await install.run(), install.store);
    expect(await managedServices(install.aws)).toEqual({ databases: 0, caches: 0, buckets: [] });
    expect(Object.keys(await platformSecret(install)).sort()).toEqual(["ipfsClusterSecret", "jwtSigningKey", "stateEncryptionKey"]);

    // What vault/configure adds before the btp phase reads the platform secret.
    const outputs = install.store.current().steps;
    const platformArn = String(outputs["infra/secrets"]!.outputs.secretArn);
    await mergeIntoPlatformSecret(await install.aws.secretsManager(), platformArn, { vaultRoleId: "role-id-from-vault", vaultSecretId: "secret-id-from-vault" });
    const redactor = new Redactor();
    const byStep = outputsOf(install);
    install.aws.counter.reset();
    const secrets = await btpSecretValues(stepContext(install.config, { aws: install.aws, secrets: redactor, userSecrets: { licenseToken: "license-secret", authClientSecret: "oauth-secret" } }, byStep));
    expect(secrets).toMatchObject({ databaseUser: "acme_app", databasePassword: "ext-pg-Pw-secret", redisAuthToken: "ext-redis-plain-secret", storageAccessKeyId: "AKIAEXTERNAL0001", storageSecretAccessKey: "ext-bucket-secret" });
    expect(install.aws.counter.mutatingOperations()).toEqual([]);
    for (const value of ["ext-pg-Pw-secret", "ext-redis-plain-secret", "ext-bucket-secret"]) expect(redactor.redact(`x ${value} y`)).toBe("x [redacted] y");

    const values = btpValues(install.config, byStep, secrets);
    expect(values.postgresql).toEqual({ host: "pg.acme.internal", port: 5432, user: "acme_app", password: "ext-pg-Pw-secret", database: "platform", sslMode: "require" });
    expect(values.redis).toEqual({ host: "redis.acme.internal", port: 6379, password: "ext-redis-plain-secret", tls: true });
    install.aws.destroy();
    aws.destroy();
  });
});
