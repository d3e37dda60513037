/**
 * Every billable resource a complete install leaves running, read from the config the same way
 * the steps read it (src/phases/infra, addons, vault, btp). Free resources (VPC, subnets, security
 * groups, IAM, ACM public certificates, EKS add-ons) are not listed; usage-based charges are named
 * in USAGE_EXCLUDED instead of guessed.
 */
import type { Config } from "../config/schema.js";
import { infraNames } from "../phases/infra/names.js";
import { webAclName, webAclRulesFor } from "../phases/infra/waf.js";
import { MONITORING_VOLUMES } from "../phases/btp/monitoring-values.js";
import { MINIO_VOLUME_GIB, REDIS_VOLUME_GIB } from "../phases/dependencies/values.js";
import { VAULT_REPLICAS } from "../phases/vault/values.js";
import type { CostLine, PriceQuery } from "./types.js";

/** The Vault chart's data volume per replica (src/phases/vault/values.ts: dataStorage.size). */
const VAULT_VOLUME_GIB = 10;

export interface BillableItem extends Pick<CostLine, "resource" | "step" | "quantity" | "unit" | "per" | "note"> {
  query: PriceQuery;
}

/**
 * The alarms infra/monitoring creates (monitoring-alarms.ts): node CPU, database connections and
 * free storage (RDS only), and CPU and memory for each ElastiCache node.
 */
function alarmCount(config: Config): number {
  return 1 + (config.database.mode === "aws" ? 2 : 0) + (config.cache.mode === "aws" ? 2 * (config.cache.replicas + 1) : 0);
}

/** RDS, or the in-cluster PostgreSQL's volume (the same database.storageGiB), or nothing (external). */
function databaseItems(config: Config): BillableItem[] {
  const { database } = config;
  const region = config.aws.region;
  if (database.mode === "in-cluster") {
    return [{ resource: "EBS gp3 PostgreSQL volume (in-cluster)", step: "addons/postgresql", quantity: database.storageGiB, unit: "GiB", per: "month", query: { kind: "ebs-gp3", region }, note: `database.storageGiB, through the gp3 StorageClass; runs on the nodes priced above` }];
  }
  if (database.mode === "external") return [];
  return [
    {
      resource: `RDS PostgreSQL ${database.instanceClass}${database.multiAz ? " Multi-AZ" : ""}`, step: "infra/rds", quantity: 1, unit: "instance", per: "hour",
      query: { kind: "rds-instance", region, instanceClass: database.instanceClass, multiAz: database.multiAz },
      ...(database.multiAz ? { note: "primary and standby" } : {}),
    },
    {
      resource: `RDS gp3 storage${database.multiAz ? " Multi-AZ" : ""}`, step: "infra/rds", quantity: database.storageGiB, unit: "GiB", per: "month",
      query: { kind: "rds-gp3-storage", region, multiAz: database.multiAz },
      note: `automated backups up to ${database.storageGiB} GiB are free`,
    },
  ];
}

/** ElastiCache nodes, or the in-cluster Redis's volume, or nothing (external). */
function cacheItems(config: Config): BillableItem[] {
  const { cache } = config;
  const region = config.aws.region;
  if (cache.mode === "in-cluster") {
    return [{ resource: "EBS gp3 Redis volume (in-cluster)", step: "addons/redis", quantity: REDIS_VOLUME_GIB, unit: "GiB", per: "month", query: { kind: "ebs-gp3", region }, note: "one standalone Redis; runs on the nodes priced above" }];
  }
  if (cache.mode === "external") return [];
  return [{
    resource: `ElastiCache ${cache.engine} ${cache.nodeType}`, step: "infra/elasticache", quantity: cache.replicas + 1, unit: "node", per: "hour",
    query: { kind: "elasticache-node", region, nodeType: cache.nodeType, engine: cache.engine },
    note: cache.replicas > 0 ? `primary and ${cache.replicas} replica${cache.replicas > 1 ? "s" : ""}` : "primary only",
  }];
}

