import { afterEach, describe, expect, it } from "vitest";
import { BtpAwsError } from "../../../../src/errors.js";
import { INIT_STARTED_KEY, initialiseVault, RECOVERY_KEYS_KEY, ROOT_TOKEN_KEY, type InitialiseOptions } from "../../../../src/phases/vault/initialise.js";
import { Redactor } from "../../../../src/secrets/redact.js";
import { VaultClient } from "../../../../src/vault/client.js";
import { VaultUnreachableError } from "../../../../src/vault/errors.js";
import { fakeVaultPool, type FakeVault } from "../../../fakes/vault.js";
import { recordingReporter, type RecordingReporter } from "../../../support/reporter.js";
import { errorText, expectNoSecrets, instantTime, memorySecrets, rejection, reportLines, type MemorySecrets } from "./helpers.js";

const pool = fakeVaultPool();
const fake = pool.fake;
afterEach(pool.closeAll);

const NOW = new Date("2026-03-01T10:00:00.000Z");

interface Run {
  options: InitialiseOptions;
  report: RecordingReporter;
  redactor: Redactor;
}

function run(f: FakeVault, secrets: MemorySecrets): Run {
  const report = recordingReporter();
  const redactor = new Redactor();
  return {
    report,
    redactor,
    options: { vault: new VaultClient({ address: f.url }), secrets, redact: (s) => redactor.add(s), report, waitSettings: instantTime(), now: () => NOW },
  };
}

function initCalls(f: FakeVault): number {
  return f.count("PUT", "/v1/sys/init");
}

describe("initialiseVault on a new Vault", () => {
  it("initialises, stores token and recovery keys before any other Vault call, then waits for auto-unseal", async () => {
    const f = await fake({ autoUnsealAfter: 2 });
    const secrets = memorySecrets({ databasePassword: "db-password-123" });
    const vaultCallsAtMerge: string[][] = [];
    secrets.onMerge = () => vaultCallsAtMerge.push(f.requests.map((r) => `${r.method} ${r.path}`));
    const { options, report, redactor } = run(f, secrets);

    const result = await initialiseVault(options);

    expect(result.initialisedNow).toBe(true);
    expect(initCalls(f)).toBe(1);
    expect(secrets.merges).toEqual([
      { [INIT_STARTED_KEY]: "2026-03-01T10:00:00.000Z" },
      { [ROOT_TOKEN_KEY]: f.rootToken, [RECOVERY_KEYS_KEY]: JSON.stringify(f.recoveryKeys) },
    ]);
    // The keys were stored the moment Vault returned them: init was the last Vault call.
    expect(vaultCallsAtMerge).toEqual([["GET /v1/sys/seal-status"], ["GET /v1/sys/seal-status", "PUT /v1/sys/init"]]);
    expect(f.requests.slice(2).map((r) => `${r.method} ${r.path}`)).toEqual(["GET /v1/sys/seal-status", "GET /v1/sys/seal-status", "GET /v1/sys/seal-status", "GET /v1/sys/health"]);
    expect(report.statuses).toEqual(["initialising Vault", "sealed, waiting for auto-unseal, 0s", "sealed, waiting for auto-unseal, 5s"]);
    expect(report.infos).toEqual(["initialised Vault: root token and 5 recovery keys (threshold 3) stored in the platform secret btp-test/credentials"]);
    expect(await result.vault.tokenIsValid()).toBe(true);
    // Registered with the redactor: a log line holding them would be masked.
    expect(redactor.redact(`token ${f.rootToken} key ${f.recoveryKeys[0]}`)).toBe("token [redacted] key [redacted]");
  });

  it("takes the recovery share settings it is given", async () => {
    const f = await fake();
    const { options, report } = run(f, memorySecrets());
    await initialiseVault({ ...options, recovery: { shares: 3, threshold: 2 } });
    expect(f.recoveryKeys).toHaveLength(3);
    expect(report.infos).toEqual(["initialised Vault: root token and 3 recovery keys (threshold 2) stored in the platform secret btp-test/credentials"]);
  });
});

