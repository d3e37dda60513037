/**
 * Vault initialisation: once, ever. PUT sys/init returns the root token and the recovery keys
 * exactly once; whatever happens next, they must already be in the platform secret. A re-run on
 * an initialised Vault reads the token back from there and never initialises again.
 */
import { waitFor, type WaitSettings } from "../../aws/wait.js";
import { BtpAwsError, errorMessage } from "../../errors.js";
import type { Reporter } from "../../plan/types.js";
import type { VaultClient } from "../../vault/client.js";
import { VaultUnreachableError } from "../../vault/errors.js";
import type { RaftPeer, VaultSealStatus } from "../../vault/types.js";

/** Keys in the platform secret (a JSON object of strings). */
export const ROOT_TOKEN_KEY = "vaultRootToken";
/** The recovery keys, base64, as a JSON array in one string. */
export const RECOVERY_KEYS_KEY = "vaultRecoveryKeys";
/** Shamir unseal keys: only a dev/test Vault without auto-unseal returns these. */
export const UNSEAL_KEYS_KEY = "vaultUnsealKeys";
/** Written just before PUT sys/init: proves the secret is writable, and dates an interrupted run. */
export const INIT_STARTED_KEY = "vaultInitStartedAt";

/** The platform secret, as the caller reaches it (Secrets Manager's mergeIntoPlatformSecret). */
export interface PlatformSecretStore {
  readonly name?: string;
  load(): Promise<Record<string, string>>;
  merge(values: Record<string, string>): Promise<void>;
}

export interface InitialiseOptions {
  /** Vault through a port-forward to vault-0: the node the others join. No token needed. */
  vault: VaultClient;
  secrets: PlatformSecretStore;
  /** Registers a secret with the redactor; called before a secret can reach any output. */
  redact: (secret: string) => void;
  report: Reporter;
  waitSettings: WaitSettings;
  signal?: AbortSignal;
  recovery?: { shares: number; threshold: number };
  now?: () => Date;
}

export interface InitialiseResult {
  vault: VaultClient;
  initialisedNow: boolean;
}

const DEFAULT_RECOVERY = { shares: 5, threshold: 3 };
const UNSEAL_WAIT = { timeoutMs: 300_000, intervalMs: 5_000 };
const STORE_RETRY = { timeoutMs: 120_000, intervalMs: 5_000 };
const RAFT_WAIT = { timeoutMs: 600_000, intervalMs: 5_000 };

const RESET_STORAGE = "`helm -n vault uninstall vault`, `kubectl -n vault delete pvc -l app.kubernetes.io/name=vault`, then `btp-aws install --from vault`";

export async function initialiseVault(options: InitialiseOptions): Promise<InitialiseResult> {
  const status = await options.vault.sealStatus();
  const rootToken = status.initialized ? await storedRootToken(options) : await initialiseOnce(options, status);
  await waitUnsealed(options);
  await waitActive(options);
  const vault = options.vault.withToken(rootToken);
  if (status.initialized && !(await vault.tokenIsValid())) {
    throw new BtpAwsError(`Vault at ${options.vault.address} refuses the root token stored in ${secretName(options)}`, {
      hint: `it was revoked, or belongs to an earlier Vault. ${GENERATE_ROOT}`,
    });
  }
  return { vault, initialisedNow: !status.initialized };
}

function secretName(options: Pick<InitialiseOptions, "secrets">): string {
  return options.secrets.name ? `the platform secret ${options.secrets.name}` : "the platform secret";
}

const GENERATE_ROOT =
  "Make a new root token with the recovery keys: `vault operator generate-root -init` (note the OTP), then `vault operator generate-root` " +
  "with one recovery key at a time until the threshold is reached, then `vault operator generate-root -decode=<encoded token> -otp=<OTP>`. " +
  `Store it as ${ROOT_TOKEN_KEY} in the platform secret, then run again.`;

