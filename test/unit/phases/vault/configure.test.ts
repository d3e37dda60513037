import { readFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configureVault, IN_CLUSTER_KUBERNETES_HOST, PLATFORM_POLICY_FILE, type ConfigureOptions, type ConfigureResult } from "../../../../src/phases/vault/configure.js";
import { Redactor } from "../../../../src/secrets/redact.js";
import { VaultClient } from "../../../../src/vault/client.js";
import { startFakeVault, type FakeVault } from "../../../fakes/vault.js";
import { recordingReporter, type RecordingReporter } from "../../../support/reporter.js";
import { errorText, expectNoSecrets, operatorCall, recordingFetch, rejection, reportLines } from "./helpers.js";

/*
 * Written to run unchanged against `bao server -dev -dev-root-token-id=<ROOT>` later: writes are
 * counted on the client side (recordingFetch), out-of-band changes go through the HTTP API as an
 * operator would make them, and the fake is used directly only to inject a failure.
 */
const ROOT = "hvs.root-token-for-configure-tests";
let fake: FakeVault;
/** The client configureVault uses; every request it sends is recorded. */
let vault: VaultClient;
/** An operator's client, for reading the result and changing things out of band; not recorded. */
let operator: VaultClient;
let recorder: ReturnType<typeof recordingFetch>;

beforeEach(async () => {
  // Like `bao server -dev`: initialised, unsealed, kv-v2 at secret/.
  fake = await startFakeVault({ dev: { rootToken: ROOT } });
  recorder = recordingFetch();
  vault = new VaultClient({ address: fake.url, token: ROOT, fetch: recorder.fetch });
  operator = new VaultClient({ address: fake.url, token: ROOT });
});
afterEach(async () => {
  await fake.close();
});

async function configure(options: Partial<ConfigureOptions> = {}): Promise<{ result: ConfigureResult; report: RecordingReporter }> {
  const report = recordingReporter();
  const result = await configureVault(vault, { kubernetesHost: IN_CLUSTER_KUBERNETES_HOST, report, ...options });
  return { result, report };
}

function writes(): string[] {
  return recorder.writes();
}

async function destroySecretId(secretId: string): Promise<void> {
  expect(await operatorCall(fake.url, ROOT, "POST", "auth/approle/role/platform-role/secret-id/destroy", { secret_id: secretId })).toBe(204);
}

describe("configureVault on a new Vault", () => {
  it("creates mounts, auth methods, policy and role, and returns the role-id and a new secret-id", async () => {
    const { result, report } = await configure();

    expect(result.changes).toEqual([
      "enabled kv-v2 secrets engine at ethereum/",
      "enabled kv-v2 secrets engine at fabric/",
      "enabled kv-v2 secrets engine at ipfs/",
      "enabled kubernetes auth method at kubernetes/",
      "enabled approle auth method at approle/",
      "configured Kubernetes auth for https://kubernetes.default.svc",
      "created policy platform-policy",
      "created AppRole role platform-role (token_ttl 1h, token_max_ttl 4h, secret_id_ttl 0)",
      "created a secret-id for platform-role",
    ]);
    expect(report.infos).toEqual(result.changes);
    expect(result.secretIdCreated).toBe(true);
    expect(result.roleId).toBe(await operator.roleId("platform-role"));
    expect(await operator.lookupSecretId("platform-role", result.secretId)).toMatchObject({ expiresAt: undefined, usesLeft: 0 });

    // The world, read back through the API.
    const mounts = await operator.mounts();
    for (const path of ["ethereum/", "fabric/", "ipfs/"]) expect(mounts[path]).toMatchObject({ type: "kv", options: { version: "2" } });
    const auth = await operator.authMethods();
    expect([auth["kubernetes/"]?.type, auth["approle/"]?.type]).toEqual(["kubernetes", "approle"]);
    expect(await operator.policy("platform-policy")).toBe(await readFile(PLATFORM_POLICY_FILE, "utf8"));
    expect(await operator.appRole("platform-role")).toEqual({ token_ttl: 3600, token_max_ttl: 14_400, secret_id_ttl: 0, secret_id_num_uses: 0, token_policies: ["platform-policy"], bind_secret_id: true });
    expect(await operator.kubernetesAuthConfig()).toEqual({ kubernetes_host: "https://kubernetes.default.svc", kubernetes_ca_cert: "", disable_local_ca_jwt: false });
  });

  it("writes the CA certificate when one is given", async () => {
    const ca = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
    await configure({ kubernetesHost: "https://10.100.0.1:443", kubernetesCaCert: ca });
    expect(await operator.kubernetesAuthConfig()).toEqual({ kubernetes_host: "https://10.100.0.1:443", kubernetes_ca_cert: ca, disable_local_ca_jwt: false });
  });
});

