/**
 * Vault's failures (`{"errors": [...]}`) as errors a user can act on: the request line (method
 * and path never carry secrets) and Vault's errors, nothing else.
 */
import { BtpAwsError, type ErrorOptions } from "../errors.js";
import { REDACTED } from "../secrets/redact.js";

export class VaultApiError extends BtpAwsError {
  readonly status: number;
  readonly errors: readonly string[];

  constructor(message: string, status: number, errors: readonly string[], options: ErrorOptions = {}) {
    super(message, options);
    this.status = status;
    this.errors = errors;
  }
}

/** Nothing answered: the port-forward or the pod is gone. Waits treat this as "not yet". */
export class VaultUnreachableError extends BtpAwsError {}

/** Vault's `errors` array, or [] when the body is not Vault's error shape (a proxy's HTML page). */
export function vaultErrors(body: string): string[] {
  try {
    const parsed: unknown = JSON.parse(body);
    const errors = (parsed as { errors?: unknown } | null)?.errors;
    return Array.isArray(errors) ? errors.filter((e): e is string => typeof e === "string") : [];
  } catch {
    return [];
  }
}

/** Replaces every given secret in `text`. Vault does not echo tokens, but a proxy in between might. */
export function scrub(text: string, secrets: Iterable<string>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length > 0) result = result.split(secret).join(REDACTED);
  }
  return result;
}

function hintFor(status: number): string {
  if (status === 403) return "Vault refused the token: it is missing, revoked or lacks the capability; check vaultRootToken in the platform secret";
  if (status === 503) return "Vault is sealed or not initialised: run `btp-aws install --from vault` to initialise it and wait for auto-unseal";
  if (status === 429) return "this node is a standby that cannot serve the request: retry, or point at the active node";
  return "fix the cause above, then run the same command again";
}

export function apiError(request: string, status: number, body: string, secrets: Iterable<string>): VaultApiError {
  const errors = vaultErrors(body).map((e) => scrub(e, secrets));
  const detail = errors.length > 0 ? errors.join("; ") : `HTTP ${status}`;
  return new VaultApiError(`Vault ${request} failed (${status}): ${detail}`, status, errors, { hint: hintFor(status) });
}

export function unreachableError(request: string, address: string, cause: unknown): VaultUnreachableError {
  // The cause is fetch's own error (ECONNREFUSED, timeout): it names the URL, never a header.
  const reason = cause instanceof Error && cause.cause instanceof Error ? cause.cause.message : cause instanceof Error ? cause.message : String(cause);
  return new VaultUnreachableError(`Vault ${request}: no answer from ${address}: ${reason}`, {
    cause,
    hint: "the port-forward to the Vault pod stopped or the pod is restarting: run the same command again",
  });
}
