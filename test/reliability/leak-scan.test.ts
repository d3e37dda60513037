/**
 * Secret leak scan. One platform, two runs of `install --only prepare,infra` through the proxy:
 * the first fails (every rds:CreateDBInstance answered 500/503, after the database password was
 * read from the platform secret to create the instance), the second completes. After each,
 * stdout and stderr of every command, every file in the state dir (state file, lock, run logs)
 * and the output of `plan` and `status` are searched for every generated secret value (read
 * back from moto's Secrets Manager), the user secrets passed in the environment and the AWS
 * secret key, each also in base64 — zero hits. (`btp-aws values` does not exist yet.)
 */
import { rm } from "node:fs/promises";
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli, type CliResult } from "../support/cli.js";
import { motoClients } from "../support/aws.js";
import { MOTO_CREDENTIALS, motoControl } from "../support/moto.js";
import { startFaultProxy, type FaultProxy } from "./proxy/index.js";
import { filesBelow, needles, scan, type Haystack, type Needle } from "./support/leak-scan.js";
import { freshPlatform, installArgs, installEnv, PLATFORM, REGION, warmMoto, type Platform } from "./support/platform.js";

const moto = motoControl(inject("motoEndpoint"));
const helm = inject("helm");
/** Known values for the user secrets: prepare and infra do not need them, so nothing may print them. */
const USER_SECRETS = { BTP_AWS_LICENSE_TOKEN: "lic-7Hq2vX9pLmW4sZ8rT1yB6nK3", BTP_AWS_AUTH_CLIENT_SECRET: "ocs-Qw3Er5Ty7Ui9Op1As3Df5Gh7" };
const GENERATED = ["databasePassword", "redisAuthToken", "jwtSigningKey", "stateEncryptionKey", "ipfsClusterSecret"];

describe("no secret in any output, after a failing run and after a successful one", () => {
  let platform: Platform;
  let proxy: FaultProxy;
  const outputs: Haystack[] = [];
  let env: Record<string, string>;

  async function cli(what: string, args: string[]): Promise<CliResult> {
    const result = await runCli(args, { cwd: platform.dir, env, timeoutMs: 180_000 });
    outputs.push({ where: `stdout of ${what}`, text: result.stdout }, { where: `stderr of ${what}`, text: result.stderr });
    return result;
  }

  /** `plan` and `status` (text and JSON) now, plus everything in the state dir. */
  async function everything(label: string): Promise<Haystack[]> {
    const common = ["--config", platform.config, "--state-dir", platform.stateDir];
    expect((await cli(`plan ${label}`, ["plan", ...common])).code).toBe(0);
    expect((await cli(`status ${label}`, ["status", ...common])).code).toBe(0);
    expect((await cli(`status --output json ${label}`, ["status", "--output", "json", ...common])).code).toBe(0);
    return [...outputs, ...(await filesBelow(platform.stateDir))];
  }

  async function secretNeedles(): Promise<Needle[]> {
    const aws = motoClients(moto.endpoint, { region: REGION });
    try {
      const secret = await (await aws.secretsManager()).send(new GetSecretValueCommand({ SecretId: `btp-${PLATFORM}/credentials` }));
      const values = JSON.parse(secret.SecretString ?? "{}") as Record<string, string>;
      // The scan is only as good as its needles: all five generated values, each a long random string.
      expect(Object.keys(values).sort()).toEqual([...GENERATED].sort());
      for (const value of Object.values(values)) expect(value.length).toBeGreaterThanOrEqual(40);
      return needles({ ...values, secretString: secret.SecretString ?? "", ...USER_SECRETS, AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey });
    } finally {
      aws.destroy();
    }
  }

  beforeAll(async () => {
    platform = await freshPlatform(moto, "btp-aws-leak-");
    await warmMoto(moto);
    proxy = await startFaultProxy({ target: moto.endpoint, seed: 3 });
    env = installEnv(proxy.endpoint, helm.v4.path, { ...USER_SECRETS, BTP_AWS_POLL_SCALE: String(1 / 60) });
  });
  afterAll(async () => {
    await proxy.stop();
    await rm(platform.dir, { recursive: true, force: true });
  });

  it("the scanner finds a value in each of its forms, and nothing in text without one", () => {
    const forms = needles({ key: "0fa3c29b7d" });
    expect(forms.map((n) => n.name)).toEqual(["key", "key (base64)", "key (base64url)", "key (bytes, base64)"]);
    for (const form of forms) expect(scan([{ where: "a log", text: `x ${form.value} y` }], [form])).toEqual([`${form.name} in a log`]);
    expect(scan([{ where: "a log", text: "nothing to see" }], forms)).toEqual([]);
  });

  it("a run that fails at the database (every CreateDBInstance answered 5xx) leaks nothing", async () => {
    proxy.setFaults({ serverError: 1, only: (call) => call.service === "rds" && call.operation === "CreateDBInstance" });
    const failed = await cli("the failing install", installArgs(platform));
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("✘ failed: infra/rds");
    const search = await secretNeedles();
    const haystacks = await everything("after the failure");
    // The failure itself, its log and the state's error record are among what was searched.
    expect(haystacks.filter((h) => h.where.startsWith(`${PLATFORM}/logs/install-`))).toHaveLength(1);
    expect(haystacks.find((h) => h.where === `${PLATFORM}/state.json`)?.text).toContain('"status": "failed"');
    expect(scan(haystacks, search)).toEqual([]);
  });

  it("the run that completes it leaks nothing either", async () => {
    proxy.setFaults({});
    const done = await cli("the completing install", installArgs(platform));
    expect({ code: done.code, tail: done.code === 0 ? "" : done.stderr.slice(-2000) }).toEqual({ code: 0, tail: "" });
    const haystacks = await everything("after success");
    expect(haystacks.filter((h) => h.where.startsWith(`${PLATFORM}/logs/install-`))).toHaveLength(2);
    expect(scan(haystacks, await secretNeedles())).toEqual([]);
    console.info(`[leak-scan] ${haystacks.length} outputs and files searched for ${(await secretNeedles()).length} secret forms: 0 hits`);
  });
});
