/**
 * A stateful Vault for unit tests: real node:http servers on loopback (one per raft node) that
 * answer the endpoints btp-aws uses with Vault's JSON shapes and status codes, as documented in
 * the Vault API docs (sys/health, sys/init, sys/seal-status, sys/mounts, sys/auth,
 * sys/policies/acl, auth/approle (role, role-id, secret-id, its lookup and destroy),
 * auth/kubernetes/config, auth/token/lookup-self,
 * sys/storage/raft/configuration and snapshot). Behaviour read from Vault's source where the docs
 * are silent: GET of a missing object is 404 `{"errors":[]}`; a write with no answer is 204; a
 * secret-id lookup of an unknown id is 204; an unknown route under an auth mount is 404.
 *
 * Nodes share one storage (raft). Node 0 is the leader and the only one that may be initialised;
 * the others start outside the cluster (they report "not initialised", as a real pod does until
 * retry_join succeeds) and are moved along by the test: join → auto-unseal → promote to voter.
 *
 * Every request is logged with whether it changes state, so idempotency tests can assert "no
 * writes". Failures can be injected after a given request ("killed half-way").
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";

export type SealType = "awskms" | "shamir";

export interface FakeVaultOptions {
  nodes?: number;
  seal?: SealType;
  /** Start initialised and unsealed with this root token and kv-v2 at secret/, like `bao server -dev`. */
  dev?: { rootToken: string };
  /** How many requests a node answers "sealed" after init or join before auto-unseal completes (awskms). */
  autoUnsealAfter?: number;
  /**
   * Vault runs in a pod (the default, as in production): the Kubernetes auth method falls back to
   * the pod's CA file. Outside one, as `bao server -dev` on a laptop, a config without a CA is refused.
   */
  insidePod?: boolean;
}

export interface LoggedRequest {
  node: number;
  method: string;
  /** "/v1/sys/init" */
  path: string;
  status: number;
  /** Whether the request changed (or tried to change) Vault's state. */
  write: boolean;
  body: Record<string, unknown>;
}

export type Failure = "drop" | { status: number; errors: string[] };

interface NodeState {
  nodeId: string;
  joined: boolean;
  voter: boolean;
  sealed: boolean;
  sealedReadsLeft: number;
}

interface MountEntry {
  type: string;
  description: string;
  options: Record<string, string> | null;
  accessor: string;
  uuid: string;
  local: boolean;
}

interface SecretIdEntry {
  accessor: string;
  created: string;
  expires: string;
  numUses: number;
  ttl: number;
}

interface RoleEntry {
  roleId: string;
  settings: Record<string, unknown>;
  secretIds: Map<string, SecretIdEntry>;
}

interface Reply {
  status: number;
  body?: unknown;
  raw?: Buffer;
}

const VERSION = "1.20.0";
const NEVER = "0001-01-01T00:00:00Z";

function mount(type: string, description: string, options: Record<string, string> | null = null, local = false): MountEntry {
  return { type, description, options, accessor: `${type}_${randomBytes(4).toString("hex")}`, uuid: randomUUID(), local };
}

function mountView(entry: MountEntry): Record<string, unknown> {
  return {
    accessor: entry.accessor,
    config: { default_lease_ttl: 0, force_no_cache: false, max_lease_ttl: 0 },
    description: entry.description,
    external_entropy_access: false,
    local: entry.local,
    options: entry.options,
    seal_wrap: false,
    type: entry.type,
    uuid: entry.uuid,
    plugin_version: "",
    running_plugin_version: "",
    running_sha256: "",
  };
}

/** Vault's envelope around a logical answer. */
function envelope(data: unknown): Record<string, unknown> {
  return { request_id: randomUUID(), lease_id: "", renewable: false, lease_duration: 0, data, wrap_info: null, warnings: null, auth: null };
}

const error = (status: number, ...errors: string[]): Reply => ({ status, body: { errors } });
const noContent: Reply = { status: 204 };

