/**
 * `btp-aws install --only prepare` as a user runs it: a child process, against the real moto
 * server through AWS_ENDPOINT_URL, with the real helm binary.
 */
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { EXAMPLE, cleanEnv, runCli, tempDir } from "../../support/cli.js";
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, motoControl } from "../../support/moto.js";

const moto = motoControl(inject("motoEndpoint"));
const helm = inject("helm");

describe("install --only prepare against moto", () => {
  let dir: string;
  let config: string;
  const env = () => cleanEnv({
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    BTP_AWS_HELM: helm.v4.path,
  });
  const install = (...args: string[]) => runCli(["install", "--config", config, "--only", "prepare", ...args], { cwd: dir, env: env() });

  beforeAll(async () => {
    await moto.reset();
    const zoneId = await moto.seedHostedZone("example.com");
    dir = await tempDir();
    config = join(dir, "btp-aws.yaml");
    // The example names a profile that does not exist here; moto takes the keys from the environment.
    const text = (await readFile(EXAMPLE, "utf8"))
      .replace(/\n {2}profile: .*\n/, "\n")
      .replace('accountId: "123456789012"', `accountId: "${MOTO_ACCOUNT}"`)
      .replace("hostedZoneId: Z0123456789ABCDEFGHIJ", `hostedZoneId: ${zoneId}`);
    await writeFile(config, text);
  });

  it("checks tools and credentials, records them in state and writes a 0600 log", async () => {
    const result = await install("--yes", "--verbose");
    expect(result.stderr).toContain(`prepare/credentials ℹ AWS account ${MOTO_ACCOUNT} as arn:aws:sts::${MOTO_ACCOUNT}:user/moto`);
    expect(result.stderr).toContain(`prepare/tools ℹ helm ${helm.v4.version} at ${helm.v4.path}`);
    expect(result.stderr).toMatch(/AWS calls: \d+ read, 0 mutating/);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(""); // progress is not data
    const state = JSON.parse(await readFile(join(dir, ".btp-aws/acme-prod/state.json"), "utf8")) as { steps: Record<string, { status: string; outputs: Record<string, string> }> };
    expect(state.steps["prepare/credentials"]).toMatchObject({ status: "done", outputs: { account: MOTO_ACCOUNT } });
    expect(state.steps["prepare/tools"]).toMatchObject({ status: "done", outputs: { helmVersion: helm.v4.version } });
    expect((await stat(join(dir, ".btp-aws/acme-prod/state.json"))).mode & 0o777).toBe(0o600);
    const logs = await readdir(join(dir, ".btp-aws/acme-prod/logs"));
    expect(logs).toHaveLength(1);
    expect((await stat(join(dir, ".btp-aws/acme-prod/logs", logs[0]!))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, ".btp-aws/acme-prod/logs", logs[0]!), "utf8")).toContain("prepare/credentials ✔ done");
  });

  it("shows a changed config and refuses it without --yes, changing nothing", async () => {
    const before = await readFile(join(dir, ".btp-aws/acme-prod/state.json"), "utf8");
    const result = await install("--set", "database.storageGiB=200");
    expect(result.stderr).toContain("the config changed since the last run");
    expect(result.stderr).toContain("• database.storageGiB: 100 → 200");
    expect(result.code).toBe(2);
    expect(await readFile(join(dir, ".btp-aws/acme-prod/state.json"), "utf8")).toBe(before);
    const applied = await install("--set", "database.storageGiB=200", "--yes");
    expect(applied.stderr).toContain("Applying config changes since the last run:");
    expect(applied.code).toBe(0);
  });

  it("refuses --from addons before infra has run, naming the missing step, before touching state", async () => {
    const before = await readFile(join(dir, ".btp-aws/acme-prod/state.json"), "utf8");
    const result = await runCli(["install", "--config", config, "--yes", "--from", "addons"], { cwd: dir, env: { ...env(), BTP_AWS_LICENSE_TOKEN: "license-token-1234", BTP_AWS_AUTH_CLIENT_SECRET: "client-secret-1234" } });
    expect(result.stderr).toMatch(/step addons\/[a-z-]+ needs infra\/[a-z-]+ \(phase infra\), which has not completed/);
    expect(result.stderr).toContain("btp-aws install --from infra");
    expect(result.code).toBe(1);
    expect(await readFile(join(dir, ".btp-aws/acme-prod/state.json"), "utf8")).toBe(before);
  });

  it("status shows the steps from the state file", async () => {
    const result = await runCli(["status", "--config", config], { cwd: dir, env: env() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("prepare: 6/6 steps done");
    expect(result.stdout).toMatch(/✔ prepare\/credentials done in [\d.]+s/);
    expect(result.stdout).toContain("infra: not started");
  });
});
