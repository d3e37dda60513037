/**
 * The built CLI started in the background: like test/support/cli.ts's runCli, but the test gets
 * the process id (to match the lock holder) and can kill it mid-run.
 */
import { spawn } from "node:child_process";
import { BIN, type CliResult } from "../../support/cli.js";

export interface BackgroundCli {
  readonly pid: number;
  /** False once the process has exited. */
  readonly running: boolean;
  /** Settles when the process has exited; `signal` is set when it was killed. */
  readonly done: Promise<CliResult & { signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

export function startCli(args: readonly string[], options: { cwd: string; env: Record<string, string>; timeoutMs?: number }): BackgroundCli {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
  if (child.pid === undefined) throw new Error(`could not start ${BIN}`);
  let running = true;
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  // A run that hangs must not hang the test run with it.
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      running = false;
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    pid: child.pid,
    get running() {
      return running;
    },
    done,
    kill: (signal) => child.kill(signal),
  };
}

/** Polls `check` every 20 ms until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
