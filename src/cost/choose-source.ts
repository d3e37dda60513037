/**
 * Which prices `plan` uses (`--prices`): `table` never touches the network; `api` insists on the
 * Price List API; `auto` (the default) asks the API only when credentials resolve quickly, so
 * `plan` still works offline and without credentials, and says it used the table.
 */
import type { PricingClient } from "@aws-sdk/client-pricing";
import { BtpAwsError, errorMessage } from "../errors.js";
import { priceListApiSource, type PriceListOptions } from "./price-list-source.js";
import { priceTableSource } from "./price-table.js";
import type { PriceSource } from "./types.js";

export const PRICE_MODES = ["auto", "table", "api"] as const;
export type PriceMode = (typeof PRICE_MODES)[number];

/** How long credentials may take to resolve before `auto` gives up on the API. */
export const AUTO_CREDENTIALS_TIMEOUT_MS = 1500;
const API_CREDENTIALS_TIMEOUT_MS = 10_000;

/** What the API source needs; the CLI builds it from AwsClients, tests from fakes. */
export interface PricingAccess {
  /** Resolves the credentials the Pricing client signs with; rejects when there are none. */
  credentials(): Promise<unknown>;
  client(): Promise<Pick<PricingClient, "send">>;
}

export interface PriceSourceChoice {
  source: PriceSource;
  /** Why the API was not asked (table mode, no credentials); undefined when it was. */
  apiNotTried?: string;
}

/** Resolves within `ms` or says why not; never throws. */
async function credentialsWithin(access: PricingAccess, ms: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`none resolved within ${ms / 1000} s`), ms);
    timer.unref();
  });
  try {
    return await Promise.race([access.credentials().then(() => undefined, (error: unknown) => errorMessage(error).split("\n")[0] || "none found"), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function choosePriceSource(mode: PriceMode, access: () => PricingAccess, options?: PriceListOptions): Promise<PriceSourceChoice> {
  if (mode === "table") return { source: priceTableSource(), apiNotTried: "--prices table" };
  const pricing = access();
  const missing = await credentialsWithin(pricing, mode === "api" ? API_CREDENTIALS_TIMEOUT_MS : AUTO_CREDENTIALS_TIMEOUT_MS);
  if (missing !== undefined) {
    if (mode === "api") {
      throw new BtpAwsError(`price the plan with the AWS Price List API (--prices api): no AWS credentials: ${missing}`, {
        hint: "sign in (--profile, AWS_PROFILE, `aws sso login`, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or run `btp-aws plan --prices table`",
      });
    }
    return { source: priceTableSource(), apiNotTried: `no AWS credentials (${missing})` };
  }
  return { source: priceListApiSource(await pricing.client(), options) };
}
