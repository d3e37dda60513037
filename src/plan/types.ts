import type { Config } from "../config/schema.js";

/**
 * `addons` sits between infra and vault: infra is pure AWS (testable end to end against moto),
 * addons is the first phase that talks to the cluster (load balancer controller, StorageClass).
 */
export const PHASES = ["prepare", "infra", "addons", "vault", "cert-manager", "btp", "verify"] as const;
export type PhaseName = (typeof PHASES)[number];

/** Values a step records in state: ids, ARNs, endpoints. Never secrets. */
export type OutputValue = string | number | boolean | readonly string[];
export type StepOutputs = Readonly<Record<string, OutputValue>>;

/** How a running step tells the world what it is doing. Renderers and the log file see the same lines. */
export interface Reporter {
  /** A short, replaceable progress line ("CREATING, 2m10s"). */
  status(text: string): void;
  /** A line worth keeping in the log and the plain output. */
  info(text: string): void;
  warn(text: string): void;
  /** The step found its work already done; `reason` says why ("key alias/btp-prod already exists"). */
  skip(reason: string): void;
}

/** What every step may read. Adapters arrive through `services`, never through imports. */
export interface StepContext<S = unknown> {
  readonly config: Config;
  /** Outputs of every step that has completed, in this run or an earlier one, by step id. */
  readonly outputs: Readonly<Record<string, StepOutputs>>;
  /** This step's own outputs from an earlier run, if any: a hint where to look first. */
  readonly previous: StepOutputs | undefined;
  readonly services: S;
  /** Aborted on Ctrl-C; long waits should stop at their next poll. */
  readonly signal: AbortSignal;
  /**
   * Saves outputs in the state before the step finishes, so a run killed mid-step leaves the next
   * run a hint (`previous`) of what it may have made: the bucket it was creating, which a kill
   * between CreateBucket and PutBucketTagging leaves without the tags that would identify it.
   * The runner provides it; a step called directly (tests) may go without.
   */
  readonly checkpoint?: (outputs: StepOutputs) => Promise<void>;
}

export interface Step<S = unknown> {
  readonly id: string;
  readonly title: string;
  readonly phase: PhaseName;
  /** Ids of steps that must be complete before this one starts. */
  readonly needs: readonly string[];
  /** What the step would do, for `plan`; pure: no I/O, no credentials. */
  describe(config: Config): string[];
  /** Observe, decide, act, wait, record. Must be safe to repeat from any point. */
  run(context: StepContext<S>, report: Reporter): Promise<StepOutputs | void>;
  /**
   * Set when the step is declared for the plan but its implementation has not shipped yet.
   * The runner refuses to start a plan containing such steps instead of pretending.
   */
  readonly availableIn?: string;
}
