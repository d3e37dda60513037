import { describe, expect, it } from "vitest";
import { BtpAwsError } from "../../../src/errors.js";
import { REDACTED, Redactor } from "../../../src/secrets/redact.js";
import { redactEvents } from "../../../src/secrets/redact-events.js";
import type { RunEvents } from "../../../src/runner/types.js";

const step = { id: "infra/rds", title: "RDS", phase: "infra" as const };

describe("Redactor", () => {
  it("replaces a secret and its base64, base64url, URL and JSON encodings", () => {
    const redactor = new Redactor();
    const secret = 'p@ss/word+"quoted"';
    redactor.add(secret);
    const forms = [secret, Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("base64url"), encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)];
    for (const form of forms) expect(redactor.redact(`before ${form} after`)).toBe(`before ${REDACTED} after`);
  });

  it("ignores values too short to be secrets, so ordinary words survive", () => {
    const redactor = new Redactor();
    redactor.add("abc");
    expect(redactor.redact("abc def")).toBe("abc def");
  });
});

describe("redactEvents", () => {
  it("redacts status, info, warnings, skip reasons and failures before any renderer sees them", () => {
    const seen: string[] = [];
    const target: RunEvents = {
      stepStatus: (_s, t) => void seen.push(t),
      stepInfo: (_s, t) => void seen.push(t),
      stepWarn: (_s, t) => void seen.push(t),
      stepSkipped: (_s, t) => void seen.push(t),
      stepFailed: (_s, e) => void seen.push(`${e.message} | ${(e as BtpAwsError).hint ?? ""}`),
    };
    const redactor = new Redactor();
    redactor.add("hunter2-secret");
    const events = redactEvents(target, redactor);
    events.stepStatus?.(step, "using hunter2-secret");
    events.stepInfo?.(step, "info hunter2-secret");
    events.stepWarn?.(step, "warn hunter2-secret");
    events.stepSkipped?.(step, "skip hunter2-secret");
    events.stepFailed?.(step, new BtpAwsError("failed with hunter2-secret", { hint: "rotate hunter2-secret" }));
    expect(seen).toEqual([`using ${REDACTED}`, `info ${REDACTED}`, `warn ${REDACTED}`, `skip ${REDACTED}`, `failed with ${REDACTED} | rotate ${REDACTED}`]);
  });
});
