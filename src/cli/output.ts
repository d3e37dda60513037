/** Terminal conventions: progress and errors on stderr, data on stdout, NO_COLOR honoured. */
import type { Writable } from "node:stream";
import { BtpAwsError, ExitCode, UsageError, type ExitCode as Code } from "../errors.js";

export interface Ui {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly color: boolean;
  /** Interactive: stdin is a TTY, not CI, no --yes. */
  readonly interactive: boolean;
  /** listr2's live renderer only on a TTY that is not CI and not --verbose. */
  readonly live: boolean;
  data(text: string): void;
  note(text: string): void;
  warn(text: string): void;
}

export function createUi(options: { env: NodeJS.ProcessEnv; yes?: boolean; verbose?: boolean; stdout?: Writable; stderr?: Writable; stdinTty?: boolean }): Ui {
  const stderr = options.stderr ?? process.stderr;
  const stdout = options.stdout ?? process.stdout;
  const stderrTty = (stderr as Writable & { isTTY?: boolean }).isTTY === true;
  const ci = options.env.CI === "true" || options.env.CI === "1";
  const color = options.env.NO_COLOR === undefined && (options.env.FORCE_COLOR !== undefined || stderrTty);
  const paint = (code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  return {
    stdout,
    stderr,
    color,
    interactive: (options.stdinTty ?? process.stdin.isTTY === true) && !ci && !options.yes,
    live: stderrTty && !ci && !options.verbose,
    data: (text) => stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    note: (text) => stderr.write(`${text}\n`),
    warn: (text) => stderr.write(`${paint("33", "⚠")} ${text}\n`),
  };
}

/** Prints an error as "✘ what happened: why", its path-prefixed problems and "→ hint"; returns the exit code. */
export function reportError(error: unknown, ui: Pick<Ui, "stderr" | "color">, verbose = false): Code {
  const paint = (code: string, text: string) => (ui.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const lines: string[] = [];
  if (error instanceof BtpAwsError) {
    lines.push(`${paint("31", "✘")} ${error.message}`);
    if (error instanceof UsageError) for (const problem of error.problems) lines.push(`  • ${problem}`);
    if (error.hint) lines.push(`${paint("36", "→")} ${error.hint}`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    lines.push(`${paint("31", "✘")} unexpected error: ${message}`);
    lines.push(`${paint("36", "→")} this is a bug in btp-aws; please report it with the log file and \`--verbose\` output`);
  }
  if (verbose && error instanceof Error && error.stack) lines.push(error.stack);
  ui.stderr.write(`${lines.join("\n")}\n`);
  return error instanceof BtpAwsError ? error.exitCode : ExitCode.failure;
}
