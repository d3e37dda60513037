/** Temp directories and child processes for the state tests; everything is cleaned up after each test. */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";

const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "btp-aws-state-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The pid of a process that has exited (and been reaped), so `kill(pid, 0)` fails with ESRCH. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
  const pid = child.pid!;
  await once(child, "exit");
  return pid;
}

/** A live process that the test can kill; killed at the end of the test if still running. */
export async function liveChild(): Promise<ChildProcess & { pid: number }> {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: "ignore" });
  await once(child, "spawn");
  cleanups.push(() => killAndWait(child));
  return child as ChildProcess & { pid: number };
}

export async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGKILL");
  await exited;
}

/** Runs `fn` expecting it to reject; returns the error so tests can assert its exact text. */
export async function rejection(fn: () => Promise<unknown>): Promise<Error & { hint?: string; exitCode?: number }> {
  try {
    await fn();
  } catch (error) {
    return error as Error & { hint?: string; exitCode?: number };
  }
  throw new Error("expected a rejection");
}
