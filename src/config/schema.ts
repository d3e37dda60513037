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
const url = z.url({ protocol: /^https$/, error: "must be an https URL" });
const port = z.number().int().min(1).max(65535);
const secretArn = z.string().regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, { error: "must be a Secrets Manager secret ARN" });

/**
 * Where a dependency (database, cache, object storage) runs: the managed AWS service infra builds,
 * a helm release in the cluster on encrypted gp3 volumes, or an endpoint the user already runs.
 */
export const DEPENDENCY_MODES = ["aws", "in-cluster", "external"] as const;
export type DependencyMode = (typeof DEPENDENCY_MODES)[number];
const dependencyMode = z.enum(DEPENDENCY_MODES, { error: "must be aws, in-cluster or external" })
  .optional().meta({ description: "aws (managed service), in-cluster (helm, gp3 volume) or external (yours). Default: aws in production, in-cluster in development." });

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
  mode: z.enum(["create", "existing"], { error: "must be create or existing" }).default("create")
    .meta({ description: "create: a new VPC and EKS cluster. existing: install into cluster.name, discovering its VPC, subnets and node security group; only what is missing is created." }),
  name: z.string().regex(/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/, { error: "must be an EKS cluster name" }).optional()
    .meta({ description: "The existing EKS cluster (cluster.mode: existing)." }),
  kubernetesVersion: z.string().regex(/^1\.\d{2}$/, { error: "must be a Kubernetes minor version such as 1.34" }).default("1.35")
    .meta({ description: "EKS Kubernetes version; keep it inside EKS standard support." }),
  instanceTypes: z.array(z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: "must be an EC2 instance type such as m5.xlarge" })).min(1).default(["m5.xlarge"])
    .meta({ description: "Node group instance types." }),
  minNodes: z.number().int().min(1).default(2),
  maxNodes: z.number().int().min(1).max(450).default(50),
  desiredNodes: z.number().int().min(1).default(3),
  diskSizeGiB: z.number().int().min(20).max(16384).default(100).meta({ description: "Node root volume (gp3, encrypted)." }),
  autoscaler: z.boolean().optional().meta({ description: "Cluster Autoscaler: grows and shrinks the node groups between their min and max with the pods' demand. Default: on for a created cluster, off for an existing one." }),
  publicAccessCidrs: z.array(cidr).min(1).default(["0.0.0.0/0"])
    .meta({ description: "CIDRs allowed to reach the public API endpoint; restrict it in production (doctor warns on 0.0.0.0/0)." }),
});

const externalDatabase = z.strictObject({
  host: z.string().min(1, { error: "is required" }).meta({ description: "Host name the cluster reaches the database at." }),
  port: port.default(5432),
  database: z.string().min(1).default("btp"),
  user: z.string().min(1).optional().meta({ description: "User; or the username field of credentialsSecretArn." }),
  sslMode: z.enum(["disable", "require", "verify-ca", "verify-full"]).default("require"),
  credentialsSecretArn: secretArn.optional()
    .meta({ description: "Secret holding JSON {username, password} (the RDS secret format); otherwise BTP_AWS_DATABASE_PASSWORD." }),
});

const databaseSection = z.strictObject({
  mode: dependencyMode,
  external: externalDatabase.optional().meta({ description: "The database you run (database.mode: external)." }),
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

const externalCache = z.strictObject({
  host: z.string().min(1, { error: "is required" }),
  port: port.default(6379),
  tls: z.boolean().default(true),
  credentialsSecretArn: secretArn.optional()
    .meta({ description: "Secret holding the AUTH password (plain or JSON {password}); otherwise BTP_AWS_REDIS_PASSWORD." }),
});

const cacheSection = z.strictObject({
  mode: dependencyMode,
  external: externalCache.optional().meta({ description: "The Redis you run (cache.mode: external)." }),
  engine: z.enum(["redis", "valkey"]).default("redis"),
  engineVersion: z.string().regex(/^\d+(\.\d+)?$/, { error: "must be a version such as 7.1" }).default("7.1"),
  nodeType: z.string().regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, { error: "must be an ElastiCache node type such as cache.r6g.large" }).optional()
    .meta({ description: "Default: cache.t4g.medium in development, cache.r6g.large in production." }),
  replicas: z.number().int().min(0).max(5).default(1).meta({ description: "Read replicas besides the primary (1 gives the 2 nodes automatic failover needs)." }),
  multiAz: z.boolean().optional().meta({ description: "Automatic failover across AZs. Default: on in production." }),
});

const externalStorage = z.strictObject({
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "must be a bucket name" }),
  endpoint: url.optional().meta({ description: "S3-compatible endpoint; omit for Amazon S3." }),
  region: region.optional().meta({ description: "Bucket region; default aws.region." }),
  credentialsSecretArn: secretArn.optional()
    .meta({ description: "Secret holding JSON {accessKeyId, secretAccessKey}; otherwise BTP_AWS_STORAGE_ACCESS_KEY_ID and BTP_AWS_STORAGE_SECRET_ACCESS_KEY." }),
});