async function storedRootToken(options: InitialiseOptions): Promise<string> {
  const stored = await options.secrets.load();
  for (const value of Object.values(stored)) options.redact(value);
  const token = stored[ROOT_TOKEN_KEY];
  if (token) {
    options.report.skip(`Vault is already initialised; using the root token from ${secretName(options)}`);
    return token;
  }
  const where = secretName(options);
  if (stored[RECOVERY_KEYS_KEY]) {
    throw new BtpAwsError(`Vault is initialised but ${where} has no ${ROOT_TOKEN_KEY} (it has the recovery keys)`, { hint: GENERATE_ROOT });
  }
  if (stored[INIT_STARTED_KEY]) {
    // The residual window of initialiseOnce: Vault answered PUT sys/init, and the process died
    // before the merge finished. The keys existed only in that process's memory.
    throw new BtpAwsError(`Vault was initialised by a run that stopped before its root token and recovery keys were stored (initialisation began ${stored[INIT_STARTED_KEY]})`, {
      hint: `they cannot be recovered. Vault holds no data yet, so reset its storage and initialise again: ${RESET_STORAGE}`,
    });
  }
  throw new BtpAwsError(`Vault is initialised, but not by btp-aws: ${where} has neither its root token nor its recovery keys`, {
    hint: `if you initialised it, add ${ROOT_TOKEN_KEY} (and ${RECOVERY_KEYS_KEY}, a JSON list) to the secret, then run again; if it holds nothing, reset its storage: ${RESET_STORAGE}`,
  });
}

async function initialiseOnce(options: InitialiseOptions, status: VaultSealStatus): Promise<string> {
  const { report } = options;
  if (status.type === "shamir") {
    throw new BtpAwsError(`Vault at ${options.vault.address} uses a Shamir seal: btp-aws initialises only auto-unseal Vaults (seal "awskms")`, {
      hint: "its unseal keys would have to be entered by hand after every restart; reinstall the vault release with the values from `btp-aws values vault`, then run again",
    });
  }
  const stored = await options.secrets.load();
  for (const value of Object.values(stored)) options.redact(value);
  if (stored[ROOT_TOKEN_KEY]) {
    // Initialising now would overwrite the only copy of a token that may still matter: a pod that
    // has not joined raft yet also reports "not initialised".
    throw new BtpAwsError(`Vault at ${options.vault.address} reports it is not initialised, but ${secretName(options)} already holds a root token`, {
      hint: `initialise only through vault-0 (the others join it); if Vault's storage was reset on purpose, remove ${ROOT_TOKEN_KEY} and ${RECOVERY_KEYS_KEY} from the secret, then run again`,
    });
  }
  // A write before the step that cannot be repeated: a secret we cannot write fails here, while
  // failing is still harmless.
  await options.secrets.merge({ [INIT_STARTED_KEY]: (options.now ?? (() => new Date()))().toISOString() });

  const recovery = options.recovery ?? DEFAULT_RECOVERY;
  report.status("initialising Vault");
  const result = await options.vault.initialise({ recoveryShares: recovery.shares, recoveryThreshold: recovery.threshold });
  for (const secret of [result.rootToken, ...result.recoveryKeysB64, ...result.keysB64]) options.redact(secret);
  const values: Record<string, string> = { [ROOT_TOKEN_KEY]: result.rootToken, [RECOVERY_KEYS_KEY]: JSON.stringify(result.recoveryKeysB64) };
  if (result.keysB64.length > 0) values[UNSEAL_KEYS_KEY] = JSON.stringify(result.keysB64);
  // Residual window: from Vault generating the keys until this merge has written the new secret
  // version (the HTTP answer in flight, then one read and one write to Secrets Manager). A process
  // killed in that window loses them: Vault returns them once and offers no way to read them
  // again. Nothing can close the window; it is kept to one round trip, the INIT_STARTED_KEY
  // marker makes it recognisable on the next run, and Vault holds no data yet at that point, so
  // resetting its storage is a safe way out.
  await storeImmediately(options, values);
  report.info(`initialised Vault: root token and ${result.recoveryKeysB64.length} recovery keys (threshold ${recovery.threshold}) stored in ${secretName(options)}`);
  return result.rootToken;
}

/** Retries the merge for a while: giving up loses the keys, so a brief AWS outage must not. */
async function storeImmediately(options: InitialiseOptions, values: Record<string, string>): Promise<void> {
  let lastError: unknown;
  try {
    await waitFor({
      what: "the Vault root token and recovery keys to be stored",
      observe: async () => {
        try {
          await options.secrets.merge(values);
          return { state: "ready", value: undefined, status: "stored" };
        } catch (error) {
          lastError = error;
          return { state: "pending", status: `storing failed (${errorMessage(error)}), retrying` };
        }
      },
      ...STORE_RETRY,
      settings: options.waitSettings,
      onStatus: (text) => options.report.status(text),
      // No signal: Ctrl-C must not stop the one write that saves the keys.
    });
  } catch (error) {
    throw new BtpAwsError(`Vault was initialised, but its root token and recovery keys could not be stored in ${secretName(options)}: ${errorMessage(lastError ?? error)}`, {
      cause: lastError ?? error,
      hint: `they were never shown and are now lost. Vault holds no data yet: fix access to the secret, reset Vault's storage and initialise again: ${RESET_STORAGE}`,
    });
  }
}

