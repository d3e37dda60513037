/** Generated credentials: strong, and acceptable to every service that will hold them. */
import { randomBytes, randomInt } from "node:crypto";
import type { Config } from "../config/schema.js";

// No characters RDS (/ @ " space) or ElastiCache (@ " /) reject, none that need URL or shell quoting.
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_.~";
// Access key ids look like AWS's (upper case and digits): some S3 clients reject anything else.
const ACCESS_KEY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

export function password(length = 40, alphabet = ALPHABET): string {
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join("");
}

/** Hex keys for the JWT signing key, the state encryption key and the IPFS cluster secret. */
export function hexKey(bytes = 32): string {
  return randomBytes(bytes).toString("hex");
}

/**
 * Everything the platform needs that nobody should have to invent; stored in Secrets Manager.
 * The dependency credentials exist only for the modes that use them: an external database or
 * Redis brings its own password, and only in-cluster MinIO needs object storage keys.
 */
export interface GeneratedSecrets {
  /** RDS master password, or the in-cluster PostgreSQL password (database.mode aws | in-cluster). */
  databasePassword?: string;
  /** ElastiCache AUTH token, or the in-cluster Redis password (cache.mode aws | in-cluster). */
  redisAuthToken?: string;
  jwtSigningKey: string;
  stateEncryptionKey: string;
  ipfsClusterSecret: string;
  /** MinIO root user, the deployment engine's access key id (storage.mode in-cluster). */
  objectStorageAccessKey?: string;
  /** MinIO root password, the deployment engine's secret access key (storage.mode in-cluster). */
  objectStorageSecretKey?: string;
}

export type GeneratedKey = keyof GeneratedSecrets;

const GENERATORS: Readonly<Record<GeneratedKey, () => string>> = {
  databasePassword: () => password(40),
  // ElastiCache AUTH tokens: 16-128 printable characters.
  redisAuthToken: () => password(64),
  jwtSigningKey: () => hexKey(32),
  stateEncryptionKey: () => hexKey(32),
  ipfsClusterSecret: () => hexKey(32),
  // MinIO: root user of 3+ characters, root password of 8+.
  objectStorageAccessKey: () => password(20, ACCESS_KEY_ALPHABET),
  objectStorageSecretKey: () => password(40),
};

type Modes = { readonly [K in "database" | "cache" | "storage"]: Pick<Config[K], "mode"> };

/** The keys the platform secret must hold for these dependency modes, in a stable order. */
export function generatedKeys(config: Modes): GeneratedKey[] {
  return [
    ...(config.database.mode === "external" ? [] : (["databasePassword"] as const)),
    ...(config.cache.mode === "external" ? [] : (["redisAuthToken"] as const)),
    "jwtSigningKey",
    "stateEncryptionKey",
    "ipfsClusterSecret",
    ...(config.storage.mode === "in-cluster" ? (["objectStorageAccessKey", "objectStorageSecretKey"] as const) : []),
  ];
}

/** Fresh values for `keys`: all of them when the secret is created, the missing ones later. */
export function generateSecrets(keys: readonly GeneratedKey[]): Partial<Record<GeneratedKey, string>> {
  return Object.fromEntries(keys.map((key) => [key, GENERATORS[key]()]));
}
