/**
 * The bearer token EKS accepts, made the way `aws eks get-token` makes it: a presigned STS
 * GetCallerIdentity URL whose signature covers the `x-k8s-aws-id: <cluster>` header, base64url
 * without padding, prefixed `k8s-aws-v1.`. The API server's authenticator replays the URL against
 * STS (adding the header) and maps the answering principal to its access entry. No network call
 * happens here: presigning is local, only the credentials provider may fetch (SSO, IMDS).
 *
 * The token is a credential: it is never logged, thrown, written to disk or put on a command line.
 */
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import type { AwsCredentialIdentityProvider, Checksum, SourceData } from "@smithy/types";
import { loadSdk } from "../aws/sdk.js";

export const TOKEN_PREFIX = "k8s-aws-v1.";
export const CLUSTER_ID_HEADER = "x-k8s-aws-id";
/**
 * X-Amz-Expires is ignored by EKS (a token is good for 15 minutes after X-Amz-Date); 60 is what
 * aws-iam-authenticator and the aws CLI send, and what old authenticators insist on (0–60).
 */
export const PRESIGN_EXPIRES_SECONDS = 60;
/** The aws CLI reports 14 minutes: one minute of margin for clock skew against the 15. */
export const TOKEN_LIFETIME_MS = 14 * 60_000;
const STS_API_VERSION = "2011-06-15";

export interface EksTokenOptions {
  clusterName: string;
  region: string;
  credentials: AwsCredentialIdentityProvider;
  /** Signing time; tests pass a fixed clock. */
  now?: () => Date;
  /** The STS endpoint to presign for (default https://sts.<region>.amazonaws.com/). */
  endpoint?: string;
}

export interface EksToken {
  token: string;
  expiresAt: Date;
}

/** Regional STS: the authenticator accepts regional hosts, and the global one is legacy. */
export function stsHost(region: string): string {
  return `sts.${region}.${region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com"}`;
}

/** SHA-256 for the signer from node:crypto, so no hashing package is needed. */
class Sha256 implements Checksum {
  #hash: Hash | Hmac;
  readonly #secret: SourceData | undefined;

  constructor(secret?: SourceData) {
    this.#secret = secret;
    this.#hash = this.#fresh();
  }

  #fresh(): Hash | Hmac {
    return this.#secret === undefined ? createHash("sha256") : createHmac("sha256", toBytes(this.#secret));
  }

  update(data: Uint8Array): void {
    this.#hash.update(data);
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }

  reset(): void {
    this.#hash = this.#fresh();
  }
}

function toBytes(data: SourceData): Uint8Array {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/** RFC 3986 encoding, as SigV4 canonicalises it (encodeURIComponent leaves !'()* alone). */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export async function eksToken(options: EksTokenOptions): Promise<EksToken> {
  // Loaded on use, like every SDK module (start-up time is a tested requirement).
  const { SignatureV4 } = await loadSdk("@smithy/signature-v4");
  const endpoint = new URL(options.endpoint ?? `https://${stsHost(options.region)}/`);
  const signingDate = options.now?.() ?? new Date();
  const signer = new SignatureV4({ service: "sts", region: options.region, credentials: options.credentials, sha256: Sha256, uriEscapePath: true });
  const presigned = await signer.presign(
    {
      method: "GET",
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      path: endpoint.pathname,
      query: { Action: "GetCallerIdentity", Version: STS_API_VERSION },
      // The host header must be signed explicitly: outside the SDK's middleware nobody adds it.
      headers: { host: endpoint.host, [CLUSTER_ID_HEADER]: options.clusterName },
    },
    { expiresIn: PRESIGN_EXPIRES_SECONDS, signingDate },
  );
  const query = Object.entries(presigned.query ?? {})
    .flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string").map((v) => `${uriEncode(key)}=${uriEncode(v)}`))
    .join("&");
  const url = `${endpoint.protocol}//${endpoint.host}${endpoint.pathname}?${query}`;
  return {
    token: TOKEN_PREFIX + Buffer.from(url, "utf8").toString("base64url"),
    expiresAt: new Date(signingDate.getTime() + TOKEN_LIFETIME_MS),
  };
}

/** The JSON a client-go exec credential plugin prints (what `aws eks get-token` prints). */
export interface ExecCredential {
  kind: "ExecCredential";
  apiVersion: "client.authentication.k8s.io/v1beta1";
  spec: Record<string, never>;
  status: { expirationTimestamp: string; token: string };
}

export const EXEC_CREDENTIAL_API_VERSION = "client.authentication.k8s.io/v1beta1";

export function execCredential(token: EksToken): ExecCredential {
  return {
    kind: "ExecCredential",
    apiVersion: EXEC_CREDENTIAL_API_VERSION,
    spec: {},
    // RFC 3339 without fractional seconds, as the aws CLI prints it.
    status: { expirationTimestamp: token.expiresAt.toISOString().replace(/\.\d{3}Z$/, "Z"), token: token.token },
  };
}
