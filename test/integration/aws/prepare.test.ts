/**
 * prepare/regions, prepare/hosted-zone, prepare/quotas and prepare/discovery against moto,
 * through the real SDK over HTTP. Prepare is read-only: every test asserts zero mutating calls
 * from the step's clients (setup uses separate clients, outside the counter).
 */
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { CreateVpcCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { discoveryStep, hostedZoneStep, quotasStep, regionsStep, type PrepareServices } from "../../../src/phases/prepare/index.js";
import { BtpAwsError } from "../../../src/errors.js";
import { motoClients, type TestClients } from "../../support/aws.js";
import { awsTestConfig } from "../../support/aws-modes.js";
import { testConfig } from "../../support/config.js";
import { PREPARE_OUTPUTS, runStep } from "../../support/infra.js";
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, motoControl } from "../../support/moto.js";

const moto = motoControl(inject("motoEndpoint"));
/** The delegation set moto gives every zone. */
const MOTO_NS = ["ns-2048.awsdns-64.com", "ns-2049.awsdns-65.net", "ns-2050.awsdns-66.org", "ns-2051.awsdns-67.co.uk"];
const NOT_ANSWERED = "Service Quotas cannot answer here (GetServiceQuota: NoSuchResourceException; GetAWSDefaultServiceQuota: HTTP 500); not checked";
const VCPU = "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances";

interface TestServices extends PrepareServices {
  aws: TestClients;
}

function prepareServices(resolveNs: (name: string) => Promise<string[]> = () => Promise.resolve(MOTO_NS)): TestServices {
  return {
    aws: motoClients(moto.endpoint),
    helm: { find: () => Promise.resolve(undefined), version: () => Promise.reject(new Error("unused")) },
    dns: { resolveNs },
  };
}

/** Clients for test setup: their calls are not the step's, so they stay off its counter. */
const setup = { region: "eu-west-1", endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS };

async function failure(promise: Promise<unknown>): Promise<BtpAwsError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BtpAwsError);
  return error as BtpAwsError;
}

describe("prepare/regions against moto", () => {
  // DescribeRegions reads moto's static region list: no reset needed.

  it("passes for enabled regions", async () => {
    const services = prepareServices();
    const { outputs, report } = await runStep(regionsStep, testConfig(), services, PREPARE_OUTPUTS);
    expect(outputs).toEqual({ regions: ["eu-west-1", "eu-central-1"] });
    expect(report.infos).toEqual([`region eu-west-1 and DR region eu-central-1 are enabled for account ${MOTO_ACCOUNT}`]);
    expect(services.aws.counter.snapshot().byOperation).toEqual({ "EC2.DescribeRegions": 1 });
    services.aws.destroy();
  });

  it("stops on an opt-in region the account has not enabled", async () => {
    const services = prepareServices();
    const error = await failure(runStep(regionsStep, testConfig({ aws: { drRegion: "ap-east-1" } }), services, PREPARE_OUTPUTS));
    expect(error.message).toBe(`region ap-east-1 is not enabled for account ${MOTO_ACCOUNT}`);
    expect(error.hint).toBe("enable it in the AWS console (Account → AWS Regions; it takes a few minutes), or choose another aws.drRegion, then run again");
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    services.aws.destroy();
  });
});

