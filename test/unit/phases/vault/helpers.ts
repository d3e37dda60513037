/** Test doubles for the vault phase: the platform secret in memory, and a clock that sleeps instantly. */
import { expect } from "vitest";
import type { WaitSettings } from "../../../../src/aws/wait.js";
import type { PlatformSecretStore } from "../../../../src/phases/vault/initialise.js";
import type { RecordingReporter } from "../../../support/reporter.js";

export interface MemorySecrets extends PlatformSecretStore {
  readonly values: Record<string, string>;
  /** Every merge that succeeded, in order, with the values it was given. */
  readonly merges: Record<string, string>[];
  /** Makes a merge whose values contain this key throw, `times` times (Infinity: always). */
  failMergesWith(key: string, times?: number, message?: string): void;
  /** Called at the start of each merge (to see what Vault had been asked by then). */
  onMerge?: (values: Record<string, string>) => void;
}

export function memorySecrets(initial: Record<string, string> = {}): MemorySecrets {
  const values = { ...initial };
  const merges: Record<string, string>[] = [];
  let failure: { key: string; times: number; message: string } | undefined;
  const store: MemorySecrets = {
    name: "btp-test/credentials",
    values,
    merges,
    failMergesWith(key, times = Number.POSITIVE_INFINITY, message = "AccessDeniedException: not authorized to perform secretsmanager:PutSecretValue") {
      failure = { key, times, message };
    },
    load: () => Promise.resolve({ ...values }),
    merge(update) {
      store.onMerge?.(update);
      if (failure && failure.key in update && failure.times > 0) {
        failure.times--;
        return Promise.reject(new Error(failure.message));
      }
      Object.assign(values, update);
      merges.push({ ...update });
      return Promise.resolve();
    },
  };
  return store;
}

/** Virtual time: every sleep returns at once and moves the clock; `onSleep` may change the world. */
export function instantTime(onSleep?: (count: number) => void): WaitSettings & { sleeps: () => number } {
  let now = 0;
  let sleeps = 0;
  return {
    scale: 1,
    now: () => now,
    sleep: (ms) => {
      now += ms;
      onSleep?.(++sleeps);
      return Promise.resolve();
    },
    sleeps: () => sleeps,
  };
}

/** Every line a reporter saw. */
export function reportLines(report: RecordingReporter): string[] {
  return [...report.statuses, ...report.infos, ...report.warnings, ...report.skipped];
}

/** What a user would see of an error: its message and its hint. */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const hint = (error as { hint?: unknown }).hint;
  return `${error.message}\n${typeof hint === "string" ? hint : ""}`;
}

/** No secret, and no common encoding of one, appears in any of the texts. */
export function expectNoSecrets(texts: readonly string[], secrets: readonly string[]): void {
  expect(secrets.length).toBeGreaterThan(0);
  for (const secret of secrets) {
    const forms = [secret, Buffer.from(secret).toString("base64"), encodeURIComponent(secret)];
    for (const text of texts) {
      for (const form of forms) expect(text.includes(form), `a secret appears in: ${text}`).toBe(false);
    }
  }
}

export async function rejection(promise: Promise<unknown>): Promise<Error & { hint?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { hint?: string };
  }
  throw new Error("expected the promise to reject");
}

export interface RecordedRequest {
  method: string;
  /** "/v1/sys/mounts" */
  path: string;
  status: number;
}

/**
 * A fetch that records what the client sent, so "no writes" can be asserted on the client side:
 * the same assertion then holds against the fake and against a real OpenBao.
 */
export function recordingFetch(): { fetch: typeof globalThis.fetch; requests: RecordedRequest[]; writes(): string[]; clear(): void } {
  const requests: RecordedRequest[] = [];
  return {
    requests,
    async fetch(input, init) {
      const response = await fetch(input, init);
      const url = new URL(input instanceof Request ? input.url : String(input));
      requests.push({ method: init?.method ?? "GET", path: url.pathname, status: response.status });
      return response;
    },
    // AppRole's lookups take the secret in a body, so they are POSTs that change nothing.
    writes: () => requests.filter((r) => r.method !== "GET" && !r.path.endsWith("/lookup")).map((r) => `${r.method} ${r.path}`),
    clear: () => void (requests.length = 0),
  };
}

/** An operator's out-of-band change, through the HTTP API (as `vault write` would send it). */
export async function operatorCall(address: string, token: string, method: string, path: string, body?: unknown): Promise<number> {
  const response = await fetch(`${address}/v1/${path}`, { method, headers: { "X-Vault-Token": token }, body: body === undefined ? undefined : JSON.stringify(body) });
  await response.text();
  return response.status;
}
