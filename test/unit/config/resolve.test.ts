import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { UsageError } from "../../../src/errors.js";
import { resolveConfig, type ResolveOptions, type Wizard } from "../../../src/config/resolve.js";
import { variableFor } from "../../../src/config/env.js";
import { minimal } from "./fixtures.js";

async function dirWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "btp-aws-resolve-"));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

function options(overrides: Partial<ResolveOptions>): ResolveOptions {
  return { configPath: undefined, cwd: "/nonexistent", env: {}, flags: {}, wizard: undefined, secrets: [], ...overrides };
}

async function usageError(promise: Promise<unknown>): Promise<UsageError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof UsageError)) throw new Error(`expected a UsageError, got ${String(error)}`);
  return error;
}

describe("resolveConfig layers", () => {
  it("merges defaults < file < environment < flags", async () => {
    const dir = await dirWith({ "c.yaml": stringify({ ...minimal(), database: { instanceClass: "db.t4g.large", storageGiB: 50 } }) });
    const resolved = await resolveConfig(options({
      configPath: join(dir, "c.yaml"),
      env: { BTP_AWS_DATABASE_INSTANCE_CLASS: "db.r6g.xlarge", BTP_AWS_REGION: "us-east-2", BTP_AWS_CLUSTER_MAX_NODES: "9", BTP_AWS_TAGS: "team=chain,cost=42" },
      flags: { region: "eu-north-1" },
      sets: ["cluster.desiredNodes=4"],
    }));
    expect(resolved.config.database.instanceClass).toBe("db.r6g.xlarge"); // env over file
    expect(resolved.config.database.storageGiB).toBe(50); // file over default
    expect(resolved.config.aws.region).toBe("eu-north-1"); // flag over env
    expect(resolved.config.cluster).toMatchObject({ maxNodes: 9, desiredNodes: 4, minNodes: 2 });
    expect(resolved.config.tags).toEqual({ team: "chain", cost: "42" });
  });

  it("finds ./btp-aws.yaml when no --config is given, and resolves valuesFile next to it", async () => {
    const dir = await dirWith({ "btp-aws.yaml": stringify({ ...minimal(), chart: { version: "v7.32.10", valuesFile: "over.yaml" } }) });
    const resolved = await resolveConfig(options({ cwd: dir }));
    expect(resolved.configFile).toBe(join(dir, "btp-aws.yaml"));
    expect(resolved.config.chart.valuesFile).toBe(join(dir, "over.yaml"));
  });

  it("names environment variables after the field path", () => {
    expect(variableFor(["database", "instanceClass"])).toBe("BTP_AWS_DATABASE_INSTANCE_CLASS");
    expect(variableFor(["aws", "drRegion"])).toBe("BTP_AWS_DR_REGION");
  });

  it("reports malformed YAML with line and column", async () => {
    const dir = await dirWith({ "bad.yaml": "platform: demo\naws:\n  region: [eu-west-1\n" });
    const error = await usageError(resolveConfig(options({ configPath: join(dir, "bad.yaml") })));
    expect(error.message).toBe(`config file ${join(dir, "bad.yaml")} is not valid YAML`);
    expect(error.problems[0]).toMatch(/bad\.yaml:\d+:\d+: /);
    expect(error.exitCode).toBe(2);
  });

  it("reports a missing config file", async () => {
    const error = await usageError(resolveConfig(options({ configPath: "/nonexistent/c.yaml" })));
    expect(error.message).toBe("cannot read config file /nonexistent/c.yaml: no such file");
  });

  it("reports bad environment values, unknown variables and bad --set together with schema errors", async () => {
    const error = await usageError(resolveConfig(options({
      env: { BTP_AWS_CLUSTER_MIN_NODES: "lots", BTP_AWS_REGOIN: "eu-west-1" },
      sets: ["database.instanceClas=db.r6g.large", "license.token=s3cret"],
    })));
    expect(error.problems.slice(0, 4)).toEqual([
      'cluster.minNodes: must be a number, got "lots" (from BTP_AWS_CLUSTER_MIN_NODES)',
      "BTP_AWS_REGOIN: not a btp-aws variable (did you mean BTP_AWS_REGION?)",
      "--set database.instanceClas: not a config field (did you mean database.instanceClass?)",
      "--set license.token: the license token is never read from a file or flag: set BTP_AWS_LICENSE_TOKEN or let the wizard prompt for it",
    ]);
    expect(error.problems).toContain("platform: is required");
  });

  it("without a wizard lists every missing field and how to provide it", async () => {
    const error = await usageError(resolveConfig(options({ flags: { platform: "demo" } })));
    expect(error.problems).toEqual(["aws: is required", "dns: is required", "auth: is required", "chart: is required", "license: is required"]);
    expect(error.hint).toBe("pass --config <file> (`btp-aws config init` writes one), set BTP_AWS_REGION, pass --region, or run in a terminal without --yes to be asked");
  });

  it("takes secrets from the environment and never from a layer", async () => {
    const dir = await dirWith({ "c.yaml": stringify(minimal()) });
    const resolved = await resolveConfig(options({ configPath: join(dir, "c.yaml"), env: { BTP_AWS_LICENSE_TOKEN: "tok-123456", BTP_AWS_AUTH_CLIENT_SECRET: "cs-123456" }, secrets: ["licenseToken", "authClientSecret"] }));
    expect(resolved.secrets).toEqual({ licenseToken: "tok-123456", authClientSecret: "cs-123456" });
    expect(JSON.stringify(resolved.config)).not.toContain("tok-123456");
    expect(JSON.stringify(resolved.input)).not.toContain("tok-123456");
  });

  it("fails listing a missing secret when there is no terminal", async () => {
    const dir = await dirWith({ "c.yaml": stringify(minimal()) });
    const error = await usageError(resolveConfig(options({ configPath: join(dir, "c.yaml"), secrets: ["licenseToken"] })));
    expect(error.problems).toEqual(["license.token: is required: set BTP_AWS_LICENSE_TOKEN (secrets are never read from the config file or flags)"]);
  });

  it("asks the wizard only for what is missing, then the secrets", async () => {
    const asked: string[][] = [];
    const wizard: Wizard = {
      fill: (missing) => {
        asked.push([...missing]);
        return Promise.resolve({ license: minimal().license });
      },
      password: (message) => Promise.resolve(`typed:${message.length}chars`),
    };
    const { license: _, ...partial } = minimal();
    const dir = await dirWith({ "c.yaml": stringify(partial) });
    const resolved = await resolveConfig(options({ configPath: join(dir, "c.yaml"), wizard, secrets: ["licenseToken"] }));
    expect(asked).toEqual([["license"]]);
    expect(resolved.config.license.accountName).toBe("acme");
    expect(resolved.secrets.licenseToken).toMatch(/^typed:/);
  });

  it("does not prompt over a wrong value: wrong values are reported", async () => {
    let calls = 0;
    const wizard: Wizard = { fill: () => { calls++; return Promise.resolve({}); }, password: () => Promise.resolve("x") };
    const error = await usageError(resolveConfig(options({ flags: { region: "mars-1" }, wizard })));
    expect(calls).toBe(0);
    expect(error.problems).toContain('aws.region: "mars-1" is not an AWS region (e.g. eu-west-1)');
  });
});
