import { InterruptedError } from "../errors.js";

export type InterruptSignal = "SIGINT" | "SIGTERM";
const SIGNALS: readonly InterruptSignal[] = ["SIGINT", "SIGTERM"];

/** The part of `process` this needs; tests pass an EventEmitter and emit the signals themselves. */
export interface SignalSource {
  on(event: InterruptSignal, listener: (signal: InterruptSignal) => void): unknown;
  off(event: InterruptSignal, listener: (signal: InterruptSignal) => void): unknown;
}

export interface InterruptOptions {
  controller?: AbortController;
  /** After the abort, e.g. to say "finishing running steps; Ctrl-C again to stop now". */
  onFirst?: (signal: InterruptSignal) => void;
  /** On every further signal: the CLI exits 130 at once. */
  onSecond: (signal: InterruptSignal) => void;
  source?: SignalSource;
}

/** Ctrl-C in two stages: a graceful stop, then an immediate one. Returns a function that removes it. */
export function installInterruptHandler(options: InterruptOptions): () => void {
  const source = options.source ?? process;
  let received = 0;
  const listener = (signal: InterruptSignal): void => {
    received += 1;
    if (received > 1) {
      options.onSecond(signal);
      return;
    }
    options.controller?.abort(new InterruptedError(`interrupted by ${signal}`));
    options.onFirst?.(signal);
  };
  for (const signal of SIGNALS) source.on(signal, listener);
  let disposed = false;
  return () => {
    if (disposed) return;
    disposed = true;
    for (const signal of SIGNALS) source.off(signal, listener);
  };
}
