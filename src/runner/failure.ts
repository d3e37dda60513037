import { BtpAwsError, errorMessage } from "../errors.js";

export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(errorMessage(error));
}

/** The part of an error that is shown and recorded: only BtpAwsError knows what to do next. */
export function describeFailure(error: unknown): { message: string; hint?: string } {
  const hint = error instanceof BtpAwsError ? error.hint : undefined;
  return hint === undefined ? { message: errorMessage(error) } : { message: errorMessage(error), hint };
}
