import { CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, TagResourceCommand, UpdateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { afterEach, describe, expect, it } from "vitest";
import { mergeIntoPlatformSecret, readPlatformSecret } from "../../../../src/aws/secrets-manager.js";
import { BtpAwsError } from "../../../../src/errors.js";
import { secretsStep } from "../../../../src/phases/infra/secrets.js";
import type { Config } from "../../../../src/config/schema.js";
import type { StepOutputs } from "../../../../src/plan/types.js";
import { testConfig as baseTestConfig } from "../../../support/config.js";
import { recordingReporter } from "../../../support/reporter.js";
import { awsTestConfig as testConfig } from "../../../support/aws-modes.js";
import { awsError, fakeServices, KEY_ARN, mocks, OUTPUTS, rejection, run, SECRET_ARN } from "./data-fakes.js";

const config = testConfig({ tags: { team: "chain" } });
const NAME = "btp-btp-test/credentials";
// The development default: every dependency in the cluster.
const baseConfig = baseTestConfig;
const EXTERNAL = baseTestConfig({
  database: { mode: "external", external: { host: "db.example.com", user: "btp" } },
  cache: { mode: "external", external: { host: "redis.example.com" } },
  storage: { mode: "external", external: { bucket: "acme-btp-state" } },
});
const AWS_KEYS = ["databasePassword", "ipfsClusterSecret", "jwtSigningKey", "redisAuthToken", "stateEncryptionKey"];
const RECORDED = { secretArn: SECRET_ARN, secretName: NAME, keys: AWS_KEYS };
const OUR_TAGS = [{ Key: "team", Value: "chain" }, { Key: "Name", Value: NAME }, { Key: "btp-aws:platform", Value: "btp-test" }, { Key: "btp-aws:managed-by", Value: "btp-aws" }];
const m = mocks();
const services = () => fakeServices(m.clients);

afterEach(() => m.sm.reset());

/** The step with its outputs from an earlier run (data-fakes' run() passes none). */
async function runWith(cfg: Config, s: ReturnType<typeof services>, previous: StepOutputs | undefined) {
  const report = recordingReporter();
  const outputs = await secretsStep.run({ config: cfg, services: s, outputs: OUTPUTS, previous, signal: new AbortController().signal }, report);
  return { outputs, report };
}

function existing(overrides: Record<string, unknown> = {}) {
  return { ARN: SECRET_ARN, Name: NAME, KmsKeyId: KEY_ARN, Tags: OUR_TAGS, ...overrides };
}

describe("infra/secrets", () => {
  it("declares its needs and describes itself", () => {
    expect([secretsStep.id, secretsStep.phase, secretsStep.needs]).toEqual(["infra/secrets", "infra", ["infra/kms"]]);
    expect(secretsStep.describe(config)).toEqual(["create or adopt secret btp-btp-test/credentials, encrypted with alias/btp-btp-test, holding the generated credentials: databasePassword, redisAuthToken, jwtSigningKey, stateEncryptionKey, ipfsClusterSecret"]);
    expect(secretsStep.describe(baseConfig())).toEqual(["create or adopt secret btp-btp-test/credentials, encrypted with alias/btp-btp-test, holding the generated credentials: databasePassword, redisAuthToken, jwtSigningKey, stateEncryptionKey, ipfsClusterSecret, objectStorageAccessKey, objectStorageSecretKey"]);
    expect(secretsStep.describe(EXTERNAL)).toEqual(["create or adopt secret btp-btp-test/credentials, encrypted with alias/btp-btp-test, holding the generated credentials: jwtSigningKey, stateEncryptionKey, ipfsClusterSecret"]);
  });

  it("creates the secret with the platform key, the tags and freshly generated credentials, each registered for redaction", async () => {
    m.sm.on(DescribeSecretCommand).rejects(awsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret."));
    m.sm.on(CreateSecretCommand).resolves({ ARN: SECRET_ARN, Name: NAME });
    const s = services();
    const { outputs, report } = await run(secretsStep, config, s);

    expect(outputs).toEqual({ secretArn: SECRET_ARN, secretName: NAME, keys: AWS_KEYS });
    const input = m.sm.commandCalls(CreateSecretCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ Name: NAME, KmsKeyId: KEY_ARN, Description: "btp-aws platform btp-test: generated credentials", Tags: OUR_TAGS });
    const value = JSON.parse(input.SecretString!) as Record<string, string>;
    expect(Object.keys(value).sort()).toEqual(["databasePassword", "ipfsClusterSecret", "jwtSigningKey", "redisAuthToken", "stateEncryptionKey"]);
    expect(value.databasePassword).toHaveLength(40);
    expect(value.redisAuthToken).toHaveLength(64);
    expect(s.registered.sort()).toEqual(Object.values(value).sort());
    expect(report.infos).toEqual(["created secret btp-btp-test/credentials (alias/btp-btp-test) with 5 generated credentials"]);
    expect(JSON.stringify({ outputs, report })).not.toContain(value.databasePassword);
  });

  it("adopts an existing secret from DescribeSecret alone when state recorded every key: no value read, nothing regenerated, nothing written", async () => {
    m.sm.on(DescribeSecretCommand).resolves(existing());
    const s = services();
    const { outputs, report } = await runWith(config, s, { secretArn: SECRET_ARN, secretName: NAME, keys: [...AWS_KEYS, "vaultRoleId"] });
    expect(outputs).toEqual({ secretArn: SECRET_ARN, secretName: NAME, keys: [...AWS_KEYS, "vaultRoleId"] });
    expect(report.skipped).toEqual(["secret btp-btp-test/credentials exists, encrypted with alias/btp-btp-test, holding databasePassword, redisAuthToken, jwtSigningKey, stateEncryptionKey, ipfsClusterSecret"]);
    expect(m.sm.calls().map((c) => c.args[0].constructor.name)).toEqual(["DescribeSecretCommand"]);
    expect(s.registered).toEqual([]);
  });

  it("generates MinIO keys for in-cluster storage, and no dependency password for an external one", async () => {
    m.sm.on(DescribeSecretCommand).rejects(awsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret."));
    m.sm.on(CreateSecretCommand).resolves({ ARN: SECRET_ARN, Name: NAME });
    const development = await run(secretsStep, baseConfig(), services());
    const inCluster = JSON.parse(m.sm.commandCalls(CreateSecretCommand)[0]!.args[0].input.SecretString!) as Record<string, string>;
    expect(Object.keys(inCluster).sort()).toEqual([...AWS_KEYS, "objectStorageAccessKey", "objectStorageSecretKey"].sort());
    expect(inCluster.objectStorageAccessKey).toMatch(/^[A-Z2-9]{20}$/);
    expect(inCluster.objectStorageSecretKey).toHaveLength(40);
    expect(development.outputs).toMatchObject({ keys: Object.keys(inCluster).sort() });

    await run(secretsStep, EXTERNAL, services());
    const external = JSON.parse(m.sm.commandCalls(CreateSecretCommand)[1]!.args[0].input.SecretString!) as Record<string, string>;
    expect(Object.keys(external).sort()).toEqual(["ipfsClusterSecret", "jwtSigningKey", "stateEncryptionKey"]);
  });

  it("adds the keys an older secret lacks, keeping every value it holds, and registers them all", async () => {
    // Written by a run before storage.mode existed: no MinIO keys, and a Vault key added later.
    const older = { databasePassword: "db-password-kept", redisAuthToken: "redis-token-kept", jwtSigningKey: "jwt-kept", stateEncryptionKey: "state-kept", ipfsClusterSecret: "ipfs-kept", vaultRootToken: "hvs.kept" };
    m.sm.on(DescribeSecretCommand).resolves(existing());
    m.sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(older) });
    const s = services();
    const { outputs, report } = await runWith(baseConfig({ tags: { team: "chain" } }), s, { secretArn: SECRET_ARN, secretName: NAME });

    const written = JSON.parse(m.sm.commandCalls(PutSecretValueCommand)[0]!.args[0].input.SecretString!) as Record<string, string>;
    expect(written).toMatchObject(older);
    expect(Object.keys(written).sort()).toEqual([...Object.keys(older), "objectStorageAccessKey", "objectStorageSecretKey"].sort());
    expect(m.sm.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(report.infos).toEqual(["secret btp-btp-test/credentials: added objectStorageAccessKey, objectStorageSecretKey"]);
    expect(outputs).toEqual({ secretArn: SECRET_ARN, secretName: NAME, keys: Object.keys(written).sort() });
    expect(s.registered).toEqual(expect.arrayContaining([...Object.values(older), written.objectStorageAccessKey, written.objectStorageSecretKey]));
    expect(JSON.stringify(report)).not.toContain(written.objectStorageSecretKey);
  });

  it("reads an unrecorded secret once and writes nothing when it already holds every key", async () => {
    const complete = { databasePassword: "a", redisAuthToken: "b", jwtSigningKey: "c", stateEncryptionKey: "d", ipfsClusterSecret: "e", objectStorageAccessKey: "f", objectStorageSecretKey: "g" };
    m.sm.on(DescribeSecretCommand).resolves(existing());
    m.sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(complete) });
    const { outputs, report } = await runWith(baseConfig({ tags: { team: "chain" } }), services(), undefined);
    expect(m.sm.calls().map((c) => c.args[0].constructor.name)).toEqual(["DescribeSecretCommand", "GetSecretValueCommand"]);
    expect(report.skipped).toHaveLength(1);
    expect(outputs).toMatchObject({ keys: Object.keys(complete).sort() });
  });

  it.each([
    ["the key id", "1111-2222"],
    ["the alias", "alias/btp-btp-test"],
    ["the alias ARN", "arn:aws:kms:eu-west-1:123456789012:alias/btp-btp-test"],
  ])("accepts the platform key reported as %s", async (_what, reported) => {
    m.sm.on(DescribeSecretCommand).resolves(existing({ KmsKeyId: reported }));
    const { report } = await runWith(config, services(), RECORDED);
    expect(report.skipped).toHaveLength(1);
  });

  it("switches a secret on another key (or the AWS managed one) to the platform key in place", async () => {
    m.sm.on(DescribeSecretCommand).resolves(existing({ KmsKeyId: undefined }));
    const { report } = await runWith(config, services(), RECORDED);
    expect(m.sm.commandCalls(UpdateSecretCommand)[0]!.args[0].input).toEqual({ SecretId: SECRET_ARN, KmsKeyId: KEY_ARN });
    expect(report.infos).toEqual(["secret btp-btp-test/credentials: switched encryption from aws/secretsmanager to alias/btp-btp-test"]);
    expect(m.sm.commandCalls(GetSecretValueCommand)).toEqual([]);
  });

  it("adds missing tags", async () => {
    m.sm.on(DescribeSecretCommand).resolves(existing({ Tags: [{ Key: "btp-aws:platform", Value: "btp-test" }] }));
    const { report } = await runWith(config, services(), RECORDED);
    expect(m.sm.commandCalls(TagResourceCommand)[0]!.args[0].input).toEqual({ SecretId: SECRET_ARN, Tags: [{ Key: "team", Value: "chain" }, { Key: "Name", Value: NAME }, { Key: "btp-aws:managed-by", Value: "btp-aws" }] });
    expect(report.infos).toEqual(["secret btp-btp-test/credentials: added tags team, Name, btp-aws:managed-by"]);
  });

  it("refuses a same-named secret without the platform tag", async () => {
    m.sm.on(DescribeSecretCommand).resolves(existing({ Tags: [{ Key: "owner", Value: "someone" }] }));
    const error = await rejection(run(secretsStep, config, services()));
    expect(error.message).toBe("secret btp-btp-test/credentials exists but is not managed by btp-aws for platform btp-test (no btp-aws:platform=btp-test tag)");
    expect(m.sm.calls()).toHaveLength(1);
  });

  it("stops at a secret scheduled for deletion and gives the restore command", async () => {
    m.sm.on(DescribeSecretCommand).resolves(existing({ DeletedDate: new Date("2030-01-02T03:04:05Z") }));
    const error = await rejection(run(secretsStep, config, services()));
    expect(error).toBeInstanceOf(BtpAwsError);
    expect(error.message).toBe("secret btp-btp-test/credentials is scheduled for deletion (on 2030-01-02T03:04:05.000Z): it holds the platform's credentials");
    expect(error.hint).toBe("restore it (aws secretsmanager restore-secret --secret-id btp-btp-test/credentials --region eu-west-1), then run again");
  });

  it("names the IAM actions when access is denied", async () => {
    m.sm.on(DescribeSecretCommand).rejects(awsError("AccessDeniedException", "User is not authorized to perform: secretsmanager:DescribeSecret"));
    const error = await rejection(run(secretsStep, config, services()));
    expect(error.message).toBe("not allowed to set up secret btp-btp-test/credentials (secretsmanager:DescribeSecret, secretsmanager:CreateSecret, secretsmanager:GetSecretValue, secretsmanager:PutSecretValue, secretsmanager:UpdateSecret, secretsmanager:TagResource): AccessDeniedException: User is not authorized to perform: secretsmanager:DescribeSecret");
  });

  it("needs the key from infra/kms", async () => {
    const { "infra/kms": _kms, ...rest } = OUTPUTS;
    const error = await rejection(run(secretsStep, config, services(), rest));
    expect(error.message).toBe("output keyId of step infra/kms is missing from the state");
  });
});

