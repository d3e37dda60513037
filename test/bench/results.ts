/** What install.measure.ts hands run.mjs (as JSON in the file named by BENCH_RESULTS). */
export interface StepTime {
  id: string;
  /** Seconds from the command's start until the step started. */
  startedS: number;
  /** The need that finished last (what it was waiting for), if any. */
  lastNeed: string | undefined;
  /** Seconds between its last need finishing (or the start) and the step starting. */
  waitedS: number;
  tookS: number;
  /** Its typical duration, scaled: what the lower bound counts for it. */
  modelledS: number;
}

export interface BenchResults {
  scale: number;
  /** The headline run's makespan: the median of the runs. */
  makespanS: number;
  /** Every counted run's makespan, in the order they ran. */
  makespansS: number[];
  /** The uncounted first install's makespan (compile cache and proxy warm-up). */
  warmupS: number | undefined;
  /** The scaled critical-path lower bound. */
  boundS: number;
  /** The typical critical path (the bound's). */
  criticalPath: string[];
  /** The chain this run waited on, first step first. */
  timeline: StepTime[];
  /** Seconds from the last step's end to the command's exit (summary, closing clients and the log). */
  tailS: number;
  /** Every selected step: [seconds when it started, seconds when it finished]. */
  steps: Record<string, [number, number]>;
  installCalls: { read: number; mutating: number; polls: number; pollsByOperation: Record<string, number> };
  noOp: { seconds: number; read: number; mutating: number };
}
