/**
 * The vault phase against real OpenBao 2.7 servers (test/support/openbao.ts):
 * - initialiseVault on a raft-backed, uninitialised server with an auto-unseal seal: once, the
 *   root token and recovery keys stored and never shown; a second run never initialises again;
 *   a run interrupted once the keys are stored is completed by the next one;
 * - configureVault on a dev server, with the real kube-apiserver's address and CA in the
 *   Kubernetes auth config: a second run writes nothing; a run interrupted half-way is finished
 *   by the next one with exactly the remaining changes;
 * - a raft snapshot downloaded through VaultClient is a complete archive whose checksums hold
 *   (dr-snapshot's Vault export).
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { configureVault, PLATFORM_POLICY_FILE, type ConfigureOptions } from "../../src/phases/vault/configure.js";
import { INIT_STARTED_KEY, initialiseVault, RECOVERY_KEYS_KEY, ROOT_TOKEN_KEY, UNSEAL_KEYS_KEY, type InitialiseOptions } from "../../src/phases/vault/initialise.js";
import { Redactor } from "../../src/secrets/redact.js";
import { VaultClient } from "../../src/vault/client.js";
import { startKubeApiServer, type KubeApiServer } from "../support/kube-apiserver.js";
import { startOpenBaoDev, startOpenBaoRaft, type OpenBaoDevServer, type OpenBaoServer } from "../support/openbao.js";
import { recordingReporter } from "../support/reporter.js";
import { SERVER_CERT } from "../unit/k8s/support/fake-apiserver.js";
import { expectNoSecrets, memorySecrets, recordingFetch, reportLines, type MemorySecrets } from "../unit/phases/vault/helpers.js";

const servers = inject("servers");

/** Waits scaled to 1/50: the static seal unseals at once, so the 5 s poll becomes 100 ms. */
const WAIT = { scale: 0.02 };

/**
 * Kubernetes auth for a Vault outside a pod: with no CA given, OpenBao reads its pod's service
 * account CA at write time and refuses the config when there is none, so these servers get one.
 */
const IN_CLUSTER = { kubernetesHost: "https://kubernetes.default.svc", kubernetesCaCert: SERVER_CERT };

const EXPECTED_CHANGES = (host: string) => [
  "enabled kv-v2 secrets engine at ethereum/",
  "enabled kv-v2 secrets engine at fabric/",
  "enabled kv-v2 secrets engine at ipfs/",
  "enabled kubernetes auth method at kubernetes/",
  "enabled approle auth method at approle/",
  `configured Kubernetes auth for ${host}`,
  "created policy platform-policy",
  "created AppRole role platform-role (token_ttl 1h, token_max_ttl 4h, secret_id_ttl 0)",
  "created a secret-id for platform-role",
];

function initialiseOptions(address: string, secrets: MemorySecrets, extra: { signal?: AbortSignal; fetch?: typeof fetch } = {}) {
  const report = recordingReporter();
  const redactor = new Redactor();
  const options: InitialiseOptions = {
    vault: new VaultClient({ address, ...extra }),
    secrets,
    redact: (secret) => redactor.add(secret),
    report,
    waitSettings: WAIT,
    ...(extra.signal ? { signal: extra.signal } : {}),
  };
  return { options, report, redactor };
}

function storedSecrets(secrets: MemorySecrets): string[] {
  return [secrets.values[ROOT_TOKEN_KEY]!, ...(JSON.parse(secrets.values[RECOVERY_KEYS_KEY]!) as string[])];
}

