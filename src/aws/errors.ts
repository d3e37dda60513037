/**
 * Turns AWS SDK errors into BtpAwsErrors that say what happened and what to do.
 * The SDK's own messages are accurate but rarely actionable ("Could not load credentials from
 * any providers"); the hints here name the fix.
 */
import { BtpAwsError } from "../errors.js";

/** Where the failed call was going, so a network error can name it. */
export interface AwsCallTarget {
  endpoint?: string | undefined;
  region?: string | undefined;
}

const REJECTED_CREDENTIALS = new Set([
  "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "ExpiredToken",
  "ExpiredTokenException", "InvalidAccessKeyId", "InvalidSignatureException", "AuthFailure", "IncompleteSignature",
]);
const ACCESS_DENIED = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError", "UnauthorizedException"]);
const THROTTLED = new Set(["Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "SlowDown", "RequestThrottled"]);
const NETWORK = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "TimeoutError"]);
// Both providers report "nothing usable in the chain" (no env keys, no profile, expired SSO token).
const MISSING_CREDENTIALS = new Set(["CredentialsProviderError", "TokenProviderError"]);

interface ErrorFields {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { attempts?: unknown };
  errors?: unknown;
}

/**
 * The code that identifies an SDK error: the service's error code for service exceptions
 * ("AccessDenied"), the errno code for network errors ("ECONNREFUSED"), else the error's name.
 */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as ErrorFields;
  const name = typeof e.name === "string" && e.name !== "Error" ? e.name : undefined;
  if (e.$metadata !== undefined && name !== undefined) return name; // a service exception
  if (typeof e.code === "string") return e.code;
  // Node reports a failed dual-stack connect as an AggregateError; the cause is inside.
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const code = awsErrorCode(inner);
      if (code !== undefined) return code;
    }
  }
  return name;
}

function firstLine(message: string): string {
  return message.split("\n")[0]?.trim() ?? "";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? firstLine(error.message) : String(error);
}

/**
 * A BtpAwsError for a failed AWS call. `action` names what was attempted, in words and with the
 * IAM action: "read the caller identity (sts:GetCallerIdentity)".
 */
export function describeAwsError(error: unknown, action: string, target: AwsCallTarget = {}): BtpAwsError {
  if (error instanceof BtpAwsError) return error;
  const code = awsErrorCode(error) ?? "UnknownError";
  const cause = error;

  if (MISSING_CREDENTIALS.has(code)) {
    return new BtpAwsError(`no AWS credentials found: ${messageOf(error)}`, {
      cause,
      hint: "set AWS_PROFILE, run `aws sso login`, or pass --profile",
    });
  }
  if (REJECTED_CREDENTIALS.has(code)) {
    return new BtpAwsError(`AWS rejected the credentials: ${code}`, {
      cause,
      hint: "the access key is unknown, revoked or expired: refresh it (`aws sso login`, new access keys) or choose another profile with --profile",
    });
  }
  if (ACCESS_DENIED.has(code)) {
    return new BtpAwsError(`not allowed to ${action}: ${code}: ${messageOf(error)}`, {
      cause,
      hint: "give the principal btp-aws runs as the IAM permission named above, or run with a profile that has it",
    });
  }
  if (NETWORK.has(code)) {
    if (target.endpoint !== undefined) {
      return new BtpAwsError(`could not reach the AWS endpoint ${target.endpoint} to ${action}: ${code}`, {
        cause,
        hint: `check that ${target.endpoint} is up (it comes from AWS_ENDPOINT_URL); unset AWS_ENDPOINT_URL to talk to AWS itself`,
      });
    }
    const where = target.region === undefined ? "AWS" : `AWS in ${target.region}`;
    return new BtpAwsError(`could not reach ${where} to ${action}: ${code}`, {
      cause,
      hint: "check the network connection, DNS and any HTTPS_PROXY setting, then run the command again",
    });
  }
  if (THROTTLED.has(code)) {
    const attempts = typeof (error as ErrorFields).$metadata?.attempts === "number" ? ` after ${String((error as ErrorFields).$metadata?.attempts)} attempts` : "";
    return new BtpAwsError(`${action}: AWS throttled the requests (${code})${attempts}`, {
      cause,
      hint: "wait a minute and run the command again: it resumes where it stopped",
    });
  }
  return new BtpAwsError(`${action}: ${code}: ${messageOf(error)}`, { cause });
}