/** S3 is billed by use (see USAGE_EXCLUDED); in-cluster MinIO by the volume it claims. */
function storageItems(config: Config): BillableItem[] {
  if (config.storage.mode !== "in-cluster") return [];
  return [{ resource: "EBS gp3 MinIO volume (in-cluster)", step: "addons/minio", quantity: MINIO_VOLUME_GIB, unit: "GiB", per: "month", query: { kind: "ebs-gp3", region: config.aws.region }, note: "the deployment engine's state; runs on the nodes priced above" }];
}

/** The cluster btp-aws creates (cluster.mode create): control plane, nodes and their volumes, NAT. */
function clusterItems(config: Config): BillableItem[] {
  const region = config.aws.region;
  const names = infraNames(config);
  const { cluster, network } = config;
  const natCount = network.natGateways === "per-az" ? network.azCount : 1;
  const [instanceType = "m5.xlarge", ...otherTypes] = cluster.instanceTypes;
  const nodeScaling = `priced at the desired ${cluster.desiredNodes}; the node group runs ${cluster.minNodes} to ${cluster.maxNodes}`;
  return [
    { resource: `EKS control plane ${names.cluster}`, step: "infra/eks", quantity: 1, unit: "cluster", per: "hour", query: { kind: "eks-cluster", region }, note: "standard support" },
    {
      resource: `EC2 nodes ${instanceType}`, step: "infra/nodegroup", quantity: cluster.desiredNodes, unit: "node", per: "hour", query: { kind: "ec2-instance", region, instanceType },
      note: otherTypes.length > 0 ? `${nodeScaling}; priced as ${instanceType}, the group may also launch ${otherTypes.join(", ")}` : nodeScaling,
    },
    { resource: "EBS gp3 node root volumes", step: "infra/nodegroup", quantity: cluster.desiredNodes * cluster.diskSizeGiB, unit: "GiB", per: "month", query: { kind: "ebs-gp3", region }, note: `${cluster.desiredNodes} × ${cluster.diskSizeGiB} GiB` },
    { resource: `NAT gateways (${network.natGateways})`, step: "infra/nat-gateways", quantity: natCount, unit: "gateway", per: "hour", query: { kind: "nat-gateway", region }, note: "hourly charge only; data processed is usage" },
    { resource: "Elastic IPs of the NAT gateways", step: "infra/nat-gateways", quantity: natCount, unit: "address", per: "hour", query: { kind: "public-ipv4", region }, note: "public IPv4 charge" },
  ];
}

