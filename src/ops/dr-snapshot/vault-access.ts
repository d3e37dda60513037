/**
 * The Vault raft snapshot through the API: a port-forward to a running Vault pod (the active one
 * when the chart labels it), authenticated with the root token the vault phase stored in the
 * platform secret. The token is registered with the redactor before it is used.
 */
import type { AwsClients } from "../../aws/clients.js";
import { readPlatformSecret } from "../../aws/secrets-manager.js";
import { describeAwsError } from "../../aws/errors.js";
import type { SecretSink } from "../../phases/infra/services.js";
import { ROOT_TOKEN_KEY } from "../../phases/vault/initialise.js";
import { VaultClient } from "../../vault/client.js";
import type { ClusterReach } from "../destroy/types.js";
import { VAULT_RELEASE } from "../destroy/releases.js";
import type { VaultReach } from "./types.js";

const VAULT_PORT = 8200;

export interface VaultAccessOptions {
  cluster: () => Promise<ClusterReach>;
  aws: AwsClients;
  /** The platform secret (infra/secrets secretArn, or its name). */
  secretId: string;
  secrets: SecretSink;
  signal?: AbortSignal;
}

export function vaultAccess(options: VaultAccessOptions): () => Promise<VaultReach> {
  return async () => {
    const reach = await options.cluster();
    if (reach.state === "absent") return { state: "absent", reason: reach.reason };
    const { kube } = reach.handles;
    const pods = await kube.list("v1", "Pod", { namespace: VAULT_RELEASE.namespace, labelSelector: "app.kubernetes.io/name=vault,component=server" });
    const running = pods.filter((p) => (p.status as { phase?: string } | undefined)?.phase === "Running");
    // The active node answers a snapshot itself; a standby would forward the request to it.
    const pod = running.find((p) => p.metadata.labels?.["vault-active"] === "true") ?? running[0];
    if (!pod) return { state: "absent", reason: `no running Vault pod in namespace ${VAULT_RELEASE.namespace}` };
    let secret: Record<string, string>;
    try {
      secret = await readPlatformSecret(await options.aws.secretsManager(), options.secretId, (value) => options.secrets.add(value));
    } catch (error) {
      throw describeAwsError(error, `read the Vault root token from ${options.secretId} (secretsmanager:GetSecretValue)`, { endpoint: options.aws.endpoint, region: options.aws.region });
    }
    const token = secret[ROOT_TOKEN_KEY];
    if (token === undefined) return { state: "absent", reason: `the platform secret holds no Vault root token (${ROOT_TOKEN_KEY}): Vault was not initialised by btp-aws` };
    return {
      state: "reachable",
      async snapshot() {
        const forward = await kube.portForward(VAULT_RELEASE.namespace, pod.metadata.name, VAULT_PORT);
        try {
          return await new VaultClient({ address: `http://127.0.0.1:${forward.localPort}`, token, ...(options.signal ? { signal: options.signal } : {}) }).raftSnapshot();
        } finally {
          await forward.close();
        }
      },
    };
  };
}
