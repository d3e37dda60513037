/** Exit codes are part of the CLI contract (README, "Exit codes"). */
export const ExitCode = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorOptions {
  cause?: unknown;
  /** What the user should do next; printed after the message with an arrow. */
  hint?: string;
  exitCode?: ExitCode;
}

/** Every error the CLI expects to show a user. Messages read "what happened: why". */
export class BtpAwsError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: ExitCode;

  constructor(message: string, options: ErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.failure;
  }
}

/** Bad flags or config: exit 2, raised before any AWS call. `problems` are path-prefixed lines. */
export class UsageError extends BtpAwsError {
  readonly problems: readonly string[];

  constructor(message: string, problems: readonly string[] = [], hint?: string) {
    super(message, { exitCode: ExitCode.usage, hint });
    this.problems = problems;
  }
}

/** The user pressed Ctrl-C; state has been saved. */
export class InterruptedError extends BtpAwsError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.interrupted, hint });
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
