/**
 * The bucket policy: one statement of ours, DenyInsecureTransport, refusing every request that
 * does not use TLS. Users may add their own statements (cross-account readers, VPC endpoint
 * conditions); those are kept, and ours is added or put back next to them.
 */
export const TLS_STATEMENT_SID = "DenyInsecureTransport";

interface Statement {
  Sid?: unknown;
  Effect?: unknown;
  Principal?: unknown;
  Action?: unknown;
  Resource?: unknown;
  Condition?: unknown;
  [key: string]: unknown;
}

export function tlsOnlyStatement(bucketArn: string): Statement {
  return {
    Sid: TLS_STATEMENT_SID,
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** Whether a statement has our statement's effect, however IAM chose to spell it back. */
function enforcesTls(statement: Statement, bucketArn: string): boolean {
  const principal = statement.Principal;
  const anyone = principal === "*" || (typeof principal === "object" && principal !== null && asList((principal as { AWS?: unknown }).AWS).every((p) => p === "*"));
  const actions = asList(statement.Action);
  const resources = new Set(asList(statement.Resource));
  const secure = (statement.Condition as { Bool?: Record<string, unknown> } | undefined)?.Bool?.["aws:SecureTransport"];
  return statement.Effect === "Deny" && anyone
    && actions.length === 1 && actions[0] === "s3:*"
    && resources.size === 2 && resources.has(bucketArn) && resources.has(`${bucketArn}/*`)
    && asList(secure).length === 1 && String(asList(secure)[0]) === "false";
}

/**
 * The policy to write, or undefined when the current one already holds our statement as wanted.
 * A policy that is not valid JSON cannot have come from S3; it is replaced by ours alone.
 */
export function policyToWrite(current: string | undefined, bucketArn: string): string | undefined {
  let document: { Version?: unknown; Statement?: unknown; [key: string]: unknown } = {};
  try {
    if (current !== undefined) document = JSON.parse(current) as typeof document;
  } catch {
    document = {};
  }
  const statements = asList(document.Statement) as Statement[];
  const ours = statements.find((s) => s.Sid === TLS_STATEMENT_SID);
  if (ours && enforcesTls(ours, bucketArn)) return undefined;
  const others = statements.filter((s) => s.Sid !== TLS_STATEMENT_SID);
  return JSON.stringify({ ...document, Version: document.Version ?? "2012-10-17", Statement: [...others, tlsOnlyStatement(bucketArn)] });
}
