/**
 * The state file's shape (validated with zod, checked against the `State` contract in types.ts)
 * and how a file written by an older btp-aws is brought up to the current version.
 */
import { z } from "zod";
import { BtpAwsError } from "../errors.js";
import { STATE_VERSION, type State } from "./types.js";

const timestamp = z.iso.datetime({ offset: true });

const outputValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())], {
  error: "must be a string, number, boolean or list of strings",
});

// Objects are strict: a key we do not know would be silently dropped by the next write.
const stepRecord = z.strictObject({
  status: z.enum(["running", "done", "failed", "interrupted"]),
  startedAt: timestamp,
  finishedAt: timestamp.optional(),
  skipped: z.string().optional(),
  outputs: z.record(z.string(), outputValue),
  error: z.strictObject({ message: z.string(), hint: z.string().optional() }).optional(),
});

export const StateSchema = z
  .strictObject({
    version: z.literal(STATE_VERSION),
    platform: z.string().min(1),
    region: z.string().min(1),
    createdAt: timestamp,
    updatedAt: timestamp,
    // Both are absent from the file until the first run records a config (JSON drops undefined).
    configFingerprint: z.string().regex(/^[0-9a-f]{64}$/, { error: "must be a sha256 hex digest" }).optional(),
    config: z.unknown().optional(),
    steps: z.record(z.string().min(1), stepRecord),
  })
  // The contract has these keys always present (possibly undefined), not optional.
  .transform((s): State => ({ ...s, configFingerprint: s.configFingerprint, config: s.config }));

/** Each entry turns a document of version `n` into one of version `n + 1`. */
export type Migration = (old: Record<string, unknown>) => Record<string, unknown>;

export const migrations: Readonly<Record<number, Migration>> = {
  // v0: files from before the version field existed; their step records had no `outputs`.
  0: (old) => ({
    ...old,
    version: 1,
    steps: Object.fromEntries(
      Object.entries(isObject(old.steps) ? old.steps : {}).map(([id, step]) => [
        id,
        isObject(step) && !("outputs" in step) ? { ...step, outputs: {} } : step,
      ]),
    ),
  }),
};

/**
 * Validates a parsed state document, migrating it from an older version first.
 * `path` only names the file in error messages. Never writes anything.
 */
export function migrate(raw: unknown, path: string, table: Readonly<Record<number, Migration>> = migrations): State {
  if (!isObject(raw)) throw corruptStateError(path, `expected a JSON object, found ${describe(raw)}`);
  const version = raw.version ?? 0;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 0) {
    throw corruptStateError(path, `version: expected a non-negative integer, found ${JSON.stringify(version)}`);
  }
  if (version > STATE_VERSION) {
    throw new BtpAwsError(
      `state file ${path} was written by a newer btp-aws (state version ${version}, this one understands ${STATE_VERSION}): upgrade btp-aws`,
    );
  }
  let doc: Record<string, unknown> = raw;
  for (let v = version; v < STATE_VERSION; v++) {
    const step = table[v];
    if (!step) throw corruptStateError(path, `version: no migration from state version ${v}`);
    doc = step(doc);
  }
  const parsed = StateSchema.safeParse(doc);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
    throw corruptStateError(path, problems.join("; "));
  }
  return parsed.data;
}

/** Parses the text of a state file; every failure names the file and what is wrong with it. */
export function parseStateText(text: string, path: string): State {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw corruptStateError(path, `invalid JSON: ${(error as Error).message}`, error);
  }
  return migrate(raw, path);
}

export function corruptStateError(path: string, problem: string, cause?: unknown): BtpAwsError {
  return new BtpAwsError(`state file ${path} is unreadable: ${problem}`, {
    cause,
    hint: `move it aside (mv ${path} ${path}.broken) and run \`btp-aws install\` again: it rebuilds the state by finding the platform's resources by their tags`,
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
}