describe("platform secret adapter", () => {
  const stored = { databasePassword: "db-password-123456", redisAuthToken: "redis-token-1234567890" };

  it("reads every value and registers each one", async () => {
    m.sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: JSON.stringify(stored) });
    const seen: string[] = [];
    expect(await readPlatformSecret(m.clients.sm, SECRET_ARN, (v) => seen.push(v))).toEqual(stored);
    expect(seen).toEqual(Object.values(stored));
  });

  it("reports a value that is not a JSON object without quoting it", async () => {
    m.sm.on(GetSecretValueCommand).resolves({ SecretString: "hunter2-not-json" });
    const error = await rejection(readPlatformSecret(m.clients.sm, SECRET_ARN));
    expect(error.message).toBe(`secret ${SECRET_ARN} does not hold a JSON object`);
    expect(error.cause).toBeUndefined();
    expect(JSON.stringify(error)).not.toContain("hunter2");
  });

  it("merges new values into the secret as a new version", async () => {
    m.sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(stored) });
    const seen: string[] = [];
    expect(await mergeIntoPlatformSecret(m.clients.sm, SECRET_ARN, { vaultRootToken: "hvs.root-token" }, (v) => seen.push(v))).toBe(true);
    expect(m.sm.commandCalls(PutSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: SECRET_ARN, SecretString: JSON.stringify({ ...stored, vaultRootToken: "hvs.root-token" }) });
    expect(seen).toEqual(expect.arrayContaining(["hvs.root-token", ...Object.values(stored)]));
  });

  it("writes nothing when the secret already holds the values", async () => {
    m.sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ ...stored, vaultRootToken: "hvs.root-token" }) });
    expect(await mergeIntoPlatformSecret(m.clients.sm, SECRET_ARN, { vaultRootToken: "hvs.root-token" })).toBe(false);
    expect(m.sm.commandCalls(PutSecretValueCommand)).toEqual([]);
  });
});
