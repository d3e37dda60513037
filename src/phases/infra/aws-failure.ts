/**
 * AWS failures of the data steps, explained in terms of the config: an invalid parameter names
 * the config field that produced it, a limit names its quota, and no secret survives in the text.
 */
import { awsErrorCode, describeAwsError, type AwsCallTarget } from "../../aws/errors.js";
import { BtpAwsError } from "../../errors.js";

/** A config field whose value AWS may reject; `mentions` matches AWS's message about it. */
export interface ConfigField {
  field: string;
  value: string;
  mentions: RegExp;
}

export interface FailureContext {
  /** "create RDS instance btp-x-db (rds:CreateDBInstance)" */
  action: string;
  /** "RDS", "ElastiCache": who rejected the value. */
  service: string;
  target: AwsCallTarget;
  /** Error codes that mean "this value is not acceptable". */
  invalidCodes: ReadonlySet<string>;
  fields: readonly ConfigField[];
  /** Error code → the quota's name and code. */
  quotas: Readonly<Record<string, string>>;
  /** Values that must not appear in the message (AWS sometimes echoes parameters). */
  secrets?: readonly string[];
}

function firstLine(error: unknown): string {
  return error instanceof Error ? (error.message.split("\n")[0] ?? "").trim() : String(error);
}

function scrub(text: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length > 0).reduce((result, secret) => result.split(secret).join("[redacted]"), text);
}

export function explainFailure(error: unknown, context: FailureContext): BtpAwsError {
  if (error instanceof BtpAwsError) return error;
  const secrets = context.secrets ?? [];
  const code = awsErrorCode(error) ?? "UnknownError";
  const message = scrub(firstLine(error), secrets);
  const quota = context.quotas[code];
  if (quota !== undefined) {
    return new BtpAwsError(`${context.action}: ${code}: the account reached its limit of ${quota}: ${message}`, {
      hint: "ask AWS for a higher quota (Service Quotas console) or remove unused resources, then run again",
    });
  }
  if (context.invalidCodes.has(code)) {
    const field = context.fields.find((f) => f.mentions.test(message));
    if (field !== undefined) {
      return new BtpAwsError(`${field.field}: ${context.service} rejected ${field.value}: ${code}: ${message}`, {
        hint: `change ${field.field} in the config to a value ${context.service} offers in ${context.target.region ?? "this region"}, then run again`,
      });
    }
  }
  const described = describeAwsError(error, context.action, context.target);
  const text = scrub(described.message, secrets);
  // Without secrets to hide, keep the original (and its cause) untouched.
  if (text === described.message) return described;
  return new BtpAwsError(text, { hint: described.hint });
}