describe("initialiseVault on an initialised Vault", () => {
  it("never initialises again: a second run reads the token back and writes nothing", async () => {
    const f = await fake();
    const secrets = memorySecrets();
    await initialiseVault(run(f, secrets).options);
    const { options, report } = run(f, secrets);
    f.clearLog();

    const second = await initialiseVault(options);

    expect(second.initialisedNow).toBe(false);
    expect(initCalls(f)).toBe(0);
    expect(f.writes()).toEqual([]);
    expect(secrets.merges.filter((m) => ROOT_TOKEN_KEY in m)).toHaveLength(1);
    expect(secrets.merges).toHaveLength(2);
    expect(report.skipped).toEqual(["Vault is already initialised; using the root token from the platform secret btp-test/credentials"]);
    expect(await second.vault.tokenIsValid()).toBe(true);
  });

  it("completes a run killed after init from the stored token, without initialising again", async () => {
    const f = await fake();
    const secrets = memorySecrets();
    f.failAfter("PUT /v1/sys/init", "drop");

    const first = await rejection(initialiseVault(run(f, secrets).options));
    expect(first).toBeInstanceOf(VaultUnreachableError);
    expect(first.message).toMatch(/^Vault GET \/v1\/sys\/seal-status: no answer from http:\/\/127\.0\.0\.1:\d+: /);
    expect(secrets.values[ROOT_TOKEN_KEY]).toBe(f.rootToken);

    const { options, report } = run(f, secrets);
    const second = await initialiseVault(options);
    expect(second.initialisedNow).toBe(false);
    expect(initCalls(f)).toBe(1);
    expect(secrets.merges.filter((m) => ROOT_TOKEN_KEY in m)).toHaveLength(1);
    expect(report.skipped).toEqual(["Vault is already initialised; using the root token from the platform secret btp-test/credentials"]);
    expect(await second.vault.tokenIsValid()).toBe(true);
  });

  it("refuses a stored token that Vault does not accept", async () => {
    const f = await fake({ dev: { rootToken: "hvs.the-real-root-token" } });
    const { options } = run(f, memorySecrets({ [ROOT_TOKEN_KEY]: "hvs.an-older-root-token" }));
    const error = await rejection(initialiseVault(options));
    expect(error.message).toBe(`Vault at ${f.url} refuses the root token stored in the platform secret btp-test/credentials`);
    expect(error.hint).toContain("vault operator generate-root -init");
  });
});

describe("initialised, but the root token is not in the platform secret", () => {
  it("keeps retrying a failing store, then says the keys are lost and how to start over", async () => {
    const f = await fake();
    const secrets = memorySecrets();
    secrets.failMergesWith(ROOT_TOKEN_KEY);
    const { options, report } = run(f, secrets);

    const error = await rejection(initialiseVault(options));
    expect(error).toBeInstanceOf(BtpAwsError);
    expect(error.message).toBe("Vault was initialised, but its root token and recovery keys could not be stored in the platform secret btp-test/credentials: AccessDeniedException: not authorized to perform secretsmanager:PutSecretValue");
    expect(error.hint).toContain("kubectl -n vault delete pvc -l app.kubernetes.io/name=vault");
    expect(report.statuses.filter((s) => s.startsWith("storing failed"))).toHaveLength(25); // every 5 s from 0 s to 120 s

    // The next run recognises the interrupted initialisation, and still never initialises again.
    const next = await rejection(initialiseVault(run(f, secrets).options));
    expect(next.message).toBe("Vault was initialised by a run that stopped before its root token and recovery keys were stored (initialisation began 2026-03-01T10:00:00.000Z)");
    expect(next.hint).toBe("they cannot be recovered. Vault holds no data yet, so reset its storage and initialise again: `helm -n vault uninstall vault`, `kubectl -n vault delete pvc -l app.kubernetes.io/name=vault`, then `btp-aws install --from vault`");
    expect(initCalls(f)).toBe(1);
  });

  it("rides out a store that fails twice", async () => {
    const f = await fake();
    const secrets = memorySecrets();
    secrets.failMergesWith(ROOT_TOKEN_KEY, 2, "ThrottlingException: Rate exceeded");
    const { options, report } = run(f, secrets);
    await initialiseVault(options);
    expect(secrets.values[ROOT_TOKEN_KEY]).toBe(f.rootToken);
    expect(report.statuses.slice(1, 3)).toEqual(["storing failed (ThrottlingException: Rate exceeded), retrying, 0s", "storing failed (ThrottlingException: Rate exceeded), retrying, 5s"]);
  });

  it("explains generate-root when the recovery keys are there but the token is not", async () => {
    const f = await fake({ dev: { rootToken: "hvs.the-real-root-token" } });
    const error = await rejection(initialiseVault(run(f, memorySecrets({ [RECOVERY_KEYS_KEY]: '["a2V5LW9uZQ=="]' })).options));
    expect(error.message).toBe("Vault is initialised but the platform secret btp-test/credentials has no vaultRootToken (it has the recovery keys)");
    expect(error.hint).toBe(
      "Make a new root token with the recovery keys: `vault operator generate-root -init` (note the OTP), then `vault operator generate-root` with one recovery key at a time " +
        "until the threshold is reached, then `vault operator generate-root -decode=<encoded token> -otp=<OTP>`. Store it as vaultRootToken in the platform secret, then run again.",
    );
  });

  it("says when Vault was initialised by someone else", async () => {
    const f = await fake({ dev: { rootToken: "hvs.the-real-root-token" } });
    const error = await rejection(initialiseVault(run(f, memorySecrets()).options));
    expect(error.message).toBe("Vault is initialised, but not by btp-aws: the platform secret btp-test/credentials has neither its root token nor its recovery keys");
    expect(error.hint).toContain("add vaultRootToken (and vaultRecoveryKeys, a JSON list) to the secret");
    expect(initCalls(f)).toBe(0);
  });
});