/** Vault's duration fields: seconds as a number or string, or "90s", "60m", "1h", "2d". */
function seconds(value: unknown, field: string): number | Reply {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) return value;
  const match = typeof value === "string" ? /^(\d+)(s|m|h|d)?$/.exec(value.trim()) : null;
  if (!match) return error(400, `error converting input ${JSON.stringify(value)} for field "${field}": time: invalid duration`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as "s" | "m" | "h" | "d"] ?? 1;
  return Number(match[1]) * unit;
}

/** Vault's policy list parsing: comma-separated or a list; trimmed, lower-cased, de-duplicated, sorted. */
function policies(value: unknown): string[] {
  const list = Array.isArray(value) ? value.map(String) : typeof value === "string" ? value.split(",") : [];
  return [...new Set(list.map((p) => p.trim().toLowerCase()).filter((p) => p !== ""))].sort();
}

/** A role as OpenBao 2.7 reads it back (Vault adds the deprecated `policies` and `period`). */
const ROLE_DEFAULTS: Record<string, unknown> = {
  bind_secret_id: true, local_secret_ids: false, secret_id_bound_cidrs: null, secret_id_num_uses: 0, secret_id_ttl: 0,
  token_bound_cidrs: [], token_explicit_max_ttl: 0, token_max_ttl: 0, token_no_default_policy: false, token_num_uses: 0,
  token_period: 0, token_policies: [], token_strictly_bind_ip: false, token_ttl: 0, token_type: "default",
};
const DURATION_FIELDS = ["token_ttl", "token_max_ttl", "secret_id_ttl", "token_explicit_max_ttl", "token_period"];
const COUNT_FIELDS = ["secret_id_num_uses", "token_num_uses"];

export class FakeVault {
  readonly seal: SealType;
  readonly requests: LoggedRequest[] = [];
  urls: string[] = [];
  #servers: Server[] = [];
  #nodes: NodeState[];
  #autoUnsealAfter: number;
  #insidePod: boolean;
  #initialized = false;
  #rootToken: string | undefined;
  #recoveryKeys: string[] = [];
  #unsealKeys: string[] = [];
  #recovery = { shares: 0, threshold: 0 };
  #raftIndex = 1;
  #mounts = new Map<string, MountEntry>();
  #auth = new Map<string, MountEntry>();
  #policies = new Map<string, string>();
  #roles = new Map<string, RoleEntry>();
  #kubernetes = new Map<string, Record<string, unknown>>();
  #failAfter: { request: string; failure: Failure } | undefined;
  #failNext: Failure | undefined;

