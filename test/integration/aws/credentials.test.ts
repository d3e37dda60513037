/**
 * prepare/credentials against a real moto server, through the real SDK over HTTP.
 */
import { afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { createAwsClients } from "../../../src/aws/clients.js";
import { createCallCounter } from "../../../src/aws/call-counter.js";
import { credentialsStep } from "../../../src/phases/prepare/index.js";
import type { PrepareServices } from "../../../src/phases/prepare/index.js";
import { BtpAwsError } from "../../../src/errors.js";
import { motoClients } from "../../support/aws.js";
import { testConfig } from "../../support/config.js";
import { NO_DNS, stepContext } from "../../support/context.js";
import { freePort, MOTO_ACCOUNT, motoControl } from "../../support/moto.js";
import { recordingReporter } from "../../support/reporter.js";

const moto = motoControl(inject("motoEndpoint"));
const noHelm: PrepareServices["helm"] = { find: () => Promise.resolve(undefined), version: () => Promise.reject(new Error("unused")) };

async function failure(promise: Promise<unknown>): Promise<BtpAwsError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BtpAwsError);
  return error as BtpAwsError;
}

describe("prepare/credentials against moto", () => {
  // These tests create nothing, so one reset per file is enough; a reset costs ~1 s with
  // MOTO_IAM_LOAD_MANAGED_POLICIES=true (see test/README.md).
  beforeAll(() => moto.reset());
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("reports the account and principal of working credentials", async () => {
    const aws = motoClients(moto.endpoint);
    const report = recordingReporter();
    const outputs = await credentialsStep.run(stepContext(testConfig(), { aws, helm: noHelm, dns: NO_DNS }), report);
    expect(outputs).toEqual({ account: MOTO_ACCOUNT, principal: `arn:aws:sts::${MOTO_ACCOUNT}:user/moto` });
    expect(report.infos).toEqual([`AWS account ${MOTO_ACCOUNT} as arn:aws:sts::${MOTO_ACCOUNT}:user/moto`]);
    aws.destroy();
  });

  it("passes when aws.accountId matches", async () => {
    const aws = motoClients(moto.endpoint);
    const outputs = await credentialsStep.run(stepContext(testConfig({ aws: { accountId: MOTO_ACCOUNT } }), { aws, helm: noHelm, dns: NO_DNS }), recordingReporter());
    expect(outputs).toMatchObject({ account: MOTO_ACCOUNT });
    aws.destroy();
  });

  it("stops when the credentials belong to another account than aws.accountId", async () => {
    const aws = motoClients(moto.endpoint);
    const error = await failure(credentialsStep.run(stepContext(testConfig({ aws: { accountId: "111111111111" } }), { aws, helm: noHelm, dns: NO_DNS }), recordingReporter()));
    expect(error.message).toBe(`credentials belong to account ${MOTO_ACCOUNT}, but the config expects 111111111111 (aws.accountId)`);
    expect(error.hint).toBe("use credentials for account 111111111111 (--profile or AWS_PROFILE), or correct aws.accountId in the config");
    aws.destroy();
  });

  it("says AWS rejected credentials it does not know", async () => {
    await moto.enableIamAuth();
    try {
      const aws = motoClients(moto.endpoint);
      const error = await failure(credentialsStep.run(stepContext(testConfig(), { aws, helm: noHelm, dns: NO_DNS }), recordingReporter()));
      expect(error.message).toBe("AWS rejected the credentials: InvalidClientTokenId");
      expect(error.hint).toMatch(/^the access key is unknown, revoked or expired/);
      // A rejected key is not retried: one attempt, counted as a read.
      expect(aws.counter.snapshot()).toEqual({ read: 1, mutating: 0, byOperation: { "STS.GetCallerIdentity": 1 } });
      aws.destroy();
    } finally {
      await moto.disableIamAuth();
    }
  });

  it("says no credentials were found when the standard chain has none", async () => {
    // The real default chain, with every source emptied: no env keys, no files, no IMDS.
    for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]) {
      vi.stubEnv(name, undefined);
    }
    vi.stubEnv("AWS_CONFIG_FILE", "/nonexistent/btp-aws-test/config");
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/btp-aws-test/credentials");
    vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
    const aws = createAwsClients({ region: "eu-west-1", endpoint: moto.endpoint, userAgentSuffix: "btp-aws/test" });
    const error = await failure(credentialsStep.run(stepContext(testConfig(), { aws, helm: noHelm, dns: NO_DNS }), recordingReporter()));
    expect(error.message).toMatch(/^no AWS credentials found: /);
    expect(error.hint).toBe("set AWS_PROFILE, run `aws sso login`, or pass --profile");
    aws.destroy();
  });

  it("names the endpoint when nothing answers there, after retrying", async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const counter = createCallCounter();
    const aws = motoClients(endpoint, { counter, maxAttempts: 3 });
    const error = await failure(credentialsStep.run(stepContext(testConfig(), { aws, helm: noHelm, dns: NO_DNS }), recordingReporter()));
    expect(error.message).toBe(`could not reach the AWS endpoint ${endpoint} to read the caller identity (sts:GetCallerIdentity): ECONNREFUSED`);
    expect(error.hint).toBe(`check that ${endpoint} is up (it comes from AWS_ENDPOINT_URL); unset AWS_ENDPOINT_URL to talk to AWS itself`);
    // Every attempt passes the counter, retries included.
    expect(counter.snapshot().byOperation).toEqual({ "STS.GetCallerIdentity": 3 });
    aws.destroy();
  });

  it("counts GetCallerIdentity as one read and no mutation", async () => {
    const aws = motoClients(moto.endpoint);
    await credentialsStep.run(stepContext(testConfig(), { aws, helm: noHelm, dns: NO_DNS }), recordingReporter());
    await credentialsStep.run(stepContext(testConfig(), { aws, helm: noHelm, dns: NO_DNS }), recordingReporter());
    expect(aws.counter.snapshot()).toEqual({ read: 2, mutating: 0, byOperation: { "STS.GetCallerIdentity": 2 } });
    expect(aws.counter.mutatingOperations()).toEqual([]);
    aws.destroy();
  });

  it("uses the region the client asks for (one server serves every region)", async () => {
    const aws = motoClients(moto.endpoint);
    const [west, east] = await Promise.all([aws.sts("eu-west-1"), aws.sts("us-east-1")]);
    expect(west).not.toBe(east);
    expect(await aws.sts("eu-west-1")).toBe(west);
    expect(await east.config.region()).toBe("us-east-1");
    aws.destroy();
  });
});

describe("moto harness", () => {
  it("seeds a hosted zone with an id the config schema accepts", async () => {
    await moto.reset();
    const id = await moto.seedHostedZone("example.com");
    expect(id).toMatch(/^[A-Z0-9]{1,32}$/);
    expect(() => testConfig({ dns: { domain: "btp.example.com", hostedZoneId: id, acmeEmail: "ops@example.com" } })).not.toThrow();
  });
});
