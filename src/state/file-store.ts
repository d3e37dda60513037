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

export class FileStateStore implements StateStore {
  readonly path: string;
  private state: Readonly<State>;
  // Every update waits for the previous one, so two steps finishing together never interleave.
  private tail: Promise<void> = Promise.resolve();

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

  update(change: (draft: State) => void): Promise<void> {
    const run = this.tail.then(() => this.apply(change));
    // A failed update rejects for its caller but must not block the ones queued after it.
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async apply(change: (draft: State) => void): Promise<void> {
    const draft = structuredClone(this.state) as State;
    change(draft);
    draft.updatedAt = this.now().toISOString();
    const checked = StateSchema.safeParse(draft);
    if (!checked.success) {
      const problems = checked.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
      throw new BtpAwsError(`refusing to write state file ${this.path}: the new state is invalid: ${problems.join("; ")}`);
    }
    const text = `${JSON.stringify(checked.data, null, 2)}\n`;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    try {
      await writeFileAtomic(this.path, text, 0o600);
    } catch (error) {
      throw new BtpAwsError(`cannot write state file ${this.path}: ${errorMessage(error)}`, {
        cause: error,
        hint: "check free disk space and the permissions of the state directory",
      });
    }
    // What the next run will read back (e.g. undefined entries dropped), not what the change built.
    this.state = deepFreeze(StateSchema.parse(JSON.parse(text)));
  }
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
