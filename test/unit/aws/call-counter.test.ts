import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { classifyOperation, createCallCounter, operationKey } from "../../../src/aws/call-counter.js";
import { createAwsClients } from "../../../src/aws/clients.js";

describe("classifyOperation", () => {
  it.each([
    "DescribeClusters", "GetCallerIdentity", "ListHostedZonesByName", "HeadBucket", "LookupEvents", "SearchResources",
    "CheckDNSAvailability", "SimulatePrincipalPolicy", "BatchGetItem", "Decrypt", "Get", "TestDNSAnswer", "FilterLogEvents",
  ])("%s is a read", (operation) => {
    expect(classifyOperation(operation)).toBe("read");
  });

  it.each([
    "CreateCluster", "PutBucketVersioning", "DeleteHostedZone", "ChangeResourceRecordSets", "TagResource", "AssumeRole",
    "AttachRolePolicy", "ModifyDBInstance", "UpdateNodegroupConfig", "Getaway", "Listen", "RequestCertificate", "GenerateDataKey",
  ])("%s is mutating", (operation) => {
    expect(classifyOperation(operation)).toBe("mutating");
  });
});

describe("createCallCounter", () => {
  it("counts per operation and per kind, and snapshots are copies", () => {
    const counter = createCallCounter();
    counter.record("EC2", "DescribeVpcs");
    counter.record("EC2", "DescribeVpcs");
    counter.record("EC2", "CreateVpc");
    const first = counter.snapshot();
    counter.record("KMS", "CreateKey");
    expect(first).toEqual({ read: 2, mutating: 1, byOperation: { "EC2.DescribeVpcs": 2, "EC2.CreateVpc": 1 } });
    expect(counter.snapshot().mutating).toBe(2);
    expect(counter.mutatingOperations()).toEqual(["EC2.CreateVpc", "KMS.CreateKey"]);
    counter.reset();
    expect(counter.snapshot()).toEqual({ read: 0, mutating: 0, byOperation: {} });
  });

  it("names operations from the SDK's client and command names", () => {
    expect(operationKey({ clientName: "STSClient", commandName: "GetCallerIdentityCommand" })).toEqual({ service: "STS", operation: "GetCallerIdentity" });
    expect(operationKey({ clientName: "Route53Client", commandName: "ChangeResourceRecordSetsCommand" })).toEqual({ service: "Route53", operation: "ChangeResourceRecordSets" });
  });
});

const IDENTITY = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>
<Arn>arn:aws:iam::123456789012:user/ops</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>
</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
const INTERNAL_FAILURE = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Receiver</Type>
<Code>InternalFailure</Code><Message>try again</Message></Error><RequestId>2</RequestId></ErrorResponse>`;

describe("the counter middleware on a real client", () => {
  // A tiny STS stand-in that fails the first `failures` requests with a retryable 500.
  let server: Server;
  let endpoint: string;
  let failures = 0;
  const seen: IncomingHttpHeaders[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request.headers);
      request.resume();
      request.on("end", () => {
        const fail = failures > 0;
        if (fail) failures -= 1;
        response.writeHead(fail ? 500 : 200, { "content-type": "text/xml" }).end(fail ? INTERNAL_FAILURE : IDENTITY);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function clients() {
    const counter = createCallCounter();
    const aws = createAwsClients({
      region: "eu-west-1", endpoint, counter, userAgentSuffix: "btp-aws/0.1.0",
      credentials: () => Promise.resolve({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" }),
    });
    return { aws, counter };
  }

  it("counts every attempt, retries included (finalizeRequest sits inside the retry loop)", async () => {
    const { aws, counter } = clients();
    failures = 2;
    const sts = await aws.sts();
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe("123456789012");
    expect(identity.$metadata.attempts).toBe(3);
    expect(counter.snapshot()).toEqual({ read: 3, mutating: 0, byOperation: { "STS.GetCallerIdentity": 3 } });
    aws.destroy();
  });

  it("sends the btp-aws user agent suffix", async () => {
    const { aws } = clients();
    seen.length = 0;
    await (await aws.sts()).send(new GetCallerIdentityCommand({}));
    const agents = `${String(seen[0]?.["user-agent"])} ${String(seen[0]?.["x-amz-user-agent"])}`;
    expect(agents).toContain("btp-aws/0.1.0");
    aws.destroy();
  });
});
