/**
 * IAM policy documents compared by meaning, not by text. IAM hands documents back URL-encoded,
 * may reorder keys, and treats `"Action": "x"` and `"Action": ["x"]` alike; a byte comparison
 * would rewrite every policy on every run and break "a re-run makes zero mutating calls".
 */

export type PolicyDocument = Readonly<Record<string, unknown>>;

/** JSON text from a document as IAM returns it (URL-encoded) or as we wrote it (plain). */
export function decodePolicyDocument(text: string): string {
  const trimmed = text.trim();
  // GetRole and GetRolePolicy return RFC 3986-encoded JSON; plain JSON starts with a brace.
  return trimmed.startsWith("{") ? trimmed : decodeURIComponent(trimmed);
}

export function parsePolicyDocument(text: string): PolicyDocument {
  const parsed: unknown = JSON.parse(decodePolicyDocument(text));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("an IAM policy document must be a JSON object");
  return parsed as PolicyDocument;
}

/**
 * A canonical form: object keys sorted, one-element lists unwrapped, lists of strings sorted and
 * de-duplicated (IAM gives their order no meaning), statements sorted by their canonical text.
 */
export function canonicalPolicy(document: unknown): unknown {
  if (Array.isArray(document)) {
    const items = document.map(canonicalPolicy);
    if (items.every((item) => typeof item === "string")) {
      const unique = [...new Set(items)].sort();
      return unique.length === 1 ? unique[0] : unique;
    }
    const sorted = items.map((item) => ({ item, key: JSON.stringify(item) })).sort((a, b) => a.key.localeCompare(b.key)).map((x) => x.item);
    return sorted.length === 1 ? sorted[0] : sorted;
  }
  if (typeof document === "object" && document !== null) {
    const entries = Object.entries(document as Record<string, unknown>)
      .filter(([, value]) => value !== undefined)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => [key, canonicalPolicy(value)] as const);
    return Object.fromEntries(entries);
  }
  return document;
}

/** True when the two documents grant the same thing; either may be text as IAM returns it. */
export function samePolicy(a: string | PolicyDocument, b: string | PolicyDocument): boolean {
  const left = typeof a === "string" ? parsePolicyDocument(a) : a;
  const right = typeof b === "string" ? parsePolicyDocument(b) : b;
  return JSON.stringify(canonicalPolicy(left)) === JSON.stringify(canonicalPolicy(right));
}