const storageSection = z.strictObject({
  mode: dependencyMode,
  external: externalStorage.optional().meta({ description: "The bucket you run (storage.mode: external)." }),
  infrequentAccessDays: positiveInt.default(30).meta({ description: "Move objects to Standard-IA after this many days." }),
  glacierDays: positiveInt.default(90),
  deepArchiveDays: positiveInt.default(180),
});

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
  postgresql: chartOverride.optional().meta({ description: "Bitnami postgresql chart for database.mode in-cluster (pinned: oci://registry-1.docker.io/bitnamicharts/postgresql 16.7.27)." }),
  redis: chartOverride.optional().meta({ description: "Bitnami redis chart for cache.mode in-cluster (pinned: oci://registry-1.docker.io/bitnamicharts/redis 22.0.3)." }),
  minio: chartOverride.optional().meta({ description: "MinIO chart for storage.mode in-cluster (pinned: charts.min.io minio 5.4.0)." }),
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
  prometheusStack: z.boolean().default(true)
    .meta({ description: "The chart's Grafana, Prometheus and Alertmanager; Alertmanager notifies the platform's SNS alarm topic." }),
  containerInsights: z.boolean().default(false)
    .meta({ description: "CloudWatch Container Insights (EKS add-on amazon-cloudwatch-observability): node and pod metrics and logs in CloudWatch, billed per metric and GB." }),
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
type WithMode<T> = Omit<T, "mode"> & { readonly mode: DependencyMode };
export interface Config extends Omit<Parsed, "network" | "database" | "cache" | "storage" | "waf" | "cluster"> {
  readonly waf: Required<Parsed["waf"]>;
  readonly network: Required<Parsed["network"]>;
  readonly cluster: Omit<Parsed["cluster"], "autoscaler"> & { readonly autoscaler: boolean };
  readonly database: WithMode<Required<Omit<Parsed["database"], "external">>> & Pick<Parsed["database"], "external">;
  readonly cache: WithMode<Required<Omit<Parsed["cache"], "external">>> & Pick<Parsed["cache"], "external">;
  readonly storage: WithMode<Parsed["storage"]>;
}

export function resolveEnvironmentDefaults(parsed: Parsed): Config {
  const production = parsed.environment === "production";
  const dependencyDefault: DependencyMode = production ? "aws" : "in-cluster";
  return {
    ...parsed,
    cluster: { ...parsed.cluster, autoscaler: parsed.cluster.autoscaler ?? parsed.cluster.mode === "create" },
    storage: { ...parsed.storage, mode: parsed.storage.mode ?? dependencyDefault },
    network: { ...parsed.network, natGateways: parsed.network.natGateways ?? (production ? "per-az" : "single"), flowLogs: parsed.network.flowLogs ?? production },
    database: {
      ...parsed.database,
      mode: parsed.database.mode ?? dependencyDefault,
      instanceClass: parsed.database.instanceClass ?? (production ? "db.r6g.large" : "db.t4g.medium"),
      multiAz: parsed.database.multiAz ?? production,
      deletionProtection: parsed.database.deletionProtection ?? production,
    },
    waf: { ...parsed.waf, enabled: parsed.waf.enabled ?? production },
    cache: {
      ...parsed.cache,
      mode: parsed.cache.mode ?? dependencyDefault,
      nodeType: parsed.cache.nodeType ?? (production ? "cache.r6g.large" : "cache.t4g.medium"),
      multiAz: parsed.cache.multiAz ?? (production && parsed.cache.replicas > 0),
    },
  };
}

/** Secrets the user supplies; held in memory only, never written to the config file or state. */
export interface UserSecrets {
  readonly licenseToken?: string;
  readonly authClientSecret?: string;
  /** External dependencies' credentials when their section names no credentialsSecretArn. */
  readonly databasePassword?: string;
  readonly redisPassword?: string;
  readonly storageAccessKeyId?: string;
  readonly storageSecretAccessKey?: string;
}
