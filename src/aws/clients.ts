/**
 * The one place AWS SDK clients are built.
 *
 * Start-up time is a tested requirement (`btp-aws --help` must stay within 2.5× `node -e 0`), and
 * an SDK client module costs tens of milliseconds to load. So no file in src/ imports an SDK
 * package at its top level (only `import type`); each client module is loaded with `import()`
 * the first time a step asks for that client, and the client is then cached per region.
 */
import type { STSClient } from "@aws-sdk/client-sts";
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { IAMClient } from "@aws-sdk/client-iam";
import type { KMSClient } from "@aws-sdk/client-kms";
import type { S3Client } from "@aws-sdk/client-s3";
import type { EKSClient } from "@aws-sdk/client-eks";
import type { RDSClient } from "@aws-sdk/client-rds";
import type { ElastiCacheClient } from "@aws-sdk/client-elasticache";
import type { ACMClient } from "@aws-sdk/client-acm";
import type { Route53Client } from "@aws-sdk/client-route-53";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { BudgetsClient } from "@aws-sdk/client-budgets";
import type { ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import type { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { WAFV2Client } from "@aws-sdk/client-wafv2";
import type { GuardDutyClient } from "@aws-sdk/client-guardduty";
import type { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import type { ConfigServiceClient } from "@aws-sdk/client-config-service";
import type { PricingClient } from "@aws-sdk/client-pricing";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { attachCallCounter, type CallCounter, type CountableClient } from "./call-counter.js";
import { loadSdk } from "./sdk.js";

export interface AwsClientOptions {
  /** Default region for every client; a client for another region is asked for explicitly. */
  region: string;
  /** Named profile; without it the standard chain applies (AWS_PROFILE, SSO, env, instance role). */
  profile?: string;
  /** Endpoint override (AWS_ENDPOINT_URL, read by the CLI): LocalStack, moto, a VPC endpoint. */
  endpoint?: string;
  /** Appended to the SDK's user agent, e.g. "btp-aws/0.1.0", so CloudTrail shows who called. */
  userAgentSuffix: string;
  counter?: CallCounter;
  /** Tests pass fixed credentials; the CLI leaves this unset. */
  credentials?: AwsCredentialIdentityProvider;
  /** Attempts per call, retries included (default 5). */
  maxAttempts?: number;
}

/** What every client constructor receives; service-specific keys are added by `clientConfig`. */
export interface AwsClientConfig {
  region: string;
  profile?: string;
  endpoint?: string;
  credentials?: AwsCredentialIdentityProvider;
  // Adaptive mode adds client-side rate limiting on top of exponential backoff: an installer
  // that creates many resources at once is exactly the caller AWS throttles.
  retryMode: "adaptive";
  maxAttempts: number;
  customUserAgent: string;
  // Without a connection timeout a black-holed endpoint (firewall, wrong VPC endpoint) hangs
  // until the OS gives up, minutes later. Request timeouts stay unset: some calls are slow.
  requestHandler: { connectionTimeout: number };
  forcePathStyle?: boolean;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
const CONNECTION_TIMEOUT_MS = 10_000;
const ADVISORY_MAX_ATTEMPTS = 2;

/**
 * The config for one client. With an endpoint override, S3 must use path-style addressing:
 * `http://127.0.0.1:5000/bucket`, because `bucket.127.0.0.1` does not resolve.
 */
export function clientConfig(options: AwsClientOptions, region: string, service?: string): AwsClientConfig {
  const config: AwsClientConfig = {
    region,
    retryMode: "adaptive",
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    customUserAgent: options.userAgentSuffix,
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS },
  };
  if (options.profile !== undefined) config.profile = options.profile;
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  if (service === "s3" && options.endpoint !== undefined) config.forcePathStyle = true;
  // Quota checks are advisory ("not checked" is an answer): one retry, not seconds of back-off
  // on the install's critical path before infra may start.
  if (service === "serviceQuotas") config.maxAttempts = Math.min(config.maxAttempts, ADVISORY_MAX_ATTEMPTS);
  return config;
}

export interface AwsClients {
  /** The default region. */
  readonly region: string;
  /** The endpoint override, if any: error messages name it when it cannot be reached. */
  readonly endpoint: string | undefined;
  readonly counter: CallCounter | undefined;
  sts(region?: string): Promise<STSClient>;
  ec2(region?: string): Promise<EC2Client>;
  iam(region?: string): Promise<IAMClient>;
  kms(region?: string): Promise<KMSClient>;
  s3(region?: string): Promise<S3Client>;
  eks(region?: string): Promise<EKSClient>;
  rds(region?: string): Promise<RDSClient>;
  elasticache(region?: string): Promise<ElastiCacheClient>;
  acm(region?: string): Promise<ACMClient>;
  route53(region?: string): Promise<Route53Client>;
  secretsManager(region?: string): Promise<SecretsManagerClient>;
  sns(region?: string): Promise<SNSClient>;
  cloudwatch(region?: string): Promise<CloudWatchClient>;
  logs(region?: string): Promise<CloudWatchLogsClient>;
  budgets(region?: string): Promise<BudgetsClient>;
  serviceQuotas(region?: string): Promise<ServiceQuotasClient>;
  tagging(region?: string): Promise<ResourceGroupsTaggingAPIClient>;
  elbv2(region?: string): Promise<ElasticLoadBalancingV2Client>;
  wafv2(region?: string): Promise<WAFV2Client>;
  guardduty(region?: string): Promise<GuardDutyClient>;
  cloudtrail(region?: string): Promise<CloudTrailClient>;
  configService(region?: string): Promise<ConfigServiceClient>;
  /** The Price List API answers only in us-east-1, eu-central-1 and ap-south-1: pass one of those. */
  pricing(region?: string): Promise<PricingClient>;
  /** Closes the sockets of every client built so far. */
  destroy(): void;
}

interface SdkClient extends CountableClient {
  destroy(): void;
}
type ClientConstructor<C> = new (config: AwsClientConfig) => C;

export function createAwsClients(options: AwsClientOptions): AwsClients {
  const built: SdkClient[] = [];

  /** One lazily loaded client class, instantiated once per region. */
  function regional<C extends SdkClient>(service: string, load: () => Promise<ClientConstructor<C>>): (region?: string) => Promise<C> {
    // Promises are cached, not clients, so two steps asking at once share one client.
    const cache = new Map<string, Promise<C>>();
    return (region = options.region) => {
      let client = cache.get(region);
      if (client === undefined) {
        client = load().then((Client) => {
          const instance = new Client(clientConfig(options, region, service));
          if (options.counter !== undefined) attachCallCounter(instance, options.counter);
          built.push(instance);
          return instance;
        });
        client.catch(() => cache.delete(region)); // a failed load may be retried
        cache.set(region, client);
      }
      return client;
    };
  }

  return {
    region: options.region,
    endpoint: options.endpoint,
    counter: options.counter,
    sts: regional("sts", async () => (await loadSdk("@aws-sdk/client-sts")).STSClient),
    ec2: regional("ec2", async () => (await loadSdk("@aws-sdk/client-ec2")).EC2Client),
    iam: regional("iam", async () => (await loadSdk("@aws-sdk/client-iam")).IAMClient),
    kms: regional("kms", async () => (await loadSdk("@aws-sdk/client-kms")).KMSClient),
    s3: regional("s3", async () => (await loadSdk("@aws-sdk/client-s3")).S3Client),
    eks: regional("eks", async () => (await loadSdk("@aws-sdk/client-eks")).EKSClient),
    rds: regional("rds", async () => (await loadSdk("@aws-sdk/client-rds")).RDSClient),
    elasticache: regional("elasticache", async () => (await loadSdk("@aws-sdk/client-elasticache")).ElastiCacheClient),
    acm: regional("acm", async () => (await loadSdk("@aws-sdk/client-acm")).ACMClient),
    route53: regional("route53", async () => (await loadSdk("@aws-sdk/client-route-53")).Route53Client),
    secretsManager: regional("secretsManager", async () => (await loadSdk("@aws-sdk/client-secrets-manager")).SecretsManagerClient),
    sns: regional("sns", async () => (await loadSdk("@aws-sdk/client-sns")).SNSClient),
    cloudwatch: regional("cloudwatch", async () => (await loadSdk("@aws-sdk/client-cloudwatch")).CloudWatchClient),
    logs: regional("logs", async () => (await loadSdk("@aws-sdk/client-cloudwatch-logs")).CloudWatchLogsClient),
    // Budgets' generated types narrow middlewareStack.add more than the others; the runtime shape is the same.
    budgets: regional("budgets", async () => (await loadSdk("@aws-sdk/client-budgets")).BudgetsClient as unknown as ClientConstructor<BudgetsClient & SdkClient>),
    serviceQuotas: regional("serviceQuotas", async () => (await loadSdk("@aws-sdk/client-service-quotas")).ServiceQuotasClient),
    tagging: regional("tagging", async () => (await loadSdk("@aws-sdk/client-resource-groups-tagging-api")).ResourceGroupsTaggingAPIClient),
    elbv2: regional("elbv2", async () => (await loadSdk("@aws-sdk/client-elastic-load-balancing-v2")).ElasticLoadBalancingV2Client),
    wafv2: regional("wafv2", async () => (await loadSdk("@aws-sdk/client-wafv2")).WAFV2Client),
    guardduty: regional("guardduty", async () => (await loadSdk("@aws-sdk/client-guardduty")).GuardDutyClient),
    cloudtrail: regional("cloudtrail", async () => (await loadSdk("@aws-sdk/client-cloudtrail")).CloudTrailClient),
    configService: regional("configService", async () => (await loadSdk("@aws-sdk/client-config-service")).ConfigServiceClient),
    pricing: regional("pricing", async () => (await loadSdk("@aws-sdk/client-pricing")).PricingClient),
    destroy() {
      for (const client of built.splice(0)) client.destroy();
    },
  };
}
