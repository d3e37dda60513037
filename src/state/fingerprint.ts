/**
 * Recognise a changed config between runs: a hash that ignores key order, and a readable list of
 * what changed, one line per setting.
 */
import { createHash } from "node:crypto";

/** sha256 (hex) of the config's canonical JSON. */
export function configFingerprint(config: unknown): string {
  return createHash("sha256").update(canonicalJson(config)).digest("hex");
}

/** JSON with object keys sorted at every level, so equal configs give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? "undefined";
}

/**
 * Lines such as `database.instanceClass: "db.t4g.medium" → "db.r6g.large"`, `tags.team: added "x"`
 * or `monitoring.alarmEmail: removed`. Objects are compared key by key; arrays as whole values.
 */
export function diffConfig(previous: unknown, next: unknown): string[] {
  const lines: string[] = [];
  walk("", present(previous), present(next), lines);
  return lines;
}

const ABSENT = Symbol("absent");
type Slot = unknown;

function walk(path: string, before: Slot, after: Slot, lines: string[]): void {
  if (expandable(before, after)) {
    const keys = new Set([...keysOf(before), ...keysOf(after)]);
    for (const key of [...keys].sort()) walk(join(path, key), child(before, key), child(after, key), lines);
    return;
  }
  const label = path || "(config)";
  if (before === ABSENT && after === ABSENT) return;
  if (before === ABSENT) lines.push(`${label}: added ${canonicalJson(after)}`);
  else if (after === ABSENT) lines.push(`${label}: removed`);
  else if (canonicalJson(before) !== canonicalJson(after)) lines.push(`${label}: ${canonicalJson(before)} → ${canonicalJson(after)}`);
}

/** Two objects compare key by key; so does a new or dropped section, to read as its settings. */
function expandable(before: Slot, after: Slot): boolean {
  if (isPlainObject(before) && isPlainObject(after)) return true;
  const nonEmpty = (v: Slot) => isPlainObject(v) && Object.keys(v).length > 0;
  return (before === ABSENT && nonEmpty(after)) || (after === ABSENT && nonEmpty(before));
}

function keysOf(value: Slot): string[] {
  return isPlainObject(value) ? Object.keys(value).filter((k) => value[k] !== undefined) : [];
}

function child(value: Slot, key: string): Slot {
  return isPlainObject(value) ? present(value[key]) : ABSENT;
}

/** JSON has no undefined: a key holding it is as good as missing. */
function present(value: unknown): Slot {
  return value === undefined ? ABSENT : value;
}

// Keys that would make a dotted path ambiguous ("kubernetes.io/role") are shown in brackets.
function join(path: string, key: string): string {
  if (!/^[A-Za-z0-9_$-]+$/.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path ? `${path}.${key}` : key;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isPlainObject(value)) return value;
  const sorted: Record<string, unknown> = {};
  // Default sort compares UTF-16 code units, the same on every machine and locale. (Integer-like
  // keys still come out in numeric order, as JS objects order them; the text stays canonical.)
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys(value[key]);
  return sorted;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
