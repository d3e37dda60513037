import { afterEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { createAwsClients } from "../../../src/aws/clients.js";
import { credentialsStep, prepareSteps, toolsStep, type PrepareServices } from "../../../src/phases/prepare/index.js";
import { BtpAwsError } from "../../../src/errors.js";
import { testConfig } from "../../support/config.js";
import { stepContext } from "../../support/context.js";
import { recordingReporter } from "../../support/reporter.js";

const aws = () => createAwsClients({ region: "eu-west-1", userAgentSuffix: "btp-aws/test", credentials: () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "b" }) });

function fakeHelm(path: string | undefined, version = "v3.17.3"): PrepareServices["helm"] & { versionCalls: string[] } {
  const versionCalls: string[] = [];
  return {
    versionCalls,
    find: () => Promise.resolve(path),
    version: (binary) => {
      versionCalls.push(binary);
      return Promise.resolve(version);
    },
  };
}

const noDns: PrepareServices["dns"] = { resolveNs: () => Promise.reject(new Error("unused")) };

async function failure(promise: Promise<unknown>): Promise<BtpAwsError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BtpAwsError);
  return error as BtpAwsError;
}

describe("prepareSteps", () => {
  it("lists tools and credentials first, then the checks that need credentials", () => {
    expect(prepareSteps.map((s) => [s.id, s.phase, s.needs])).toEqual([
      ["prepare/tools", "prepare", []],
      ["prepare/credentials", "prepare", []],
      ["prepare/regions", "prepare", ["prepare/credentials"]],
      ["prepare/hosted-zone", "prepare", ["prepare/credentials"]],
      ["prepare/quotas", "prepare", ["prepare/credentials"]],
      ["prepare/discovery", "prepare", ["prepare/credentials"]],
    ]);
  });

  it("describes what each step checks", () => {
    expect(toolsStep.describe(testConfig())).toEqual(["check that helm 3.8 or newer is installed (helm version)"]);
    expect(credentialsStep.describe(testConfig())).toEqual(["check the AWS credentials from the default credential chain (sts:GetCallerIdentity)"]);
    expect(credentialsStep.describe(testConfig({ aws: { profile: "prod", accountId: "123456789012" } }))).toEqual([
      "check the AWS credentials from profile prod (sts:GetCallerIdentity), and that they belong to account 123456789012",
    ]);
  });
});

describe("prepare/tools", () => {
  it("records helm's path and version and reports them", async () => {
    const helm = fakeHelm("/usr/local/bin/helm");
    const report = recordingReporter();
    expect(await toolsStep.run(stepContext(testConfig(), { aws: aws(), helm, dns: noDns }), report)).toEqual({ helmVersion: "v3.17.3", helmPath: "/usr/local/bin/helm" });
    expect(helm.versionCalls).toEqual(["/usr/local/bin/helm"]);
    expect(report.infos).toEqual(["helm v3.17.3 at /usr/local/bin/helm"]);
  });

  it("fails when there is no helm", async () => {
    const error = await failure(toolsStep.run(stepContext(testConfig(), { aws: aws(), helm: fakeHelm(undefined), dns: noDns }), recordingReporter()));
    expect(error.message).toBe("helm not found on PATH: btp-aws runs helm to install charts");
    expect(error.hint).toBe("install helm 3.8 or newer (https://helm.sh/docs/intro/install/) or pass --helm <path>");
  });

  it("fails when helm is older than 3.8", async () => {
    const error = await failure(toolsStep.run(stepContext(testConfig(), { aws: aws(), helm: fakeHelm("/bin/helm", "v3.7.2"), dns: noDns }), recordingReporter()));
    expect(error.message).toBe("helm v3.7.2 is too old: OCI charts need 3.8 or newer");
  });
});

describe("prepare/credentials (SDK mocked)", () => {
  const sts = mockClient(STSClient);
  afterEach(() => sts.reset());

  it("records the account and principal", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: "123456789012", Arn: "arn:aws:sts::123456789012:assumed-role/Admin/me", UserId: "AROA:me" });
    const report = recordingReporter();
    const outputs = await credentialsStep.run(stepContext(testConfig({ aws: { accountId: "123456789012" } }), { aws: aws(), helm: fakeHelm(undefined), dns: noDns }), report);
    expect(outputs).toEqual({ account: "123456789012", principal: "arn:aws:sts::123456789012:assumed-role/Admin/me" });
    expect(report.infos).toEqual(["AWS account 123456789012 as arn:aws:sts::123456789012:assumed-role/Admin/me"]);
  });

  it("stops on another account than aws.accountId", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: "999999999999", Arn: "arn:aws:iam::999999999999:user/x", UserId: "AIDA" });
    const error = await failure(credentialsStep.run(stepContext(testConfig({ aws: { accountId: "123456789012" } }), { aws: aws(), helm: fakeHelm(undefined), dns: noDns }), recordingReporter()));
    expect(error.message).toBe("credentials belong to account 999999999999, but the config expects 123456789012 (aws.accountId)");
    expect(error.hint).toBe("use credentials for account 123456789012 (--profile or AWS_PROFILE), or correct aws.accountId in the config");
  });
});
