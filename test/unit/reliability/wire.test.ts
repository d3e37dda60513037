/**
 * The injected faults parse, in the real SDK, into the error codes AWS uses, and the SDK's own
 * classification makes them retryable: throttling as throttling (the adaptive retry mode slows
 * down for those), 5xx as transient. The stub answers each client's request with faultResponse.
 */
import { isThrottlingError, isTransientError } from "@smithy/core/retry";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { EKSClient, ListClustersCommand } from "@aws-sdk/client-eks";
import { IAMClient, ListRolesCommand } from "@aws-sdk/client-iam";
import { KMSClient, ListKeysCommand } from "@aws-sdk/client-kms";
import { ListHostedZonesCommand, Route53Client } from "@aws-sdk/client-route-53";
import { HeadBucketCommand, ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { BudgetsClient, DescribeBudgetsCommand } from "@aws-sdk/client-budgets";
import type { SdkError } from "@smithy/types";
import { describe, expect, it } from "vitest";
import { detectCall } from "../../reliability/proxy/detect.js";
import { stubHandler } from "../../reliability/proxy/sdk-wire.js";
import { faultResponse, jsonResponse, type FaultAnswer } from "../../reliability/proxy/wire.js";
import { MOTO_CREDENTIALS } from "../../support/moto.js";

type Send = (requestHandler: ReturnType<typeof stubHandler>) => Promise<unknown>;
const config = (requestHandler: ReturnType<typeof stubHandler>) => ({ region: "eu-west-1", endpoint: "http://127.0.0.1:4566", credentials: MOTO_CREDENTIALS, requestHandler, maxAttempts: 1 });

const CALLS: Record<string, Send> = {
  "ec2 DescribeVpcs": (h) => new EC2Client(config(h)).send(new DescribeVpcsCommand({})),
  "iam ListRoles": (h) => new IAMClient(config(h)).send(new ListRolesCommand({})),
  "route53 ListHostedZones": (h) => new Route53Client(config(h)).send(new ListHostedZonesCommand({})),
  "s3 ListBuckets": (h) => new S3Client({ ...config(h), forcePathStyle: true }).send(new ListBucketsCommand({})),
  "kms ListKeys": (h) => new KMSClient(config(h)).send(new ListKeysCommand({})),
  "monitoring DescribeAlarms": (h) => new CloudWatchClient(config(h)).send(new DescribeAlarmsCommand({})),
  "eks ListClusters": (h) => new EKSClient(config(h)).send(new ListClustersCommand({})),
  "budgets DescribeBudgets": (h) => new BudgetsClient(config(h)).send(new DescribeBudgetsCommand({ AccountId: "123456789012" })),
};


async function failure(call: string, fault: FaultAnswer): Promise<SdkError> {
  const handler = stubHandler((request) => faultResponse(detectCall(request), fault));
  const error = await CALLS[call]!(handler).then(() => undefined, (e: unknown) => e as SdkError);
  if (!error) throw new Error(`${call} succeeded against an injected ${fault}`);
  return error;
}

describe("faultResponse through the real SDK", () => {
  it.each<[string, string, number]>([
    ["ec2 DescribeVpcs", "RequestLimitExceeded", 503],
    ["iam ListRoles", "Throttling", 400],
    ["route53 ListHostedZones", "Throttling", 400],
    ["s3 ListBuckets", "SlowDown", 503],
    ["kms ListKeys", "ThrottlingException", 400],
    // CloudWatch speaks JSON but keeps its query-protocol codes (awsQueryCompatible).
    ["monitoring DescribeAlarms", "Throttling", 400],
    ["eks ListClusters", "ThrottlingException", 400],
    ["budgets DescribeBudgets", "ThrottlingException", 400],
  ])("%s throttled: %s, HTTP %d, classified as throttling", async (call, code, status) => {
    const error = await failure(call, "throttle");
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual([code, status]);
    expect(isThrottlingError(error)).toBe(true);
  });

  it.each<[string, string, string]>([
    ["ec2 DescribeVpcs", "InternalError", "Unavailable"],
    ["iam ListRoles", "InternalError", "ServiceUnavailable"],
    ["route53 ListHostedZones", "InternalError", "ServiceUnavailable"],
    ["s3 ListBuckets", "InternalError", "ServiceUnavailable"],
    ["kms ListKeys", "InternalError", "ServiceUnavailable"],
    // CloudWatch's query code InternalServiceError is the SDK's modeled InternalServiceFault.
    ["monitoring DescribeAlarms", "InternalServiceFault", "ServiceUnavailable"],
    ["eks ListClusters", "InternalError", "ServiceUnavailable"],
  ])("%s 5xx: %s (500) and %s (503), both transient", async (call, internal, unavailable) => {
    const [a, b] = [await failure(call, "internal"), await failure(call, "unavailable")];
    expect([a.name, a.$metadata?.httpStatusCode, b.name, b.$metadata?.httpStatusCode]).toEqual([internal, 500, unavailable, 503]);
    expect([isTransientError(a), isTransientError(b)]).toEqual([true, true]);
  });

  it("an S3 HEAD answer has no body: the 503 alone makes it transient", async () => {
    const handler = stubHandler((request) => faultResponse(detectCall(request), "throttle"));
    const error = await new S3Client({ ...config(handler), forcePathStyle: true }).send(new HeadBucketCommand({ Bucket: "b" })).then(() => undefined, (e: unknown) => e as SdkError);
    expect(error?.$metadata?.httpStatusCode).toBe(503);
    expect(isTransientError(error!)).toBe(true);
  });

  it("jsonResponse is parsed as the operation's output", async () => {
    const handler = stubHandler((request) => jsonResponse(detectCall(request), { clusters: ["btp-eks"] }));
    expect(await new EKSClient(config(handler)).send(new ListClustersCommand({}))).toMatchObject({ clusters: ["btp-eks"] });
  });
});
