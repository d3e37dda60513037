/** The doctor's runner, renderer and exit codes, with made-up checks. */
import { describe, expect, it } from "vitest";
import { BtpAwsError } from "../../../../src/errors.js";
import { doctorJson, renderDoctorTable } from "../../../../src/ops/doctor/render.js";
import { doctorExitCode, runChecks } from "../../../../src/ops/doctor/runner.js";
import { fail, ok, warn, type Check, type CheckArea, type CheckOutcome, type CheckResult, type DoctorContext } from "../../../../src/ops/doctor/types.js";
import { testContext } from "./helpers.js";

const context = (): Omit<DoctorContext, "signal"> => {
  const { signal: _signal, ...rest } = testContext();
  return rest;
};

const check = (id: string, run: Check["run"], area: CheckArea = "aws"): Check => ({ id, title: `check ${id}`, area, run });
const after = (ms: number, outcome: CheckOutcome) => () => new Promise<CheckOutcome>((resolve) => setTimeout(() => resolve(outcome), ms));

describe("runChecks", () => {
  it("runs every check at the same time and returns the results in the checks' order", async () => {
    let running = 0;
    let most = 0;
    const slow = (id: string, ms: number) => check(id, async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, ms));
      running -= 1;
      return ok(`${id} done`);
    });
    const started = Date.now();
    const results = await runChecks([slow("a", 150), slow("b", 50), slow("c", 100), slow("d", 120), slow("e", 80)], context(), { timeoutMs: 5000 });
    expect(most).toBe(5);
    // Sequentially this would take 500 ms.
    expect(Date.now() - started).toBeLessThan(400);
    expect(results.map((r) => [r.id, r.status, r.detail])).toEqual([["a", "ok", "a done"], ["b", "ok", "b done"], ["c", "ok", "c done"], ["d", "ok", "d done"], ["e", "ok", "e done"]]);
  });

  it("fails a check that runs out of time, aborts its signal, and does not wait for it", async () => {
    let aborted: unknown;
    const hang = check("hang", (ctx) => new Promise<CheckOutcome>(() => {
      ctx.signal.addEventListener("abort", () => {
        aborted = ctx.signal.reason;
      });
    }));
    const started = Date.now();
    const [hung, quick] = await runChecks([hang, check("quick", after(10, ok("fine")))], context(), { timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(hung).toMatchObject({ id: "hang", status: "fail", detail: "timed out after 0.2 s" });
    expect(hung!.fix).toContain("--timeout <seconds>");
    expect(String(aborted)).toContain("timed out after 0.2 s");
    expect(quick).toMatchObject({ id: "quick", status: "ok" });
  });

  it("turns a thrown error into a failed check with its hint; an AWS error gets its code and advice", async () => {
    const awsError = Object.assign(new Error("User: arn:aws:iam::1:user/x is not authorized to perform: rds:DescribeDBInstances"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
    const [own, aws, plain] = await runChecks([
      check("own", () => Promise.reject(new BtpAwsError("cannot reach the cluster: ECONNREFUSED", { hint: "check the VPN" }))),
      check("aws", () => Promise.reject(awsError)),
      check("plain", () => Promise.reject(new TypeError("x is undefined"))),
    ], context(), { timeoutMs: 1000 });
    expect(own).toMatchObject({ status: "fail", detail: "cannot reach the cluster: ECONNREFUSED", fix: "check the VPN" });
    expect(aws!.status).toBe("fail");
    expect(aws!.detail).toMatch(/^not allowed to check check aws: AccessDenied: User: .* rds:DescribeDBInstances$/);
    expect(aws!.fix).toContain("IAM permission");
    expect(plain).toMatchObject({ status: "fail", detail: "the check itself failed: x is undefined" });
  });

  it("gives a warning or failure without a fix a generic one, so no finding leaves the user guessing", async () => {
    const [result] = await runChecks([check("bare", () => Promise.resolve({ status: "warn", detail: "odd" }))], context(), { timeoutMs: 1000 });
    expect(result!.fix).toMatch(/no specific advice/);
  });
});

describe("exit code", () => {
  const results = (...statuses: CheckResult["status"][]) => statuses.map((status) => ({ status }));
  it("is 0 when nothing failed, warnings included, and 1 when something failed", () => {
    expect(doctorExitCode(results("ok", "ok"), false)).toBe(0);
    expect(doctorExitCode(results("ok", "warn"), false)).toBe(0);
    expect(doctorExitCode(results("ok", "fail", "warn"), false)).toBe(1);
  });
  it("is 1 on warnings with --strict", () => {
    expect(doctorExitCode(results("ok", "warn"), true)).toBe(1);
    expect(doctorExitCode(results("ok", "ok"), true)).toBe(0);
  });
});

describe("output", () => {
  const results: CheckResult[] = [
    { id: "aws/s3", title: "S3 bucket", area: "aws", ...fail("bucket b: versioning is Suspended", "aws s3api put-bucket-versioning …"), durationMs: 5 },
    { id: "local/config", title: "Config valid", area: "local", ...ok("btp-aws.yaml: valid"), durationMs: 1 },
    { id: "security/waf", title: "WAF", area: "security", ...warn("no web ACL", "associate one"), durationMs: 2 },
  ];

  it("prints a table grouped by area in a fixed order, with the fix under each finding only", () => {
    const text = renderDoctorTable(results, { platform: "t1", region: "eu-west-1", color: false, durationMs: 1234 });
    expect(text.split("\n")).toEqual([
      "Doctor for platform t1 in eu-west-1",
      "",
      "local",
      "  ✔ Config valid  btp-aws.yaml: valid",
      "aws",
      "  ✘ S3 bucket     bucket b: versioning is Suspended",
      "    → aws s3api put-bucket-versioning …",
      "security",
      "  ⚠ WAF           no web ACL",
      "    → associate one",
      "",
      "3 checks in 1.2s: 1 ok, 1 warning, 1 failed",
    ]);
  });

  it("colours the marks only when asked", () => {
    expect(renderDoctorTable(results, { platform: "t1", region: "r", color: true, durationMs: 1 })).toContain("\x1b[31m✘\x1b[0m");
  });

  it("gives machines an array of {id, title, status, detail, fix}, fix null when ok", () => {
    const json = doctorJson(results);
    expect(json.map((e) => Object.keys(e))).toEqual(Array(3).fill(["id", "title", "status", "detail", "fix"]));
    expect(json[1]).toEqual({ id: "local/config", title: "Config valid", status: "ok", detail: "btp-aws.yaml: valid", fix: null });
    expect(json[0]).toEqual({ id: "aws/s3", title: "S3 bucket", status: "fail", detail: "bucket b: versioning is Suspended", fix: "aws s3api put-bucket-versioning …" });
  });
});
