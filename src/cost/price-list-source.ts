/**
 * Prices from the AWS Price List API (GetProducts). `plan` must stay fast, so every call has its
 * own timeout, all of them share one deadline, and the first failed call stops the rest: an API
 * that refused or timed out once (no permission, no network, an endpoint override without a
 * Pricing API) will not do better for the next product. Whatever it cannot price, the estimate
 * takes from the table and says so.
 */
import type { PricingClient } from "@aws-sdk/client-pricing";
import { awsErrorCode } from "../aws/errors.js";
import { errorMessage } from "../errors.js";
import { readPrice } from "./price-list-parse.js";
import { productRequest } from "./price-list-query.js";
import { priceKey } from "./price-table.js";
import type { PriceQuery, PriceSource } from "./types.js";
import { loadSdk } from "../aws/sdk.js";

/**
 * The nearest Price List API endpoint to the platform's region. The API answers only in
 * us-east-1, eu-central-1 and ap-south-1; any of them prices every region.
 */
export function pricingEndpointRegion(region: string): "us-east-1" | "eu-central-1" | "ap-south-1" {
  if (/^(eu|me|af|il)-/.test(region)) return "eu-central-1";
  if (/^ap-/.test(region)) return "ap-south-1";
  return "us-east-1";
}

export interface PriceListOptions {
  /** Per GetProducts call. */
  callTimeoutMs: number;
  /** For all calls together, from the first one. */
  deadlineMs: number;
  /** Calls in flight at once (the API throttles bursts). */
  concurrency?: number;
}

export const PRICE_LIST_DEFAULTS: PriceListOptions = { callTimeoutMs: 3000, deadlineMs: 6000, concurrency: 4 };

type Send = Pick<PricingClient, "send">;

function failureReason(error: unknown, callSignal: AbortSignal, options: PriceListOptions): string {
  if (callSignal.aborted) return `Price List API: no answer within ${options.callTimeoutMs / 1000} s`;
  const code = awsErrorCode(error);
  const message = errorMessage(error).split("\n")[0] ?? "";
  return `Price List API: ${code && !message.startsWith(code) ? `${code}: ${message}` : message}`;
}

/** The SDK honours abortSignal between attempts; this also ends a call stuck inside one. */
function untilAborted<T>(call: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
    if (signal.aborted) return abort();
    signal.addEventListener("abort", abort, { once: true });
    call.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}

export function priceListApiSource(client: Send, options: PriceListOptions = PRICE_LIST_DEFAULTS): PriceSource {
  const answers = new Map<string, Promise<number | undefined>>();
  const misses = new Map<string, string>();
  const stop = new AbortController();
  let stopped: string | undefined;
  let deadline: NodeJS.Timeout | undefined;
  let running = 0;
  const waiting: (() => void)[] = [];

  const slot = async () => {
    if (running >= (options.concurrency ?? 4)) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
  };
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  /** Ends every call in flight and every one still queued, each with this reason. */
  const halt = (reason: string) => {
    stopped ??= reason;
    stop.abort();
  };

  async function lookUp(query: PriceQuery, key: string): Promise<number | undefined> {
    if (deadline === undefined) {
      deadline = setTimeout(() => halt(`Price List API: no answer within the ${options.deadlineMs / 1000} s the estimate allows`), options.deadlineMs);
      deadline.unref();
    }
    await slot();
    try {
      if (stopped !== undefined) {
        misses.set(key, stopped);
        return undefined;
      }
      const request = productRequest(query);
      const { GetProductsCommand } = await loadSdk("@aws-sdk/client-pricing");
      const callSignal = AbortSignal.timeout(options.callTimeoutMs);
      try {
        const signal = AbortSignal.any([stop.signal, callSignal]);
        const answer = await untilAborted(client.send(new GetProductsCommand({ ServiceCode: request.serviceCode, Filters: request.filters, FormatVersion: "aws_v1", MaxResults: 100 }), { abortSignal: signal }), signal);
        const list: unknown = answer.PriceList ?? [];
        const reading = readPrice(Array.isArray(list) ? (list as unknown[]) : [], request.unit);
        if (reading.ok) return reading.usd;
        misses.set(key, reading.reason);
        return undefined;
      } catch (error) {
        // One failure is enough to know the API is not usable now: stop the other calls too.
        if (stopped === undefined) halt(failureReason(error, callSignal, options));
        misses.set(key, stopped ?? "Price List API: stopped");
        return undefined;
      }
    } finally {
      release();
    }
  }

  return {
    kind: "api",
    price(query) {
      const key = `${query.region}/${priceKey(query)}`;
      let answer = answers.get(key);
      if (answer === undefined) {
        answer = lookUp(query, key);
        answers.set(key, answer);
      }
      return answer;
    },
    missReason: (query) => misses.get(`${query.region}/${priceKey(query)}`),
    failure: () => stopped,
  };
}
