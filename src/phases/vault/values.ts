/**
 * Values for the hashicorp/vault chart: HA with 3 replicas on raft storage (the guide's HA with
 * `file` storage cannot work), auto-unseal with `seal "awskms"` through the vault IRSA role. No
 * secrets: the seal's credentials come from IRSA.
 *
 * TLS is disabled inside the cluster for now: platform-to-Vault and retry_join traffic is plain
 * HTTP on the pod network (raft's cluster port 8201 is TLS regardless, with certificates Vault
 * makes). Enabling it needs a certificate for the vault services; cert-manager comes later.
 */
import type { Config } from "../../config/schema.js";
import { stringOutput } from "../../plan/outputs.js";
import type { StepOutputs } from "../../plan/types.js";

/** Must equal infra's IRSA_SERVICE_ACCOUNTS.vault (a test holds them together: phases do not import each other). */
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

/** Region names and ARNs only, so nothing can close the HCL string's quote. */
function hclString(value: string, what: string): string {
  if (!/^[A-Za-z0-9:/._-]+$/.test(value)) throw new Error(`${what} "${value}" is not a region, ARN or key id`);
  return `"${value}"`;
}

/** Each pod retries joining every other through the headless service: whichever is initialised first leads. */
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
export function vaultValuesFromState(config: { aws: Pick<Config["aws"], "region"> }, outputs: Readonly<Record<string, StepOutputs>>): Record<string, unknown> {
  return vaultValues({
    region: config.aws.region,
    kmsKeyArn: stringOutput(outputs, "infra/kms", "keyArn"),
    irsaRoleArn: stringOutput(outputs, "infra/irsa", "vaultRoleArn"),
  });
}
