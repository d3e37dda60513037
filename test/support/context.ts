/** A StepContext with the given services, as the runner would build it. */
import type { Config } from "../../src/config/schema.js";
import type { StepContext, StepOutputs } from "../../src/plan/types.js";

export function stepContext<S>(config: Config, services: S, outputs: Record<string, StepOutputs> = {}): StepContext<S> {
  return { config, services, outputs, previous: undefined, signal: new AbortController().signal };
}

/** For steps that take a DNS resolver but must not use one in this test. */
export const NO_DNS = { resolveNs: (): Promise<string[]> => Promise.reject(new Error("this test does no DNS lookups")) };

/** For prepare/infra runs: any step that reached for the cluster or the internet would fail loudly. */
export const NO_CLUSTER = {
  kube: (): Promise<never> => Promise.reject(new Error("this test has no Kubernetes cluster")),
  helm: (): Promise<never> => Promise.reject(new Error("this test has no Kubernetes cluster")),
  localHelm: (): Promise<never> => Promise.reject(new Error("this test runs no helm")),
};
export const NO_PROBE = {
  resolve4: (): Promise<never> => Promise.reject(new Error("this test does no DNS lookups")),
  https: (): Promise<never> => Promise.reject(new Error("this test makes no HTTPS requests")),
};
