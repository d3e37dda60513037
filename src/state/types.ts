import type { StepOutputs } from "../plan/types.js";

export const STATE_VERSION = 1;

export type StepStatus = "running" | "done" | "failed" | "interrupted";

export interface StepRecord {
  status: StepStatus;
  startedAt: string; // ISO 8601
  finishedAt?: string;
  /** Why a completed step did nothing ("key alias/btp-x already exists"). */
  skipped?: string;
  outputs: StepOutputs;
  error?: { message: string; hint?: string };
}

/** The state file. No secrets, ever: only references (ARNs) to where secrets live. */
export interface State {
  version: typeof STATE_VERSION;
  platform: string;
  region: string;
  createdAt: string;
  updatedAt: string;
  /** sha256 of the canonical JSON of the (secret-free) config used by the last run. */
  configFingerprint: string | undefined;
  /** That config itself, so a changed config can be shown as a diff. */
  config: unknown;
  steps: Record<string, StepRecord>;
}

/** What the runner needs from the state: read it, and change it atomically. */
export interface StateStore {
  readonly path: string;
  current(): Readonly<State>;
  /**
   * Applies `change` to a copy and persists it atomically. Changes apply in call order; calls made
   * together may share one write, and each resolves once a write holding its change is durable.
   */
  update(change: (draft: State) => void): Promise<void>;
}
