/**
 * The installation config: the single source of truth for its TypeScript type, its JSON Schema
 * (`btp-aws config schema`), the wizard's questions and the environment variable names.
 * Objects are strict: an unknown key is an error, not a silently ignored typo.
 */
import { z } from "zod";
import { AWS_REGIONS } from "./regions.js";
import { parseCidr } from "./cidr.js";

export const ENVIRONMENTS = ["development", "production"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

// RFC 1123 host names; at least two labels, because a platform lives under a registered domain.
const DNS_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

const region = z.enum(AWS_REGIONS, { error: (issue) => `"${String(issue.input)}" is not an AWS region (e.g. eu-west-1)` });
const dnsName = z.string().toLowerCase().regex(DNS_NAME, { error: "must be a DNS name such as btp.example.com" });
const cidr = z.string().refine((v) => parseCidr(v) !== undefined, { error: "must be an IPv4 CIDR block such as 10.0.0.0/16" });
const positiveInt = z.number().int().positive();

const platformName = z
  .string()
  // Used in resource names with tight limits (ElastiCache ids: 40 chars), hence 24.
  .regex(/^[a-z][a-z0-9-]{0,22}[a-z0-9]$/, { error: "must be 2-24 lowercase letters, digits or hyphens, starting with a letter" })
  .meta({ description: "Platform name: used in every resource name and the btp-aws:platform tag.", examples: ["acme-prod"] });

const awsSection = z.strictObject({
  region: region.meta({ description: "Region the platform runs in." }),
  drRegion: region.meta({ description: "Disaster-recovery region: RDS snapshot copies and the DR bucket go here." }),
  profile: z.string().min(1).optional().meta({ description: "Named AWS profile; otherwise the standard credential chain (AWS_PROFILE, SSO, environment, instance role)." }),
  accountId: z.string().regex(/^\d{12}$/, { error: "must be a 12-digit AWS account id" }).optional()
    .meta({ description: "Expected AWS account: prepare stops if the credentials belong to another one." }),
});

const dnsSection = z.strictObject({
  domain: dnsName.meta({ description: "Platform host name; deployed services get subdomains of it (*.domain).", examples: ["btp.example.com"] }),
  hostedZoneId: z.string().overwrite((v) => v.replace(/^\/hostedzone\//, "")).regex(/^[A-Z0-9]{1,32}$/, { error: "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ" })
    .meta({ description: "Route 53 public hosted zone that contains the domain." }),
  hostedZoneName: z.string().overwrite((v) => v.toLowerCase().replace(/\.$/, "")).regex(DNS_NAME, { error: "must be a DNS name such as example.com" }).optional().meta({ description: "Name of that hosted zone (checked offline: the domain must lie inside it)." }),
  acmeEmail: z.email({ error: "must be an email address" }).meta({ description: "Let's Encrypt account email for cert-manager." }),
});

const networkSection = z.strictObject({
  vpcCidr: cidr.default("10.0.0.0/16").meta({ description: "VPC address block, /16 to /21; split into one public and one private subnet per AZ." }),
  azCount: z.number().int().min(2).max(6).default(3).meta({ description: "Availability zones to spread over." }),
  natGateways: z.enum(["single", "per-az"]).optional().meta({ description: "NAT gateways: one for all AZs, or one per AZ. Default: single in development, per-az in production." }),
  flowLogs: z.boolean().optional().meta({ description: "VPC flow logs to CloudWatch Logs. Default: on in production." }),
});

const clusterSection = z.strictObject({
  kubernetesVersion: z.string().regex(/^1\.\d{2}$/, { error: "must be a Kubernetes minor version such as 1.34" }).default("1.35")
    .meta({ description: "EKS Kubernetes version; keep it inside EKS standard support." }),
  instanceTypes: z.array(z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: "must be an EC2 instance type such as m5.xlarge" })).min(1).default(["m5.xlarge"])
    .meta({ description: "Node group instance types." }),
  minNodes: z.number().int().min(1).default(2),
  maxNodes: z.number().int().min(1).max(450).default(50),
  desiredNodes: z.number().int().min(1).default(3),
  diskSizeGiB: z.number().int().min(20).max(16384).default(100).meta({ description: "Node root volume (gp3, encrypted)." }),
  autoscaler: z.boolean().default(true).meta({ description: "Cluster Autoscaler: grows and shrinks the node group between minNodes and maxNodes with the pods' demand." }),
  publicAccessCidrs: z.array(cidr).min(1).default(["0.0.0.0/0"])
    .meta({ description: "CIDRs allowed to reach the public API endpoint; restrict it in production (doctor warns on 0.0.0.0/0)." }),
});

const databaseSection = z.strictObject({
  engineVersion: z.string().regex(/^\d{2}(\.\d+)?$/, { error: "must be a PostgreSQL version such as 16 or 16.4" })
    .refine((v) => Number(v.split(".")[0]) >= 13, { error: "PostgreSQL 13 or newer is required by the platform" })
    .default("16").meta({ description: "RDS PostgreSQL engine version." }),
  instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { error: "must be an RDS instance class such as db.r6g.large" }).optional()
    .meta({ description: "Default: db.t4g.medium in development, db.r6g.large in production." }),
  storageGiB: z.number().int().min(20).max(65536).default(100),
  multiAz: z.boolean().optional().meta({ description: "Default: on in production." }),
  backupRetentionDays: z.number().int().min(1).max(35).default(7),
  deletionProtection: z.boolean().optional().meta({ description: "Default: on in production." }),
});

