import { describe, expect, it } from "vitest";
import { createTokenSource } from "../../../src/k8s/token-source.js";

const MINUTE = 60_000;

function minter(lifetimeMs: number, clock: { now: number }) {
  let minted = 0;
  return {
    count: () => minted,
    mint: () => {
      minted += 1;
      return Promise.resolve({ token: `token-${minted}`, expiresAt: new Date(clock.now + lifetimeMs) });
    },
  };
}

describe("createTokenSource", () => {
  it("reuses a token until one minute before it expires, then mints a new one", async () => {
    const clock = { now: 0 };
    const m = minter(14 * MINUTE, clock);
    const token = createTokenSource(m.mint, () => clock.now);
    expect(await token()).toBe("token-1");
    clock.now = 13 * MINUTE - 1;
    expect(await token()).toBe("token-1");
    clock.now = 13 * MINUTE;
    expect(await token()).toBe("token-2");
    expect(m.count()).toBe(2);
  });

  it("mints once for callers that ask at the same time", async () => {
    const clock = { now: 0 };
    const m = minter(14 * MINUTE, clock);
    const token = createTokenSource(m.mint, () => clock.now);
    expect(await Promise.all([token(), token(), token()])).toEqual(["token-1", "token-1", "token-1"]);
    expect(m.count()).toBe(1);
  });

  it("does not remember a failed mint: the next call tries again", async () => {
    let attempts = 0;
    const token = createTokenSource(() => (++attempts === 1 ? Promise.reject(new Error("no credentials")) : Promise.resolve({ token: "ok", expiresAt: new Date(Date.now() + 14 * MINUTE) })));
    await expect(token()).rejects.toThrow("no credentials");
    expect(await token()).toBe("ok");
    expect(attempts).toBe(2);
  });
});
