/**
 * The state file on disk: read (and migrate) once, then every change is validated and written
 * atomically before it becomes the current state. Callers hold the lock (lock.ts) around this.
 */
import { chmod, mkdir, readFile, stat } from "node:fs/promises";
import { BtpAwsError, errorMessage } from "../errors.js";
import { writeFileAtomic } from "./atomic-write.js";
import { statePaths } from "./paths.js";
import { StateSchema, parseStateText } from "./schema.js";
import { STATE_VERSION, type State, type StateStore } from "./types.js";

export interface OpenStateOptions {
  /** The state directory (default `.btp-aws` in the working directory, resolved by the caller). */
  dir: string;
  platform: string;
  region: string;
  /** Clock for `createdAt`/`updatedAt`; tests pass a fixed one. */
  now?: () => Date;
}

/** One caller of `update`, waiting for a write that contains its change. */
interface Pending {
  change: (draft: State) => void;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class FileStateStore implements StateStore {
  readonly path: string;
  private state: Readonly<State>;
  // Group commit: updates that arrive while a write is in flight (eight steps starting at once)
  // wait together and go to disk in one write, instead of a clone, validation, write and two
  // fsyncs each, one after the other. Writes still never overlap.
  private queue: Pending[] = [];
  private writing = false;

  constructor(
    private readonly dir: string,
    path: string,
    initial: State,
    private readonly now: () => Date,
  ) {
    this.path = path;
    this.state = deepFreeze(initial);
  }

  current(): Readonly<State> {
    return this.state;
  }

  /** Resolves once a write holding this change is durable; rejects if that write or the change fails. */
  update(change: (draft: State) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ change, resolve, reject });
      if (this.writing) return;
      this.writing = true;
      // One turn of the event loop lets the updates of steps starting together join the first write.
      setImmediate(() => void this.drain());
    });
  }

  /** Writes queued groups until none is left; each group's callers settle with their write. */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.splice(0);
      try {
        await this.commit(group);
      } catch (error) {
        // The write failed: no change of this group reached the disk or the current state.
        for (const pending of group) pending.reject(error);
      }
    }
    this.writing = false;
  }

  /**
   * Applies the group's changes in order to one copy, validates and writes it once. A change that
   * throws, or that makes the state invalid, fails for its own caller only; the others are written.
   */
  private async commit(group: Pending[]): Promise<void> {
    let accepted = applyAll(this.state, group);
    let checked = this.validate(accepted.draft);
    if (!checked.ok) {
      // Rare: find the invalid changes one at a time, so a bad change never costs the good ones.
      const thrown = accepted.refused;
      accepted = this.applyValidated(accepted.applied);
      accepted.refused.unshift(...thrown);
      checked = this.validate(accepted.draft);
      if (!checked.ok) throw checked.error; // only if the stored state itself were invalid
    }
    for (const { pending, error } of accepted.refused) pending.reject(error);
    if (accepted.applied.length === 0) return;
    const text = `${JSON.stringify(checked.state, null, 2)}\n`;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    try {
      await writeFileAtomic(this.path, text, 0o600);
    } catch (error) {
      throw new BtpAwsError(`cannot write state file ${this.path}: ${errorMessage(error)}`, {
        cause: error,
        hint: "check free disk space and the permissions of the state directory",
      });
    }
    // What the next run will read back (e.g. undefined entries dropped), not what the changes
    // built. Already validated: the schema's only transform is keeping these two keys present.
    const back = JSON.parse(text) as State;
    this.state = deepFreeze({ ...back, configFingerprint: back.configFingerprint, config: back.config });
    for (const pending of accepted.applied) pending.resolve();
  }

  /** Applies changes one by one, validating after each, and refuses the ones that break the schema. */
  private applyValidated(group: Pending[]): Applied {
    let base: Readonly<State> = this.state;
    const result: Applied = { draft: structuredClone(base), applied: [], refused: [] };
    for (const pending of group) {
      const attempt = applyAll(base, [pending]);
      const refusal = attempt.refused[0] ?? (() => {
        const checked = this.validate(attempt.draft);
        return checked.ok ? undefined : { pending, error: checked.error };
      })();
      if (refusal) {
        result.refused.push(refusal);
        continue;
      }
      base = attempt.draft;
      result.draft = attempt.draft;
      result.applied.push(pending);
    }
    return result;
  }

  private validate(draft: State): { ok: true; state: State } | { ok: false; error: BtpAwsError } {
    draft.updatedAt = this.now().toISOString();
    const checked = StateSchema.safeParse(draft);
    if (checked.success) return { ok: true, state: checked.data };
    const problems = checked.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    return { ok: false, error: new BtpAwsError(`refusing to write state file ${this.path}: the new state is invalid: ${problems.join("; ")}`) };
  }
}

interface Applied {
  draft: State;
  applied: Pending[];
  refused: { pending: Pending; error: unknown }[];
}

/**
 * Applies each change to one copy of `base`. A change that throws may have half-changed the copy,
 * so the copy is rebuilt from `base` and the changes that did not throw (rare; one clone otherwise).
 */
function applyAll(base: Readonly<State>, group: readonly Pending[]): Applied {
  const result: Applied = { draft: structuredClone(base), applied: [], refused: [] };
  for (const pending of group) {
    try {
      pending.change(result.draft);
      result.applied.push(pending);
    } catch (error) {
      result.refused.push({ pending, error });
      result.draft = structuredClone(base);
      for (const earlier of result.applied) earlier.change(result.draft);
    }
  }
  return result;
}

/**
 * Opens the platform's state for a command that changes it. Without a file, starts from an empty
 * state in memory; the file appears at the first update.
 */
export async function openState(options: OpenStateOptions): Promise<FileStateStore> {
  const now = options.now ?? (() => new Date());
  const paths = statePaths(options.dir, options.platform);
  const existing = await loadState(paths.state, options.platform);
  if (existing) {
    await narrowMode(paths.state);
    if (existing.region !== options.region) {
      throw new BtpAwsError(
        `state file ${paths.state} records platform ${options.platform} in region ${existing.region}, but the config says ${options.region}: a platform cannot move between regions`,
        { hint: `set aws.region to ${existing.region}, or choose another platform name for a platform in ${options.region}` },
      );
    }
  }
  return new FileStateStore(paths.dir, paths.state, existing ?? emptyState(options.platform, options.region, now()), now);
}

function emptyState(platform: string, region: string, at: Date): State {
  const iso = at.toISOString();
  return { version: STATE_VERSION, platform, region, createdAt: iso, updatedAt: iso, configFingerprint: undefined, config: undefined, steps: {} };
}

/** Reads the state without locking or changing anything (for `status`); undefined if there is none. */
export async function readState(dir: string, platform: string): Promise<State | undefined> {
  const paths = statePaths(dir, platform);
  return loadState(paths.state, platform);
}

async function loadState(path: string, platform: string): Promise<State | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new BtpAwsError(`cannot read state file ${path}: ${errorMessage(error)}`, { cause: error });
  }
  const state = parseStateText(text, path);
  if (state.platform !== platform) {
    throw new BtpAwsError(`state file ${path} belongs to platform ${state.platform}, not ${platform}`, {
      hint: `move it to the directory of platform ${state.platform}, or aside if it was copied here by mistake`,
    });
  }
  return state;
}

/** The file may hold ARNs and names worth keeping private; fix it if someone widened it. */
async function narrowMode(path: string): Promise<void> {
  if (process.platform === "win32") return;
  const { mode } = await stat(path);
  if ((mode & 0o077) !== 0) await chmod(path, 0o600);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