const cacheSection = z.strictObject({
  engine: z.enum(["redis", "valkey"]).default("redis"),
  engineVersion: z.string().regex(/^\d+(\.\d+)?$/, { error: "must be a version such as 7.1" }).default("7.1"),
  nodeType: z.string().regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, { error: "must be an ElastiCache node type such as cache.r6g.large" }).optional()
    .meta({ description: "Default: cache.t4g.medium in development, cache.r6g.large in production." }),
  replicas: z.number().int().min(0).max(5).default(1).meta({ description: "Read replicas besides the primary (1 gives the 2 nodes automatic failover needs)." }),
  multiAz: z.boolean().optional().meta({ description: "Automatic failover across AZs. Default: on in production." }),
});

const storageSection = z.strictObject({
  infrequentAccessDays: positiveInt.default(30).meta({ description: "Move objects to Standard-IA after this many days." }),
  glacierDays: positiveInt.default(90),
  deepArchiveDays: positiveInt.default(180),
});

const url = z.url({ protocol: /^https$/, error: "must be an https URL" });
const clientId = z.string().min(1, { error: "is required" });
/** Client secrets are not here: they come from BTP_AWS_AUTH_CLIENT_SECRET or a password prompt. */
const authSection = z.discriminatedUnion("provider", [
  z.strictObject({ provider: z.literal("cognito"), clientId, issuer: url.meta({ description: "https://cognito-idp.<region>.amazonaws.com/<user pool id>" }) }),
  z.strictObject({ provider: z.literal("google"), clientId }),
  z.strictObject({ provider: z.literal("microsoftEntraId"), clientId, tenantId: z.string().min(1, { error: "is required" }) }),
  z.strictObject({ provider: z.literal("oidc"), clientId, issuer: url, name: z.string().min(1).default("oidc") }),
], { error: "must name a provider: cognito, google, microsoftEntraId or oidc" });

const chartSection = z.strictObject({
  reference: z.string().regex(/^oci:\/\/[^\s]+$/, { error: "must be an oci:// chart reference" })
    .default("oci://registry.settlemint.com/settlemint-platform/settlemint").meta({ description: "OCI reference of the BTP chart." }),
  version: z.string().regex(/^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, { error: "must be a chart version such as v7.32.10" })
    .meta({ description: "Chart version, passed through exactly (keep the leading v).", examples: ["v7.32.10"] }),
  valuesFile: z.string().min(1).optional().meta({ description: "YAML file merged over the values btp-aws renders." }),
});

/** An override of one pinned third-party chart (src/helm/charts.ts); unset fields keep the pin. */
const chartOverride = z.strictObject({
  chart: z.string().min(1).optional().meta({ description: "Chart name in repo, oci:// reference, or local path (drops the pinned repo unless repo is set)." }),
  repo: url.optional().meta({ description: "HTTP chart repository." }),
  version: z.string().regex(/^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, { error: "must be an exact chart version such as 0.34.1" }).optional(),
});

const chartsSection = z.strictObject({
  loadBalancerController: chartOverride.optional().meta({ description: "aws-load-balancer-controller chart (pinned: eks-charts 3.6.0)." }),
  vault: chartOverride.optional().meta({ description: "hashicorp/vault chart (pinned: 0.34.1)." }),
  certManager: chartOverride.optional().meta({ description: "jetstack/cert-manager chart (pinned: v1.21.2)." }),
  clusterAutoscaler: chartOverride.optional().meta({ description: "kubernetes/autoscaler cluster-autoscaler chart (pinned: 9.59.0, Cluster Autoscaler 1.35)." }),
});

