/** `--prices`: which source each mode picks, and how long auto waits for credentials. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { AUTO_CREDENTIALS_TIMEOUT_MS, choosePriceSource, type PricingAccess } from "../../../src/cost/choose-source.js";

function access(credentials: () => Promise<unknown>): { make: () => PricingAccess; made: () => number; clients: () => number } {
  let made = 0;
  let clients = 0;
  return {
    make: () => {
      made++;
      return { credentials, client: () => (clients++, Promise.resolve({ send: () => Promise.reject(new Error("not in this test")) })) };
    },
    made: () => made,
    clients: () => clients,
  };
}

afterEach(() => vi.useRealTimers());

describe("choosePriceSource", () => {
  it("table: the table, without building any AWS access", async () => {
    const fake = access(() => Promise.resolve({}));
    const choice = await choosePriceSource("table", fake.make);
    expect(choice.source.kind).toBe("table");
    expect(choice.apiNotTried).toBe("--prices table");
    expect(fake.made()).toBe(0);
  });

  it("auto: the API when credentials resolve", async () => {
    const fake = access(() => Promise.resolve({ accessKeyId: "AKIA" }));
    const choice = await choosePriceSource("auto", fake.make);
    expect(choice.source.kind).toBe("api");
    expect(choice.apiNotTried).toBeUndefined();
    expect(fake.clients()).toBe(1);
  });

  it("auto: the table, saying why, when the chain has no credentials", async () => {
    const fake = access(() => Promise.reject(new Error("Could not load credentials from any providers\nmore detail")));
    const choice = await choosePriceSource("auto", fake.make);
    expect(choice.source.kind).toBe("table");
    expect(choice.apiNotTried).toBe("no AWS credentials (Could not load credentials from any providers)");
    expect(fake.clients()).toBe(0);
  });

  it("auto: the table after 1.5 s when credentials take longer (an unreachable SSO or instance role)", async () => {
    vi.useFakeTimers();
    const fake = access(() => new Promise(() => undefined));
    let settled = false;
    const choosing = choosePriceSource("auto", fake.make).finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(AUTO_CREDENTIALS_TIMEOUT_MS - 1);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const choice = await choosing;
    expect(choice.source.kind).toBe("table");
    expect(choice.apiNotTried).toBe("no AWS credentials (none resolved within 1.5 s)");
  });

  it("api: an error with a hint when there are no credentials", async () => {
    const fake = access(() => Promise.reject(new Error("Token is expired. To refresh this SSO session run 'aws sso login'")));
    await expect(choosePriceSource("api", fake.make)).rejects.toMatchObject({
      message: "price the plan with the AWS Price List API (--prices api): no AWS credentials: Token is expired. To refresh this SSO session run 'aws sso login'",
      hint: "sign in (--profile, AWS_PROFILE, `aws sso login`, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or run `btp-aws plan --prices table`",
    });
  });
});
