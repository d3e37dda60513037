/**
 * Ctrl-C on a real install: the first SIGINT stops scheduling, lets the step in flight finish,
 * saves the state, prints the resume command and exits 130; the next run resumes and completes.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EXAMPLE, cleanEnv, runCli, tempDir } from "../support/cli.js";
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, motoControl } from "../support/moto.js";
import { startCli, waitFor } from "./support/background-cli.js";
import { startDelayingProxy, type DelayingProxy } from "./support/delaying-proxy.js";

const moto = motoControl(inject("motoEndpoint"));
const helm = inject("helm");

describe("Ctrl-C during install", () => {
  let dir: string;
  let config: string;
  let proxy: DelayingProxy;
  const env = () => cleanEnv({ AWS_ENDPOINT_URL: proxy.url, AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey, BTP_AWS_HELM: helm.v4.path });
  const steps = async () => (JSON.parse(await readFile(join(dir, ".btp-aws/acme-prod/state.json"), "utf8")) as { steps: Record<string, { status: string }> }).steps;

  beforeAll(async () => {
    await moto.reset();
    const zoneId = await moto.seedHostedZone("example.com");
    dir = await tempDir("btp-aws-interrupt-");
    config = join(dir, "btp-aws.yaml");
    const text = (await readFile(EXAMPLE, "utf8"))
      .replace(/\n {2}profile: .*\n/, "\n")
      .replace('accountId: "123456789012"', `accountId: "${MOTO_ACCOUNT}"`)
      .replace("hostedZoneId: Z0123456789ABCDEFGHIJ", `hostedZoneId: ${zoneId}`);
    await writeFile(config, text);
    proxy = await startDelayingProxy(moto.endpoint, { delayMs: 0 });
  });

  afterAll(async () => {
    await proxy.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("finishes the step in flight, saves state, prints the resume command and exits 130; the next run resumes", async () => {
    proxy.hold(); // sts:GetCallerIdentity waits here: the credentials step is provably in flight
    const run = startCli(["install", "--config", config, "--only", "prepare", "--yes"], { cwd: dir, env: env() });
    await waitFor("a held AWS call", () => (proxy.pending > 0 ? true : undefined));
    run.kill("SIGINT");
    proxy.release();
    const result = await run.done;
    expect(result.stderr).toContain("Interrupted: finishing the steps in flight and saving state; press Ctrl-C again to stop at once.");
    expect(result.stderr).toContain(`Resume with: btp-aws install --config ${config} --only prepare`);
    expect(result.code).toBe(130);
    const after = await steps();
    expect(after["prepare/credentials"]?.status).toBe("done"); // in flight: allowed to finish
    expect(after["prepare/regions"]).toBeUndefined(); // needs credentials: never started

    const resumed = await runCli(["install", "--config", config, "--only", "prepare", "--yes"], { cwd: dir, env: env() });
    expect(resumed.code).toBe(0);
    expect(Object.values(await steps()).map((s) => s.status)).toEqual(Array(6).fill("done"));
  });
});
