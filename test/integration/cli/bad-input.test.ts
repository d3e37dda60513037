/**
 * Bad input gets a clear message, exit 2 (or 1 for a state that cannot be used) and changes
 * nothing: no state directory appears, no AWS call is made (the endpoint is a closed port).
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXAMPLE, cleanEnv, runCli, tempDir } from "../../support/cli.js";

const env = cleanEnv({ AWS_ENDPOINT_URL: "http://127.0.0.1:9", AWS_ACCESS_KEY_ID: "x", AWS_SECRET_ACCESS_KEY: "y" });

async function exampleWith(edit: (text: string) => string): Promise<{ dir: string; file: string }> {
  const dir = await tempDir();
  const file = join(dir, "btp-aws.yaml");
  await writeFile(file, edit(await readFile(EXAMPLE, "utf8")));
  return { dir, file };
}

const cases: { name: string; edit?: (t: string) => string; args?: string[]; expected: string[] }[] = [
  { name: "an unknown flag", args: ["--regoin", "eu-west-1"], expected: ["error: unknown option '--regoin'", "(Did you mean --region?)"] },
  { name: "an unknown config key", edit: (t) => t.replace("database:\n", "database:\n  instanceClas: db.r6g.large\n"), expected: ["• database.instanceClas: unknown key (did you mean database.instanceClass?)"] },
  { name: "malformed YAML", edit: (t) => t.replace("platform: acme-prod", "platform: acme: prod"), expected: ["is not valid YAML", "btp-aws.yaml:8:"] },
  { name: "a value of the wrong type", edit: (t) => t.replace("storageGiB: 100", "storageGiB: lots"), expected: ["• database.storageGiB: Invalid input: expected number, received string"] },
  { name: "a region that is not an AWS region", edit: (t) => t.replace("region: eu-west-1", "region: europe-1"), expected: ['• aws.region: "europe-1" is not an AWS region (e.g. eu-west-1)'] },
  { name: "a domain that is not a DNS name", edit: (t) => t.replace("domain: btp.example.com", "domain: btp_example"), expected: ["• dns.domain: must be a DNS name such as btp.example.com"] },
  { name: "an invalid CIDR", edit: (t) => t.replace("vpcCidr: 10.40.0.0/16", "vpcCidr: 10.400.0.0/16"), expected: ["• network.vpcCidr: must be an IPv4 CIDR block such as 10.0.0.0/16"] },
  { name: "a too-small CIDR", edit: (t) => t.replace("vpcCidr: 10.40.0.0/16", "vpcCidr: 10.40.0.0/24"), expected: ["• network.vpcCidr: 10.40.0.0/24 is too small for 6 subnets (3 AZs × public and private) of at least /24; use /21 or larger"] },
  { name: "node counts out of order", edit: (t) => t.replace("desiredNodes: 3", "desiredNodes: 60"), expected: ["• cluster.desiredNodes: 60 must lie between cluster.minNodes (2) and cluster.maxNodes (50)"] },
  { name: "a DR region equal to the region", edit: (t) => t.replace("drRegion: eu-central-1", "drRegion: eu-west-1"), expected: ["• aws.drRegion: must differ from aws.region (eu-west-1)"] },
  { name: "a missing required field without a TTY", edit: (t) => t.replace(/\ndns:\n( {2}.*\n)+/, "\n"), expected: ["• dns: is required", "→ add them to"] },
  { name: "a secret in the config file", edit: (t) => t.replace("license:\n", "license:\n  token: abc\n"), expected: ["• license.token: the license token is never read from a file or flag"] },
  { name: "an unknown phase", args: ["--only", "prepare,infar"], expected: ["• --only infar: not a phase (did you mean infra?)"] },
];

describe("bad input changes nothing", () => {
  for (const c of cases) {
    it(`rejects ${c.name} with exit 2`, async () => {
      const { dir, file } = await exampleWith(c.edit ?? ((t) => t));
      const result = await runCli(["install", "--config", file, "--yes", ...(c.args ?? [])], { cwd: dir, env });
      for (const text of c.expected) expect(result.stderr).toContain(text);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(existsSync(join(dir, ".btp-aws"))).toBe(false);
    });
  }
});

describe("a state that cannot be used is never touched", () => {
  async function withState(content: string): Promise<{ dir: string; file: string; statePath: string }> {
    const { dir, file } = await exampleWith((t) => t);
    const stateDir = join(dir, ".btp-aws", "acme-prod");
    await mkdir(stateDir, { recursive: true });
    const statePath = join(stateDir, "state.json");
    await writeFile(statePath, content, { mode: 0o600 });
    return { dir, file, statePath };
  }

  it("refuses a corrupt state file", async () => {
    const { dir, file, statePath } = await withState('{"version": 1, "platform": ');
    const result = await runCli(["install", "--config", file, "--yes", "--only", "prepare"], { cwd: dir, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(statePath);
    expect(await readFile(statePath, "utf8")).toBe('{"version": 1, "platform": ');
  });

  it("refuses a state file from a newer btp-aws", async () => {
    const newer = JSON.stringify({ version: 99, platform: "acme-prod", region: "eu-west-1", steps: {} });
    const { dir, file, statePath } = await withState(newer);
    const result = await runCli(["install", "--config", file, "--yes", "--only", "prepare"], { cwd: dir, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("was written by a newer btp-aws (state version 99, this one understands 1)");
    expect(await readFile(statePath, "utf8")).toBe(newer);
  });

  it("refuses to run while another live run holds the lock", async () => {
    const { dir, file } = await exampleWith((t) => t);
    const lockDir = join(dir, ".btp-aws", "acme-prod");
    await mkdir(lockDir, { recursive: true });
    const { hostname } = await import("node:os");
    // This test process is alive, so its pid makes a live lock.
    const holder = JSON.stringify({ pid: process.pid, host: hostname(), startedAt: "2026-11-27T10:00:00.000Z", command: "install" });
    await writeFile(join(lockDir, "state.lock"), holder, { mode: 0o600 });
    const result = await runCli(["install", "--config", file, "--yes", "--only", "prepare"], { cwd: dir, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`state for platform acme-prod is locked by process ${process.pid}`);
    expect(existsSync(join(lockDir, "state.json"))).toBe(false);
    expect(await readFile(join(lockDir, "state.lock"), "utf8")).toBe(holder);
  });
});
