/**
 * Resource policies (bucket, topic) where btp-aws owns one statement, found by its Sid, and the
 * user may own the others: ours is added or put back, theirs are kept.
 */
export interface Statement {
  Sid?: unknown;
  [key: string]: unknown;
}

export const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/**
 * The policy to write, or undefined when the current one already holds a statement with our
 * Sid that `satisfied` accepts (services spell documents back in their own way). A policy that
 * is not valid JSON cannot have come from the service; it is replaced by ours alone.
 */
export function policyWithStatement(current: string | undefined, wanted: Statement & { Sid: string }, satisfied: (statement: Statement) => boolean, defaultVersion: string): string | undefined {
  let document: { Version?: unknown; Statement?: unknown; [key: string]: unknown } = {};
  try {
    if (current !== undefined) document = JSON.parse(current) as typeof document;
  } catch {
    document = {};
  }
  const statements = asList(document.Statement) as Statement[];
  const ours = statements.find((s) => s.Sid === wanted.Sid);
  if (ours && satisfied(ours)) return undefined;
  const others = statements.filter((s) => s.Sid !== wanted.Sid);
  return JSON.stringify({ ...document, Version: document.Version ?? defaultVersion, Statement: [...others, wanted] });
}
