/**
 * The cost estimate as `plan` makes it: choose the price source for `--prices`, price every
 * billable resource, close the SDK's sockets so the command exits at once.
 */
import { createAwsClients, type AwsClients } from "../aws/clients.js";
import type { Config } from "../config/schema.js";
import { choosePriceSource, type PriceMode } from "./choose-source.js";
import { estimateCost } from "./estimate.js";
import { pricingEndpointRegion, type PriceListOptions } from "./price-list-source.js";
import type { CostEstimate } from "./types.js";

export interface PlanCostOptions {
  mode: PriceMode;
  /** AWS_ENDPOINT_URL, as for every other command (LocalStack answers Pricing). */
  endpoint?: string | undefined;
  userAgentSuffix: string;
  /** Timeouts of the API lookups; the defaults keep `plan` within a few seconds. */
  priceList?: PriceListOptions;
}

export async function planCost(config: Config, options: PlanCostOptions): Promise<CostEstimate> {
  let aws: AwsClients | undefined;
  const access = () => {
    aws = createAwsClients({
      region: pricingEndpointRegion(config.aws.region),
      ...(config.aws.profile ? { profile: config.aws.profile } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      userAgentSuffix: options.userAgentSuffix,
      // The estimate has a deadline of a few seconds: one retry at most, then the table.
      maxAttempts: 2,
    });
    const clients = aws;
    return {
      credentials: async () => (await clients.pricing()).config.credentials(),
      client: () => clients.pricing(),
    };
  };
  try {
    const choice = await choosePriceSource(options.mode, access, options.priceList);
    return await estimateCost(config, choice.source, choice.apiNotTried ? { apiNotTried: choice.apiNotTried } : {});
  } finally {
    aws?.destroy();
  }
}