describe("configureVault on a configured Vault", () => {
  it("makes zero writes and reuses the stored secret-id", async () => {
    const first = await configure();
    recorder.clear();

    const { result, report } = await configure({ storedSecretId: first.result.secretId });

    expect(writes()).toEqual([]);
    expect(result).toEqual({ roleId: first.result.roleId, secretId: first.result.secretId, secretIdCreated: false, changes: [] });
    expect(report.skipped).toEqual([
      "kv-v2 secrets engine ethereum/ already enabled",
      "kv-v2 secrets engine fabric/ already enabled",
      "kv-v2 secrets engine ipfs/ already enabled",
      "kubernetes auth method already enabled at kubernetes/",
      "approle auth method already enabled at approle/",
      "Kubernetes auth already configured for https://kubernetes.default.svc",
      "policy platform-policy already up to date",
      "AppRole role platform-role already configured",
      "the secret-id stored in the platform secret is still valid for platform-role: reusing it",
    ]);
    expect(report.infos).toEqual([]);
    // Each item was read, once.
    expect(recorder.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /v1/sys/mounts",
      "GET /v1/sys/auth",
      "GET /v1/auth/kubernetes/config",
      "GET /v1/sys/policies/acl/platform-policy",
      "GET /v1/auth/approle/role/platform-role",
      "GET /v1/auth/approle/role/platform-role/role-id",
      "POST /v1/auth/approle/role/platform-role/secret-id/lookup",
    ]);
  });

  it("mints a secret-id, and only that, when none was stored", async () => {
    await configure();
    recorder.clear();
    const { result } = await configure();
    expect(writes()).toEqual(["POST /v1/auth/approle/role/platform-role/secret-id"]);
    expect(result.secretIdCreated).toBe(true);
    expect(result.changes).toEqual(["created a secret-id for platform-role"]);
  });

  it("replaces a stored secret-id Vault no longer knows", async () => {
    const first = await configure();
    await destroySecretId(first.result.secretId);
    recorder.clear();
    const { result, report } = await configure({ storedSecretId: first.result.secretId });
    expect(writes()).toEqual(["POST /v1/auth/approle/role/platform-role/secret-id"]);
    expect(result.secretIdCreated).toBe(true);
    expect(result.secretId).not.toBe(first.result.secretId);
    expect(report.warnings).toEqual(["Vault no longer knows the stored secret-id for platform-role (destroyed, or the role was recreated): replacing it"]);
  });

  it("replaces a stored secret-id that expires within a day", async () => {
    await configure();
    await operator.putAppRole("platform-role", { secret_id_ttl: 3600 });
    const expiring = (await operator.createSecretId("platform-role")).secretId;
    recorder.clear();
    const { result, report } = await configure({ storedSecretId: expiring });
    expect(writes()).toEqual(["POST /v1/auth/approle/role/platform-role", "POST /v1/auth/approle/role/platform-role/secret-id"]);
    expect(result.secretIdCreated).toBe(true);
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toMatch(/^the stored secret-id for platform-role expires \d{4}-\d\d-\d\dT.*Z: replacing it$/);
  });
});

