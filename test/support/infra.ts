/** Infra steps against moto: services, outputs of the steps they need, and a runner for one step. */
import type { Config } from "../../src/config/schema.js";
import type { InfraServices } from "../../src/phases/infra/services.js";
import type { Step, StepOutputs } from "../../src/plan/types.js";
import { MOTO_ACCOUNT } from "./moto.js";
import type { InstallServices } from "../../src/cli/steps.js";
import { createHelmLocator } from "../../src/helm/binary.js";
import { Redactor } from "../../src/secrets/redact.js";
import { motoClients, type TestClients } from "./aws.js";
import { serveBudgetsMotoGaps } from "./budgets-moto-gaps.js";
import { NO_CLUSTER, NO_PROBE } from "./context.js";
import { serveEksMotoGaps } from "./eks-moto-gaps.js";
import { recordingReporter, type RecordingReporter } from "./reporter.js";

export interface TestInfraServices extends InfraServices {
  aws: TestClients;
  /** Every secret a step registered, so tests can scan output for leaks. */
  registeredSecrets: string[];
}

/** Waits poll every millisecond: moto resources are ready at once, or never. */
export function infraServices(endpoint: string, region = "eu-west-1"): TestInfraServices {
  const registeredSecrets: string[] = [];
  return {
    aws: motoClients(endpoint, { region }),
    wait: { scale: 0.001 },
    secrets: { add: (s) => void registeredSecrets.push(s) },
    registeredSecrets,
  };
}

/** What prepare would have recorded against moto. */
export const PREPARE_OUTPUTS: Record<string, StepOutputs> = {
  "prepare/credentials": { account: MOTO_ACCOUNT, principal: `arn:aws:iam::${MOTO_ACCOUNT}:user/moto` },
};

/** Runs one step as the runner would, returning its outputs and what it reported. */
export async function runStep<S>(step: Step<S>, config: Config, services: S, outputs: Record<string, StepOutputs>, previous?: StepOutputs): Promise<{ outputs: StepOutputs; report: RecordingReporter }> {
  const report = recordingReporter();
  const result = await step.run({ config, services, outputs, previous, signal: new AbortController().signal }, report);
  return { outputs: result ?? {}, report };
}

/**
 * What `install --only prepare,infra` runs with against moto: moto-backed clients with the EKS and
 * Budgets gaps served, the given helm for prepare/tools, no public DNS, no cluster, polls at 1/1000.
 */
export async function motoInstallServices(aws: TestClients, helmPath: string): Promise<InstallServices> {
  serveEksMotoGaps(await aws.eks(), aws.counter);
  serveBudgetsMotoGaps(await aws.budgets(), aws.counter);
  return {
    aws,
    helm: createHelmLocator({ path: helmPath, envPath: "" }),
    // Public DNS is not reachable here: the NS comparison is covered by the prepare tests.
    dns: { resolveNs: () => Promise.reject(new Error("no public DNS in tests")) },
    wait: { scale: 0.001 },
    secrets: new Redactor(),
    cluster: NO_CLUSTER,
    probe: NO_PROBE,
    userSecrets: {},
  };
}
