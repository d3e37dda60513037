/**
 * `btp-aws doctor`: every check of every area, run at once against the platform, read-only.
 * The CLI (src/cli/commands/doctor.ts) builds the setup; tests build it from fakes and moto.
 */
import type { AwsClients } from "../../aws/clients.js";
import type { Config } from "../../config/schema.js";
import type { Kube } from "../../k8s/kube.js";
import type { PublicProbe } from "../../phases/cluster/services.js";
import type { StepOutputs } from "../../plan/types.js";
import type { State } from "../../state/types.js";
import { awsComputeChecks } from "./checks-aws-compute.js";
import { awsDataChecks } from "./checks-aws-data.js";
import { awsEdgeChecks } from "./checks-aws-edge.js";
import { endpointChecks, sharedProbe } from "./checks-endpoint.js";
import { kubernetesChecks } from "./checks-kubernetes.js";
import { localChecks } from "./checks-local.js";
import { securityChecks } from "./checks-security.js";
import { dependencyChecks } from "./checks-dependencies.js";
import { dependencyModes, type Dependency } from "./dependency-modes.js";
import { createFacts } from "./facts.js";
import { runChecks } from "./runner.js";
import type { Check, CheckResult, DoctorContext, LocalFacts } from "./types.js";

export type { Check, CheckResult } from "./types.js";
export { doctorExitCode } from "./runner.js";
export { doctorJson, renderDoctorTable } from "./render.js";

/** The AWS data checks that look at a dependency's managed service, by the dependency they belong to. */
const MANAGED_SERVICE_CHECKS: Readonly<Record<string, Dependency>> = { "aws/rds": "database", "aws/rds-storage": "database", "aws/elasticache": "cache", "aws/s3": "storage" };

/**
 * Every check that applies to the platform: a dependency that is in-cluster or external has its
 * own check instead of the managed service's (without a config, the modes are read as aws).
 */
export function doctorChecks(config?: Config): Check[] {
  const modes = dependencyModes(config);
  const awsData = awsDataChecks.filter((c) => {
    const dependency = MANAGED_SERVICE_CHECKS[c.id];
    return dependency === undefined || modes[dependency] === "aws";
  });
  return [...localChecks, ...awsComputeChecks, ...awsData, ...awsEdgeChecks, ...kubernetesChecks, ...dependencyChecks(config), ...endpointChecks, ...securityChecks];
}

export interface DoctorSetup {
  platform: string;
  region: string;
  config: Config | undefined;
  state: State | undefined;
  outputs: Readonly<Record<string, StepOutputs>>;
  aws: AwsClients;
  local: LocalFacts;
  kube(): Promise<Kube>;
  probe: PublicProbe;
  secrets: { add(secret: string): void };
  now?: () => Date;
}

export interface DoctorRun {
  results: CheckResult[];
  durationMs: number;
}

export function doctorContext(setup: DoctorSetup): Omit<DoctorContext, "signal"> {
  let kube: Promise<Kube> | undefined;
  return {
    platform: setup.platform,
    region: setup.region,
    config: setup.config,
    state: setup.state,
    outputs: setup.outputs,
    aws: setup.aws,
    facts: createFacts({ platform: setup.platform, region: setup.region, config: setup.config, outputs: setup.outputs, aws: setup.aws }),
    local: setup.local,
    // One connection for every Kubernetes check; a failed attempt is shared too (same answer).
    kube: () => (kube ??= setup.kube()),
    probe: sharedProbe(setup.probe),
    secrets: setup.secrets,
    now: setup.now ?? (() => new Date()),
  };
}

export async function runDoctor(setup: DoctorSetup, options: { timeoutMs: number; checks?: readonly Check[] }): Promise<DoctorRun> {
  const started = Date.now();
  const results = await runChecks(options.checks ?? doctorChecks(setup.config), doctorContext(setup), { timeoutMs: options.timeoutMs });
  return { results, durationMs: Date.now() - started };
}
