/** The local checks: config, state file, helm and credentials. */
import { describe, expect, it } from "vitest";
import { localChecks } from "../../../../src/ops/doctor/checks-local.js";
import { runChecks } from "../../../../src/ops/doctor/runner.js";
import type { CheckResult, DoctorContext } from "../../../../src/ops/doctor/types.js";
import { testConfig } from "../../../support/config.js";
import { stateWith, stubFacts, stubLocal, testContext } from "./helpers.js";

async function run(id: string, given: Partial<DoctorContext>): Promise<CheckResult> {
  const { signal: _signal, ...ctx } = testContext(given);
  const [result] = await runChecks(localChecks.filter((c) => c.id === id), ctx, { timeoutMs: 1000 });
  return result!;
}

const identity = (account: string) => stubFacts({ identity: () => Promise.resolve({ account, arn: `arn:aws:sts::${account}:assumed-role/ops/me`, userId: "AID" }) });

describe("local checks", () => {
  it("config: lists the first problem and how many more, with the validate command", async () => {
    const result = await run("local/config", { local: stubLocal({ configPath: "prod.yaml", configProblems: ["database.instanceClass: must be an RDS instance class", "cluster.minNodes: too small"] }) });
    expect(result).toMatchObject({ status: "fail", detail: "prod.yaml is invalid: database.instanceClass: must be an RDS instance class (and 1 more)", fix: "run `btp-aws config validate prod.yaml` to list every problem, fix them, then run doctor again" });
  });

  it("config: ok from a file, warns with its warnings, and without any config", async () => {
    const config = testConfig({ platform: "t1" });
    expect(await run("local/config", { config, local: stubLocal({ configPath: "btp-aws.yaml" }) })).toMatchObject({ status: "ok", detail: "btp-aws.yaml: valid (platform t1, development)" });
    expect((await run("local/config", { config, local: stubLocal({ configWarnings: ["cluster.publicAccessCidrs: 0.0.0.0/0"] }) })).status).toBe("warn");
    expect(await run("local/config", { local: stubLocal({ configSource: undefined, configPath: undefined }) })).toMatchObject({ status: "warn", fix: "pass --config <file> (or --state-dir where the platform's state lives)" });
  });

  it("state: fails with the reader's hint when unreadable, warns about unfinished steps", async () => {
    const unreadable = await run("local/state", { local: stubLocal({ stateProblem: { message: "state file /s/t1/state.json is not valid JSON", hint: "restore it from a backup" } }) });
    expect(unreadable).toMatchObject({ status: "fail", detail: "state file /s/t1/state.json is not valid JSON", fix: "restore it from a backup" });
    const state = stateWith(["prepare/credentials", "infra/kms"]);
    state.steps["infra/rds"] = { status: "failed", startedAt: state.createdAt, outputs: {}, error: { message: "boom" } };
    expect(await run("local/state", { state })).toMatchObject({ status: "warn", detail: "2 steps done; not finished: infra/rds (failed)", fix: "run `btp-aws install` to resume where it stopped" });
    expect(await run("local/state", { state: stateWith(["infra/kms"]) })).toMatchObject({ status: "ok", detail: "1 steps done, updated 2026-09-01T12:00:00.000Z" });
  });

  it("helm: fails when missing or too old, with the install hint", async () => {
    const missing = await run("local/helm", { local: stubLocal() });
    expect(missing).toMatchObject({ status: "fail", detail: "helm not found on PATH: btp-aws runs helm to install charts" });
    expect(missing.fix).toContain("install helm 3.8 or newer");
    const old = await run("local/helm", { local: stubLocal({ helm: { find: () => Promise.resolve("/usr/bin/helm"), version: () => Promise.resolve("v3.7.2") } }) });
    expect(old).toMatchObject({ status: "fail", detail: "helm v3.7.2 is too old: OCI charts need 3.8 or newer" });
    const good = await run("local/helm", { local: stubLocal({ helm: { find: () => Promise.resolve("/usr/bin/helm"), version: () => Promise.resolve("v3.17.3") } }) });
    expect(good).toMatchObject({ status: "ok", detail: "helm v3.17.3 at /usr/bin/helm" });
  });

  it("credentials: fail when they belong to another account than the config's or the state's", async () => {
    const config = testConfig({ aws: { accountId: "111111111111" } });
    expect(await run("local/credentials", { config, facts: identity("222222222222") })).toMatchObject({
      status: "fail", detail: "the credentials belong to account 222222222222 (arn:aws:sts::222222222222:assumed-role/ops/me), the platform to 111111111111",
    });
    expect(await run("local/credentials", { outputs: { "prepare/credentials": { account: "333333333333" } }, facts: identity("222222222222") })).toMatchObject({ status: "fail" });
    expect(await run("local/credentials", { config, facts: identity("111111111111") })).toMatchObject({ status: "ok", detail: "account 111111111111 as arn:aws:sts::111111111111:assumed-role/ops/me" });
  });
});
