/**
 * External dependencies' credentials at config time: a mode external without credentialsSecretArn
 * needs its BTP_AWS_* variable, and its absence is a usage error (exit 2) naming both ways, raised
 * by resolveConfig before any AWS call. With an ARN, no variable is asked for.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { resolveConfig, type ResolveOptions } from "../../../src/config/resolve.js";
import { readEnvironmentLayer } from "../../../src/config/env.js";
import { ExitCode, UsageError } from "../../../src/errors.js";
import { minimal } from "./fixtures.js";

const ALL = ["licenseToken", "authClientSecret", "databasePassword", "redisPassword", "storageAccessKeyId", "storageSecretAccessKey"] as const;
const USER = { BTP_AWS_LICENSE_TOKEN: "tok-123456", BTP_AWS_AUTH_CLIENT_SECRET: "cs-123456" };
const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/creds-AbCdEf";

async function configFile(sections: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "btp-aws-external-"));
  await writeFile(join(dir, "c.yaml"), stringify({ ...minimal(), ...sections }));
  return join(dir, "c.yaml");
}

function options(configPath: string, env: Record<string, string>): ResolveOptions {
  return { configPath, cwd: "/nonexistent", env, flags: {}, wizard: undefined, secrets: ALL };
}

async function usageError(promise: Promise<unknown>): Promise<UsageError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof UsageError)) throw new Error(`expected a UsageError, got ${String(error)}`);
  return error;
}

const EXTERNAL = {
  database: { mode: "external", external: { host: "pg.acme.internal", user: "btp" } },
  cache: { mode: "external", external: { host: "redis.acme.internal" } },
  storage: { mode: "external", external: { bucket: "acme-btp-state" } },
};

describe("external dependency credentials in resolveConfig", () => {
  it("asks for none of them when no dependency is external", async () => {
    const resolved = await resolveConfig(options(await configFile({}), USER));
    expect(resolved.secrets).toEqual({ licenseToken: "tok-123456", authClientSecret: "cs-123456" });
  });

  it("takes them from BTP_AWS_* when the sections name no ARN, and never puts them in the config", async () => {
    const env = { ...USER, BTP_AWS_DATABASE_PASSWORD: "pg-env-secret", BTP_AWS_REDIS_PASSWORD: "redis-env-secret", BTP_AWS_STORAGE_ACCESS_KEY_ID: "AKIAENV", BTP_AWS_STORAGE_SECRET_ACCESS_KEY: "bucket-env-secret" };
    const resolved = await resolveConfig(options(await configFile(EXTERNAL), env));
    expect(resolved.secrets).toEqual({ ...{ licenseToken: "tok-123456", authClientSecret: "cs-123456" }, databasePassword: "pg-env-secret", redisPassword: "redis-env-secret", storageAccessKeyId: "AKIAENV", storageSecretAccessKey: "bucket-env-secret" });
    expect(JSON.stringify([resolved.config, resolved.input])).not.toMatch(/env-secret|AKIAENV/);
  });

  it("is a usage error (exit 2) naming the ARN field and the variable for each one missing", async () => {
    const error = await usageError(resolveConfig(options(await configFile({ ...EXTERNAL, database: { mode: "external", external: { host: "pg.acme.internal", user: "btp" } } }), USER)));
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.problems).toEqual([
      "database.external.credentialsSecretArn: is required when database.mode is external, or set BTP_AWS_DATABASE_PASSWORD",
      "cache.external.credentialsSecretArn: is required when cache.mode is external, or set BTP_AWS_REDIS_PASSWORD",
      "storage.external.credentialsSecretArn: is required when storage.mode is external, or set BTP_AWS_STORAGE_ACCESS_KEY_ID",
      "storage.external.credentialsSecretArn: is required when storage.mode is external, or set BTP_AWS_STORAGE_SECRET_ACCESS_KEY",
    ]);
  });

  it("is a config error (exit 2) when no secret can name the database user and the config does not either", async () => {
    const env = { ...USER, BTP_AWS_DATABASE_PASSWORD: "pg-env-secret" };
    const error = await usageError(resolveConfig(options(await configFile({ database: { mode: "external", external: { host: "pg.acme.internal" } } }), env)));
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.problems).toContain("database.external.user: is required when the password comes from BTP_AWS_DATABASE_PASSWORD (no database.external.credentialsSecretArn)");
  });

  it("asks for nothing when each section names its credentials secret", async () => {
    const withArns = {
      database: { mode: "external", external: { host: "pg.acme.internal", credentialsSecretArn: ARN } },
      cache: { mode: "external", external: { host: "redis.acme.internal", credentialsSecretArn: ARN } },
      storage: { mode: "external", external: { bucket: "acme-btp-state", credentialsSecretArn: ARN } },
    };
    const resolved = await resolveConfig(options(await configFile(withArns), { ...USER, BTP_AWS_DATABASE_PASSWORD: "ignored-secret" }));
    expect(resolved.secrets).toEqual({ licenseToken: "tok-123456", authClientSecret: "cs-123456" });
  });

  it("knows the variables: none is reported as a stray BTP_AWS_* name", () => {
    const env = { BTP_AWS_DATABASE_PASSWORD: "a", BTP_AWS_REDIS_PASSWORD: "b", BTP_AWS_STORAGE_ACCESS_KEY_ID: "c", BTP_AWS_STORAGE_SECRET_ACCESS_KEY: "d" };
    expect(readEnvironmentLayer(env)).toEqual({ values: {}, problems: [] });
  });
});
