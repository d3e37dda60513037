/**
 * The steps of the phases after prepare, declared with their dependencies so `plan` shows the
 * whole DAG and its critical path. Each is implemented in its own module as the phases land.
 */
import { subnetLayout, parseCidr } from "../config/cidr.js";
import type { Config } from "../config/schema.js";
import { declaredStep } from "./declared.js";
import type { Step } from "./types.js";

const name = (c: Config, suffix: string) => `btp-${c.platform}-${suffix}`;

export function infraSteps(): Step[] {
  return [
    declaredStep({ id: "infra/kms", title: "KMS key", phase: "infra", needs: ["prepare/credentials"], describe: (c) => [`create or adopt a customer managed key with rotation, alias alias/btp-${c.platform}`] }),
    declaredStep({
      id: "infra/vpc", title: "VPC and subnets", phase: "infra", needs: ["prepare/credentials"],
      describe: (c) => {
        const layout = subnetLayout(parseCidr(c.network.vpcCidr)!, c.network.azCount);
        return [
          `create or adopt VPC ${name(c, "vpc")} ${c.network.vpcCidr} over ${c.network.azCount} AZs`,
          `private subnets ${layout.private.join(", ")}; public subnets ${layout.public.join(", ")}`,
          `internet gateway, ${c.network.natGateways === "per-az" ? `${c.network.azCount} NAT gateways (one per AZ)` : "1 NAT gateway"}, route tables${c.network.flowLogs ? ", flow logs to CloudWatch Logs" : ""}`,
        ];
      },
    }),
    declaredStep({ id: "infra/security-groups", title: "Security groups", phase: "infra", needs: ["infra/vpc"], describe: () => ["database 5432 and cache 6379 reachable only from the cluster nodes; ALB 80/443"] }),
    declaredStep({ id: "infra/iam-roles", title: "IAM cluster and node roles", phase: "infra", needs: ["prepare/credentials"], describe: (c) => [`roles ${name(c, "cluster")} and ${name(c, "node")} with the EKS managed policies`] }),
    declaredStep({ id: "infra/s3", title: "S3 bucket", phase: "infra", needs: ["infra/kms"], describe: (c) => [`versioned bucket, SSE-KMS, public access blocked, TLS-only policy, lifecycle IA ${c.storage.infrequentAccessDays}d / Glacier ${c.storage.glacierDays}d / Deep Archive ${c.storage.deepArchiveDays}d`] }),
    declaredStep({ id: "infra/acm", title: "ACM certificate", phase: "infra", needs: ["prepare/credentials"], describe: (c) => [`certificate for ${c.dns.domain} and *.${c.dns.domain}, DNS-validated in zone ${c.dns.hostedZoneId}`] }),
    declaredStep({ id: "infra/secrets", title: "Secrets Manager secret", phase: "infra", needs: ["infra/kms"], describe: (c) => [`secret ${name(c, "secrets")} holding generated passwords and keys, encrypted with the platform key`] }),
    declaredStep({
      id: "infra/eks", title: "EKS cluster", phase: "infra", needs: ["infra/vpc", "infra/kms", "infra/iam-roles", "infra/security-groups"],
      describe: (c) => [`cluster ${name(c, "eks")} Kubernetes ${c.cluster.kubernetesVersion}, secrets encrypted with the platform key, public endpoint for ${c.cluster.publicAccessCidrs.join(", ")}`, "access entry (cluster admin) for the installer's principal"],
    }),
    declaredStep({ id: "infra/irsa", title: "OIDC provider and IRSA roles", phase: "infra", needs: ["infra/eks", "infra/s3", "infra/kms"], describe: () => ["OIDC provider; roles for cert-manager, vault, aws-load-balancer-controller, ebs-csi, btp"] }),
    declaredStep({
      id: "infra/nodegroup", title: "Managed node group", phase: "infra", needs: ["infra/eks"],
      describe: (c) => [`${c.cluster.instanceTypes.join(", ")} min ${c.cluster.minNodes} / desired ${c.cluster.desiredNodes} / max ${c.cluster.maxNodes}, gp3 ${c.cluster.diskSizeGiB} GiB encrypted, IMDSv2 required`],
    }),
    declaredStep({ id: "infra/eks-addons", title: "EKS add-ons", phase: "infra", needs: ["infra/nodegroup", "infra/irsa"], describe: () => ["vpc-cni, coredns, kube-proxy, aws-ebs-csi-driver (IRSA)"] }),
    declaredStep({
      id: "infra/rds", title: "RDS PostgreSQL", phase: "infra", needs: ["infra/vpc", "infra/kms", "infra/security-groups", "infra/secrets"],
      describe: (c) => [`PostgreSQL ${c.database.engineVersion} ${c.database.instanceClass}, ${c.database.storageGiB} GiB gp3 encrypted${c.database.multiAz ? ", Multi-AZ" : ""}, backups ${c.database.backupRetentionDays} days${c.database.deletionProtection ? ", deletion protection" : ""}, rds.force_ssl=1`],
    }),
    declaredStep({
      id: "infra/elasticache", title: "ElastiCache", phase: "infra", needs: ["infra/vpc", "infra/kms", "infra/security-groups", "infra/secrets"],
      describe: (c) => [`${c.cache.engine} ${c.cache.engineVersion} ${c.cache.nodeType}, ${c.cache.replicas + 1} nodes, TLS and auth token, encrypted at rest${c.cache.multiAz ? ", automatic failover" : ""}`],
    }),
    declaredStep({
      id: "infra/monitoring", title: "Alarms and budget", phase: "infra", needs: ["infra/eks", "infra/rds", "infra/elasticache"],
      describe: (c) => [`SNS topic${c.monitoring.alarmEmail ? ` → ${c.monitoring.alarmEmail}` : ""}; CloudWatch alarms: node CPU, RDS connections and free storage, cache CPU and memory${c.monitoring.monthlyBudgetUsd ? `; budget ${c.monitoring.monthlyBudgetUsd} USD/month, alert at 80%` : ""}`],
    }),
    declaredStep({ id: "addons/load-balancer-controller", title: "AWS Load Balancer Controller", phase: "addons", needs: ["infra/eks-addons"], describe: () => ["helm release aws-load-balancer-controller with its IRSA service account"] }),
    declaredStep({ id: "addons/storage-class", title: "Default gp3 StorageClass", phase: "addons", needs: ["infra/eks-addons"], describe: () => ["gp3, encrypted with the platform key, WaitForFirstConsumer, expansion on; old default unset"] }),
  ];
}

export function kubernetesSteps(): Step[] {
  return [
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
