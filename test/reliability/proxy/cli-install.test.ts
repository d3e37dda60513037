/**
 * `btp-aws install --only prepare,infra --yes` as a child process, pointed at the proxy through
 * AWS_ENDPOINT_URL: the proxy serves the EKS and Budgets operations moto lacks, so the built CLI
 * can run the whole infra phase against moto. Once as is (then a no-op re-run), and once under
 * the latency model at 1/60 with the installer's polls scaled the same way. Wall times are
 * printed: they are figures the reliability report quotes.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { criticalPath } from "../../../src/plan/critical-path.js";
import { selectSteps } from "../../../src/plan/select.js";
import { installSteps } from "../../../src/cli/steps.js";
import { EXAMPLE, cleanEnv, runCli, tempDir, type CliResult } from "../../support/cli.js";
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, motoControl } from "../../support/moto.js";
import { startFaultProxy, type FaultProxy } from "./index.js";

const moto = motoControl(inject("motoEndpoint"));
const helm = inject("helm");
const SCALE = 1 / 60;

/** The operations the proxy answers for moto (EKS and Budgets gaps): creating, then checking what exists. */
const GAPS_FIRST_RUN = ["eks.AssociateAccessPolicy", "eks.CreateAccessEntry", "eks.CreateAddon", "eks.DescribeAccessEntry", "eks.DescribeAddon", "eks.DescribeAddonVersions", "servicequotas.GetAWSDefaultServiceQuota"];
const GAPS_RERUN = ["budgets.DescribeSubscribersForNotification", "budgets.ListTagsForResource", "eks.DescribeAccessEntry", "eks.DescribeAddon", "eks.ListAssociatedAccessPolicies", "servicequotas.GetAWSDefaultServiceQuota"];
const gapOperations = (proxy: FaultProxy) => [...new Set(proxy.log.injected("gap").map((e) => `${e.service}.${e.operation}`))].sort();

describe("install --only prepare,infra through the proxy", () => {
  let proxy: FaultProxy;
  let dir: string;
  let config: string;

  // A fresh moto and proxy per run: moto gives every EKS cluster in a region the same OIDC issuer,
  // and the proxy's gap state (add-ons, access entries) must match what moto holds.
  beforeEach(async () => {
    await moto.reset();
    const zoneId = await moto.seedHostedZone("example.com");
    proxy = await startFaultProxy({ target: moto.endpoint, seed: 1 });
    dir = await tempDir("btp-aws-proxy-");
    config = join(dir, "btp-aws.yaml");
    // The example names a profile that does not exist here; moto takes the keys from the environment.
    const text = (await readFile(EXAMPLE, "utf8"))
      .replace(/\n {2}profile: .*\n/, "\n")
      .replace('accountId: "123456789012"', `accountId: "${MOTO_ACCOUNT}"`)
      .replace("hostedZoneId: Z0123456789ABCDEFGHIJ", `hostedZoneId: ${zoneId}`);
    await writeFile(config, text);
  });
  afterEach(async () => {
    await proxy.stop();
  });

  async function install(extraEnv: Record<string, string> = {}): Promise<CliResult & { seconds: number }> {
    const env = cleanEnv({
      AWS_ENDPOINT_URL: proxy.endpoint,
      AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
      BTP_AWS_HELM: helm.v4.path,
      ...extraEnv,
    });
    const started = Date.now();
    const result = await runCli(["install", "--config", config, "--only", "prepare,infra", "--yes", "--verbose"], { cwd: dir, env, timeoutMs: 240_000 });
    return { ...result, seconds: (Date.now() - started) / 1000 };
  }

  const succeeded = (result: CliResult) => {
    // The stderr tail names the failing step when there is one.
    expect({ code: result.code, tail: result.code === 0 ? "" : result.stderr.slice(-3000) }).toEqual({ code: 0, tail: "" });
  };

  it("completes with the gaps served over HTTP, then re-runs with zero mutating calls", async () => {
    const first = await install();
    succeeded(first);
    expect(first.stderr).toMatch(/✔ \d+ steps complete/);
    expect(gapOperations(proxy)).toEqual(GAPS_FIRST_RUN);
    // Nothing injected, nothing dropped, no 5xx (moto's HTML 500 for default quotas is a served gap now).
    expect(proxy.log.entries.filter((e) => e.status === undefined || e.status >= 500)).toEqual([]);
    const firstCalls = proxy.log.countByKind();

    proxy.log.clear();
    const second = await install();
    succeeded(second);
    expect(second.stderr).toMatch(/AWS calls: \d+ read, 0 mutating/);
    expect(gapOperations(proxy)).toEqual(GAPS_RERUN);
    // The proxy counts on the wire what the installer's own counter reports.
    const [, read] = /AWS calls: (\d+) read, 0 mutating/.exec(second.stderr)!;
    expect(proxy.log.countByKind()).toEqual({ read: Number(read), mutating: 0 });
    console.info(`[proxy install] first run ${first.seconds.toFixed(1)} s (${firstCalls.read} read, ${firstCalls.mutating} mutating calls); no-op re-run ${second.seconds.toFixed(1)} s (${read} read, 0 mutating)`);
  });

  it("under the latency model at 1/60, with BTP_AWS_POLL_SCALE=1/60, waits out every modelled resource and completes", async () => {
    proxy.setLatency({ scale: SCALE });
    const result = await install({ BTP_AWS_POLL_SCALE: String(SCALE) });
    succeeded(result);
    // Each modelled resource was seen provisioning by the installer's polls.
    const provisioning = [...new Set(proxy.log.injected("latency").map((e) => `${e.service}.${e.operation}`))].sort();
    expect(provisioning).toEqual(["acm.DescribeCertificate", "ec2.CreateNatGateway", "ec2.DescribeNatGateways", "eks.CreateAddon", "eks.CreateCluster", "eks.CreateNodegroup", "eks.DescribeAddon", "eks.DescribeCluster", "eks.DescribeNodegroup", "elasticache.CreateReplicationGroup", "elasticache.DescribeReplicationGroups", "rds.CreateDBInstance", "rds.DescribeDBInstances"].sort());
    const steps = selectSteps(installSteps(), { only: ["prepare", "infra"] });
    // Scaled after the sum: scaling the table alone would leave unlisted steps at their unscaled default.
    const typical = criticalPath(steps);
    const bound = { steps: typical.steps, seconds: typical.seconds * SCALE };
    // No install can beat the scaled critical path (the modelled waits alone are most of it).
    expect(result.seconds).toBeGreaterThan(bound.seconds * 0.9);
    console.info(`[proxy install] latency model 1/60: ${result.seconds.toFixed(1)} s; scaled critical path ${bound.seconds.toFixed(1)} s (${bound.steps.join(" → ")}); ratio ${(result.seconds / bound.seconds).toFixed(2)}`);
  });
});
