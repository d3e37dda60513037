/** Runs the built CLI as a user would: a child process, exit code, stdout and stderr. */
import { spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./paths.js";

export const BIN = join(REPO_ROOT, "bin", "btp-aws.js");
export const EXAMPLE = join(REPO_ROOT, "examples", "btp-aws.yaml");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A clean environment: no inherited AWS or BTP_AWS_* settings, no colour, not interactive. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", CI: "true", AWS_EC2_METADATA_DISABLED: "true" };
  return { ...env, ...extra };
}

export function runCli(args: readonly string[], options: { cwd?: string; env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? REPO_ROOT, env: options.env ?? cleanEnv(), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

export function tempDir(prefix = "btp-aws-cli-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}
