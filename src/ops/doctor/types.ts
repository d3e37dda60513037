/**
 * The shape of a doctor check and of what it finds. A check only reads: it looks at the world
 * through the context (AWS clients, the cluster, public DNS and HTTPS) and says ok, warn or fail,
 * with a one-line fix for anything that is not ok.
 */
import type { AwsClients } from "../../aws/clients.js";
import type { Config } from "../../config/schema.js";
import type { HelmLocator } from "../../helm/binary.js";
import type { Kube } from "../../k8s/kube.js";
import type { PublicProbe } from "../../phases/cluster/services.js";
import type { StepOutputs } from "../../plan/types.js";
import type { State } from "../../state/types.js";
import type { Facts } from "./facts.js";

export type CheckArea = "local" | "aws" | "kubernetes" | "endpoint" | "security";
export const AREAS: readonly CheckArea[] = ["local", "aws", "kubernetes", "endpoint", "security"];

export type CheckStatus = "ok" | "warn" | "fail";

export interface CheckOutcome {
  status: CheckStatus;
  /** What was found, in one line: names, ids, values. */
  detail: string;
  /** What to do about it, in one line; required for warn and fail. */
  fix?: string;
}

/** What the local checks need to know about how the command itself started. */
export interface LocalFacts {
  /**
   * Where the config came from: a file, flags and environment alone, the state's record of the
   * last install, or nowhere (only --platform/--region).
   */
  configSource: "file" | "flags" | "state" | undefined;
  /** The config file, when one was given or found. */
  configPath: string | undefined;
  /** Why the config file could not be used: its problems, path-prefixed. */
  configProblems: readonly string[] | undefined;
  configWarnings: readonly string[];
  stateDir: string;
  /** Why the state file could not be read (corrupt, newer version, wrong platform). */
  stateProblem: { message: string; hint: string | undefined } | undefined;
  /** The helm binary as install would find it: BTP_AWS_HELM, else PATH. */
  helm: HelmLocator;
}

export interface DoctorContext {
  readonly platform: string;
  readonly region: string;
  /** The config file's, else the one the last install recorded; undefined with neither. */
  readonly config: Config | undefined;
  readonly state: State | undefined;
  /** Outputs of every completed step, by step id. */
  readonly outputs: Readonly<Record<string, StepOutputs>>;
  readonly aws: AwsClients;
  /** AWS lookups shared by every check, each made at most once. */
  readonly facts: Facts;
  readonly local: LocalFacts;
  /** The platform's cluster API, connected on first use; rejects when it cannot be reached. */
  kube(): Promise<Kube>;
  readonly probe: PublicProbe;
  /** Registers a secret value read along the way, so no output can show it. */
  readonly secrets: { add(secret: string): void };
  readonly now: () => Date;
  /** Aborted when the check has run out of time. */
  readonly signal: AbortSignal;
}

export interface Check {
  id: string;
  title: string;
  area: CheckArea;
  run(ctx: DoctorContext): Promise<CheckOutcome>;
}

export interface CheckResult extends CheckOutcome {
  id: string;
  title: string;
  area: CheckArea;
  durationMs: number;
}

export const ok = (detail: string): CheckOutcome => ({ status: "ok", detail });
export const warn = (detail: string, fix: string): CheckOutcome => ({ status: "warn", detail, fix });
export const fail = (detail: string, fix: string): CheckOutcome => ({ status: "fail", detail, fix });
