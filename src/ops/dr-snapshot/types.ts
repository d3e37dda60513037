/** What the dr-snapshot stages share: the target, the options, the services, and the set's manifest as it grows. */
import type { AwsClients } from "../../aws/clients.js";
import type { BucketRef } from "../../aws/s3.js";
import type { WaitSettings } from "../../aws/wait.js";
import type { StepOutputs } from "../../plan/types.js";
import type { ClusterReach } from "../destroy/types.js";
import type { DependencyModes } from "../doctor/dependency-modes.js";
import type { Manifest } from "./manifest.js";

export interface DrTarget {
  platform: string;
  region: string;
  drRegion: string;
  account: string;
  partition: string;
  /** The config's extra tags (from the state's copy of it), put on everything dr-snapshot creates. */
  tags: Readonly<Record<string, string>>;
  /** Outputs of the state's completed steps; {} without a state file. */
  outputs: Readonly<Record<string, StepOutputs>>;
  /**
   * The dependency modes of the config (or the state's copy). Undefined: unknown, so the managed
   * services are looked for and the in-cluster volumes too; each part captures what it finds.
   */
  modes?: DependencyModes | undefined;
}

export interface DrOptions {
  /** The set's id: new (from the clock) or --id, which resumes that set. */
  setId: string;
  /** --keep N: keep the N newest complete sets, prune the rest. */
  keep: number | undefined;
  /** --include-secrets: export Kubernetes Secrets too, envelope-encrypted with the DR key. */
  includeSecrets: boolean;
  now: () => Date;
}

/** A Vault raft snapshot, taken through the API (VaultClient.raftSnapshot behind a port-forward). */
export type VaultReach = { state: "reachable"; snapshot(): Promise<Uint8Array> } | { state: "absent"; reason: string };

export interface DrServices {
  aws: AwsClients;
  wait: WaitSettings;
  cluster(): Promise<ClusterReach>;
  vault(): Promise<VaultReach>;
}

export interface DrContext {
  readonly target: DrTarget;
  readonly options: DrOptions;
  readonly services: DrServices;
  readonly signal: AbortSignal;
  /** Filled in by the first stages: the DR key and bucket every later stage writes with. */
  dr: { keyArn: string | undefined; bucket: BucketRef };
  manifest: Manifest;
  /** The parts of a set found complete when the run began (JSON), to tell whether anything changed. */
  completeBefore: string | undefined;
}
