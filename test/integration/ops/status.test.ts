/**
 * `btp-aws status` against moto: the state file's phases and steps, then one live line per main
 * resource; the live part alone without a state file; nothing live with --offline.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteDBInstanceCommand } from "@aws-sdk/client-rds";
import { DeleteSecretCommand } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createUi } from "../../../src/cli/output.js";
import { statusCommand } from "../../../src/cli/commands/status.js";
import type { GlobalFlags } from "../../../src/cli/main.js";
import type { LiveResource } from "../../../src/ops/status/live.js";
import type { State } from "../../../src/state/types.js";
import { capture } from "../../unit/runner/capture.js";
import { motoClients, type TestClients } from "../../support/aws.js";
import { motoControl } from "../../support/moto.js";
import { installedWorld, type InstalledWorld } from "./doctor-world.js";

const moto = motoControl(inject("motoEndpoint"));
const helm = inject("helm");
const PLATFORM = "st1";

describe("btp-aws status against moto", () => {
  let world: InstalledWorld;

  async function status(flags: GlobalFlags): Promise<{ code: number; stdout: string; aws: TestClients; seconds: number }> {
    const stdout = capture();
    const aws = motoClients(moto.endpoint, { region: "eu-west-1" });
    const started = Date.now();
    const code = await statusCommand(flags, [], { env: {}, cwd: world.stateDir, ui: createUi({ env: { NO_COLOR: "1" }, stdout: stdout.output, stderr: capture().output, stdinTty: false }), aws });
    aws.destroy();
    return { code, stdout: stdout.text(), aws, seconds: (Date.now() - started) / 1000 };
  }

  beforeAll(async () => {
    await moto.reset();
    world = await installedWorld(moto, helm.v4.path, { platform: PLATFORM }, await moto.seedHostedZone("example.com"));
  });
  afterAll(() => world?.close());

  it("shows the steps from the state, then a live line per main resource, reading only", async () => {
    const run = await status({ platform: PLATFORM, stateDir: world.stateDir });
    console.log(`[status] live part against moto: ${run.seconds.toFixed(2)} s, ${run.aws.counter.snapshot().read} read calls`);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^infra: (\d+)\/\1 steps done$/m);
    const live = run.stdout.slice(run.stdout.indexOf("live (AWS, eu-west-1):")).trim().split("\n");
    const vpcId = String(world.outputs["infra/vpc"]!.vpcId);
    const keyId = String(world.outputs["infra/kms"]!.keyId);
    expect(live).toEqual([
      "live (AWS, eu-west-1):",
      `  ✔ VPC          ${vpcId}: available (10.0.0.0/16)`,
      "  ✔ EKS cluster  btp-st1: ACTIVE (Kubernetes 1.35)",
      "  ✔ node group   btp-st1-nodes: ACTIVE (desired 3, min 2, max 50)",
      "  ✔ database     btp-st1-db: available (db.t4g.medium, PostgreSQL 16)",
      "  ✔ cache        btp-st1-redis: available (cache.t4g.medium)",
      "  ✔ bucket       btp-st1-123456789012-eu-west-1: exists",
      `  ✔ KMS key      ${keyId}: Enabled (alias/btp-st1)`,
      expect.stringMatching(/^ {2}✔ certificate {2}btp\.example\.com: ISSUED \(expires \d{4}-\d{2}-\d{2}\)$/) as unknown as string,
      "  ✔ secret       btp-st1/credentials: exists",
    ]);
    expect(run.aws.counter.mutatingOperations()).toEqual([]);
  });

  it("--output json holds the state and the live list", async () => {
    const run = await status({ platform: PLATFORM, stateDir: world.stateDir, output: "json" });
    const parsed = JSON.parse(run.stdout) as { state: State; live: LiveResource[] };
    expect(parsed.state.platform).toBe(PLATFORM);
    expect(parsed.state.steps["infra/eks"]?.status).toBe("done");
    expect(parsed.live.map((r) => [r.resource, r.exists, r.healthy])).toEqual([
      ["VPC", true, true], ["EKS cluster", true, true], ["node group", true, true], ["database", true, true], ["cache", true, true],
      ["bucket", true, true], ["KMS key", true, true], ["certificate", true, true], ["secret", true, true],
    ]);
    expect(parsed.live.find((r) => r.resource === "database")).toEqual({ resource: "database", name: "btp-st1-db", exists: true, status: "available", healthy: true, detail: "db.t4g.medium, PostgreSQL 16" });
  });

  it("without a state file, --platform and --region show the live part alone, found by name and tag", async () => {
    const empty = await mkdtemp(join(tmpdir(), "btp-aws-status-nostate-"));
    const text = await status({ platform: PLATFORM, region: "eu-west-1", stateDir: empty });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^No state for platform ${PLATFORM} in ${empty}: only what AWS says\\.\\n\\nlive \\(AWS, eu-west-1\\):`));
    const json = JSON.parse((await status({ platform: PLATFORM, region: "eu-west-1", stateDir: empty, output: "json" })).stdout) as { state: null; live: LiveResource[] };
    expect(json.state).toBeNull();
    expect(json.live.filter((r) => !r.exists || !r.healthy)).toEqual([]);
  });

  it("--offline shows the state alone and makes no AWS call", async () => {
    const run = await status({ platform: PLATFORM, stateDir: world.stateDir, offline: true, output: "json" });
    expect(JSON.parse(run.stdout)).toMatchObject({ state: { platform: PLATFORM }, live: null });
    expect(run.aws.counter.snapshot()).toMatchObject({ read: 0, mutating: 0 });
    const text = await status({ platform: PLATFORM, stateDir: world.stateDir, offline: true });
    expect(text.stdout).toMatch(/^infra: (\d+)\/\1 steps done$/m);
    expect(text.stdout).not.toContain("live (AWS");
  });

  it("shows what went missing or is going away out of band", async () => {
    const admin = motoClients(moto.endpoint, { region: "eu-west-1" });
    try {
      await (await admin.rds()).send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: "btp-st1-db", SkipFinalSnapshot: true }));
      await (await admin.secretsManager()).send(new DeleteSecretCommand({ SecretId: "btp-st1/credentials", RecoveryWindowInDays: 7 }));
    } finally {
      admin.destroy();
    }
    const run = await status({ platform: PLATFORM, stateDir: world.stateDir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("  ✘ database     btp-st1-db: missing\n");
    expect(run.stdout).toContain("  ⚠ secret       btp-st1/credentials: scheduled for deletion\n");
  });

  it("without a state file and without a region, says what to pass", async () => {
    const empty = await mkdtemp(join(tmpdir(), "btp-aws-status-none-"));
    await expect(status({ platform: PLATFORM, stateDir: empty })).rejects.toThrow(`no state for platform ${PLATFORM} in ${empty} and no region given`);
  });
});