describe("prepare/hosted-zone against moto", () => {
  let zoneId: string;
  const configFor = (domain: string, hostedZoneId = zoneId) => testConfig({ dns: { domain, hostedZoneId, acmeEmail: "ops@example.com" } });

  beforeAll(async () => {
    await moto.reset();
    zoneId = await moto.seedHostedZone("example.com");
  });

  it("passes when public DNS answers the zone's name servers, with no warning", async () => {
    const asked: string[] = [];
    const services = prepareServices((name) => (asked.push(name), Promise.resolve(MOTO_NS.map((ns) => `${ns.toUpperCase()}.`))));
    const { outputs, report } = await runStep(hostedZoneStep, configFor("btp.example.com"), services, PREPARE_OUTPUTS);
    expect(outputs).toEqual({ hostedZoneName: "example.com", nameServers: MOTO_NS });
    expect(report.infos).toEqual([`hosted zone ${zoneId} (example.com) is public, contains btp.example.com, and public DNS answers its 4 name servers`]);
    expect(report.warnings).toEqual([]);
    expect(asked).toEqual(["example.com"]);
    expect(services.aws.counter.snapshot().byOperation).toEqual({ "Route53.GetHostedZone": 1, "Route53.ListResourceRecordSets": 1 });
    services.aws.destroy();
  });

  it("warns with the records to set at the registrar when public DNS answers other servers", async () => {
    const services = prepareServices(() => Promise.resolve(["ns1.registrar.example", "ns2.registrar.example"]));
    const { outputs, report } = await runStep(hostedZoneStep, configFor("btp.example.com"), services, PREPARE_OUTPUTS);
    expect(outputs.nameServers).toEqual(MOTO_NS);
    expect(report.warnings).toEqual([[
      `public DNS answers other name servers for example.com than hosted zone ${zoneId} holds: ns1.registrar.example, ns2.registrar.example`,
      "set these NS records for example.com at its registrar (or in the parent zone, if example.com is a subdomain), one per line:",
      ...MOTO_NS,
      "until public DNS answers them, certificate validation (ACM, cert-manager DNS-01) would hang: nobody outside sees the records btp-aws writes into this zone",
    ].join("\n")]);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    services.aws.destroy();
  });

  it("warns when the lookup fails", async () => {
    const services = prepareServices(() => Promise.reject(Object.assign(new Error("queryNs ENOTFOUND example.com"), { code: "ENOTFOUND" })));
    const { report } = await runStep(hostedZoneStep, configFor("btp.example.com"), services, PREPARE_OUTPUTS);
    expect(report.warnings[0]?.split("\n")[0]).toBe("public DNS did not answer the NS records of example.com (ENOTFOUND)");
    services.aws.destroy();
  });

  it("stops when the domain lies outside the zone", async () => {
    const services = prepareServices();
    const error = await failure(runStep(hostedZoneStep, configFor("btp.other.org"), services, PREPARE_OUTPUTS));
    expect(error.message).toBe(`dns.domain btp.other.org is not inside hosted zone ${zoneId} (example.com)`);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    services.aws.destroy();
  });

  it("stops on a private zone", async () => {
    const route53 = new Route53Client({ ...setup, region: "us-east-1" });
    const ec2 = new EC2Client(setup);
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }));
    const created = await route53.send(new CreateHostedZoneCommand({
      Name: "internal.example.com", CallerReference: `private-${Date.now()}`,
      HostedZoneConfig: { PrivateZone: true }, VPC: { VPCId: vpc.Vpc!.VpcId!, VPCRegion: "eu-west-1" },
    }));
    const privateId = created.HostedZone!.Id!.replace("/hostedzone/", "");
    route53.destroy();
    ec2.destroy();
    const services = prepareServices();
    const error = await failure(runStep(hostedZoneStep, configFor("btp.internal.example.com", privateId), services, PREPARE_OUTPUTS));
    expect(error.message).toBe(`hosted zone ${privateId} (internal.example.com) is private: public DNS cannot see it, so certificates for btp.internal.example.com cannot be validated`);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    services.aws.destroy();
  });

  it("stops when no zone has the configured id", async () => {
    const services = prepareServices();
    const error = await failure(runStep(hostedZoneStep, configFor("btp.example.com", "Z0NOSUCHZONE"), services, PREPARE_OUTPUTS));
    expect(error.message).toBe(`hosted zone Z0NOSUCHZONE (dns.hostedZoneId) does not exist in account ${MOTO_ACCOUNT}`);
    expect(error.hint).toBe("list the zones with `aws route53 list-hosted-zones` and set dns.hostedZoneId to the public zone that contains btp.example.com");
    services.aws.destroy();
  });
});