describe("initialiseVault against a raft-backed OpenBao with an auto-unseal seal", () => {
  let bao: OpenBaoServer;
  const secrets = memorySecrets();

  beforeAll(async () => {
    bao = await startOpenBaoRaft(servers.bao);
  });
  afterAll(async () => {
    await bao?.stop();
  });

  it("initialises an uninitialised server once and stores the root token and recovery keys, showing neither", async () => {
    const before = await new VaultClient({ address: bao.address }).sealStatus();
    expect(before).toMatchObject({ type: "static", initialized: false, sealed: true, recoverySeal: true, storageType: "raft" });

    const { options, report, redactor } = initialiseOptions(bao.address, secrets);
    const result = await initialiseVault(options);

    expect(result.initialisedNow).toBe(true);
    expect(Object.keys(secrets.values).sort()).toEqual([INIT_STARTED_KEY, RECOVERY_KEYS_KEY, ROOT_TOKEN_KEY].sort());
    // An auto-unseal seal returns recovery keys, never unseal keys.
    expect(JSON.parse(secrets.values[RECOVERY_KEYS_KEY]!)).toHaveLength(5);
    expect(secrets.values[UNSEAL_KEYS_KEY]).toBeUndefined();
    expect(report.infos).toEqual(["initialised Vault: root token and 5 recovery keys (threshold 3) stored in the platform secret btp-test/credentials"]);
    expect(await new VaultClient({ address: bao.address }).sealStatus()).toMatchObject({ initialized: true, sealed: false, threshold: 3, shares: 5 });
    expect(await result.vault.tokenIsValid()).toBe(true);

    expectNoSecrets(reportLines(report), storedSecrets(secrets));
    expect(redactor.redact(`root ${secrets.values[ROOT_TOKEN_KEY]}`)).toBe("root [redacted]");
  });

  it("a second run uses the stored root token and sends no write to the server", async () => {
    const recorder = recordingFetch();
    const { options, report } = initialiseOptions(bao.address, secrets, { fetch: recorder.fetch });
    const merges = secrets.merges.length;

    const result = await initialiseVault(options);

    expect(result.initialisedNow).toBe(false);
    expect(report.skipped).toEqual(["Vault is already initialised; using the root token from the platform secret btp-test/credentials"]);
    expect(recorder.writes()).toEqual([]);
    expect(recorder.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(["GET /v1/sys/seal-status 200", "GET /v1/sys/seal-status 200", "GET /v1/sys/health 200", "GET /v1/auth/token/lookup-self 200"]);
    expect(secrets.merges).toHaveLength(merges);
  });

  it("refuses a server it did not initialise, naming what is missing", async () => {
    const { options } = initialiseOptions(bao.address, memorySecrets());
    await expect(initialiseVault(options)).rejects.toThrow("Vault is initialised, but not by btp-aws: the platform secret btp-test/credentials has neither its root token nor its recovery keys");
  });

  it("exports a raft snapshot: a gzipped archive whose SHA256SUMS match its files", async () => {
    // Earlier tests ran initialiseVault, which returns only once the node is active.
    const vault = new VaultClient({ address: bao.address, token: secrets.values[ROOT_TOKEN_KEY]! });
    await configureVault(vault, { ...IN_CLUSTER, report: recordingReporter() });
    expect(await vault.raftPeers()).toEqual([{ nodeId: "bao-0", address: expect.any(String) as unknown, leader: true, voter: true }]);

    const snapshot = await vault.raftSnapshot();

    expect(snapshot.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const files = untar(gunzipSync(snapshot));
    // SHA256SUMS.sealed is the same list encrypted by the seal: a restore checks it with the seal.
    expect(Object.keys(files).sort()).toEqual(["SHA256SUMS", "SHA256SUMS.sealed", "meta.json", "state.bin"]);
    expect(files["SHA256SUMS.sealed"]!.length).toBeGreaterThan(0);
    const sums = Object.fromEntries(
      files["SHA256SUMS"]!.toString("utf8").trim().split("\n").map((line) => line.split(/\s+/).reverse() as [string, string]),
    );
    expect(Object.keys(sums).sort()).toEqual(["meta.json", "state.bin"]);
    for (const name of ["meta.json", "state.bin"]) expect(createHash("sha256").update(files[name]!).digest("hex")).toBe(sums[name]);
    expect(JSON.parse(files["meta.json"]!.toString("utf8"))).toMatchObject({ Index: expect.any(Number) as unknown, Term: expect.any(Number) as unknown });
    // The configuration just written is in the data.
    expect(files["state.bin"]!.length).toBeGreaterThan(10_000);
  });
});

describe("initialiseVault interrupted once the keys are stored", () => {
  let bao: OpenBaoServer;

  beforeAll(async () => {
    bao = await startOpenBaoRaft(servers.bao);
  });
  afterAll(async () => {
    await bao?.stop();
  });

  it("the next run finds the stored token, and initialisation and configuration complete", async () => {
    const secrets = memorySecrets();
    const interrupt = new AbortController();
    // Ctrl-C the moment the keys are written: the store completes, nothing after it runs.
    secrets.onMerge = (values) => {
      if (ROOT_TOKEN_KEY in values) interrupt.abort(new Error("interrupted after the keys were stored"));
    };
    const first = initialiseOptions(bao.address, secrets, { signal: interrupt.signal });
    await expect(initialiseVault(first.options)).rejects.toThrow("interrupted after the keys were stored");
    expect(secrets.values[ROOT_TOKEN_KEY]).toMatch(/^s\./);
    const token = secrets.values[ROOT_TOKEN_KEY]!;
    expect((await new VaultClient({ address: bao.address, token }).mounts())["ethereum/"]).toBeUndefined();

    secrets.onMerge = undefined;
    const second = initialiseOptions(bao.address, secrets);
    const result = await initialiseVault(second.options);
    expect(result.initialisedNow).toBe(false);
    // No wait here: initialiseVault returns only once a node is active (a raft node that is
    // merely unsealed answers writes with 500 "local node not active but active cluster node not found").
    const configured = await configureVault(result.vault, { ...IN_CLUSTER, report: second.report });
    expect(configured.changes).toEqual(EXPECTED_CHANGES(IN_CLUSTER.kubernetesHost));
    expectNoSecrets([...reportLines(first.report), ...reportLines(second.report)], storedSecrets(secrets));
  });
});

describe("configureVault against OpenBao (dev) with the real kube-apiserver's address and CA", () => {
  let bao: OpenBaoDevServer;
  let kube: KubeApiServer;

  beforeAll(async () => {
    const started = await Promise.allSettled([startOpenBaoDev(servers.bao), startKubeApiServer(servers)]);
    if (started[0].status === "fulfilled") bao = started[0].value;
    if (started[1].status === "fulfilled") kube = started[1].value;
    for (const result of started) if (result.status === "rejected") throw result.reason;
  });
  afterAll(async () => {
    await Promise.all([bao?.stop(), kube?.stop()]);
  });

  it("configures everything, then a second run with the stored secret-id writes nothing", async () => {
    const recorder = recordingFetch();
    const vault = new VaultClient({ address: bao.address, token: bao.rootToken, fetch: recorder.fetch });
    const redactor = new Redactor();
    const options = (storedSecretId?: string): ConfigureOptions => ({
      kubernetesHost: kube.server,
      kubernetesCaCert: kube.caPem,
      report: recordingReporter(),
      redact: (secret) => redactor.add(secret),
      ...(storedSecretId ? { storedSecretId } : {}),
    });

    const first = await configureVault(vault, options());
    expect(first.changes).toEqual(EXPECTED_CHANGES(kube.server));
    expect(first.secretIdCreated).toBe(true);

    const operator = new VaultClient({ address: bao.address, token: bao.rootToken });
    const mounts = await operator.mounts();
    for (const path of ["ethereum/", "fabric/", "ipfs/"]) expect(mounts[path]).toMatchObject({ type: "kv", options: { version: "2" } });
    expect(await operator.kubernetesAuthConfig()).toEqual({ kubernetes_host: kube.server, kubernetes_ca_cert: kube.caPem, disable_local_ca_jwt: false });
    expect(await operator.policy("platform-policy")).toBe(await readFile(PLATFORM_POLICY_FILE, "utf8"));
    expect(await operator.appRole("platform-role")).toEqual({ token_ttl: 3600, token_max_ttl: 14_400, secret_id_ttl: 0, secret_id_num_uses: 0, token_policies: ["platform-policy"], bind_secret_id: true });
    expect(first.roleId).toBe(await operator.roleId("platform-role"));
    // The secret-id logs in: the role really works.
    const login = await fetch(`${bao.address}/v1/auth/approle/login`, { method: "POST", body: JSON.stringify({ role_id: first.roleId, secret_id: first.secretId }) });
    expect(((await login.json()) as { auth?: { policies?: string[] } }).auth?.policies).toEqual(["default", "platform-policy"]);

    recorder.clear();
    const second = await configureVault(vault, options(first.secretId));
    expect(second).toEqual({ roleId: first.roleId, secretId: first.secretId, secretIdCreated: false, changes: [] });
    expect(recorder.writes()).toEqual([]);
    expect(redactor.redact(`${first.roleId} ${first.secretId}`)).toBe("[redacted] [redacted]");
  });

  it("a run interrupted after three writes is finished by the next with exactly the remaining changes", async () => {
    // A fresh dev server: configuration starts from nothing.
    const fresh = await startOpenBaoDev(servers.bao);
    try {
      const interrupt = new AbortController();
      const recorder = recordingFetch();
      let writes = 0;
      const interrupting: typeof fetch = (input, init) => {
        if ((init?.method ?? "GET") !== "GET" && ++writes === 4) interrupt.abort(new Error("interrupted half-way"));
        return recorder.fetch(input, init);
      };
      const host = kube.server;
      const interrupted = new VaultClient({ address: fresh.address, token: fresh.rootToken, fetch: interrupting, signal: interrupt.signal });
      await expect(configureVault(interrupted, { kubernetesHost: host, kubernetesCaCert: kube.caPem, report: recordingReporter() })).rejects.toThrow("interrupted half-way");
      expect(recorder.writes()).toEqual(["POST /v1/sys/mounts/ethereum", "POST /v1/sys/mounts/fabric", "POST /v1/sys/mounts/ipfs"]);

      const vault = new VaultClient({ address: fresh.address, token: fresh.rootToken });
      const resumed = await configureVault(vault, { kubernetesHost: host, kubernetesCaCert: kube.caPem, report: recordingReporter() });
      expect(resumed.changes).toEqual(EXPECTED_CHANGES(host).slice(3));
      const again = await configureVault(vault, { kubernetesHost: host, kubernetesCaCert: kube.caPem, storedSecretId: resumed.secretId, report: recordingReporter() });
      expect(again.changes).toEqual([]);
    } finally {
      await fresh.stop();
    }
  });
});

/** The regular files of an uncompressed tar archive (ustar headers of 512 bytes, data padded to 512). */
function untar(archive: Buffer): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  let offset = 0;
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const name = header.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "");
    const size = parseInt(header.subarray(124, 136).toString("utf8").replace(/\0.*$/s, "").trim() || "0", 8);
    const type = String.fromCharCode(header[156] ?? 0);
    if (type === "0" || type === "\0") files[name] = archive.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}
