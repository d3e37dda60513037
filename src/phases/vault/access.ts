/**
 * How the vault steps reach Vault and the platform secret: a port-forward to one pod at a time
 * (Vault's service is not exposed outside the cluster), and Secrets Manager for the root token,
 * recovery keys, role-id and secret-id.
 */
import { readPlatformSecret, mergeIntoPlatformSecret } from "../../aws/secrets-manager.js";
import { waitFor, type WaitSettings } from "../../aws/wait.js";
import type { Kube } from "../../k8s/kube.js";
import { stringOutput } from "../../plan/outputs.js";
import type { Reporter, StepContext } from "../../plan/types.js";
import { VaultClient } from "../../vault/client.js";
import type { KubernetesServices } from "../cluster/services.js";
import type { PlatformSecretStore } from "./initialise.js";
import { VAULT_NAMESPACE, VAULT_RELEASE } from "./values.js";

const VAULT_PORT = 8200;
const POD_WAIT = { timeoutMs: 600_000, intervalMs: 5_000 };

export const vaultPod = (index: number) => `${VAULT_RELEASE}-${index}`;

/** The platform secret as the vault steps use it; every value read or written is redacted first. */
export function platformSecretStore(context: StepContext<KubernetesServices>): PlatformSecretStore {
  const arn = stringOutput(context.outputs, "infra/secrets", "secretArn");
  const redact = (value: string) => context.services.secrets.add(value);
  return {
    name: arn,
    load: async () => readPlatformSecret(await context.services.aws.secretsManager(), arn, redact),
    merge: async (values) => void (await mergeIntoPlatformSecret(await context.services.aws.secretsManager(), arn, values, redact)),
  };
}

/**
 * Waits for the pod to run (not to be ready: a sealed or uninitialised Vault fails its readiness
 * probe by design), forwards a port to it, and closes the forward whatever `use` does.
 */
export async function withVaultPod<T>(kube: Kube, pod: string, options: { settings: WaitSettings; report: Reporter; signal: AbortSignal }, use: (vault: VaultClient) => Promise<T>): Promise<T> {
  await waitFor({
    what: `pod ${VAULT_NAMESPACE}/${pod} to run`,
    observe: async () => {
      const found = await kube.get("v1", "Pod", pod, VAULT_NAMESPACE);
      const phase = (found?.status as { phase?: string } | undefined)?.phase;
      return phase === "Running" ? { state: "ready", value: undefined, status: "Running" } : { state: "pending", status: found ? (phase ?? "Pending") : "not created yet" };
    },
    ...POD_WAIT,
    settings: options.settings,
    onStatus: (text) => options.report.status(text),
    signal: options.signal,
    hint: `see why: \`kubectl -n ${VAULT_NAMESPACE} describe pod ${pod}\` (a Pending pod usually lacks a node or its volume); then run \`btp-aws install\` again`,
  });
  const forward = await kube.portForward(VAULT_NAMESPACE, pod, VAULT_PORT);
  try {
    return await use(new VaultClient({ address: `http://127.0.0.1:${forward.localPort}`, signal: options.signal }));
  } finally {
    await forward.close();
  }
}
