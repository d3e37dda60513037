/**
 * Server processes for the `real` test project (etcd, kube-apiserver, OpenBao): started with
 * their output kept for error messages, always stopped — by the fixture's stop(), and, should a
 * test worker die first, by a SIGKILL from this process's exit hook.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

const OUTPUT_LIMIT = 64 * 1024;
const STOP_GRACE_MS = 10_000;

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  /** The last 64 KiB of its stdout and stderr. */
  output(): string;
  /** null while running; the exit code (or signal name) once it has exited. */
  exitStatus(): string | null;
  /** SIGTERM, then SIGKILL after 10 s; resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // "exit" handlers must be synchronous: a kill is, and a server left behind would hold its port.
  process.once("exit", () => {
    for (const child of running) child.kill("SIGKILL");
  });
}

export function startProcess(name: string, binary: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ServerProcess {
  installExitHook();
  const child = spawn(binary, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  if (child.pid === undefined) throw new Error(`${name} (${binary}) did not start`);
  running.add(child);
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-OUTPUT_LIMIT);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let status: string | null = null;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      status = signal ?? String(code);
      running.delete(child);
      resolve();
    });
  });
  return {
    name,
    pid: child.pid,
    output: () => output,
    exitStatus: () => status,
    async stop() {
      if (status !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A port nothing listens on right now (the kernel's choice), for a server that needs it named. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Polls `ready` every 200 ms until it answers true; fails with the server's own output when the
 * process exits first or the time runs out.
 */
export async function waitReady(server: ServerProcess, what: string, ready: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  for (;;) {
    if (server.exitStatus() !== null) throw new Error(`${server.name} exited (${server.exitStatus()}) before ${what}:\n${server.output().slice(-4000)}`);
    try {
      if (await ready()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`${server.name}: timed out after ${timeoutMs / 1000} s waiting for ${what}${lastError ? ` (last error: ${lastError})` : ""}:\n${server.output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
