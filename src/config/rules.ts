/** Rules that span fields; the schema checks each field alone. Errors block, warnings inform. */
import { MAX_SUBNET_PREFIX, MIN_VPC_PREFIX, isPrivateRange, parseCidr, subnetPrefix } from "./cidr.js";
import type { Config } from "./schema.js";

export interface RuleResult {
  errors: string[];
  warnings: string[];
}

export function checkRules(config: Config, today: Date = new Date()): RuleResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const { aws, cluster, dns, network, storage, cache } = config;

  if (aws.drRegion === aws.region) {
    errors.push(`aws.drRegion: must differ from aws.region (${aws.region}): a copy in the same region does not survive a regional outage`);
  }

  if (cluster.minNodes > cluster.maxNodes) {
    errors.push(`cluster.minNodes: ${cluster.minNodes} is more than cluster.maxNodes (${cluster.maxNodes})`);
  } else if (cluster.desiredNodes < cluster.minNodes || cluster.desiredNodes > cluster.maxNodes) {
    errors.push(`cluster.desiredNodes: ${cluster.desiredNodes} must lie between cluster.minNodes (${cluster.minNodes}) and cluster.maxNodes (${cluster.maxNodes})`);
  }

  const zone = dns.hostedZoneName?.replace(/\.$/, "");
  if (zone && dns.domain !== zone && !dns.domain.endsWith(`.${zone}`)) {
    errors.push(`dns.domain: ${dns.domain} is not inside the hosted zone ${zone} (dns.hostedZoneName)`);
  }

  const vpc = parseCidr(network.vpcCidr);
  if (vpc) {
    const subnets = network.azCount * 2;
    const largestVpc = MAX_SUBNET_PREFIX - Math.ceil(Math.log2(subnets));
    if (vpc.prefix < MIN_VPC_PREFIX) {
      errors.push(`network.vpcCidr: ${network.vpcCidr} is larger than AWS allows for a VPC (/16 at most)`);
    } else if (subnetPrefix(vpc.prefix, subnets) > MAX_SUBNET_PREFIX) {
      errors.push(`network.vpcCidr: ${network.vpcCidr} is too small for ${subnets} subnets (${network.azCount} AZs × public and private) of at least /${MAX_SUBNET_PREFIX}; use /${largestVpc} or larger`);
    }
    if (!isPrivateRange(vpc)) warnings.push(`network.vpcCidr: ${network.vpcCidr} is not a private (RFC 1918) range`);
  }

  if (storage.infrequentAccessDays < 30) {
    errors.push(`storage.infrequentAccessDays: S3 moves objects to Standard-IA after 30 days at the earliest, got ${storage.infrequentAccessDays}`);
  }
  if (!(storage.infrequentAccessDays < storage.glacierDays && storage.glacierDays < storage.deepArchiveDays)) {
    errors.push(`storage: transitions must be in order: infrequentAccessDays (${storage.infrequentAccessDays}) < glacierDays (${storage.glacierDays}) < deepArchiveDays (${storage.deepArchiveDays})`);
  }

  if (cluster.mode === "existing" && cluster.name === undefined) {
    errors.push("cluster.name: is required when cluster.mode is existing (the EKS cluster to install into)");
  }
  if (cluster.mode === "create" && cluster.name !== undefined) {
    errors.push(`cluster.name: only used with cluster.mode existing; a created cluster is named after the platform (remove it, or set cluster.mode: existing)`);
  }
  for (const [section, dependency] of [["database", config.database], ["cache", config.cache], ["storage", config.storage]] as const) {
    if (dependency.mode === "external" && dependency.external === undefined) {
      errors.push(`${section}.external: is required when ${section}.mode is external (where the platform reaches it)`);
    } else if (dependency.mode !== "external" && dependency.external !== undefined) {
      errors.push(`${section}.external: only used when ${section}.mode is external (it is ${dependency.mode})`);
    }
  }
  const externalDatabase = config.database.mode === "external" ? config.database.external : undefined;
  if (externalDatabase && externalDatabase.credentialsSecretArn === undefined && externalDatabase.user === undefined) {
    errors.push("database.external.user: is required when the password comes from BTP_AWS_DATABASE_PASSWORD (no database.external.credentialsSecretArn)");
  }
  if (config.environment === "production" && config.database.mode === "in-cluster") {
    warnings.push("database.mode: in-cluster PostgreSQL in production has no Multi-AZ failover and no point-in-time recovery; RDS (aws) is the production choice");
  }

  if (cache.multiAz && cache.replicas < 1) {
    errors.push("cache.multiAz: automatic failover needs at least one replica (cache.replicas ≥ 1)");
  }

  if (config.environment === "production" && cluster.publicAccessCidrs.includes("0.0.0.0/0")) {
    warnings.push("cluster.publicAccessCidrs: the Kubernetes API is open to the internet (0.0.0.0/0); restrict it to your office or VPN ranges");
  }
  if (new Date(`${config.license.expirationDate}T23:59:59Z`) < today) {
    warnings.push(`license.expirationDate: the license expired on ${config.license.expirationDate}`);
  }
  return { errors, warnings };
}
