/**
 * The one place btp-aws starts helm. Everything secret reaches helm through a file (values) or
 * stdin (registry passwords), never through argv: argv is visible to every local user in
 * /proc/<pid>/cmdline and `ps`, and it ends up in error messages. A guard refuses the flags that
 * would carry a secret, and `onArgv` lets tests see every command line.
 */
import { BtpAwsError } from "../errors.js";

export interface HelmRunnerOptions {
  binary: string;
  kubeconfig?: string | undefined;
  kubeContext?: string | undefined;
  /** Receives [binary, ...args] before each run. */
  onArgv?: ((argv: string[]) => void) | undefined;
}

export interface RunOptions {
  /** The command talks to the Kubernetes API: add --kubeconfig / --kube-context. */
  cluster?: boolean;
  /** Written to helm's stdin (the only way a secret may reach helm besides a values file). */
  input?: string;
  timeoutMs?: number;
}

export interface RunResult {
  exitCode: number;
  /** Never put into messages: status, template and show output can hold values, secrets included. */
  stdout: string;
  stderr: string;
}

export interface HelmRunner {
  readonly binary: string;
  /** Resolves with helm's exit code; rejects only when helm could not run or ran too long. */
  run(args: readonly string[], options?: RunOptions): Promise<RunResult>;
}

const DEFAULT_TIMEOUT_MS = 120_000;
/** After SIGTERM, helm gets this long to record the release as failed before SIGKILL. */
const KILL_GRACE_MS = 10_000;

/** Flags whose value is the secret itself. `--set-file` reads a file but invites the others. */
const INLINE_VALUE_FLAGS = ["--set", "--set-string", "--set-json", "--set-literal", "--set-file", "--password", "-p"];

/** Throws when `args` would carry a value or password on the command line. */
export function assertNoInlineSecrets(args: readonly string[]): void {
  for (const arg of args) {
    const flag = arg.split("=")[0] ?? arg;
    if (INLINE_VALUE_FLAGS.includes(flag)) {
      // A programming error, not a user one; the message names the flag, never its value.
      throw new Error(`refusing to run helm with ${flag}: values go through -f <file>, passwords through stdin`);
    }
  }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal); // negative pid: the process group helm leads (detached)
  } catch {
    // Already gone.
  }
}

export function createHelmRunner(options: HelmRunnerOptions): HelmRunner {
  const clusterFlags = [
    ...(options.kubeconfig ? ["--kubeconfig", options.kubeconfig] : []),
    ...(options.kubeContext ? ["--kube-context", options.kubeContext] : []),
  ];
  return {
    binary: options.binary,
    async run(args, runOptions = {}) {
      const argv = [...args, ...(runOptions.cluster ? clusterFlags : [])];
      assertNoInlineSecrets(argv);
      options.onArgv?.([options.binary, ...argv]);
      // Loaded on use: start-up time is a tested requirement and most commands never run helm.
      const { execa } = await import("execa");
      const timeoutMs = runOptions.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const subprocess = execa(options.binary, argv, {
        reject: false,
        ...(runOptions.input === undefined ? { stdin: "ignore" as const } : { input: runOptions.input }),
        // Its own process group: a Ctrl-C in the terminal stops btp-aws's scheduling, but must not
        // interrupt an upgrade half-way and leave the release pending (ARCHITECTURE.md, runner).
        detached: true,
      });
      // Our own timer rather than execa's: it must stop the whole group (helm plugins and
      // post-renderers are child processes that would otherwise keep the pipes open).
      let timedOut = false;
      let forceKill: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(subprocess.pid, "SIGTERM");
        forceKill = setTimeout(() => killGroup(subprocess.pid, "SIGKILL"), KILL_GRACE_MS);
      }, timeoutMs);
      const result = await subprocess.finally(() => {
        clearTimeout(timer);
        clearTimeout(forceKill);
      });
      if (timedOut) {
        throw new BtpAwsError(`helm ${args[0] ?? ""} did not finish within ${timeoutMs / 1000} s and was stopped`, {
          hint: "check the cluster's reachability (helm status) and run btp-aws install again",
        });
      }
      if (result.exitCode === undefined) {
        // Could not start: ENOENT, EACCES. shortMessage names the command line, which holds no secret.
        throw new BtpAwsError(`could not run helm: ${result.shortMessage ?? result.message}`, {
          hint: "pass --helm the path of a working helm 3.8+ binary",
        });
      }
      return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
    },
  };
}

/** helm's own error lines, without the "Use --debug" advice that means nothing to our users. */
export function helmErrorText(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line !== "" && !/^Use --debug flag/.test(line));
  return lines.length === 0 ? "helm printed no error" : lines.join("\n");
}

/**
 * A failed helm command as the user sees it: what we asked for, then helm's own words (stderr
 * only: stdout can carry values). No secret is on helm's command line for it to echo back.
 */
export function helmFailed(what: string, result: RunResult, hint: string): BtpAwsError {
  return new BtpAwsError(`${what} failed (helm exit code ${result.exitCode}): ${helmErrorText(result.stderr)}`, { hint });
}
