/** Generated credentials: strong, and acceptable to every service that will hold them. */
import { randomBytes, randomInt } from "node:crypto";

// No characters RDS (/ @ " space) or ElastiCache (@ " /) reject, none that need URL or shell quoting.
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_.~";

export function password(length = 40): string {
  return Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
}

/** Hex keys for the JWT signing key, the state encryption key and the IPFS cluster secret. */
export function hexKey(bytes = 32): string {
  return randomBytes(bytes).toString("hex");
}

/** Everything the platform needs that nobody should have to invent; stored in Secrets Manager. */
export interface GeneratedSecrets {
  databasePassword: string;
  redisAuthToken: string;
  jwtSigningKey: string;
  stateEncryptionKey: string;
  ipfsClusterSecret: string;
}

export function generateSecrets(): GeneratedSecrets {
  return {
    databasePassword: password(40),
    // ElastiCache AUTH tokens: 16-128 printable characters.
    redisAuthToken: password(64),
    jwtSigningKey: hexKey(32),
    stateEncryptionKey: hexKey(32),
    ipfsClusterSecret: hexKey(32),
  };
}
