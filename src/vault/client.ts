/**
 * A small client for the Vault HTTP API (OpenBao speaks the same API), over fetch.
 * The token travels only in the `X-Vault-Token` header and lives in a private field (invisible
 * to `util.inspect` and JSON); secret-ids travel only in bodies, never in a path; errors are
 * scrubbed of both. Statuses that are answers (sys/health's 429/501/503, a lookup's 204) become
 * domain values here; "not found" is `undefined`.
 */
import { apiError, unreachableError, VaultApiError } from "./errors.js";
import * as parse from "./parse.js";
import type { AppRoleSettings, KubernetesAuthConfig, RaftPeer, SecretIdInfo, VaultHealth, VaultInitResult, VaultMount, VaultSealStatus } from "./types.js";

export interface VaultClientOptions {
  /** The local end of a port-forward ("http://127.0.0.1:8200"), or any reachable Vault. */
  address: string;
  token?: string;
  timeoutMs?: number;
  /** Ctrl-C: aborts in-flight requests. */
  signal?: AbortSignal;
  fetch?: typeof globalThis.fetch;
}

/**
 * Recovery shares for an auto-unseal seal, unseal shares for a Shamir seal: each seal refuses the
 * other kind ("parameters recovery_shares,recovery_threshold not applicable to seal type shamir").
 */
export type InitSettings = { recoveryShares: number; recoveryThreshold: number } | { secretShares: number; secretThreshold: number };

/** sys/health answers with these codes by design; every one of them is a state, not a failure. */
export const HEALTH_STATUSES: ReadonlySet<number> = new Set([200, 429, 472, 473, 474, 501, 503, 530]);

const DEFAULT_TIMEOUT_MS = 30_000;
const SNAPSHOT_TIMEOUT_MS = 600_000;
/** Initialisation asks KMS to wrap the new root key; give it time rather than lose the answer. */
const INIT_TIMEOUT_MS = 120_000;

interface CallOptions {
  body?: unknown;
  /** Values in the request that must never appear in an error (a secret-id being looked up). */
  secrets?: readonly string[];
  answers?: ReadonlySet<number> | readonly number[];
  timeoutMs?: number;
  /** Ignore the caller's abort signal: for a request whose answer must not be thrown away. */
  uninterruptible?: boolean;
}

function segments(path: string): string {
  return path.replace(/^\/+|\/+$/g, "").split("/").map(encodeURIComponent).join("/");
}

export class VaultClient {
  readonly address: string;
  readonly #token: string | undefined;
  readonly #options: VaultClientOptions;

  constructor(options: VaultClientOptions) {
    this.address = options.address.replace(/\/+$/, "");
    this.#token = options.token;
    this.#options = options;
  }

  /** The same Vault, authenticated. */
  withToken(token: string): VaultClient {
    return new VaultClient({ ...this.#options, token });
  }

  get authenticated(): boolean {
    return this.#token !== undefined;
  }

  async #send(method: string, path: string, options: CallOptions = {}): Promise<Response> {
    const request = `${method} /v1/${path}`;
    const headers: Record<string, string> = {};
    if (this.#token !== undefined) headers["X-Vault-Token"] = this.#token;
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = this.#options.signal && !options.uninterruptible ? AbortSignal.any([this.#options.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await (this.#options.fetch ?? fetch)(`${this.address}/v1/${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal,
      });
    } catch (error) {
      // Ctrl-C is not a connectivity problem: let the runner see its own abort.
      if (this.#options.signal?.aborted && !options.uninterruptible) throw error;
      throw unreachableError(request, this.address, error);
    }
    const answers = new Set(options.answers ?? []);
    if (response.ok || answers.has(response.status)) return response;
    const secrets = [...(options.secrets ?? []), ...(this.#token === undefined ? [] : [this.#token])];
    throw apiError(request, response.status, await response.text(), secrets);
  }

  async #json(method: string, path: string, options: CallOptions = {}): Promise<{ status: number; body: parse.Json | undefined }> {
    const response = await this.#send(method, path, options);
    const text = await response.text();
    if (text.trim() === "") return { status: response.status, body: undefined };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw parse.shapeError(`${method} /v1/${path}`, "the body", "JSON");
    }
    return { status: response.status, body: parse.object(parsed, `${method} /v1/${path}`, "the body") };
  }

