import { mkdir, readFile, readdir, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { acquireLock, takeoverNotice } from "../../../src/state/lock.js";
import { deadPid, killAndWait, liveChild, rejection, tempDir } from "./helpers.js";

const STARTED = "2025-03-01T10:00:00.000Z";

async function lockPathIn(dir: string, platform = "acme"): Promise<string> {
  await mkdir(join(dir, platform), { recursive: true });
  return join(dir, platform, "state.lock");
}

async function writeLock(path: string, holder: { pid: number; host?: string; command?: string }): Promise<string> {
  const content = JSON.stringify({ pid: holder.pid, host: holder.host ?? hostname(), startedAt: STARTED, command: holder.command ?? "install" });
  await writeFile(path, content);
  return content;
}

const lockedMessage = (pid: number, host: string, command = "install", startedAt = STARTED) =>
  `state for platform acme is locked by process ${pid} on host ${host} since ${startedAt} (command: ${command}): another btp-aws run is using it`;

describe("acquireLock", () => {
  it("creates a 0600 lock file holding pid, host, start time and command, and release removes it", async () => {
    const dir = await tempDir();
    const lock = await acquireLock({ dir, platform: "acme", command: "install" });
    expect(lock.path).toBe(join(dir, "acme", "state.lock"));
    expect(lock.takenOver).toBeUndefined();
    const holder = JSON.parse(await readFile(lock.path, "utf8")) as Record<string, unknown>;
    expect(holder).toEqual({ pid: process.pid, host: hostname(), startedAt: holder.startedAt, command: "install" });
    expect(new Date(holder.startedAt as string).toISOString()).toBe(holder.startedAt);
    expect((await stat(lock.path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "acme"))).mode & 0o777).toBe(0o700);
    await lock.release();
    expect(await readdir(join(dir, "acme"))).toEqual([]);
  });

  it("refuses a second acquire while the first is held (the holder, this process, is alive)", async () => {
    const dir = await tempDir();
    const first = await acquireLock({ dir, platform: "acme", command: "install" });
    const startedAt = (JSON.parse(await readFile(first.path, "utf8")) as { startedAt: string }).startedAt;
    const error = await rejection(() => acquireLock({ dir, platform: "acme", command: "destroy" }));
    expect(error.message).toBe(lockedMessage(process.pid, hostname(), "install", startedAt));
    expect(error.hint).toBe(`wait for it to finish, or if that process is gone, remove ${first.path}`);
    expect(error.exitCode).toBe(1);
    await first.release();
    const second = await acquireLock({ dir, platform: "acme", command: "destroy" });
    await second.release();
  });

  it("locks each platform separately", async () => {
    const dir = await tempDir();
    const a = await acquireLock({ dir, platform: "acme", command: "install" });
    const b = await acquireLock({ dir, platform: "other", command: "install" });
    await Promise.all([a.release(), b.release()]);
  });

  it("takes over a lock whose process is no longer running, and says so", async () => {
    const dir = await tempDir();
    const path = await lockPathIn(dir);
    const pid = await deadPid();
    await writeLock(path, { pid });
    const lock = await acquireLock({ dir, platform: "acme", command: "install" });
    expect(lock.takenOver).toEqual({ pid, startedAt: STARTED });
    expect(takeoverNotice(lock.takenOver!)).toBe(`took over a lock left by process ${pid} (started ${STARTED}), which is no longer running`);
    expect(JSON.parse(await readFile(path, "utf8"))).toMatchObject({ pid: process.pid, command: "install" });
    expect(await readdir(join(dir, "acme"))).toEqual(["state.lock"]);
    await lock.release();
  });

  it("lets exactly one of several racers take over the same stale lock", async () => {
    const dir = await tempDir();
    const path = await lockPathIn(dir);
    await writeLock(path, { pid: await deadPid() });
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => acquireLock({ dir, platform: "acme", command: "install" })));
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(7);
    for (const r of lost) expect((r.reason as Error).message).toMatch(/^state for platform acme is locked by process \d+ on host /);
    await won[0]!.value.release();
    expect(await readdir(join(dir, "acme"))).toEqual([]);
  });

  it("refuses while a child process holding the lock is alive, and takes over once it has died", async () => {
    const dir = await tempDir();
    const path = await lockPathIn(dir);
    const child = await liveChild();
    await writeLock(path, { pid: child.pid, command: "upgrade" });
    const error = await rejection(() => acquireLock({ dir, platform: "acme", command: "install" }));
    expect(error.message).toBe(lockedMessage(child.pid, hostname(), "upgrade"));
    await killAndWait(child);
    const lock = await acquireLock({ dir, platform: "acme", command: "install" });
    expect(lock.takenOver).toEqual({ pid: child.pid, startedAt: STARTED });
    await lock.release();
  });

  it("treats a lock from another host as live, whatever its pid", async () => {
    const dir = await tempDir();
    const path = await lockPathIn(dir);
    const pid = await deadPid();
    const content = await writeLock(path, { pid, host: "ci-runner-7" });
    const error = await rejection(() => acquireLock({ dir, platform: "acme", command: "install" }));
    expect(error.message).toBe(lockedMessage(pid, "ci-runner-7"));
    expect(error.hint).toBe(`wait for it to finish, or if that process is gone, remove ${path}`);
    expect(await readFile(path, "utf8")).toBe(content);
  });

  it("treats a fresh unreadable lock file as live: its owner may still be writing it", async () => {
    const dir = await tempDir();
    const path = await lockPathIn(dir);
    await writeFile(path, "");
    const writtenAt = new Date((await stat(path)).mtimeMs).toISOString();
    const error = await rejection(() => acquireLock({ dir, platform: "acme", command: "install" }));
    expect(error.message).toBe(
      `state for platform acme is locked: ${path} was created at ${writtenAt} and is still being written: another btp-aws run is starting`,
    );
    expect(error.hint).toBe(`wait for it to finish, or if that process is gone, remove ${path}`);
  });

  it("takes over an unreadable lock file older than 10 seconds", async () => {
    const dir = await tempDir();
    const path = await lockPathIn(dir);
    await writeFile(path, '{"pid":');
    const old = new Date(Date.now() - 11_000);
    await utimes(path, old, old);
    const lock = await acquireLock({ dir, platform: "acme", command: "install" });
    expect(lock.takenOver).toEqual({ pid: undefined, startedAt: old.toISOString() });
    expect(takeoverNotice(lock.takenOver!)).toBe(
      `took over an incomplete lock file (written ${old.toISOString()}) left by a process that stopped while taking it`,
    );
    await lock.release();
  });

  it("removes a takeover guard left behind by a process that died mid-takeover", async () => {
    const dir = await tempDir();
    const path = await lockPathIn(dir);
    await writeLock(path, { pid: await deadPid() });
    await writeFile(`${path}.takeover`, "");
    const old = new Date(Date.now() - 11_000);
    await utimes(`${path}.takeover`, old, old);
    const lock = await acquireLock({ dir, platform: "acme", command: "install" });
    expect(lock.takenOver?.startedAt).toBe(STARTED);
    expect(await readdir(join(dir, "acme"))).toEqual(["state.lock"]);
    await lock.release();
  });
});

describe("release", () => {
  it("is idempotent", async () => {
    const dir = await tempDir();
    const lock = await acquireLock({ dir, platform: "acme", command: "install" });
    await lock.release();
    await lock.release();
    const next = await acquireLock({ dir, platform: "acme", command: "install" });
    await lock.release(); // a stale handle must not remove the new holder's lock
    expect(await readdir(join(dir, "acme"))).toEqual(["state.lock"]);
    await next.release();
  });

  it("does not remove a lock that someone else now holds", async () => {
    const dir = await tempDir();
    const lock = await acquireLock({ dir, platform: "acme", command: "install" });
    const child = await liveChild();
    const theirs = await writeLock(lock.path, { pid: child.pid });
    await lock.release();
    expect(await readFile(lock.path, "utf8")).toBe(theirs);
  });

  it("is quiet when the lock file is already gone", async () => {
    const dir = await tempDir();
    const lock = await acquireLock({ dir, platform: "acme", command: "install" });
    await unlink(lock.path);
    await expect(lock.release()).resolves.toBeUndefined();
  });
});