  constructor(options: FakeVaultOptions = {}) {
    this.seal = options.seal ?? "awskms";
    this.#autoUnsealAfter = options.autoUnsealAfter ?? 1;
    this.#insidePod = options.insidePod ?? true;
    this.#nodes = Array.from({ length: options.nodes ?? 1 }, (_, i) => ({ nodeId: `vault-${i}`, joined: i === 0, voter: i === 0, sealed: true, sealedReadsLeft: 0 }));
    if (options.dev) {
      this.#initialise(options.dev.rootToken);
      this.#mounts.set("secret/", mount("kv", "key/value secret storage", { version: "2" }));
      for (const node of this.#nodes) Object.assign(node, { joined: true, voter: true, sealed: false });
    }
  }

  get url(): string {
    return this.urls[0]!;
  }

  /** The only copies outside the installer's secret store: for leak scans. */
  get rootToken(): string | undefined {
    return this.#rootToken;
  }

  get recoveryKeys(): readonly string[] {
    return [...this.#recoveryKeys, ...this.#unsealKeys];
  }

  get initialized(): boolean {
    return this.#initialized;
  }

  writes(): LoggedRequest[] {
    return this.requests.filter((r) => r.write);
  }

  count(method: string, path: string): number {
    return this.requests.filter((r) => r.method === method && r.path === path).length;
  }

  clearLog(): void {
    this.requests.length = 0;
  }

  /** After the next request matching "METHOD /v1/path" has been answered, the following request fails. */
  failAfter(request: string, failure: Failure = "drop"): void {
    this.#failAfter = { request, failure };
  }

  /** The next request (any) fails. */
  failNext(failure: Failure = "drop"): void {
    this.#failNext = failure;
  }

  /**
   * Node `i` has joined raft (retry_join succeeded): a non-voter until promoted, and sealed for
   * `sealedFor` requests (default: the autoUnsealAfter option) until auto-unseal completes.
   */
  join(i: number, sealedFor = this.#autoUnsealAfter): void {
    const node = this.#node(i);
    Object.assign(node, { joined: true, voter: false, sealed: true, sealedReadsLeft: sealedFor });
    this.#raftIndex++;
  }

  /** Autopilot promoted node `i` to voter. */
  promote(i: number): void {
    this.#node(i).voter = true;
    this.#raftIndex++;
  }

  sealNode(i: number): void {
    Object.assign(this.#node(i), { sealed: true, sealedReadsLeft: Number.POSITIVE_INFINITY });
  }

  async start(): Promise<this> {
    for (let i = 0; i < this.#nodes.length; i++) {
      const server = createServer((req, res) => void this.#handle(i, req, res));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      this.#servers.push(server);
      this.urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }
    return this;
  }

  async close(): Promise<void> {
    await Promise.all(this.#servers.map((server) => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    })));
  }

  #node(i: number): NodeState {
    const node = this.#nodes[i];
    if (!node) throw new Error(`the fake has no node ${i}`);
    return node;
  }

  #initialise(rootToken: string): void {
    this.#initialized = true;
    this.#rootToken = rootToken;
    this.#mounts = new Map([["cubbyhole/", mount("cubbyhole", "per-token private secret storage", null, true)], ["identity/", mount("identity", "identity store")], ["sys/", mount("system", "system endpoints used for control, policy and debugging")]]);
    this.#auth = new Map([["token/", mount("token", "token based credentials")]]);
    this.#policies = new Map([["default", 'path "auth/token/lookup-self" {\n    capabilities = ["read"]\n}\n'], ["root", ""]]);
  }

  /** What node `i` believes: a node outside the raft cluster knows nothing of its initialisation. */
  #view(i: number): { initialized: boolean; sealed: boolean; standby: boolean } {
    const node = this.#node(i);
    const initialized = node.joined && this.#initialized;
    if (initialized && node.sealed && this.seal === "awskms") {
      // Auto-unseal: the node unseals itself after it has been asked a few times.
      if (node.sealedReadsLeft <= 0) node.sealed = false;
      else node.sealedReadsLeft--;
    }
    const sealed = !initialized || node.sealed;
    return { initialized, sealed, standby: sealed || i !== 0 };
  }

  async #handle(i: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://fake");
    const method = req.method ?? "GET";
    const request = `${method} ${url.pathname}`;
    let body: Record<string, unknown> = {};
    let reply: Reply;
    try {
      const text = Buffer.concat(chunks).toString("utf8");
      body = text.trim() === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
      reply = this.#route(i, method, url.pathname.replace(/^\/v1\//, ""), body, req.headers["x-vault-token"]);
    } catch (e) {
      reply = error(400, `failed to parse JSON input: ${(e as Error).message}`);
    }
    const failure = this.#failNext;
    this.#failNext = undefined;
    this.requests.push({ node: i, method, path: url.pathname, status: failure === undefined ? reply.status : failure === "drop" ? 0 : failure.status, write: isWrite(method, url.pathname), body });
    if (this.#failAfter?.request === request) {
      this.#failNext = this.#failAfter.failure;
      this.#failAfter = undefined;
    }
    if (failure === "drop") return void req.socket.destroy();
    if (failure !== undefined) reply = error(failure.status, ...failure.errors);
    if (reply.raw) {
      res.writeHead(reply.status, { "Content-Type": "application/octet-stream" }).end(reply.raw);
    } else if (reply.body === undefined) {
      res.writeHead(reply.status).end();
    } else {
      res.writeHead(reply.status, { "Content-Type": "application/json" }).end(JSON.stringify(reply.body));
    }
  }

  #route(i: number, method: string, path: string, body: Record<string, unknown>, token: string | string[] | undefined): Reply {
    // Unauthenticated endpoints answer in every state.
    if (path === "sys/health" && method === "GET") return this.#health(i);
    if (path === "sys/seal-status" && method === "GET") return this.#sealStatus(i);
    if (path === "sys/init") return method === "GET" ? { status: 200, body: { initialized: this.#view(i).initialized } } : this.#init(i, body);
    const view = this.#view(i);
    if (view.sealed) return error(503, "Vault is sealed");
    if (token === undefined || token !== this.#rootToken) return error(403, "permission denied");
    const get = method === "GET";
    const write = method === "POST" || method === "PUT";
    let m: RegExpExecArray | null;
    if (path === "sys/mounts" && get) return this.#table(this.#mounts);
    if ((m = /^sys\/mounts\/(.+)$/.exec(path)) && write) return this.#enableMount(m[1]!, body);
    if (path === "sys/auth" && get) return this.#table(this.#auth);
    if ((m = /^sys\/auth\/(.+)$/.exec(path)) && write) return this.#enableAuth(m[1]!, body);
    if ((m = /^sys\/policies\/acl\/(.+)$/.exec(path))) return get ? this.#readPolicy(m[1]!) : write ? this.#writePolicy(m[1]!, body) : error(405);
    if (path === "sys/storage/raft/configuration" && get) return this.#raftConfiguration();
    if (path === "sys/storage/raft/snapshot" && get) return { status: 200, raw: gzipSync(JSON.stringify({ policies: [...this.#policies.keys()], mounts: [...this.#mounts.keys()] })) };
    if (path === "auth/token/lookup-self" && get) return { status: 200, body: envelope({ policies: ["root"], display_name: "root", ttl: 0 }) };
    if ((m = /^auth\/([^/]+)\/(.+)$/.exec(path))) return this.#authRoute(m[1]!, m[2]!, method, body, path);
    return error(404, `no handler for route "${path}". route entry not found.`);
  }

  #health(i: number): Reply {
    const view = this.#view(i);
    const status = !view.initialized ? 501 : view.sealed ? 503 : view.standby ? 429 : 200;
    return {
      status,
      body: {
        initialized: view.initialized, sealed: view.sealed, standby: view.standby, performance_standby: false,
        replication_performance_mode: "disabled", replication_dr_mode: "disabled",
        server_time_utc: Math.floor(Date.now() / 1000), version: VERSION,
        ...(view.initialized ? { cluster_name: "vault-cluster-fake", cluster_id: "0b7a6c5e-fake" } : {}),
      },
    };
  }

  #sealStatus(i: number): Reply {
    const view = this.#view(i);
    const keys = this.seal === "shamir" ? { t: this.#unsealKeys.length > 0 ? this.#recovery.threshold : 0, n: this.#unsealKeys.length } : { t: this.#recovery.threshold, n: this.#recovery.shares };
    return {
      status: 200,
      body: {
        type: this.seal, initialized: view.initialized, sealed: view.sealed, ...(view.initialized ? keys : { t: 0, n: 0 }), progress: 0, nonce: "",
        version: VERSION, build_date: "2025-06-01T00:00:00Z", migration: false, recovery_seal: this.seal !== "shamir",
        ...(this.seal === "shamir" ? {} : { recovery_seal_type: "shamir" }), storage_type: "raft",
        ...(view.initialized ? { cluster_name: "vault-cluster-fake", cluster_id: "0b7a6c5e-fake" } : {}),
      },
    };
  }

  #init(i: number, body: Record<string, unknown>): Reply {
    if (this.#view(i).initialized) return error(400, "Vault is already initialized");
    if (i !== 0) return error(400, "fake: only vault-0 may be initialised (a real node outside the cluster would start a second cluster)");
    const key = () => randomBytes(32);
    const rootToken = `hvs.${randomBytes(18).toString("base64url")}`;
    if (this.seal === "awskms") {
      const shares = Number(body.recovery_shares ?? 5);
      const threshold = Number(body.recovery_threshold ?? 3);
      if (!(shares >= 1 && threshold >= 1 && threshold <= shares)) return error(400, "invalid recovery configuration: threshold must be between 1 and the number of shares");
      const keys = Array.from({ length: shares }, key);
      this.#initialise(rootToken);
      this.#recovery = { shares, threshold };
      this.#recoveryKeys = keys.map((k) => k.toString("base64"));
      Object.assign(this.#node(0), { sealed: true, sealedReadsLeft: this.#autoUnsealAfter });
      return { status: 200, body: { keys: [], keys_base64: [], recovery_keys: keys.map((k) => k.toString("hex")), recovery_keys_base64: this.#recoveryKeys, root_token: rootToken } };
    }
    if ("recovery_shares" in body || "recovery_threshold" in body) return error(400, "parameters recovery_shares,recovery_threshold not applicable to seal type shamir");
    const shares = Number(body.secret_shares ?? 0);
    const threshold = Number(body.secret_threshold ?? 0);
    if (!(shares >= 1 && threshold >= 1 && threshold <= shares)) return error(400, "invalid seal configuration: secret shares must be at least one");
    const keys = Array.from({ length: shares }, key);
    this.#initialise(rootToken);
    this.#recovery = { shares, threshold };
    this.#unsealKeys = keys.map((k) => k.toString("base64"));
    // A Shamir Vault stays sealed until unseal keys are entered; this fake has no sys/unseal.
    Object.assign(this.#node(0), { sealed: true, sealedReadsLeft: Number.POSITIVE_INFINITY });
    return { status: 200, body: { keys: keys.map((k) => k.toString("hex")), keys_base64: this.#unsealKeys, root_token: rootToken } };
  }

  #table(table: Map<string, MountEntry>): Reply {
    const entries = Object.fromEntries([...table].map(([path, entry]) => [path, mountView(entry)]));
    return { status: 200, body: { ...entries, ...envelope(entries) } };
  }

  #enableMount(rawPath: string, body: Record<string, unknown>): Reply {
    const path = `${rawPath.replace(/\/+$/, "")}/`;
    if (this.#mounts.has(path)) return error(400, `path is already in use at ${path}`);
    let type = text(body.type);
    let options = (body.options as Record<string, string> | undefined) ?? null;
    if (type === "kv-v2") [type, options] = ["kv", { ...options, version: "2" }];
    // A kv mount without a version lists `options: {}` (OpenBao 2.7); other engines list null.
    if (type === "kv") options ??= {};
    if (!["kv", "transit", "pki", "generic"].includes(type)) return error(400, `plugin not found in the catalog: ${type}`);
    this.#mounts.set(path, mount(type, text(body.description), options));
    return noContent;
  }

  #enableAuth(rawPath: string, body: Record<string, unknown>): Reply {
    const path = `${rawPath.replace(/\/+$/, "")}/`;
    if (this.#auth.has(path)) return error(400, `path is already in use at ${path}`);
    const type = text(body.type);
    if (!["approle", "kubernetes", "userpass"].includes(type)) return error(400, `plugin not found in the catalog: ${type}`);
    this.#auth.set(path, mount(type, text(body.description)));
    return noContent;
  }

  #readPolicy(name: string): Reply {
    const text = this.#policies.get(name.toLowerCase());
    return text === undefined ? error(404) : { status: 200, body: envelope({ name: name.toLowerCase(), policy: text }) };
  }

  #writePolicy(name: string, body: Record<string, unknown>): Reply {
    const text = typeof body.policy === "string" ? body.policy : "";
    if (text.trim() === "") return error(400, "'policy' parameter not supplied or empty");
    if (name.toLowerCase() === "root") return error(400, 'cannot update "root" policy');
    // Vault parses the HCL; the fake checks the one shape a policy must have.
    if (!/path\s+"[^"]+"\s*\{[^}]*capabilities\s*=\s*\[[^\]]*\][^}]*\}/.test(text)) return error(400, "failed to parse policy: no path stanza with capabilities");
    this.#policies.set(name.toLowerCase(), text);
    return noContent;
  }

  #raftConfiguration(): Reply {
    const servers = this.#nodes.filter((n) => n.joined).map((n, index) => ({
      address: `${n.nodeId}.vault-internal:8201`, leader: index === 0, node_id: n.nodeId, protocol_version: "3", voter: n.voter,
    }));
    return { status: 200, body: envelope({ config: { index: this.#raftIndex, servers } }) };
  }

  #authRoute(mountName: string, rest: string, method: string, body: Record<string, unknown>, path: string): Reply {
    const entry = this.#auth.get(`${mountName}/`);
    const notFound = error(404, `no handler for route "${path}". route entry not found.`);
    if (!entry) return notFound;
    if (entry.type === "approle") return this.#approle(rest, method, body) ?? notFound;
    if (entry.type === "kubernetes" && rest === "config") return this.#kubernetesConfig(mountName, method, body);
    return notFound;
  }

  #approle(rest: string, method: string, body: Record<string, unknown>): Reply | undefined {
    const m = /^role\/([^/]+)(?:\/(role-id|secret-id|secret-id\/lookup|secret-id\/destroy))?$/.exec(rest);
    if (!m) return undefined;
    const name = m[1]!.toLowerCase();
    const role = this.#roles.get(name);
    switch (`${method} ${m[2] ?? ""}`) {
      case "GET ":
        return role ? { status: 200, body: envelope(role.settings) } : error(404);
      case "POST ":
      case "PUT ":
        return this.#writeRole(name, role, body);
      case "GET role-id":
        return role ? { status: 200, body: envelope({ role_id: role.roleId }) } : error(404);
      case "POST secret-id":
      case "PUT secret-id":
        return role ? this.#mintSecretId(role) : error(404, `role "${name}" does not exist`);
      case "POST secret-id/lookup":
      case "PUT secret-id/lookup":
        return this.#lookupSecretId(name, role, body);
      case "POST secret-id/destroy":
      case "PUT secret-id/destroy":
        if (!role) return error(500, `role "${name}" does not exist`);
        if (typeof body.secret_id !== "string" || body.secret_id === "") return error(400, "missing secret_id");
        role.secretIds.delete(body.secret_id);
        return noContent;
      default:
        return error(405, "unsupported operation");
    }
  }

  #writeRole(name: string, existing: RoleEntry | undefined, body: Record<string, unknown>): Reply {
    const settings = { ...(existing?.settings ?? ROLE_DEFAULTS) };
    for (const [field, value] of Object.entries(body)) {
      if (DURATION_FIELDS.includes(field)) {
        const parsed = seconds(value, field);
        if (typeof parsed !== "number") return parsed;
        settings[field] = parsed;
      } else if (COUNT_FIELDS.includes(field)) {
        settings[field] = Number(value);
      } else if (field === "token_policies" || field === "policies") {
        // `policies` is the deprecated name of token_policies.
        settings.token_policies = policies(value);
      } else if (field === "bind_secret_id") {
        settings.bind_secret_id = value === true || value === "true";
      } else if (!(field in ROLE_DEFAULTS)) {
        return error(400, `unknown field: ${field}`);
      } else {
        settings[field] = value;
      }
    }
    const ttl = settings.token_ttl as number;
    const max = settings.token_max_ttl as number;
    if (ttl > 0 && max > 0 && ttl > max) return error(400, "token_ttl should not be greater than token_max_ttl");
    this.#roles.set(name, { roleId: existing?.roleId ?? randomUUID(), secretIds: existing?.secretIds ?? new Map<string, SecretIdEntry>(), settings });
    return noContent;
  }

  #mintSecretId(role: RoleEntry): Reply {
    const secretId = randomUUID();
    const ttl = role.settings.secret_id_ttl as number;
    const now = new Date();
    const entry: SecretIdEntry = { accessor: randomUUID(), created: now.toISOString(), expires: ttl > 0 ? new Date(now.getTime() + ttl * 1000).toISOString() : NEVER, numUses: role.settings.secret_id_num_uses as number, ttl };
    role.secretIds.set(secretId, entry);
    return { status: 200, body: envelope({ secret_id_accessor: entry.accessor, secret_id: secretId, secret_id_ttl: ttl, secret_id_num_uses: entry.numUses }) };
  }

  #lookupSecretId(name: string, role: RoleEntry | undefined, body: Record<string, unknown>): Reply {
    const secretId = typeof body.secret_id === "string" ? body.secret_id : "";
    if (secretId === "") return error(400, "missing secret_id");
    if (!role) return error(500, `role "${name}" does not exist`);
    const entry = role.secretIds.get(secretId);
    if (!entry) return noContent;
    return {
      status: 200,
      body: envelope({
        cidr_list: [], creation_time: entry.created, expiration_time: entry.expires, last_updated_time: entry.created, metadata: {},
        secret_id_accessor: entry.accessor, secret_id_num_uses: entry.numUses, secret_id_ttl: entry.ttl, token_bound_cidrs: [],
      }),
    };
  }

  #kubernetesConfig(mountName: string, method: string, body: Record<string, unknown>): Reply {
    if (method === "GET") {
      const config = this.#kubernetes.get(mountName);
      return config ? { status: 200, body: envelope(config) } : error(404);
    }
    const host = typeof body.kubernetes_host === "string" ? body.kubernetes_host : "";
    if (host === "") return error(400, "no host provided");
    if (!this.#insidePod && text(body.kubernetes_ca_cert) === "" && body.disable_local_ca_jwt !== true) {
      return error(400, "open /var/run/secrets/kubernetes.io/serviceaccount/ca.crt: no such file or directory");
    }
    this.#kubernetes.set(mountName, {
      disable_iss_validation: true, disable_local_ca_jwt: body.disable_local_ca_jwt === true, issuer: "", kubernetes_ca_cert: text(body.kubernetes_ca_cert),
      kubernetes_host: host, pem_keys: [], token_reviewer_jwt_set: false,
    });
    return noContent;
  }
}

/** A string field of a request body; anything else counts as missing, as Vault's field parsing would reject it. */
function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** A POST that only reads: AppRole's lookup endpoints take the secret in a body, so they are POSTs. */
function isWrite(method: string, path: string): boolean {
  if (!["POST", "PUT", "DELETE", "PATCH"].includes(method)) return false;
  return !/\/(secret-id|secret-id-accessor)\/lookup$/.test(path);
}

export async function startFakeVault(options: FakeVaultOptions = {}): Promise<FakeVault> {
  return new FakeVault(options).start();
}

/**
 * Fake Vault servers for one test file: `fake()` starts one, and every server started is closed
 * after each test (register with `afterEach(closeAll)`).
 */
export function fakeVaultPool(): { fake: (options?: FakeVaultOptions) => Promise<FakeVault>; closeAll: () => Promise<void> } {
  let started: FakeVault[] = [];
  return {
    fake: async (options = {}) => {
      const server = await startFakeVault(options);
      started.push(server);
      return server;
    },
    closeAll: async () => {
      await Promise.all(started.map((f) => f.close()));
      started = [];
    },
  };
}
