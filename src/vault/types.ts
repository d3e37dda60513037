/** What the Vault (or OpenBao) HTTP API answers, reduced to the fields the installer reads. */

export interface VaultHealth {
  initialized: boolean;
  sealed: boolean;
  standby: boolean;
  performanceStandby: boolean;
  version: string;
  /** The status code: 200 active, 429 standby, 472 DR secondary, 473 performance standby, 474 standby without an active node, 501 not initialised, 503 sealed, 530 removed. */
  httpStatus: number;
}

export interface VaultSealStatus {
  type: string;
  initialized: boolean;
  sealed: boolean;
  /** With auto-unseal these describe the recovery keys. */
  threshold: number;
  shares: number;
  recoverySeal: boolean;
  version: string;
  storageType: string | undefined;
}

/** Auto-unseal returns recovery keys and no unseal keys; a Shamir seal the reverse. */
export interface VaultInitResult {
  rootToken: string;
  recoveryKeysB64: string[];
  keysB64: string[];
}

/** A secrets engine or an auth method; tables key them by path with the slash ("ethereum/"). */
export interface VaultMount {
  type: string;
  /** `options.version` for kv: "2" for kv-v2; "1" or absent for kv v1. */
  options: Record<string, string>;
  description: string;
}

/** The AppRole role fields the installer sets. Durations are seconds, as Vault reads them back. */
export interface AppRoleSettings {
  token_ttl: number;
  token_max_ttl: number;
  secret_id_ttl: number;
  secret_id_num_uses: number;
  token_policies: string[];
  bind_secret_id: boolean;
}

export interface SecretIdInfo {
  accessor: string;
  /** Undefined when the secret-id never expires (Vault reports "0001-01-01T00:00:00Z"). */
  expiresAt: Date | undefined;
  /** 0 means unlimited. */
  usesLeft: number;
}

export interface KubernetesAuthConfig {
  kubernetes_host: string;
  kubernetes_ca_cert: string;
  disable_local_ca_jwt: boolean;
}

export interface RaftPeer {
  nodeId: string;
  address: string;
  leader: boolean;
  voter: boolean;
}
