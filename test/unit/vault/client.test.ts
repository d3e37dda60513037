import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { BtpAwsError } from "../../../src/errors.js";
import { VaultClient } from "../../../src/vault/client.js";
import { VaultApiError, VaultUnreachableError } from "../../../src/vault/errors.js";
import { fakeVaultPool, type FakeVault } from "../../fakes/vault.js";

const pool = fakeVaultPool();
const fake = pool.fake;
afterEach(pool.closeAll);

const DEV_TOKEN = "hvs.dev-root-token-for-tests";
async function devVault(): Promise<{ fake: FakeVault; vault: VaultClient }> {
  const f = await fake({ dev: { rootToken: DEV_TOKEN } });
  return { fake: f, vault: new VaultClient({ address: f.url, token: DEV_TOKEN }) };
}

/** The error a call rejects with. */
async function failure<E extends Error>(promise: Promise<unknown>): Promise<E> {
  try {
    await promise;
  } catch (error) {
    return error as E;
  }
  throw new Error("expected the call to fail");
}

/** A port nothing listens on. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe("health and seal status", () => {
  it("treats sys/health's uninitialised, sealed, standby and active codes as answers", async () => {
    const f = await fake({ nodes: 2, autoUnsealAfter: 1 });
    const [leader, follower] = f.urls.map((address) => new VaultClient({ address }));
    expect(await leader!.health()).toMatchObject({ initialized: false, sealed: true, httpStatus: 501 });
    expect(await leader!.initStatus()).toBe(false);

    await leader!.initialise({ recoveryShares: 5, recoveryThreshold: 3 });
    expect(await leader!.health()).toMatchObject({ initialized: true, sealed: true, httpStatus: 503 });
    expect(await leader!.health()).toMatchObject({ initialized: true, sealed: false, standby: false, httpStatus: 200, version: "1.20.0" });

    expect(await follower!.health()).toMatchObject({ initialized: false, httpStatus: 501 });
    f.join(1);
    await follower!.health(); // still sealed: auto-unseal takes one more request
    expect(await follower!.health()).toMatchObject({ initialized: true, sealed: false, standby: true, httpStatus: 429 });
  });

  it("reads the seal type and the recovery key settings", async () => {
    const f = await fake();
    const vault = new VaultClient({ address: f.url });
    expect(await vault.sealStatus()).toEqual({ type: "awskms", initialized: false, sealed: true, threshold: 0, shares: 0, recoverySeal: true, version: "1.20.0", storageType: "raft" });
    await vault.initialise({ recoveryShares: 5, recoveryThreshold: 3 });
    expect(await vault.sealStatus()).toMatchObject({ type: "awskms", initialized: true, threshold: 3, shares: 5 });
  });
});

describe("initialise", () => {
  it("returns the root token and the recovery keys of an auto-unseal Vault", async () => {
    const f = await fake();
    const result = await new VaultClient({ address: f.url }).initialise({ recoveryShares: 5, recoveryThreshold: 3 });
    expect(result.rootToken).toBe(f.rootToken);
    expect(result.rootToken).toMatch(/^hvs\./);
    expect(result.recoveryKeysB64).toEqual(f.recoveryKeys);
    expect(result.recoveryKeysB64).toHaveLength(5);
    expect(result.keysB64).toEqual([]);
    expect(f.requests.at(-1)).toMatchObject({ method: "PUT", path: "/v1/sys/init", body: { recovery_shares: 5, recovery_threshold: 3 } });
  });

  it("returns the unseal keys of a Shamir Vault", async () => {
    const f = await fake({ seal: "shamir" });
    const result = await new VaultClient({ address: f.url }).initialise({ secretShares: 3, secretThreshold: 2 });
    expect(result.keysB64).toEqual(f.recoveryKeys);
    expect(result.keysB64).toHaveLength(3);
    expect(result.recoveryKeysB64).toEqual([]);
  });

  it("sends a Shamir Vault no recovery settings, which it would refuse", async () => {
    const f = await fake({ seal: "shamir" });
    const error = await failure<VaultApiError>(new VaultClient({ address: f.url }).initialise({ recoveryShares: 5, recoveryThreshold: 3 }));
    expect(error.message).toBe("Vault PUT /v1/sys/init failed (400): parameters recovery_shares,recovery_threshold not applicable to seal type shamir");
    expect(f.requests.at(-1)?.body).toEqual({ recovery_shares: 5, recovery_threshold: 3 });
  });

  it("reports Vault's error when it is already initialised", async () => {
    const { vault } = await devVault();
    const error = await failure<VaultApiError>(vault.initialise({ recoveryShares: 5, recoveryThreshold: 3 }));
    expect(error).toBeInstanceOf(VaultApiError);
    expect(error.message).toBe("Vault PUT /v1/sys/init failed (400): Vault is already initialized");
    expect(error.errors).toEqual(["Vault is already initialized"]);
  });

  it("is not aborted by the caller's signal: its answer is the only copy of the keys", async () => {
    const f = await fake();
    const aborted = AbortSignal.abort(new Error("Ctrl-C"));
    const vault = new VaultClient({ address: f.url, signal: aborted });
    await expect(vault.sealStatus()).rejects.toThrow("Ctrl-C");
    expect((await vault.initialise({ recoveryShares: 5, recoveryThreshold: 3 })).rootToken).toBe(f.rootToken);
  });
});

describe("mounts and auth methods", () => {
  it("enables kv-v2 and reads type and version back", async () => {
    const { vault } = await devVault();
    await vault.enableKv2("ethereum/", "platform");
    const mounts = await vault.mounts();
    expect(mounts["ethereum/"]).toEqual({ type: "kv", options: { version: "2" }, description: "platform" });
    expect(mounts["sys/"]).toMatchObject({ type: "system", options: {} });
    await vault.enableAuth("approle", "approle");
    await expect(vault.createSecretId("missing")).rejects.toThrow('Vault POST /v1/auth/approle/role/missing/secret-id failed (404): role "missing" does not exist');
    await expect(vault.enableKv2("ethereum")).rejects.toThrow("Vault POST /v1/sys/mounts/ethereum failed (400): path is already in use at ethereum/");
  });

  it("enables an auth method and lists it", async () => {
    const { vault } = await devVault();
    await vault.enableAuth("approle", "approle/");
    expect(Object.keys(await vault.authMethods()).sort()).toEqual(["approle/", "token/"]);
    expect((await vault.authMethods())["approle/"]?.type).toBe("approle");
  });
});

describe("policies, AppRole and Kubernetes auth", () => {
  it("answers undefined for a missing policy and round-trips a policy's text", async () => {
    const { vault } = await devVault();
    expect(await vault.policy("platform-policy")).toBeUndefined();
    const hcl = 'path "ethereum/data/*" {\n  capabilities = ["read"]\n}\n';
    await vault.putPolicy("platform-policy", hcl);
    expect(await vault.policy("platform-policy")).toBe(hcl);
  });

  it("creates a role, reads it back in seconds, and issues and looks up secret-ids", async () => {
    const { vault } = await devVault();
    await vault.enableAuth("approle", "approle");
    expect(await vault.appRole("platform-role")).toBeUndefined();
    expect(await vault.roleId("platform-role")).toBeUndefined();
    await vault.putAppRole("platform-role", { token_ttl: 3600, token_max_ttl: 14_400, secret_id_ttl: 0, token_policies: ["platform-policy"] });
    expect(await vault.appRole("platform-role")).toEqual({ token_ttl: 3600, token_max_ttl: 14_400, secret_id_ttl: 0, secret_id_num_uses: 0, token_policies: ["platform-policy"], bind_secret_id: true });
    expect(await vault.roleId("platform-role")).toMatch(/^[0-9a-f-]{36}$/);

    const { secretId, accessor } = await vault.createSecretId("platform-role");
    expect(await vault.lookupSecretId("platform-role", secretId)).toEqual({ accessor, expiresAt: undefined, usesLeft: 0 });
    expect(await vault.lookupSecretId("platform-role", "00000000-0000-0000-0000-000000000000")).toBeUndefined();
  });

  it("reads and writes the Kubernetes auth config", async () => {
    const { vault } = await devVault();
    await vault.enableAuth("kubernetes", "kubernetes");
    expect(await vault.kubernetesAuthConfig()).toBeUndefined();
    await vault.putKubernetesAuthConfig({ kubernetes_host: "https://kubernetes.default.svc" });
    expect(await vault.kubernetesAuthConfig()).toEqual({ kubernetes_host: "https://kubernetes.default.svc", kubernetes_ca_cert: "", disable_local_ca_jwt: false });
  });

  it("passes on the refusal of a config without a CA outside a pod", async () => {
    const f = await fake({ dev: { rootToken: DEV_TOKEN }, insidePod: false });
    const vault = new VaultClient({ address: f.url, token: DEV_TOKEN });
    await vault.enableAuth("kubernetes", "kubernetes");
    await expect(vault.putKubernetesAuthConfig({ kubernetes_host: "https://kubernetes.default.svc" })).rejects.toThrow(
      "Vault POST /v1/auth/kubernetes/config failed (400): open /var/run/secrets/kubernetes.io/serviceaccount/ca.crt: no such file or directory",
    );
  });
});

describe("raft", () => {
  it("lists the peers and downloads a snapshot", async () => {
    const f = await fake({ nodes: 3 });
    const leader = new VaultClient({ address: f.url });
    const { rootToken } = await leader.initialise({ recoveryShares: 5, recoveryThreshold: 3 });
    const vault = leader.withToken(rootToken);
    await vault.sealStatus();
    f.join(1);
    expect(await vault.raftPeers()).toEqual([
      { nodeId: "vault-0", address: "vault-0.vault-internal:8201", leader: true, voter: true },
      { nodeId: "vault-1", address: "vault-1.vault-internal:8201", leader: false, voter: false },
    ]);
    const snapshot = await vault.raftSnapshot();
    expect(snapshot.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(JSON.parse(gunzipSync(snapshot).toString("utf8"))).toMatchObject({ mounts: ["cubbyhole/", "identity/", "sys/"] });
  });
});

describe("tokens and errors", () => {
  it("tells a valid token from a refused one", async () => {
    const { fake: f, vault } = await devVault();
    expect(await vault.tokenIsValid()).toBe(true);
    expect(await new VaultClient({ address: f.url, token: "hvs.not-the-token" }).tokenIsValid()).toBe(false);
  });

  it("reports a refused token with Vault's errors and a hint, never the token", async () => {
    const { fake: f } = await devVault();
    const wrong = "hvs.wrong-token-123456";
    const error = await failure<VaultApiError>(new VaultClient({ address: f.url, token: wrong }).mounts());
    expect(error).toBeInstanceOf(VaultApiError);
    expect(error).toBeInstanceOf(BtpAwsError);
    expect(error.message).toBe("Vault GET /v1/sys/mounts failed (403): permission denied");
    expect(error.status).toBe(403);
    expect(error.hint).toContain("Vault refused the token");
    expect(`${error.message} ${error.hint} ${inspect(error)}`).not.toContain(wrong);
  });

  it("scrubs the token and the request's secrets from errors echoed back", async () => {
    const { fake: f, vault } = await devVault();
    await vault.enableAuth("approle", "approle");
    await vault.putAppRole("r", { token_ttl: 60 });
    f.failNext({ status: 500, errors: [`proxy saw token ${DEV_TOKEN} and body {"secret_id":"s3cret-id-value"}`] });
    const error = await failure<VaultApiError>(vault.lookupSecretId("r", "s3cret-id-value"));
    expect(error.message).toBe('Vault POST /v1/auth/approle/role/r/secret-id/lookup failed (500): proxy saw token [redacted] and body {"secret_id":"[redacted]"}');
  });

  it("keeps the token out of inspect and JSON", async () => {
    const { vault } = await devVault();
    expect(inspect(vault, { depth: 5, showHidden: true })).not.toContain(DEV_TOKEN);
    expect(JSON.stringify(vault)).not.toContain(DEV_TOKEN);
    expect(vault.authenticated).toBe(true);
  });

  it("says when nothing answers, with a hint about the port-forward", async () => {
    const address = await closedPort();
    const error = await failure<VaultUnreachableError>(new VaultClient({ address, token: DEV_TOKEN }).sealStatus());
    expect(error).toBeInstanceOf(VaultUnreachableError);
    expect(error.message).toMatch(new RegExp(`^Vault GET /v1/sys/seal-status: no answer from ${address}: .*ECONNREFUSED`));
    expect(error.hint).toContain("port-forward");
    expect(error.message).not.toContain(DEV_TOKEN);
  });

  it("says when the connection is dropped mid-request", async () => {
    const { fake: f, vault } = await devVault();
    f.failNext("drop");
    await expect(vault.mounts()).rejects.toBeInstanceOf(VaultUnreachableError);
    expect(await vault.mounts()).toHaveProperty(["secret/"]);
  });

  it("names the field when an answer has the wrong shape, never its value", async () => {
    const server = createServer((_req, res) => res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ type: "awskms", initialized: "yes-secret-looking" })));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const vault = new VaultClient({ address: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      const error = await failure<BtpAwsError>(vault.sealStatus());
      expect(error.message).toBe("Vault GET /v1/sys/seal-status: unexpected answer: initialized is not true or false");
      expect(error.hint).toContain("not be a Vault");
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
