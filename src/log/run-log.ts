/** The per-run log file in the state dir: every progress line, redacted, mode 0600. */
import { mkdir, open, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { Writable } from "node:stream";
import type { Redactor } from "../secrets/redact.js";

export class RunLog {
  readonly path: string;
  readonly #file: FileHandle;
  readonly #redactor: Redactor;
  #pending: Promise<unknown> = Promise.resolve();

  private constructor(path: string, file: FileHandle, redactor: Redactor) {
    this.path = path;
    this.#file = file;
    this.#redactor = redactor;
  }

  static async open(options: { dir: string; command: string; redactor: Redactor; now?: Date }): Promise<RunLog> {
    const logs = join(options.dir, "logs");
    await mkdir(logs, { recursive: true, mode: 0o700 });
    const stamp = (options.now ?? new Date()).toISOString().replace(/[:.]/g, "-");
    const path = join(logs, `${options.command}-${stamp}-${process.pid}.log`);
    const file = await open(path, "a", 0o600);
    return new RunLog(path, file, options.redactor);
  }

  /** Appends one line; writes are queued so lines keep their order without awaiting each. */
  line(text: string): void {
    const entry = `${new Date().toISOString()} ${this.#redactor.redact(text)}\n`;
    this.#pending = this.#pending.then(() => this.#file.appendFile(entry, "utf8"));
  }

  async close(): Promise<void> {
    await this.#pending.catch(() => undefined);
    await this.#file.sync().catch(() => undefined);
    await this.#file.close();
  }
}

/** The log file as a stream, so one line renderer writes both the screen and the log. */
export function logStream(log: Pick<RunLog, "line">): Writable {
  return {
    write(chunk: string | Uint8Array) {
      log.line(String(chunk).replace(/\n$/, ""));
      return true;
    },
  } as unknown as Writable;
}