  async #read(path: string, options: CallOptions = {}): Promise<parse.Json | undefined> {
    const { status, body } = await this.#json("GET", path, { ...options, answers: [404] });
    return status === 404 ? undefined : body;
  }

  async #required(path: string): Promise<parse.Json> {
    const { body } = await this.#json("GET", path);
    if (!body) throw parse.shapeError(`GET /v1/${path}`, "the body", "present");
    return body;
  }

  async health(): Promise<VaultHealth> {
    const request = "GET /v1/sys/health";
    const { status, body } = await this.#json("GET", "sys/health", { answers: HEALTH_STATUSES });
    const b = parse.object(body, request, "the body");
    return {
      initialized: parse.boolean(b.initialized, request, "initialized"),
      sealed: parse.boolean(b.sealed, request, "sealed"),
      standby: parse.boolean(b.standby, request, "standby"),
      performanceStandby: b.performance_standby === true,
      version: typeof b.version === "string" ? b.version : "",
      httpStatus: status,
    };
  }

  async initStatus(): Promise<boolean> {
    return parse.boolean((await this.#required("sys/init")).initialized, "GET /v1/sys/init", "initialized");
  }

  /**
   * PUT sys/init. The answer is the only copy of the root token and keys, so
   * Ctrl-C does not abort this request: an initialised Vault whose answer was dropped is unusable.
   */
  async initialise(settings: InitSettings): Promise<VaultInitResult> {
    const request = "PUT /v1/sys/init";
    const body = "recoveryShares" in settings
      ? { recovery_shares: settings.recoveryShares, recovery_threshold: settings.recoveryThreshold }
      : { secret_shares: settings.secretShares, secret_threshold: settings.secretThreshold };
    const answer = parse.object((await this.#json("PUT", "sys/init", { body, uninterruptible: true, timeoutMs: INIT_TIMEOUT_MS })).body, request, "the body");
    return {
      rootToken: parse.string(answer.root_token, request, "root_token"),
      recoveryKeysB64: parse.strings(answer.recovery_keys_base64, request, "recovery_keys_base64"),
      keysB64: parse.strings(answer.keys_base64, request, "keys_base64"),
    };
  }

  async sealStatus(): Promise<VaultSealStatus> {
    const request = "GET /v1/sys/seal-status";
    const b = await this.#required("sys/seal-status");
    return {
      type: parse.string(b.type, request, "type"),
      initialized: parse.boolean(b.initialized, request, "initialized"),
      sealed: parse.boolean(b.sealed, request, "sealed"),
      threshold: parse.number(b.t, request, "t"),
      shares: parse.number(b.n, request, "n"),
      recoverySeal: b.recovery_seal === true,
      version: typeof b.version === "string" ? b.version : "",
      storageType: typeof b.storage_type === "string" ? b.storage_type : undefined,
    };
  }

  async mounts(): Promise<Record<string, VaultMount>> {
    return parse.mountTable(parse.data(await this.#required("sys/mounts"), "GET /v1/sys/mounts"), "GET /v1/sys/mounts");
  }

  async enableKv2(path: string, description = ""): Promise<void> {
    await this.#send("POST", `sys/mounts/${segments(path)}`, { body: { type: "kv", description, options: { version: "2" } } });
  }

  async authMethods(): Promise<Record<string, VaultMount>> {
    return parse.mountTable(parse.data(await this.#required("sys/auth"), "GET /v1/sys/auth"), "GET /v1/sys/auth");
  }

  async enableAuth(type: string, path: string, description = ""): Promise<void> {
    await this.#send("POST", `sys/auth/${segments(path)}`, { body: { type, description } });
  }

  async policy(name: string): Promise<string | undefined> {
    const path = `sys/policies/acl/${segments(name)}`;
    const body = await this.#read(path);
    return body && parse.string(parse.data(body, `GET /v1/${path}`).policy, `GET /v1/${path}`, "data.policy");
  }

  async putPolicy(name: string, hcl: string): Promise<void> {
    await this.#send("PUT", `sys/policies/acl/${segments(name)}`, { body: { policy: hcl } });
  }

  async appRole(name: string): Promise<AppRoleSettings | undefined> {
    const path = `auth/approle/role/${segments(name)}`;
    const body = await this.#read(path);
    return body && parse.appRole(body, `GET /v1/${path}`);
  }

  /** Creates the role or updates the fields given; fields not given keep their values. */
  async putAppRole(name: string, settings: Partial<AppRoleSettings>): Promise<void> {
    await this.#send("POST", `auth/approle/role/${segments(name)}`, { body: settings });
  }

  async roleId(name: string): Promise<string | undefined> {
    const path = `auth/approle/role/${segments(name)}/role-id`;
    const body = await this.#read(path);
    return body && parse.string(parse.data(body, `GET /v1/${path}`).role_id, `GET /v1/${path}`, "data.role_id");
  }

  async createSecretId(name: string): Promise<{ secretId: string; accessor: string }> {
    const request = `POST /v1/auth/approle/role/${segments(name)}/secret-id`;
    const d = parse.data(parse.object((await this.#json("POST", `auth/approle/role/${segments(name)}/secret-id`, { body: {} })).body, request, "the body"), request);
    return { secretId: parse.string(d.secret_id, request, "data.secret_id"), accessor: parse.string(d.secret_id_accessor, request, "data.secret_id_accessor") };
  }

  /** Undefined when Vault does not know it: 204 for an unknown id, 400 "invalid secret id" for a half-deleted one. */
  async lookupSecretId(name: string, secretId: string): Promise<SecretIdInfo | undefined> {
    const path = `auth/approle/role/${segments(name)}/secret-id/lookup`;
    try {
      const { body } = await this.#json("POST", path, { body: { secret_id: secretId }, secrets: [secretId] });
      return body && parse.secretIdInfo(body, `POST /v1/${path}`);
    } catch (error) {
      if (error instanceof VaultApiError && error.status === 400 && error.errors.includes("invalid secret id")) return undefined;
      throw error;
    }
  }

  async kubernetesAuthConfig(mount = "kubernetes"): Promise<KubernetesAuthConfig | undefined> {
    const path = `auth/${segments(mount)}/config`;
    const body = await this.#read(path);
    return body && parse.kubernetesConfig(body, `GET /v1/${path}`);
  }

  async putKubernetesAuthConfig(config: { kubernetes_host: string; kubernetes_ca_cert?: string; disable_local_ca_jwt?: boolean }, mount = "kubernetes"): Promise<void> {
    await this.#send("POST", `auth/${segments(mount)}/config`, { body: config });
  }

  async raftPeers(): Promise<RaftPeer[]> {
    return parse.raftServers(await this.#required("sys/storage/raft/configuration"), "GET /v1/sys/storage/raft/configuration");
  }

  /** A gzipped archive, whole in memory: Vault's data is small. */
  async raftSnapshot(): Promise<Buffer> {
    const response = await this.#send("GET", "sys/storage/raft/snapshot", { timeoutMs: SNAPSHOT_TIMEOUT_MS });
    return Buffer.from(await response.arrayBuffer());
  }

  async tokenIsValid(): Promise<boolean> {
    const { status } = await this.#json("GET", "auth/token/lookup-self", { answers: [403] });
    return status !== 403;
  }
}