async function waitUnsealed(options: InitialiseOptions): Promise<void> {
  await waitFor({
    what: `Vault at ${options.vault.address} to unseal itself with KMS`,
    observe: async () => {
      const status = await options.vault.sealStatus();
      return status.sealed ? { state: "pending", status: "sealed, waiting for auto-unseal" } : { state: "ready", value: undefined, status: "unsealed" };
    },
    ...UNSEAL_WAIT,
    settings: options.waitSettings,
    onStatus: (text) => options.report.status(text),
    signal: options.signal,
    hint: "Vault cannot reach the KMS key: look for awskms errors in `kubectl -n vault logs vault-0`; the vault service account must carry the IRSA role that allows kms:Encrypt, kms:Decrypt and kms:DescribeKey on the platform key",
  });
}

/**
 * Unsealed is not yet writable: until raft has elected it (or another node) active, a write is
 * answered 500 "local node not active but active cluster node not found" (seen with OpenBao's
 * raft storage right after initialisation). Active (200) or a standby that knows the active
 * node (429, 473: it forwards) will do.
 */
async function waitActive(options: InitialiseOptions): Promise<void> {
  await waitFor({
    what: `Vault at ${options.vault.address} to have an active node`,
    observe: async () => {
      const health = await options.vault.health();
      if ([200, 429, 473].includes(health.httpStatus)) return { state: "ready", value: undefined, status: health.standby ? "standby, active node known" : "active" };
      return { state: "pending", status: health.sealed ? "sealed" : "unsealed, no active node yet" };
    },
    ...UNSEAL_WAIT,
    settings: options.waitSettings,
    onStatus: (text) => options.report.status(text),
    signal: options.signal,
    hint: "raft has not elected a leader: look at `kubectl -n vault logs vault-0`; then run `btp-aws install --from vault`",
  });
}

export interface RaftWaitOptions {
  /** One client per Vault pod (port-forwards to vault-0, vault-1, …), each with the root token. */
  replicas: readonly VaultClient[];
  expected?: number;
  report: Reporter;
  waitSettings: WaitSettings;
  signal?: AbortSignal;
}

/** Waits until raft lists `expected` peers, all voters, and every replica reports unsealed. */
export async function waitForRaftPeers(options: RaftWaitOptions): Promise<RaftPeer[]> {
  const expected = options.expected ?? 3;
  return waitFor<RaftPeer[]>({
    what: `${expected} Vault raft peers, every one a voter and unsealed`,
    observe: async () => {
      try {
        const states = await Promise.all(options.replicas.map((replica) => replica.sealStatus().catch(unreachableAsUndefined)));
        const sealed = states.flatMap((s, i) => (s && s.initialized && !s.sealed ? [] : [i]));
        const reader = options.replicas[states.findIndex((s) => s && s.initialized && !s.sealed)];
        const peers = reader ? await reader.raftPeers() : [];
        const voters = peers.filter((p) => p.voter).length;
        const status = `${peers.length}/${expected} raft peers, ${voters} voting` + (sealed.length > 0 ? `; replica ${sealed.join(", ")} sealed or not joined` : "");
        if (peers.length >= expected && voters === peers.length && sealed.length === 0) return { state: "ready", value: peers, status };
        return { state: "pending", status };
      } catch (error) {
        if (error instanceof VaultUnreachableError) return { state: "pending", status: `a replica is unreachable (${error.message})` };
        throw error;
      }
    },
    ...RAFT_WAIT,
    settings: options.waitSettings,
    onStatus: (text) => options.report.status(text),
    signal: options.signal,
    hint: "a replica that does not join: look for retry_join errors in `kubectl -n vault logs vault-<n>`; one that stays sealed: look for awskms errors there",
  });
}

function unreachableAsUndefined(error: unknown): undefined {
  if (error instanceof VaultUnreachableError) return undefined;
  throw error;
}