export function billableItems(config: Config): BillableItem[] {
  const region = config.aws.region;
  const names = infraNames(config);
  const { cluster, network } = config;
  // An adopted cluster (cluster.mode existing) brings its control plane, nodes and NAT, already paid for.
  const items: BillableItem[] = [
    ...(cluster.mode === "create" ? clusterItems(config) : []),
    { resource: "Application Load Balancer", step: "btp/release", quantity: 1, unit: "load balancer", per: "hour", query: { kind: "alb-hour", region }, note: "created by the AWS Load Balancer Controller for the platform ingress" },
    { resource: "ALB capacity units", step: "btp/release", quantity: 1, unit: "LCU", per: "hour", query: { kind: "alb-lcu", region }, note: "the 1-LCU minimum; traffic adds more" },
    { resource: "ALB public IPv4 addresses", step: "btp/release", quantity: network.azCount, unit: "address", per: "hour", query: { kind: "public-ipv4", region }, note: "one per AZ (internet-facing)" },
    ...databaseItems(config),
    ...cacheItems(config),
    ...storageItems(config),
    { resource: `EBS gp3 Vault data volumes`, step: "vault/release", quantity: VAULT_REPLICAS * VAULT_VOLUME_GIB, unit: "GiB", per: "month", query: { kind: "ebs-gp3", region }, note: `${VAULT_REPLICAS} × ${VAULT_VOLUME_GIB} GiB through the gp3 StorageClass` },
    { resource: `KMS key ${names.keyAlias}`, step: "infra/kms", quantity: 1, unit: "key", per: "month", query: { kind: "kms-key", region }, note: "each of the first two yearly rotations adds the same again" },
    { resource: `Secrets Manager secret ${names.secret}`, step: "infra/secrets", quantity: 1, unit: "secret", per: "month", query: { kind: "secret", region } },
    { resource: "CloudWatch alarms", step: "infra/monitoring", quantity: alarmCount(config), unit: "alarm", per: "month", query: { kind: "cloudwatch-alarm", region }, note: "the account's first 10 alarms are in the free tier" },
  ];
  if (config.monitoring.prometheusStack) {
    const { prometheusGiB, grafanaGiB, alertmanagerGiB } = MONITORING_VOLUMES;
    items.push({
      resource: "EBS gp3 monitoring volumes", step: "btp/release", quantity: prometheusGiB + grafanaGiB + alertmanagerGiB, unit: "GiB", per: "month", query: { kind: "ebs-gp3", region },
      note: `Prometheus ${prometheusGiB}, Grafana ${grafanaGiB}, Alertmanager ${alertmanagerGiB} GiB (monitoring.prometheusStack)`,
    });
  }
  if (config.waf.enabled) {
    const rules = webAclRulesFor(config).length;
    items.push(
      { resource: `WAF web ACL ${webAclName(config)}`, step: "infra/waf", quantity: 1, unit: "web ACL", per: "month", query: { kind: "waf-web-acl", region }, note: "requests inspected are usage" },
      { resource: "WAF rules and rule groups", step: "infra/waf", quantity: rules, unit: "rule", per: "month", query: { kind: "waf-rule", region }, note: "AWS managed Common and Known-bad-inputs groups (no subscription fee) and the rate rule" },
    );
  }
  return items;
}

/**
 * What the estimate leaves out, and why: charges that depend on use, not on what is created.
 * S3's and RDS's usage charges only when those managed services are used (storage.mode,
 * database.mode aws); Container Insights only when monitoring.containerInsights is on.
 */
export function usageExcluded(config: Pick<Config, "database" | "storage" | "monitoring">): string[] {
  return [
    "data transfer",
    "NAT gateway data processing",
    "ALB capacity units above the minimum",
    ...(config.storage.mode === "aws" ? ["S3 storage and requests"] : []),
    "CloudWatch Logs (VPC flow logs, EKS control plane logs)",
    "KMS and Secrets Manager requests",
    ...(config.database.mode === "aws" ? ["RDS backup storage beyond the free allowance"] : []),
    "volumes that workloads deployed on the platform claim",
    ...(config.monitoring.containerInsights ? ["Container Insights (CloudWatch metrics and logs per node and pod)"] : []),
  ];
}

/** What the user runs (mode external, cluster.mode existing): not created, so not priced. */
export function externalExcluded(config: Pick<Config, "database" | "cache" | "storage" | "cluster">): string[] {
  return [
    ...(config.cluster.mode === "existing" ? [`your existing EKS cluster ${config.cluster.name ?? ""}, its nodes and network`] : []),
    ...(config.database.mode === "external" ? ["your external database"] : []),
    ...(config.cache.mode === "external" ? ["your external Redis"] : []),
    ...(config.storage.mode === "external" ? ["your external bucket"] : []),
  ];
}

/** The account-wide security services the config turns on: billed by what they record or analyse. */
export function securityServicesExcluded(config: Pick<Config, "security">): string[] {
  const services: string[] = [];
  if (config.security.guardDuty) services.push("GuardDuty (events and data analysed)");
  if (config.security.cloudTrail) services.push("CloudTrail (its log bucket; the first copy of management events is free)");
  if (config.security.awsConfig) services.push("AWS Config (configuration items recorded)");
  return services;
}

/** Used, not created: the hosted zone exists before btp-aws runs. */
export const EXISTING_EXCLUDED = ["the existing Route 53 hosted zone"];
