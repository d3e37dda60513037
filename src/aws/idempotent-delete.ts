/**
 * Deleting what may already be gone. destroy runs again after any failure or Ctrl-C, so a delete
 * whose target vanished in between (or in an earlier run whose answer was lost) is a success.
 */
import { awsErrorCode } from "./errors.js";

/** Runs `call`; true when it deleted something, false when AWS answered one of the not-found `codes`. */
export async function deleteUnlessGone(codes: readonly string[], call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    if (isGone(codes, error)) return false;
    throw error;
  }
}

/** Whether `error` is one of the not-found `codes`. */
export function isGone(codes: readonly string[], error: unknown): boolean {
  return codes.includes(awsErrorCode(error) ?? "");
}