describe("prepare/quotas against moto", () => {
  // One reset: each test adds VPCs to what the previous one left.
  let services: TestServices;
  beforeAll(async () => {
    await moto.reset();
    services = prepareServices();
  });
  beforeEach(() => services.aws.counter.reset());
  afterAll(() => services.aws.destroy());

  it("checks the vpc quotas moto knows and says which others it cannot answer", async () => {
    // aws modes: the RDS and ElastiCache usage reads run against moto too.
    const { outputs, report } = await runStep(quotasStep, awsTestConfig(), services, PREPARE_OUTPUTS);
    expect(report.infos).toEqual([
      "VPCs per Region: need 1, quota 5 with 1 in use: enough", // moto's default VPC
      "NAT gateways per Availability Zone: need 1, quota 5 with 0 in use in eu-west-1a: enough",
      `EC2-VPC Elastic IPs: ${NOT_ANSWERED}`,
      `${VCPU}: ${NOT_ANSWERED}`,
      `RDS DB instances: ${NOT_ANSWERED}`,
      `ElastiCache nodes per Region: ${NOT_ANSWERED}`,
    ]);
    expect(report.warnings).toEqual([]);
    expect(outputs).toEqual({ checked: ["L-F678F1CE", "L-FE5A380F"], unknown: ["L-0263D0A3", "L-1216C47A", "L-7B6409FD", "L-DFE45DF3"] });
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
  });

  it("warns with the quota code when the VPCs per region are used up", async () => {
    const ec2 = new EC2Client(setup);
    for (let i = 1; i <= 4; i += 1) await ec2.send(new CreateVpcCommand({ CidrBlock: `10.${i}.0.0/16` }));
    ec2.destroy();
    const { report } = await runStep(quotasStep, testConfig(), services, PREPARE_OUTPUTS);
    expect(report.warnings).toEqual([
      "VPCs per Region: need 1, quota 5 with 5 in use (service-quotas vpc L-F678F1CE); request an increase: aws service-quotas request-service-quota-increase --service-code vpc --quota-code L-F678F1CE --desired-value 6 --region eu-west-1",
    ]);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
  });

  it("needs no new VPC once the platform has one, however full the region", async () => {
    const ec2 = new EC2Client(setup);
    await ec2.send(new CreateVpcCommand({ CidrBlock: "10.5.0.0/16", TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "btp-aws:platform", Value: "btp-test" }] }] }));
    ec2.destroy();
    const { report } = await runStep(quotasStep, testConfig(), services, PREPARE_OUTPUTS);
    expect(report.warnings).toEqual([]);
    expect(report.infos[0]).toBe("VPCs per Region: nothing more needed (platform btp-test already has its VPC)");
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
  });
});

describe("prepare/discovery against moto", () => {
  beforeAll(() => moto.reset());

  it("says when nothing is tagged yet", async () => {
    const services = prepareServices();
    const { outputs, report } = await runStep(discoveryStep, testConfig(), services, PREPARE_OUTPUTS);
    expect(report.infos).toEqual(["nothing tagged for platform btp-test yet in eu-west-1"]);
    expect(outputs).toEqual({ resourceCount: 0, resourceArns: [] });
    services.aws.destroy();
  });

  it("lists a tagged KMS key and VPC, and not another platform's resources", async () => {
    const kms = new KMSClient(setup);
    const ec2 = new EC2Client(setup);
    const ours = [{ Key: "btp-aws:platform", Value: "btp-test" }, { Key: "btp-aws:managed-by", Value: "btp-aws" }];
    const key = await kms.send(new CreateKeyCommand({ Description: "platform key", Tags: ours.map((t) => ({ TagKey: t.Key, TagValue: t.Value })) }));
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.1.0.0/16", TagSpecifications: [{ ResourceType: "vpc", Tags: ours }] }));
    await ec2.send(new CreateVpcCommand({ CidrBlock: "10.2.0.0/16", TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "btp-aws:platform", Value: "other" }] }] }));
    kms.destroy();
    ec2.destroy();

    const services = prepareServices();
    const { outputs, report } = await runStep(discoveryStep, testConfig(), services, PREPARE_OUTPUTS);
    const keyId = key.KeyMetadata!.KeyId!;
    const vpcId = vpc.Vpc!.VpcId!;
    expect(report.infos).toEqual([`found 2 resources tagged for platform btp-test in eu-west-1: ec2:vpc: ${vpcId}; kms:key: ${keyId}`]);
    expect(outputs.resourceCount).toBe(2);
    expect([...(outputs.resourceArns as string[])].sort()).toEqual([
      `arn:aws:ec2:eu-west-1:${MOTO_ACCOUNT}:vpc/${vpcId}`,
      key.KeyMetadata!.Arn!,
    ].sort());
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    services.aws.destroy();
  });
});
