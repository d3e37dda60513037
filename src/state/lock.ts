/**
 * One btp-aws run per platform at a time: a lock file created exclusively next to the state.
 * A lock whose process is gone (crash, kill -9) is taken over, so nobody has to delete it by hand.
 */
import { mkdir, open, readFile, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { BtpAwsError } from "../errors.js";
import { statePaths } from "./paths.js";

/** A lock file that cannot be parsed is trusted this long: its owner may still be writing it. */
export const UNREADABLE_LOCK_GRACE_MS = 10_000;
const MAX_ATTEMPTS = 5;

const holderSchema = z.object({
  pid: z.number().int().positive(),
  host: z.string().min(1),
  startedAt: z.string(),
  command: z.string(),
});
export type LockHolder = z.infer<typeof holderSchema>;

/** The dead owner of a lock that was taken over; `pid` is undefined when its file was unreadable. */
export interface TakenOver {
  pid: number | undefined;
  startedAt: string;
}

export interface Lock {
  readonly path: string;
  readonly takenOver: TakenOver | undefined;
  /** Removes the lock file if it is still ours; safe to call more than once. */
  release(): Promise<void>;
}

export interface AcquireLockOptions {
  dir: string;
  platform: string;
  /** The command taking the lock, shown to whoever finds the state locked. */
  command: string;
}

type Seen =
  | { kind: "gone" }
  | { kind: "live"; error: BtpAwsError }
  | { kind: "stale"; takenOver: TakenOver; identity: string };

export async function acquireLock(options: AcquireLockOptions): Promise<Lock> {
  const paths = statePaths(options.dir, options.platform);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  const mine: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command: options.command };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (await tryCreate(paths.lock, mine)) return new FileLock(paths.lock, mine, undefined);
    const seen = await inspect(paths.lock, options.platform);
    if (seen.kind === "live") throw seen.error;
    if (seen.kind === "stale") {
      const won = await withTakeoverGuard(paths.lock, async () => {
        // Re-check under the guard: another racer may already have replaced the stale file with
        // its own live lock, which a blind unlink would delete, letting both runs proceed.
        const again = await inspect(paths.lock, options.platform);
        if (again.kind === "stale" && again.identity === seen.identity) await unlinkIfPresent(paths.lock);
        return tryCreate(paths.lock, mine);
      });
      if (won) return new FileLock(paths.lock, mine, seen.takenOver);
    }
  }
  throw new BtpAwsError(`cannot lock the state for platform ${options.platform}: ${paths.lock} kept changing while btp-aws tried to take it`, {
    hint: "another btp-aws run is starting at the same time; wait for it, then try again",
  });
}

/** The line a command prints after taking over a lock. */
export function takeoverNotice(takenOver: TakenOver): string {
  return takenOver.pid === undefined
    ? `took over an incomplete lock file (written ${takenOver.startedAt}) left by a process that stopped while taking it`
    : `took over a lock left by process ${takenOver.pid} (started ${takenOver.startedAt}), which is no longer running`;
}

class FileLock implements Lock {
  private released = false;

  constructor(
    readonly path: string,
    private readonly mine: LockHolder,
    readonly takenOver: TakenOver | undefined,
  ) {}

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if (isCode(error, "ENOENT")) return;
      throw error;
    }
    const holder = parseHolder(text);
    // Someone else's lock (we were presumed dead, or the file was replaced by hand) is not ours to remove.
    if (holder?.pid === this.mine.pid && holder.host === this.mine.host && holder.startedAt === this.mine.startedAt) {
      await unlinkIfPresent(this.path);
    }
  }
}

/** The exclusive create is the lock: of any number of racers, exactly one gets the file. */
async function tryCreate(path: string, holder: LockHolder): Promise<boolean> {
  let file;
  try {
    file = await open(path, "wx", 0o600);
  } catch (error) {
    if (isCode(error, "EEXIST")) return false;
    throw error;
  }
  try {
    await file.writeFile(`${JSON.stringify(holder)}\n`, "utf8");
    await file.close();
  } catch (error) {
    await file.close().catch(() => undefined);
    await unlinkIfPresent(path);
    throw error;
  }
  return true;
}

async function inspect(path: string, platform: string): Promise<Seen> {
  let text: string;
  let ino: number;
  let mtimeMs: number;
  try {
    const file = await open(path, "r");
    try {
      ({ ino, mtimeMs } = await file.stat());
      text = await file.readFile("utf8");
    } finally {
      await file.close();
    }
  } catch (error) {
    if (isCode(error, "ENOENT")) return { kind: "gone" };
    throw error;
  }
  const identity = `${ino}:${text}`;
  const hint = `wait for it to finish, or if that process is gone, remove ${path}`;
  const holder = parseHolder(text);
  if (!holder) {
    // Killed between create and write leaves an empty file; a live owner finishes within the grace period.
    const writtenAt = new Date(mtimeMs).toISOString();
    if (Date.now() - mtimeMs > UNREADABLE_LOCK_GRACE_MS) return { kind: "stale", takenOver: { pid: undefined, startedAt: writtenAt }, identity };
    return {
      kind: "live",
      error: new BtpAwsError(`state for platform ${platform} is locked: ${path} was created at ${writtenAt} and is still being written: another btp-aws run is starting`, { hint }),
    };
  }
  // A process on another host cannot be checked, so its lock counts as live.
  if (holder.host !== hostname() || isAlive(holder.pid)) {
    return {
      kind: "live",
      error: new BtpAwsError(
        `state for platform ${platform} is locked by process ${holder.pid} on host ${holder.host} since ${holder.startedAt} (command: ${holder.command}): another btp-aws run is using it`,
        { hint },
      ),
    };
  }
  return { kind: "stale", takenOver: { pid: holder.pid, startedAt: holder.startedAt }, identity };
}

/**
 * Serialises takeovers with a second exclusive file, so the check-then-remove of a stale lock is
 * not interleaved with another racer's. A guard older than the grace period belongs to a process
 * that died mid-takeover and is removed.
 */
async function withTakeoverGuard<T>(lockPath: string, body: () => Promise<T>): Promise<T> {
  const guard = `${lockPath}.takeover`;
  const deadline = Date.now() + UNREADABLE_LOCK_GRACE_MS * 2;
  for (;;) {
    try {
      await (await open(guard, "wx", 0o600)).close();
      break;
    } catch (error) {
      if (!isCode(error, "EEXIST")) throw error;
    }
    const age = await ageMs(guard);
    if (age !== undefined && age > UNREADABLE_LOCK_GRACE_MS) await unlinkIfPresent(guard);
    else if (Date.now() > deadline) throw new BtpAwsError(`cannot take over the stale lock ${lockPath}: ${guard} does not go away`, { hint: `remove ${guard} and ${lockPath}` });
    else await sleep(25);
  }
  try {
    return await body();
  } finally {
    await unlinkIfPresent(guard);
  }
}

async function ageMs(path: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch (error) {
    if (isCode(error, "ENOENT")) return undefined;
    throw error;
  }
}

/** `kill(pid, 0)` checks without signalling; EPERM means it exists but belongs to someone else. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return !isCode(error, "ESRCH");
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const parsed = holderSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (!isCode(error, "ENOENT")) throw error;
  }
}

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}
