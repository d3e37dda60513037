/**
 * Values for the hashicorp/vault chart: HA with 3 replicas on integrated raft storage (the
 * guide's `ha.enabled` with `file` storage cannot work: file storage has no HA), auto-unseal with
 * `seal "awskms"` and the platform KMS key, reached through the vault IRSA role.
 *
 * TLS is disabled inside the cluster for now (`global.tlsDisable` and the listener's
 * `tls_disable`): traffic between the platform and Vault, and raft's API-address traffic,
 * is plain HTTP on the pod network. Raft's own cluster port (8201) is TLS regardless, with
 * certificates Vault generates. Enabling TLS needs a certificate for the vault services
 * (cert-manager runs after this phase), and is left for later.
 *
 * The values hold no secrets: the seal's credentials come from IRSA, not from a key in the
 * values. Pure: the release step and `btp-aws values vault` build the same object.
 */
import type { Config } from "../../config/schema.js";
import { stringOutput } from "../../plan/outputs.js";
import type { StepOutputs } from "../../plan/types.js";

/**
 * Release, namespace and service account. They must equal infra's IRSA_SERVICE_ACCOUNTS.vault
 * (the role trusts exactly that service account); a unit test holds the two together, since a
 * phase does not import another phase.
 */
export const VAULT_RELEASE = "vault";
export const VAULT_NAMESPACE = "vault";
export const VAULT_SERVICE_ACCOUNT = "vault";
export const VAULT_REPLICAS = 3;

export interface VaultValuesInput {
  region: string;
  /** The platform key's ARN (infra/kms keyArn). */
  kmsKeyArn: string;
  /** The vault IRSA role (infra/irsa vaultRoleArn). */
  irsaRoleArn: string;
  replicas?: number;
  storageSize?: string;
}

/** A value placed inside an HCL string: region names and ARNs only, so nothing can close the quote. */
function hclString(value: string, what: string): string {
  if (!/^[A-Za-z0-9:/._-]+$/.test(value)) throw new Error(`${what} "${value}" is not a region, ARN or key id`);
  return `"${value}"`;
}

/**
 * The server configuration. Each pod retries joining every other through the headless service
 * `<release>-internal` (pods are `<release>-<n>`): whichever is initialised first leads.
 */
export function vaultServerConfig(input: VaultValuesInput): string {
  const replicas = input.replicas ?? VAULT_REPLICAS;
  const joins = Array.from({ length: replicas }, (_, i) => `  retry_join {\n    leader_api_addr = "http://${VAULT_RELEASE}-${i}.${VAULT_RELEASE}-internal:8200"\n  }`);
  return [
    "ui = true",
    "",
    'listener "tcp" {',
    "  tls_disable = 1",
    '  address = "[::]:8200"',
    '  cluster_address = "[::]:8201"',
    "}",
    "",
    'storage "raft" {',
    '  path = "/vault/data"',
    ...joins,
    "}",
    "",
    'seal "awskms" {',
    `  region = ${hclString(input.region, "region")}`,
    `  kms_key_id = ${hclString(input.kmsKeyArn, "KMS key")}`,
    "}",
    "",
    'service_registration "kubernetes" {}',
    "",
  ].join("\n");
}

export function vaultValues(input: VaultValuesInput): Record<string, unknown> {
  const replicas = input.replicas ?? VAULT_REPLICAS;
  return {
    global: { tlsDisable: true },
    // The platform authenticates with AppRole; nothing needs the agent injector's webhook.
    injector: { enabled: false },
    server: {
      ha: {
        enabled: true,
        replicas,
        raft: { enabled: true, setNodeId: true, config: vaultServerConfig(input) },
      },
      dataStorage: { enabled: true, size: input.storageSize ?? "10Gi" },
      serviceAccount: {
        create: true,
        name: VAULT_SERVICE_ACCOUNT,
        annotations: { "eks.amazonaws.com/role-arn": input.irsaRoleArn },
      },
      // The Kubernetes auth method reviews tokens with Vault's own service account.
      authDelegator: { enabled: true },
      // The chart's default anti-affinity is required: with fewer nodes than replicas, a pod
      // would stay Pending forever. Preferred spreads them when it can and still schedules.
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              podAffinityTerm: {
                labelSelector: { matchLabels: { "app.kubernetes.io/name": "vault", "app.kubernetes.io/instance": VAULT_RELEASE, component: "server" } },
                topologyKey: "kubernetes.io/hostname",
              },
            },
          ],
        },
      },
    },
  };
}

/** The values from the config and infra's outputs, as install and `btp-aws values vault` build them. */
export function vaultValuesFromState(config: Pick<Config, "aws">, outputs: Readonly<Record<string, StepOutputs>>): Record<string, unknown> {
  return vaultValues({
    region: config.aws.region,
    kmsKeyArn: stringOutput(outputs, "infra/kms", "keyArn"),
    irsaRoleArn: stringOutput(outputs, "infra/irsa", "vaultRoleArn"),
  });
}
