import type { Writable } from "node:stream";
import {
  DefaultRenderer,
  getRendererClass,
  Listr,
  ListrLogger,
  ProcessOutput,
  type ListrRendererFactory,
  type ListrTask,
  type ListrTaskWrapper,
} from "listr2";
import { BtpAwsError } from "../errors.js";
import { formatDuration } from "./format.js";
import type { RunEvents, StepRef, StepTiming } from "./types.js";

export interface ListrRendererOptions {
  output: Writable;
  /** "default" draws the live tree; tests pick "test" or "simple" for stable text. */
  renderer?: "default" | "simple" | "verbose" | "test";
}

export interface ListrView {
  events: RunEvents;
  /** Call once the run has returned: closes what never ran and waits for the last frame. */
  done(): Promise<void>;
}

type Outcome =
  | { kind: "done"; timing: StepTiming }
  | { kind: "failed"; error: Error }
  | { kind: "skipped"; reason: string };

type Task = ListrTaskWrapper<unknown, ListrRendererFactory, ListrRendererFactory>;

interface StepView {
  readonly title: string;
  /** Set once listr2 calls the task function; until then `output` keeps the latest line. */
  task?: Task;
  output?: string;
  settled: boolean;
  settle(outcome: Outcome): void;
  readonly outcome: Promise<Outcome>;
}

// listr2 only draws: the scheduler runs the steps, and each listr2 task merely waits to be told
// how its step ended, so listr2's own concurrency and error handling never decide anything.
export function createListrRenderer(steps: readonly StepRef[], options: ListrRendererOptions): ListrView {
  const views = new Map(steps.map((step) => [step.id, stepView(`${step.phase} › ${step.title}`)]));
  let running: Promise<unknown> | undefined;

  // Started on the first event, so a plan rejected up front leaves no half-drawn list behind.
  const start = (): void => {
    running ??= buildListr([...views.values()], options).run();
  };
  const show = (step: StepRef, text: string): void => {
    start();
    const view = views.get(step.id);
    if (view === undefined || view.settled) return;
    view.output = text;
    if (view.task) view.task.output = text;
  };
  const settle = (step: StepRef, outcome: Outcome): void => {
    start();
    views.get(step.id)?.settle(outcome);
  };

  return {
    events: {
      stepWaiting: (step, waitingFor) => show(step, `waiting for ${waitingFor.join(", ")}`),
      stepStarted: (step) => show(step, ""),
      stepStatus: show,
      stepInfo: show,
      stepWarn: (step, text) => show(step, `⚠ ${text}`),
      stepDone: (step, timing) => settle(step, { kind: "done", timing }),
      stepFailed: (step, error) => settle(step, { kind: "failed", error }),
      stepInterrupted: (step) => settle(step, { kind: "skipped", reason: "interrupted: resumes on the next run" }),
    },
    async done() {
      if (running === undefined) return;
      for (const view of views.values()) view.settle({ kind: "skipped", reason: "not started" });
      await running;
    },
  };
}

function buildListr(views: StepView[], options: ListrRendererOptions): Listr<unknown, ListrRendererFactory, ListrRendererFactory> {
  const logger = new ListrLogger({ useIcons: true, processOutput: outputTo(options.output) });
  const tasks: ListrTask<unknown, ListrRendererFactory, ListrRendererFactory>[] = views.map((view) => ({
    title: view.title,
    task: async (_context, task) => {
      view.task = task;
      if (view.output !== undefined) task.output = view.output;
      const outcome = await view.outcome;
      if (outcome.kind === "failed") throw withHint(outcome.error);
      if (outcome.kind === "skipped") return task.skip(outcome.reason);
      task.title = `${view.title} (${formatDuration(outcome.timing.durationMs)})`;
      if (outcome.timing.skipped !== undefined) task.skip(outcome.timing.skipped);
    },
  }));
  const renderer = options.renderer ?? "default";
  return new Listr(tasks, {
    concurrent: true,
    // A failed step was already recorded by the scheduler; the others must still be drawn.
    exitOnError: false,
    // interrupt.ts owns SIGINT; listr2's own handler would exit the process with 127.
    registerSignalListeners: false,
    renderer: renderer === "default" ? TerminalRenderer : getRendererClass(renderer),
    // Keep the step's title, with the skip reason or error under it.
    rendererOptions: { logger, collapseSkips: false, collapseErrors: false, formatOutput: "truncate" },
  });
}

// listr2 falls back to plain text when process.stdout is not a terminal; we draw on stderr,
// which the CLI has already checked is one.
class TerminalRenderer extends DefaultRenderer {
  static override nonTTY = true;
}

/** Both of listr2's channels go to our stream; it uses only write(), columns and isTTY. */
function outputTo(output: Writable): ProcessOutput {
  const stream = output as NodeJS.WriteStream;
  return new ProcessOutput(stream, stream);
}

/** listr2 shows only the message; the hint, what to do next, goes under it. */
function withHint(error: Error): Error {
  return error instanceof BtpAwsError && error.hint !== undefined ? new Error(`${error.message}\n→ ${error.hint}`) : error;
}

function stepView(title: string): StepView {
  let resolve: (outcome: Outcome) => void = () => {};
  const outcome = new Promise<Outcome>((r) => (resolve = r));
  const view: StepView = {
    title,
    settled: false,
    outcome,
    settle(result) {
      if (view.settled) return;
      view.settled = true;
      resolve(result);
    },
  };
  return view;
}