describe("initialiseVault refuses before the step that cannot be undone", () => {
  it("does not initialise when the platform secret already holds a root token", async () => {
    const f = await fake();
    const secrets = memorySecrets({ [ROOT_TOKEN_KEY]: "hvs.token-of-the-real-cluster" });
    const error = await rejection(initialiseVault(run(f, secrets).options));
    expect(error.message).toBe(`Vault at ${f.url} reports it is not initialised, but the platform secret btp-test/credentials already holds a root token`);
    expect(error.hint).toContain("initialise only through vault-0");
    expect(initCalls(f)).toBe(0);
    expect(secrets.merges).toEqual([]);
  });

  it("does not initialise a Shamir-sealed Vault", async () => {
    const f = await fake({ seal: "shamir" });
    const secrets = memorySecrets();
    const error = await rejection(initialiseVault(run(f, secrets).options));
    expect(error.message).toBe(`Vault at ${f.url} uses a Shamir seal: btp-aws initialises only auto-unseal Vaults (seal "awskms")`);
    expect(initCalls(f)).toBe(0);
    expect(secrets.merges).toEqual([]);
  });

  it("does not initialise when the platform secret cannot be written", async () => {
    const f = await fake();
    const secrets = memorySecrets();
    secrets.failMergesWith(INIT_STARTED_KEY);
    const error = await rejection(initialiseVault(run(f, secrets).options));
    expect(error.message).toBe("AccessDeniedException: not authorized to perform secretsmanager:PutSecretValue");
    expect(f.initialized).toBe(false);
    expect(initCalls(f)).toBe(0);
  });
});

describe("waiting for auto-unseal", () => {
  it("times out with a hint about KMS when Vault stays sealed", async () => {
    const f = await fake({ autoUnsealAfter: Number.POSITIVE_INFINITY });
    const secrets = memorySecrets();
    const { options } = run(f, secrets);
    const error = await rejection(initialiseVault(options));
    expect(error.message).toBe(`timed out waiting for Vault at ${f.url} to unseal itself with KMS: still sealed, waiting for auto-unseal after 5m00s`);
    expect(error.hint).toContain("kms:Encrypt, kms:Decrypt and kms:DescribeKey");
    // The keys were stored before the wait began.
    expect(secrets.values[ROOT_TOKEN_KEY]).toBe(f.rootToken);
  });
});

describe("secrets stay out of every message", () => {
  it("shows no token or key in report lines or errors, whatever happens", async () => {
    const texts: string[] = [];
    const secrets: string[] = [];
    const scenarios: ((f: FakeVault, s: MemorySecrets) => void)[] = [
      () => undefined,
      (f) => f.failAfter("PUT /v1/sys/init", "drop"),
      (f) => f.failAfter("PUT /v1/sys/init", { status: 500, errors: ["internal error"] }),
      (_f, s) => s.failMergesWith(ROOT_TOKEN_KEY),
    ];
    for (const scenario of scenarios) {
      const f = await fake();
      const store = memorySecrets();
      scenario(f, store);
      for (let attempt = 0; attempt < 2; attempt++) {
        const { options, report } = run(f, store);
        await initialiseVault(options).catch((error: unknown) => texts.push(errorText(error)));
        texts.push(...reportLines(report));
      }
      secrets.push(f.rootToken!, ...f.recoveryKeys);
    }
    expect(texts.length).toBeGreaterThan(10);
    expectNoSecrets(texts, secrets);
  });
});
