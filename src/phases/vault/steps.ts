/**
 * The vault phase: the chart (HA, raft, awskms), initialisation once through vault-0, then the
 * platform's configuration. Secrets move only between Vault and Secrets Manager.
 */
import { BtpAwsError, errorMessage } from "../../errors.js";
import type { Step } from "../../plan/types.js";
import { addonChart, addonRelease } from "../cluster/charts.js";
import { releaseStep } from "../cluster/release-step.js";
import { clusterTarget, type KubernetesServices } from "../cluster/services.js";
import { platformSecretStore, vaultPod, withVaultPod } from "./access.js";
import { configureVault, IN_CLUSTER_KUBERNETES_HOST, KV_MOUNTS, ROLE_ID_KEY, ROLE_NAME, SECRET_ID_KEY } from "./configure.js";
import { initialiseVault, ROOT_TOKEN_KEY, waitForRaftPeers } from "./initialise.js";
import { VAULT_REPLICAS, vaultValuesFromState } from "./values.js";
import type { VaultClient } from "../../vault/client.js";

const RELEASE_TIMEOUT_SECONDS = 600;

export const vaultReleaseStep: Step<KubernetesServices> = {
  id: "vault/release",
  title: "Vault release",
  phase: "vault",
  needs: ["addons/storage-class", "infra/irsa", "infra/kms"],
  describe: (config) => {
    const chart = addonChart("vault", config);
    return [`helm release ${chart.release} (${chart.chart} ${chart.version}): HA, ${VAULT_REPLICAS} replicas, raft storage, awskms auto-unseal with alias/btp-${config.platform}`];
  },
  run(context, report) {
    return releaseStep(context, report, addonRelease("vault", context.config, {
      values: vaultValuesFromState(context.config, context.outputs),
      // Not --wait: a pod is ready only once unsealed, which needs the initialisation that follows.
      wait: false,
      timeoutSeconds: RELEASE_TIMEOUT_SECONDS,
      createNamespace: true,
    }));
  },
};

export const vaultInitialiseStep: Step<KubernetesServices> = {
  id: "vault/initialise",
  title: "Vault initialisation",
  phase: "vault",
  needs: ["vault/release", "infra/secrets"],
  describe: () => ["initialise once through vault-0; recovery keys and root token straight into Secrets Manager; wait for every replica to join raft and unseal"],
  async run(context, report) {
    const { services, signal } = context;
    const kube = await services.cluster.kube(clusterTarget(context));
    const secrets = platformSecretStore(context);
    const pod = { settings: services.wait, report, signal };
    const { initialisedNow } = await withVaultPod(kube, vaultPod(0), pod, async (vault) => {
      const result = await initialiseVault({ vault, secrets, redact: (s) => services.secrets.add(s), report, waitSettings: services.wait, signal });
      return { initialisedNow: result.initialisedNow };
    });
    const rootToken = (await secrets.load())[ROOT_TOKEN_KEY];
    if (!rootToken) throw new BtpAwsError(`the platform secret has no ${ROOT_TOKEN_KEY} right after initialisation`, { hint: "run `btp-aws install --from vault` again" });
    const peers = await withReplicas(kube, pod, rootToken, (replicas) => waitForRaftPeers({ replicas, expected: VAULT_REPLICAS, report, waitSettings: services.wait, signal }));
    report.info(`${peers.length} raft peers, all voters and unsealed${initialisedNow ? "" : " (Vault was already initialised)"}`);
    return { raftPeers: peers.length };
  },
};

/** A port-forward per replica for the raft wait; every forward is closed afterwards. */
async function withReplicas<T>(kube: Parameters<typeof withVaultPod>[0], pod: Parameters<typeof withVaultPod>[2], token: string, use: (replicas: VaultClient[]) => Promise<T>, index = 0, open: VaultClient[] = []): Promise<T> {
  if (index === VAULT_REPLICAS) return use(open);
  return withVaultPod(kube, vaultPod(index), pod, (vault) => withReplicas(kube, pod, token, use, index + 1, [...open, vault.withToken(token)]));
}

export const vaultConfigureStep: Step<KubernetesServices> = {
  id: "vault/configure",
  title: "Vault configuration",
  phase: "vault",
  needs: ["vault/initialise"],
  describe: () => [`kv-v2 at ${KV_MOUNTS.join(", ")}; Kubernetes auth; AppRole ${ROLE_NAME} with its policy; role-id and secret-id into Secrets Manager`],
  async run(context, report) {
    const { services, signal } = context;
    const kube = await services.cluster.kube(clusterTarget(context));
    const secrets = platformSecretStore(context);
    const stored = await secrets.load();
    const rootToken = stored[ROOT_TOKEN_KEY];
    if (!rootToken) throw new BtpAwsError(`the platform secret has no ${ROOT_TOKEN_KEY}: Vault was not initialised by btp-aws`, { hint: "run `btp-aws install --from vault`" });
    // Any replica will do: a standby forwards writes to the active node.
    const result = await withVaultPod(kube, vaultPod(0), { settings: services.wait, report, signal }, (vault) =>
      configureVault(vault.withToken(rootToken), {
        kubernetesHost: IN_CLUSTER_KUBERNETES_HOST,
        ...(stored[SECRET_ID_KEY] ? { storedSecretId: stored[SECRET_ID_KEY] } : {}),
        redact: (s) => services.secrets.add(s),
        report,
      }),
    );
    try {
      await secrets.merge({ [ROLE_ID_KEY]: result.roleId, [SECRET_ID_KEY]: result.secretId });
    } catch (error) {
      throw new BtpAwsError(`Vault is configured, but the role-id and secret-id could not be stored in the platform secret: ${errorMessage(error)}`, {
        cause: error,
        hint: "fix access to the secret, then run `btp-aws install --from vault` (a new secret-id is made; the unstored one stays unused)",
      });
    }
    if (result.changes.length === 0) report.skip("Vault configuration already matches: kv-v2 mounts, auth methods, policy, role and secret-id");
    return { role: ROLE_NAME, mounts: [...KV_MOUNTS] };
  },
};

export const vaultSteps: Step<KubernetesServices>[] = [vaultReleaseStep, vaultInitialiseStep, vaultConfigureStep];
