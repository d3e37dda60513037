/**
 * What went wrong talking to the API server, said so a user can act on it. The API server's own
 * Status message is kept (it names the field or permission); bearer tokens never appear.
 */
import { BtpAwsError } from "../errors.js";

/** A Kubernetes `Status` body, as far as messages need it. */
export interface KubeStatus {
  message?: string;
  reason?: string;
  code?: number;
}

export class KubeApiError extends BtpAwsError {
  readonly status: number;
  readonly reason: string | undefined;

  constructor(action: string, status: number, body: KubeStatus | undefined, server: string) {
    const reason = body?.reason;
    const detail = body?.message ? `: ${body.message}` : "";
    super(`${action}: ${status}${reason ? ` ${reason}` : ""}${detail}`, { hint: hintFor(status, server) });
    this.status = status;
    this.reason = reason;
  }
}

function hintFor(status: number, server: string): string | undefined {
  if (status === 401) {
    return `the API server ${server} did not accept the credentials: for an EKS cluster btp-aws built, its principal needs the access entry infra/eks creates (run \`btp-aws install --only infra\`); for --kubeconfig, check the context's user`;
  }
  if (status === 403) return "the principal is not allowed to do this (Kubernetes RBAC): use a cluster-admin identity";
  if (status === 422) return "the API server rejected the object as invalid: this is a bug in btp-aws; please report it";
  if (status >= 500) return "the API server had a problem: run the command again; it resumes where it stopped";
  return undefined;
}

const NETWORK_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_SOCKET"]);

/** The errno-style code inside a fetch failure ("fetch failed" hides it in `cause`). */
export function networkCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e !== null && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    if ((e as { name?: unknown }).name === "TimeoutError") return "TimeoutError";
  }
  return undefined;
}

export function unreachable(action: string, server: string, error: unknown): BtpAwsError {
  const code = networkCode(error) ?? (error instanceof Error ? error.message : String(error));
  const tls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code);
  return new BtpAwsError(`${action}: cannot reach the Kubernetes API server ${server}: ${code}`, {
    cause: error,
    hint: tls
      ? "the server's certificate does not match the cluster's certificate authority: check the kubeconfig's certificate-authority data"
      : NETWORK_CODES.has(code) || code === "TimeoutError"
        ? "check that this machine may reach the cluster endpoint (for EKS: cluster.publicAccessCidrs in the config must include this machine's public address)"
        : undefined,
  });
}

export function notServed(action: string, apiVersion: string, kind: string): BtpAwsError {
  return new BtpAwsError(`${action}: the API server does not serve ${kind} in ${apiVersion}`, {
    hint: "install what defines it first (a chart's CustomResourceDefinitions), or check the apiVersion",
  });
}

export function podNotFound(namespace: string, pod: string): BtpAwsError {
  return new BtpAwsError(`cannot port-forward to pod ${namespace}/${pod}: it does not exist`);
}

export function podNotRunning(namespace: string, pod: string, phase: string): BtpAwsError {
  return new BtpAwsError(`cannot port-forward to pod ${namespace}/${pod}: it is ${phase}, not Running`, { hint: "wait for the pod to start; `kubectl describe pod` shows why it has not" });
}

export function namespaceRequired(action: string, kind: string): BtpAwsError {
  return new BtpAwsError(`${action}: ${kind} is namespaced, and no namespace was given`);
}

export function namespaceNotAllowed(action: string, kind: string): BtpAwsError {
  return new BtpAwsError(`${action}: ${kind} is cluster-scoped, but a namespace was given`);
}
