/**
 * The bucket policy: one statement of ours, DenyInsecureTransport, refusing every request that
 * does not use TLS. Users may add their own statements (cross-account readers, VPC endpoint
 * conditions); those are kept, and ours is added or put back next to them.
 */
import { asList, policyWithStatement, type Statement } from "../../aws/policy-statements.js";

export const TLS_STATEMENT_SID = "DenyInsecureTransport";

export function tlsOnlyStatement(bucketArn: string): Statement & { Sid: string } {
  return {
    Sid: TLS_STATEMENT_SID,
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

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

/** The bucket policy to write, or undefined when it already enforces TLS as wanted. */
export function policyToWrite(current: string | undefined, bucketArn: string): string | undefined {
  return policyWithStatement(current, tlsOnlyStatement(bucketArn), (s) => enforcesTls(s, bucketArn), "2012-10-17");
}
