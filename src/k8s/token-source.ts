/**
 * A bearer token that stays fresh: minted on first use, reused until one minute before it
 * expires, then minted again. Callers that ask at the same time share one mint.
 */
import type { EksToken } from "./eks-token.js";

/** Refresh this long before expiry, so a request never leaves with a token about to lapse. */
export const REFRESH_BEFORE_MS = 60_000;

export type TokenSource = () => Promise<string>;

export function createTokenSource(mint: () => Promise<EksToken>, now: () => number = Date.now): TokenSource {
  let current: EksToken | undefined;
  let pending: Promise<EksToken> | undefined;
  return async () => {
    if (current !== undefined && now() < current.expiresAt.getTime() - REFRESH_BEFORE_MS) return current.token;
    pending ??= mint().finally(() => {
      pending = undefined;
    });
    // A failed mint is not remembered: the next caller tries again.
    current = await pending;
    return current.token;
  };
}
