import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BtpAwsError } from "../../../../src/errors.js";
import { mergeOverrides, readOverridesFile } from "../../../../src/phases/btp/overrides.js";
import { unknownKeys } from "../../../../src/phases/btp/unknown-keys.js";

describe("mergeOverrides", () => {
  const base = {
    ingress: { enabled: true, annotations: { a: "1", b: "2" }, tls: [{ hosts: ["x", "*.x"] }] },
    redis: { host: "h", port: 6379, tls: true },
    features: { deploymentEngine: { state: { connectionUrl: "s3://b?region=r", secretsProvider: "passphrase" } } },
  };

  it("merges maps key by key; lists, scalars and null replace", () => {
    const merged = mergeOverrides(base, {
      ingress: { annotations: { b: "two", c: "3" }, tls: [{ hosts: ["y"], secretName: "s" }] },
      redis: { port: 6380, tls: null },
      features: { deploymentEngine: { state: { s3ConnectionUrl: "s3://b?region=r" } } },
      extra: { on: true },
    });
    expect(merged).toEqual({
      ingress: { enabled: true, annotations: { a: "1", b: "two", c: "3" }, tls: [{ hosts: ["y"], secretName: "s" }] },
      redis: { host: "h", port: 6380, tls: null },
      features: { deploymentEngine: { state: { connectionUrl: "s3://b?region=r", secretsProvider: "passphrase", s3ConnectionUrl: "s3://b?region=r" } } },
      extra: { on: true },
    });
  });

  it("leaves both inputs as they were", () => {
    const copy = structuredClone(base);
    mergeOverrides(base, { ingress: { annotations: { a: "changed" } } });
    expect(base).toEqual(copy);
  });

  it("a scalar over a map replaces the map, and a map over a scalar replaces the scalar", () => {
    expect(mergeOverrides({ a: { b: 1 }, c: "x" }, { a: "flat", c: { d: 2 } })).toEqual({ a: "flat", c: { d: 2 } });
  });
});

describe("readOverridesFile", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "btp-aws-overrides-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function failure(promise: Promise<unknown>): Promise<BtpAwsError> {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(BtpAwsError);
    return error as BtpAwsError;
  }

  it("reads a relative path from the base directory", async () => {
    await writeFile(join(dir, "overrides.yaml"), "ingress:\n  annotations:\n    extra: \"yes\"\napp:\n  replicaCount: 2\n");
    expect(await readOverridesFile("overrides.yaml", dir)).toEqual({ ingress: { annotations: { extra: "yes" } }, app: { replicaCount: 2 } });
    expect(await readOverridesFile(join(dir, "overrides.yaml"), "/elsewhere")).toEqual({ ingress: { annotations: { extra: "yes" } }, app: { replicaCount: 2 } });
  });

  it("takes an empty file as no overrides", async () => {
    await writeFile(join(dir, "empty.yaml"), "# nothing yet\n");
    expect(await readOverridesFile("empty.yaml", dir)).toEqual({});
  });

  it("says the file is missing, with the path it looked at", async () => {
    const error = await failure(readOverridesFile("missing.yaml", dir));
    expect(error.message).toBe(`cannot read the chart values file ${join(dir, "missing.yaml")}: it does not exist`);
    expect(error.hint).toBe("fix chart.valuesFile in the config (a relative path is taken from the directory you run btp-aws in), then run `btp-aws install` again");
  });

  it("gives the position of a YAML error, never the line (it may hold a secret)", async () => {
    await writeFile(join(dir, "broken.yaml"), "postgresql:\n  password: \"s3cr3t-value\n  host: x\n");
    const error = await failure(readOverridesFile("broken.yaml", dir));
    expect(error.message).toMatch(new RegExp(`^the chart values file ${join(dir, "broken.yaml")} is not valid YAML: [A-Z_]+ at line \\d+, column \\d+$`));
    expect(`${error.message} ${error.hint}`).not.toContain("s3cr3t-value");
  });

  it("refuses a file that is not a map at the top", async () => {
    await writeFile(join(dir, "list.yaml"), "- a\n- b\n");
    expect((await failure(readOverridesFile("list.yaml", dir))).message).toBe(`the chart values file ${join(dir, "list.yaml")} must hold a map of values at the top, like a helm values file`);
  });
});

describe("unknownKeys", () => {
  const chart = {
    ingress: { enabled: true, annotations: {}, tls: [] },
    postgresql: { host: "", sslMode: "disable" },
    auth: { providers: { google: { enabled: false } } },
    extraEnv: null,
    features: { deploymentEngine: { state: { connectionUrl: "" } } },
  };

  it("finds nothing when every key is the chart's", () => {
    expect(unknownKeys({ ingress: { enabled: true, tls: [{ hosts: ["a"], whatever: 1 }] }, postgresql: { sslMode: "require" } }, chart)).toEqual([]);
  });

  it("accepts any key below an empty map or a null default", () => {
    expect(unknownKeys({ ingress: { annotations: { "alb.ingress.kubernetes.io/scheme": "internet-facing" } }, extraEnv: { A: "1" } }, chart)).toEqual([]);
  });

  it("lists the dotted path of every key the chart lacks, quoting keys with dots", () => {
    expect(unknownKeys({
      postgresql: { ssl: "require", host: "h" },
      auth: { providers: { google: { enabled: true }, cognito: { enabled: true } } },
      features: { deploymentEngine: { state: { s3ConnectionUrl: "s3://b" } } },
      serviceAccount: { name: "x" },
      support: { "kubernetes-replicator": { enabled: true } },
      "odd.key": 1,
    }, chart)).toEqual([
      "postgresql.ssl",
      "auth.providers.cognito",
      "features.deploymentEngine.state.s3ConnectionUrl",
      "serviceAccount",
      "support",
      '["odd.key"]',
    ]);
  });

  it("does not descend where the chart has a scalar or a list", () => {
    expect(unknownKeys({ postgresql: { host: { nested: true } }, ingress: { tls: { hosts: [] } } }, chart)).toEqual([]);
  });
});
