/**
 * The one place AWS SDK clients are built.
 *
 * Start-up time is a tested requirement (`btp-aws --help` must stay within 2.5× `node -e 0`), and
 * an SDK client module costs tens of milliseconds to load. So no file in src/ imports an SDK
 * package at its top level (only `import type`); each client module is loaded with `import()`
 * the first time a step asks for that client, and the client is then cached per region.
 */
import type { STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { attachCallCounter, type CallCounter, type CountableClient } from "./call-counter.js";

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
  return config;
}

export interface AwsClients {
  /** The default region. */
  readonly region: string;
  /** The endpoint override, if any: error messages name it when it cannot be reached. */
  readonly endpoint: string | undefined;
  readonly counter: CallCounter | undefined;
  sts(region?: string): Promise<STSClient>;
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
    sts: regional("sts", async () => (await import("@aws-sdk/client-sts")).STSClient),
    destroy() {
      for (const client of built.splice(0)) client.destroy();
    },
  };
}
