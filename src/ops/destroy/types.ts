/**
 * What the destroy stages share. A stage is a StepRef (so the install renderers draw it) with two
 * halves: `survey` finds what is live and says what it would delete (the dry run), `run` deletes
 * it and waits until it is gone. Both start from the world, never from memory of an earlier run,
 * so a stage whose work is done skips with a reason and destroy resumes anywhere.
 */
import type { AwsClients } from "../../aws/clients.js";
import type { WaitSettings } from "../../aws/wait.js";
import type { Helm } from "../../helm/release.js";
import type { Kube } from "../../k8s/kube.js";
import type { Reporter, StepOutputs } from "../../plan/types.js";
import type { StepRef } from "../../runner/types.js";

export interface ClusterHandles {
  kube: Kube;
  helm: Helm;
}

/** The cluster's API, or why there is none to talk to (then the Kubernetes stages skip). */
export type ClusterReach = { state: "reachable"; handles: ClusterHandles } | { state: "absent"; reason: string };

export interface DestroyServices {
  aws: AwsClients;
  wait: WaitSettings;
  /** Connects on first call and answers the same afterwards. */
  cluster(): Promise<ClusterReach>;
}

export interface DestroyTarget {
  platform: string;
  region: string;
  account: string;
  /** aws, aws-cn, aws-us-gov: how ARNs are written. */
  partition: string;
  /** Outputs of the state's completed steps: where to look first. {} without a state file. */
  outputs: Readonly<Record<string, StepOutputs>>;
  /** From the config (or the state's copy of it); undefined: found from the platform's certificate. */
  dns: { domain: string; hostedZoneId: string | undefined } | undefined;
  /** Where dr-snapshot copies live: listed in the leak report as kept, never deleted. */
  drRegion: string | undefined;
}

export interface DestroyOptions {
  /** --delete-data: empty and delete the bucket, every version included. */
  deleteData: boolean;
  /** --skip-final-snapshot: delete the database without a last snapshot. */
  skipFinalSnapshot: boolean;
  now: () => Date;
}

/** A resource destroy leaves in place on purpose, and why. */
export interface Kept {
  resource: string;
  reason: string;
}

/** What the stages decided as they went: the leak report reads it. */
export interface DestroyLedger {
  kept: Kept[];
  /** Secrets and keys: deleted for good only after their waiting period. */
  scheduled: Kept[];
}

export interface DestroyContext {
  readonly target: DestroyTarget;
  readonly options: DestroyOptions;
  readonly services: DestroyServices;
  readonly signal: AbortSignal;
  readonly ledger: DestroyLedger;
}

/** A live resource a stage found: what it would delete, or keep and why. */
export interface SurveyItem {
  resource: string;
  /** Why destroy leaves it in place; absent: the stage deletes it. */
  kept?: string;
}

/** A stage of destroy (or, with its own context, of dr-snapshot): one ordered, idempotent unit of work. */
export interface Stage<C = DestroyContext> extends StepRef {
  /** Every live resource the stage would delete or keep (or capture); [] when nothing is left. Read-only. */
  survey(context: C): Promise<SurveyItem[]>;
  run(context: C, report: Reporter): Promise<void>;
}
