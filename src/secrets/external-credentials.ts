/**
 * The credentials of an external dependency, read from the secret its `credentialsSecretArn`
 * names. Formats: the database as RDS stores it (JSON `username`, `password`), Redis as plain text
 * or JSON `password`, the bucket as JSON `accessKeyId`, `secretAccessKey`. Every value found is
 * passed to `redact` before anything else sees it; messages name fields, never their values.
 */
import { BtpAwsError } from "../errors.js";

type Redact = (value: string) => void;

function jsonObject(text: string, arn: string, expected: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse quotes its input in its message: say what was expected instead.
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new BtpAwsError(`secret ${arn} does not hold a JSON object`, { hint: `store ${expected} in it, then run again` });
  }
  return parsed as Record<string, unknown>;
}

function field(values: Record<string, unknown>, name: string, arn: string, redact: Redact, expected: string): string {
  const value = values[name];
  if (typeof value !== "string" || value === "") {
    throw new BtpAwsError(`secret ${arn} has no ${name} string`, { hint: `store ${expected} in it, then run again` });
  }
  redact(value);
  return value;
}

export interface DatabaseCredentials {
  /** Undefined when the secret has no username: database.external.user must name one. */
  username: string | undefined;
  password: string;
}

const DATABASE_FORMAT = 'JSON {"username": "…", "password": "…"} (the RDS secret format)';
export function parseDatabaseSecret(text: string, arn: string, redact: Redact): DatabaseCredentials {
  const values = jsonObject(text, arn, DATABASE_FORMAT);
  if (values === undefined) throw new BtpAwsError(`secret ${arn} is not JSON`, { hint: `store ${DATABASE_FORMAT} in it, then run again` });
  const password = field(values, "password", arn, redact, DATABASE_FORMAT);
  const username = typeof values.username === "string" && values.username !== "" ? values.username : undefined;
  return { username, password };
}

const CACHE_FORMAT = 'the password as plain text or JSON {"password": "…"}';
export function parseCacheSecret(text: string, arn: string, redact: Redact): string {
  const values = jsonObject(text, arn, CACHE_FORMAT);
  if (values === undefined) {
    redact(text);
    return text;
  }
  return field(values, "password", arn, redact, CACHE_FORMAT);
}

export interface StorageCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const STORAGE_FORMAT = 'JSON {"accessKeyId": "…", "secretAccessKey": "…"}';
export function parseStorageSecret(text: string, arn: string, redact: Redact): StorageCredentials {
  const values = jsonObject(text, arn, STORAGE_FORMAT);
  if (values === undefined) throw new BtpAwsError(`secret ${arn} is not JSON`, { hint: `store ${STORAGE_FORMAT} in it, then run again` });
  return { accessKeyId: field(values, "accessKeyId", arn, redact, STORAGE_FORMAT), secretAccessKey: field(values, "secretAccessKey", arn, redact, STORAGE_FORMAT) };
}
