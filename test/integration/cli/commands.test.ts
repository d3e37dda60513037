/** The CLI as a child process: help, plan offline, config commands. No AWS involved. */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { EXAMPLE, cleanEnv, runCli, tempDir } from "../../support/cli.js";

describe("btp-aws CLI", () => {
  it("--help lists the commands", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    for (const command of ["install", "plan", "status", "config"]) expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"));
  });

  it("plan prints the whole DAG with no credentials and no network", async () => {
    // An endpoint nothing listens on and no credentials: any AWS call would fail the command.
    const result = await runCli(["plan", "--config", EXAMPLE], { env: cleanEnv({ AWS_ENDPOINT_URL: "http://127.0.0.1:9" }) });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    for (const phase of ["prepare", "infra", "addons", "vault", "cert-manager", "btp", "verify"]) expect(result.stdout).toMatch(new RegExp(`^${phase}$`, "m"));
    expect(result.stdout).toContain("+ infra/eks: EKS cluster  ← prepare, infra/vpc, infra/kms, infra/iam-roles");
    expect(result.stdout).toContain("+ vault/release: Vault release  ← addons/storage-class, infra/irsa, infra/kms");
    expect(result.stdout).toContain("+ btp/registry-login: Chart registry login  ← prepare/tools");
    expect(result.stdout).not.toContain("not yet available");
    expect(result.stdout).toMatch(/Critical path \(typical AWS durations\): prepare\/credentials → .* ≈ \d+ min\./);
    expect(result.stdout).toContain("private subnets 10.40.0.0/19, 10.40.32.0/19, 10.40.64.0/19");
  });

  it("plan --output json is machine-readable and install --dry-run is the same plan", async () => {
    const plan = await runCli(["plan", "--config", EXAMPLE, "--output", "json", "--only", "prepare,infra"]);
    const dry = await runCli(["install", "--dry-run", "--config", EXAMPLE, "--output", "json", "--only", "prepare,infra"]);
    expect(plan.code).toBe(0);
    expect(dry.stdout).toBe(plan.stdout);
    const parsed = JSON.parse(plan.stdout) as { steps: { id: string; phase: string }[] };
    expect(new Set(parsed.steps.map((s) => s.phase))).toEqual(new Set(["prepare", "infra"]));
  });

  it("config schema validates the shipped example, and the schema file next to it is current", async () => {
    const result = await runCli(["config", "schema"]);
    expect(result.code).toBe(0);
    const schema = JSON.parse(result.stdout) as object;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const example: unknown = parse(await readFile(EXAMPLE, "utf8"));
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...(example as object), databse: {} })).toBe(false);
    expect(await readFile(join(EXAMPLE, "..", "btp-aws.schema.json"), "utf8")).toBe(result.stdout);
  });

  it("config validate accepts the example and rejects a bad file with every problem", async () => {
    expect((await runCli(["config", "validate", EXAMPLE])).code).toBe(0);
    const dir = await tempDir();
    const bad = join(dir, "bad.yaml");
    await writeFile(bad, (await readFile(EXAMPLE, "utf8")).replace("region: eu-west-1", "region: eu-west-9").replace("minNodes: 2", "minNodes: two"));
    const result = await runCli(["config", "validate", bad]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('• aws.region: "eu-west-9" is not an AWS region (e.g. eu-west-1)');
    expect(result.stderr).toContain("• cluster.minNodes: Invalid input: expected number, received string");
  });

  it("config init without a terminal writes a commented config from flags and env, never secrets", async () => {
    const dir = await tempDir();
    const env = cleanEnv({
      BTP_AWS_DR_REGION: "eu-central-1", BTP_AWS_DNS_HOSTED_ZONE_ID: "Z0123456789ABC", BTP_AWS_DNS_ACME_EMAIL: "ops@example.com",
      BTP_AWS_AUTH_PROVIDER: "google", BTP_AWS_AUTH_CLIENT_ID: "cid", BTP_AWS_LICENSE_ACCOUNT_NAME: "acme", BTP_AWS_LICENSE_EMAIL: "l@example.com",
      BTP_AWS_LICENSE_EXPIRATION_DATE: "2030-01-01", BTP_AWS_LICENSE_SIGNATURE: "sig", BTP_AWS_LICENSE_TOKEN: "secret-token-value",
    });
    const result = await runCli(["config", "init", "--platform", "demo", "--region", "eu-west-1", "--domain", "btp.example.com", "--chart-version", "v7.32.10"], { cwd: dir, env });
    expect(result.stderr).toContain("wrote");
    expect(result.code).toBe(0);
    const text = await readFile(join(dir, "btp-aws.yaml"), "utf8");
    expect(text).toContain("# Platform name: used in every resource name and the btp-aws:platform tag.");
    expect(text).not.toContain("secret-token-value");
    expect((await runCli(["config", "validate", join(dir, "btp-aws.yaml")])).code).toBe(0);
    const again = await runCli(["config", "init", "--platform", "demo"], { cwd: dir, env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("already exists: config init does not overwrite it");
  });
});
