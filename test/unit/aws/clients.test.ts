import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CALL_COUNTER_MIDDLEWARE_NAME, createCallCounter } from "../../../src/aws/call-counter.js";
import { clientConfig, createAwsClients, DEFAULT_MAX_ATTEMPTS } from "../../../src/aws/clients.js";
import { REPO_ROOT } from "../../support/paths.js";

const base = { region: "eu-west-1", userAgentSuffix: "btp-aws/0.1.0" };

describe("clientConfig", () => {
  it("uses adaptive retries, the user agent suffix and the standard credential chain by default", () => {
    expect(clientConfig(base, "eu-west-1")).toEqual({
      region: "eu-west-1",
      retryMode: "adaptive",
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
      customUserAgent: "btp-aws/0.1.0",
      requestHandler: { connectionTimeout: 10_000 },
    });
  });

  it("passes profile, endpoint and max attempts through", () => {
    const config = clientConfig({ ...base, profile: "prod", endpoint: "http://127.0.0.1:5000", maxAttempts: 2 }, "us-east-1");
    expect(config).toMatchObject({ region: "us-east-1", profile: "prod", endpoint: "http://127.0.0.1:5000", maxAttempts: 2 });
    expect(config.forcePathStyle).toBeUndefined();
  });

  it("makes S3 use path-style addressing only behind an endpoint override", () => {
    expect(clientConfig({ ...base, endpoint: "http://127.0.0.1:5000" }, "eu-west-1", "s3").forcePathStyle).toBe(true);
    expect(clientConfig(base, "eu-west-1", "s3").forcePathStyle).toBeUndefined();
  });

  it("retries advisory Service Quotas reads once (the bench showed 1.4 s of back-off before infra could start)", () => {
    expect(clientConfig(base, "eu-west-1", "serviceQuotas").maxAttempts).toBe(2);
    expect(clientConfig({ ...base, maxAttempts: 1 }, "eu-west-1", "serviceQuotas").maxAttempts).toBe(1);
    expect(clientConfig(base, "eu-west-1", "ec2").maxAttempts).toBe(5);
  });
});

describe("createAwsClients", () => {
  it("builds one client per region, on demand, with the counter attached", async () => {
    const aws = createAwsClients({ ...base, counter: createCallCounter() });
    const [a, b] = await Promise.all([aws.sts(), aws.sts()]);
    expect(a).toBe(b);
    const east = await aws.sts("us-east-1");
    expect(east).not.toBe(a);
    expect(await a.config.region()).toBe("eu-west-1");
    expect(await east.config.region()).toBe("us-east-1");
    expect(a.middlewareStack.identify().some((entry) => entry.startsWith(CALL_COUNTER_MIDDLEWARE_NAME))).toBe(true);
    expect(await a.config.maxAttempts()).toBe(DEFAULT_MAX_ATTEMPTS);
    expect(await a.config.retryStrategy()).toMatchObject({ mode: "adaptive" });
    aws.destroy();
  });

  it("leaves the counter off when none is given", async () => {
    const aws = createAwsClients(base);
    const sts = await aws.sts();
    expect(sts.middlewareStack.identify().some((entry) => entry.startsWith(CALL_COUNTER_MIDDLEWARE_NAME))).toBe(false);
    aws.destroy();
  });
});

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(".ts")).map((e) => join(e.parentPath, e.name));
}

describe("start-up time", () => {
  // `btp-aws --help` must stay fast: SDK modules are loaded with import() when first used.
  // An `import { type X } from "@aws-sdk/…"` counts too: verbatimModuleSyntax keeps it as a
  // side-effect import. Only `import type` is free.
  it("no file in src/ imports an AWS SDK or Smithy package at its top level", async () => {
    const offenders: string[] = [];
    for (const file of await sourceFiles(join(REPO_ROOT, "src"))) {
      const text = await readFile(file, "utf8");
      for (const match of text.matchAll(/^(import|export)\s+(?!type\b)[^;]*?from\s+["'](@aws-sdk\/[^"']+|@smithy\/[^"']+)["']/gm)) {
        offenders.push(`${file.slice(REPO_ROOT.length)}: ${match[2]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