describe("configureVault repairs what was changed out of band", () => {
  it("restores a tampered policy", async () => {
    const first = await configure();
    await operator.putPolicy("platform-policy", 'path "*" {\n  capabilities = ["sudo", "read"]\n}\n');
    recorder.clear();
    const { result } = await configure({ storedSecretId: first.result.secretId });
    expect(writes()).toEqual(["PUT /v1/sys/policies/acl/platform-policy"]);
    expect(result.changes).toEqual(["restored policy platform-policy: Vault's copy differed from templates/vault/platform-policy.hcl"]);
    expect(await operator.policy("platform-policy")).toBe(await readFile(PLATFORM_POLICY_FILE, "utf8"));
  });

  it("does not count line endings and trailing blanks as a change", async () => {
    const first = await configure();
    const text = await readFile(PLATFORM_POLICY_FILE, "utf8");
    await operator.putPolicy("platform-policy", `${text.replace(/\n/g, "  \r\n")}\n\n`);
    recorder.clear();
    await configure({ storedSecretId: first.result.secretId });
    expect(writes()).toEqual([]);
  });

  it("repairs a changed role and names every field", async () => {
    const first = await configure();
    await operator.putAppRole("platform-role", { token_ttl: 7200, token_policies: ["default"] });
    recorder.clear();
    const { result } = await configure({ storedSecretId: first.result.secretId });
    expect(writes()).toEqual(["POST /v1/auth/approle/role/platform-role"]);
    expect(result.changes).toEqual(["repaired AppRole role platform-role: token_ttl is 7200, want 3600; token_policies is [default], want [platform-policy]"]);
    expect((await operator.appRole("platform-role"))?.token_policies).toEqual(["platform-policy"]);
    // The role keeps its role-id, so the platform's credentials stay valid.
    expect(result.roleId).toBe(first.result.roleId);
  });

  it("repairs the Kubernetes auth config", async () => {
    const first = await configure();
    await operator.putKubernetesAuthConfig({ kubernetes_host: "https://old.example:6443", disable_local_ca_jwt: true });
    recorder.clear();
    const { result } = await configure({ storedSecretId: first.result.secretId });
    expect(writes()).toEqual(["POST /v1/auth/kubernetes/config"]);
    expect(result.changes).toEqual(["repaired the Kubernetes auth config: kubernetes_host is https://old.example:6443, want https://kubernetes.default.svc; disable_local_ca_jwt is true, want false"]);
  });

  it("recreates a deleted kv mount next to existing ones", async () => {
    await operator.enableKv2("ethereum");
    recorder.clear();
    const { result } = await configure();
    expect(writes().slice(0, 2)).toEqual(["POST /v1/sys/mounts/fabric", "POST /v1/sys/mounts/ipfs"]);
    expect(result.changes.slice(0, 2)).toEqual(["enabled kv-v2 secrets engine at fabric/", "enabled kv-v2 secrets engine at ipfs/"]);
  });
});

describe("configureVault stops on drift it must not repair", () => {
  it("refuses a kv version 1 engine at ethereum/ and writes nothing", async () => {
    await operator.enableAuth("approle", "approle");
    recorder.clear();
    // `vault secrets enable -path=ethereum -version=1 kv`
    expect(await operatorCall(fake.url, ROOT, "POST", "sys/mounts/ethereum", { type: "kv", options: { version: "1" } })).toBe(204);
    recorder.clear();

    const error = await rejection(configure());
    expect(error.message).toBe("Vault has kv version 1 at ethereum/: the platform needs kv version 2 there, and btp-aws does not replace a secrets engine");
    expect(error.hint).toBe("upgrade ethereum/ in place, keeping its data: `vault kv enable-versioning ethereum/`; or, if it holds nothing you need: `vault secrets disable <path>` (this deletes its data); then run the same command again");
    expect(writes()).toEqual([]);
    expect((await operator.mounts())["ethereum/"]).toMatchObject({ type: "kv", options: { version: "1" } });
  });

  it("treats kv without a version as version 1, and names other engines by type", async () => {
    expect(await operatorCall(fake.url, ROOT, "POST", "sys/mounts/ethereum", { type: "kv" })).toBe(204);
    expect(await operatorCall(fake.url, ROOT, "POST", "sys/mounts/ipfs", { type: "transit" })).toBe(204);
    recorder.clear();
    const error = await rejection(configure());
    expect(error.message).toBe("Vault has kv version 1 at ethereum/, a transit secrets engine at ipfs/: the platform needs kv version 2 there, and btp-aws does not replace a secrets engine");
    expect(writes()).toEqual([]);
  });

  it("refuses an auth method of another type at approle/", async () => {
    await operator.enableAuth("userpass", "approle");
    const error = await rejection(configure());
    expect(error.message).toBe("Vault has a userpass auth method at approle/: btp-aws needs approle at approle/ and does not replace an auth method");
    expect(error.hint).toContain("vault auth disable <path>");
  });
});

describe("secrets stay out of every message", () => {
  it("never shows the token, the role-id or a secret-id in report lines or errors", async () => {
    const texts: string[] = [];
    const redactor = new Redactor();
    const redact = (s: string) => redactor.add(s);
    const first = await configure({ redact });
    texts.push(...reportLines(first.report));
    await operator.putPolicy("platform-policy", 'path "x/*" {\n  capabilities = ["read"]\n}\n');
    await destroySecretId(first.result.secretId);
    const second = await configure({ redact, storedSecretId: first.result.secretId });
    texts.push(...reportLines(second.report));
    fake.failAfter("GET /v1/sys/policies/acl/platform-policy", { status: 500, errors: ["storage failure"] }); // fake-only fault injection
    texts.push(errorText(await rejection(configure({ redact, storedSecretId: second.result.secretId }))));

    expectNoSecrets(texts, [ROOT, first.result.secretId, second.result.secretId, first.result.roleId]);
    expect(redactor.redact(`${first.result.roleId} ${second.result.secretId}`)).toBe("[redacted] [redacted]");
  });
});
