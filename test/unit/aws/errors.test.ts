import { afterEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { ExpiredTokenException, GetCallerIdentityCommand, STSClient, STSServiceException } from "@aws-sdk/client-sts";
import { awsErrorCode, describeAwsError } from "../../../src/aws/errors.js";
import { createAwsClients } from "../../../src/aws/clients.js";
import { whoAmI } from "../../../src/aws/sts.js";
import { BtpAwsError } from "../../../src/errors.js";

const ACTION = "read the caller identity (sts:GetCallerIdentity)";

function serviceError(name: string, message: string) {
  return new STSServiceException({ name, $fault: "client", $metadata: { httpStatusCode: 403, attempts: 1 }, message });
}
function networkError(code: string) {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
}
const missingCredentials = Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" });

describe("awsErrorCode", () => {
  it("reads service codes, errno codes and names", () => {
    expect(awsErrorCode(serviceError("AccessDenied", "no"))).toBe("AccessDenied");
    expect(awsErrorCode(new ExpiredTokenException({ message: "expired", $metadata: {} }))).toBe("ExpiredTokenException");
    expect(awsErrorCode(networkError("ECONNREFUSED"))).toBe("ECONNREFUSED");
    expect(awsErrorCode(new AggregateError([networkError("ECONNREFUSED"), networkError("ECONNREFUSED")], "connect failed"))).toBe("ECONNREFUSED");
    expect(awsErrorCode(missingCredentials)).toBe("CredentialsProviderError");
    expect(awsErrorCode(new Error("plain"))).toBeUndefined();
    expect(awsErrorCode("text")).toBeUndefined();
  });
});

describe("describeAwsError", () => {
  it("explains missing credentials", () => {
    const error = describeAwsError(missingCredentials, ACTION);
    expect(error.message).toBe("no AWS credentials found: Could not load credentials from any providers");
    expect(error.hint).toBe("set AWS_PROFILE, run `aws sso login`, or pass --profile");
    expect(error.cause).toBe(missingCredentials);
  });

  it.each(["InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "ExpiredToken"])("says AWS rejected the credentials on %s", (code) => {
    const error = describeAwsError(serviceError(code, "bad"), ACTION);
    expect(error.message).toBe(`AWS rejected the credentials: ${code}`);
    expect(error.hint).toMatch(/aws sso login/);
  });

  it("names the action that was denied", () => {
    const error = describeAwsError(serviceError("AccessDenied", "User: arn:aws:iam::1:user/x is not authorized to perform: eks:CreateCluster"), "create EKS cluster btp (eks:CreateCluster)");
    expect(error.message).toBe("not allowed to create EKS cluster btp (eks:CreateCluster): AccessDenied: User: arn:aws:iam::1:user/x is not authorized to perform: eks:CreateCluster");
  });

  it("names the endpoint override when it cannot be reached", () => {
    const error = describeAwsError(networkError("ECONNREFUSED"), ACTION, { endpoint: "http://127.0.0.1:1" });
    expect(error.message).toBe(`could not reach the AWS endpoint http://127.0.0.1:1 to ${ACTION}: ECONNREFUSED`);
    expect(error.hint).toBe("check that http://127.0.0.1:1 is up (it comes from AWS_ENDPOINT_URL); unset AWS_ENDPOINT_URL to talk to AWS itself");
  });

  it("names the region when AWS itself cannot be reached", () => {
    const error = describeAwsError(networkError("ENOTFOUND"), ACTION, { region: "eu-west-1" });
    expect(error.message).toBe(`could not reach AWS in eu-west-1 to ${ACTION}: ENOTFOUND`);
    expect(error.hint).toMatch(/HTTPS_PROXY/);
  });

  it("reports throttling with the attempts made", () => {
    const throttled = new STSServiceException({ name: "Throttling", $fault: "client", $metadata: { attempts: 5 }, message: "Rate exceeded" });
    expect(describeAwsError(throttled, ACTION).message).toBe(`${ACTION}: AWS throttled the requests (Throttling) after 5 attempts`);
  });

  it("keeps other errors' code and message", () => {
    const error = describeAwsError(serviceError("InternalFailure", "oops\nsecond line"), ACTION);
    expect(error.message).toBe(`${ACTION}: InternalFailure: oops`);
    expect(error.hint).toBeUndefined();
  });

  it("passes BtpAwsErrors through untouched", () => {
    const original = new BtpAwsError("already explained");
    expect(describeAwsError(original, ACTION)).toBe(original);
  });
});

describe("whoAmI (SDK mocked)", () => {
  const sts = mockClient(STSClient);
  afterEach(() => sts.reset());
  const clients = () => createAwsClients({ region: "eu-west-1", userAgentSuffix: "btp-aws/test", credentials: () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "b" }) });

  it("returns the identity", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: "123456789012", Arn: "arn:aws:iam::123456789012:user/ops", UserId: "AIDA" });
    expect(await whoAmI(clients())).toEqual({ account: "123456789012", arn: "arn:aws:iam::123456789012:user/ops", userId: "AIDA" });
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
  });

  it("maps SDK errors", async () => {
    sts.on(GetCallerIdentityCommand).rejects(new ExpiredTokenException({ message: "expired", $metadata: {} }));
    await expect(whoAmI(clients())).rejects.toThrow("AWS rejected the credentials: ExpiredTokenException");
  });

  it("refuses an incomplete answer", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: "123456789012" });
    await expect(whoAmI(clients())).rejects.toThrow(`${ACTION}: the response lacks the account, ARN or user id`);
  });
});