/** The license token is not here: BTP_AWS_LICENSE_TOKEN or a password prompt, never the file. */
const licenseSection = z.strictObject({
  accountName: z.string().min(1, { error: "is required" }),
  email: z.email({ error: "must be an email address" }),
  expirationDate: z.iso.date({ error: "must be a date such as 2027-12-31" }),
  signature: z.string().min(1, { error: "is required" }),
});

const monitoringSection = z.strictObject({
  alarmEmail: z.email({ error: "must be an email address" }).optional().meta({ description: "Subscribed to the alarm SNS topic." }),
  monthlyBudgetUsd: z.number().positive().optional().meta({ description: "AWS Budgets monthly budget with an 80% alert." }),
});

const wafSection = z.strictObject({
  enabled: z.boolean().optional().meta({ description: "A WAFv2 web ACL in front of the platform's ALB (AWS managed common and known-bad-inputs rules, a rate rule). Default: on in production." }),
  rateLimit: z.number().int().min(10).max(2_000_000_000).default(2000).meta({ description: "Requests from one IP address per 5 minutes before the rate rule blocks it." }),
});

/** Account-wide services: opt-in, adopted when present, never deleted by `btp-aws destroy`. */
const securitySection = z.strictObject({
  guardDuty: z.boolean().default(false).meta({ description: "Enable a GuardDuty detector in the region (adopts an existing one)." }),
  cloudTrail: z.boolean().default(false).meta({ description: "A multi-region CloudTrail trail into its own encrypted, private bucket (adopts an existing multi-region trail)." }),
  awsConfig: z.boolean().default(false).meta({ description: "An AWS Config recorder for all resources, delivering to the trail's bucket (adopts an existing recorder)." }),
});

const tagKey = z.string().min(1).max(128).refine((k) => !/^(aws:|btp-aws:)/i.test(k), { error: "tag keys starting with aws: or btp-aws: are reserved" });

export const ConfigSchema = z.strictObject({
  platform: platformName,
  environment: z.enum(ENVIRONMENTS, { error: "must be development or production" }).default("production")
    .meta({ description: "Sets the defaults: production has a NAT gateway per AZ, Multi-AZ and deletion protection." }),
  aws: awsSection,
  dns: dnsSection,
  network: networkSection.prefault({}),
  cluster: clusterSection.prefault({}),
  database: databaseSection.prefault({}),
  cache: cacheSection.prefault({}),
  storage: storageSection.prefault({}),
  auth: authSection,
  chart: chartSection,
  charts: chartsSection.prefault({}).meta({ description: "Overrides of the pinned add-on charts (mirrors, air-gapped copies, newer versions)." }),
  license: licenseSection,
  monitoring: monitoringSection.prefault({}),
  waf: wafSection.prefault({}),
  security: securitySection.prefault({}),
  tags: z.record(tagKey, z.string().max(256)).default({}).meta({ description: "Extra tags on every resource." }),
});

/** What a config file may contain (before defaults). */
export type ConfigInput = z.input<typeof ConfigSchema>;
type Parsed = z.output<typeof ConfigSchema>;

/** Fields whose default depends on `environment`; filled in by `resolveEnvironmentDefaults`. */
export interface Config extends Omit<Parsed, "network" | "database" | "cache" | "waf"> {
  readonly waf: Required<Parsed["waf"]>;
  readonly network: Required<Parsed["network"]>;
  readonly database: Required<Parsed["database"]>;
  readonly cache: Required<Parsed["cache"]>;
}

export function resolveEnvironmentDefaults(parsed: Parsed): Config {
  const production = parsed.environment === "production";
  return {
    ...parsed,
    network: { ...parsed.network, natGateways: parsed.network.natGateways ?? (production ? "per-az" : "single"), flowLogs: parsed.network.flowLogs ?? production },
    database: {
      ...parsed.database,
      instanceClass: parsed.database.instanceClass ?? (production ? "db.r6g.large" : "db.t4g.medium"),
      multiAz: parsed.database.multiAz ?? production,
      deletionProtection: parsed.database.deletionProtection ?? production,
    },
    waf: { ...parsed.waf, enabled: parsed.waf.enabled ?? production },
    cache: {
      ...parsed.cache,
      nodeType: parsed.cache.nodeType ?? (production ? "cache.r6g.large" : "cache.t4g.medium"),
      multiAz: parsed.cache.multiAz ?? (production && parsed.cache.replicas > 0),
    },
  };
}

/** Secrets the user supplies; held in memory only, never written to the config file or state. */
export interface UserSecrets {
  readonly licenseToken?: string;
  readonly authClientSecret?: string;
}
