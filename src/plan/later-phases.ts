/**
 * The steps of the phases after infra, declared with their dependencies so `plan` shows the
 * whole DAG and its critical path. Each is implemented in its own module as the phases land.
 */
import { declaredStep } from "./declared.js";
import type { Step } from "./types.js";

export function kubernetesSteps(): Step[] {
  return [
    declaredStep({ id: "addons/load-balancer-controller", title: "AWS Load Balancer Controller", phase: "addons", needs: ["infra/eks-addons", "infra/irsa"], describe: () => ["helm release aws-load-balancer-controller with its IRSA service account"] }),
    declaredStep({ id: "addons/storage-class", title: "Default gp3 StorageClass", phase: "addons", needs: ["infra/eks-addons", "infra/kms"], describe: (c) => [`gp3 StorageClass, encrypted with alias/btp-${c.platform}, WaitForFirstConsumer, expansion on; old default unset`] }),
    declaredStep({ id: "vault/release", title: "Vault release", phase: "vault", needs: ["addons/storage-class", "infra/irsa"], describe: () => ["helm release vault: HA, 3 replicas, raft storage, awskms auto-unseal"] }),
    declaredStep({ id: "vault/initialise", title: "Vault initialisation", phase: "vault", needs: ["vault/release", "infra/secrets"], describe: () => ["initialise once; recovery keys and root token straight into Secrets Manager; wait for all replicas unsealed"] }),
    declaredStep({ id: "vault/configure", title: "Vault configuration", phase: "vault", needs: ["vault/initialise"], describe: () => ["kv-v2 at ethereum/, fabric/, ipfs/; Kubernetes auth; AppRole platform-role"] }),
    declaredStep({ id: "cert-manager/release", title: "cert-manager release", phase: "cert-manager", needs: ["infra/irsa", "infra/nodegroup"], describe: () => ["helm release cert-manager with CRDs and the IRSA service account"] }),
    declaredStep({ id: "cert-manager/issuers", title: "ClusterIssuers", phase: "cert-manager", needs: ["cert-manager/release"], describe: (c) => [`letsencrypt-staging and letsencrypt-prod, DNS-01 on zone ${c.dns.hostedZoneId}, email ${c.dns.acmeEmail}`] }),
    declaredStep({ id: "btp/registry-login", title: "Chart registry login", phase: "btp", needs: ["prepare/tools"], describe: (c) => [`helm registry login for ${c.chart.reference} as ${c.license.accountName} (token on stdin)`] }),
    declaredStep({
      id: "btp/release", title: "BTP release", phase: "btp", needs: ["btp/registry-login", "vault/configure", "cert-manager/issuers", "infra/rds", "infra/elasticache", "infra/acm", "addons/load-balancer-controller"],
      describe: (c) => [`helm upgrade --install settlemint ${c.chart.reference} --version ${c.chart.version}${c.chart.valuesFile ? `, overrides from ${c.chart.valuesFile}` : ""}`],
    }),
    declaredStep({ id: "verify/workloads", title: "Deployments available", phase: "verify", needs: ["btp/release"], describe: () => ["deployments in the platform, vault and cert-manager namespaces available"] }),
    declaredStep({ id: "verify/dns", title: "DNS alias records", phase: "verify", needs: ["verify/workloads"], describe: (c) => [`alias A records ${c.dns.domain} and *.${c.dns.domain} → the ALB, waited INSYNC`] }),
    declaredStep({ id: "verify/https", title: "HTTPS check", phase: "verify", needs: ["verify/dns"], describe: (c) => [`GET https://${c.dns.domain} with a valid certificate`] }),
  ];
}
