/**
 * verify/dns against moto: a real ALB made with ELBv2, a real hosted zone, the fake kube holding
 * the ingress whose status names the ALB. Asserts the alias A records (never a CNAME) for the
 * domain and its wildcard with the ALB's own zone id, a re-run with no change, and the repair of
 * records that point elsewhere (the guide's CNAME to the ALB, an alias to an old ALB).
 */
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateLoadBalancerCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, Route53Client, type Change, type ResourceRecordSet } from "@aws-sdk/client-route-53";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { normalizeName } from "../../../src/aws/route53.js";
import { dnsStep } from "../../../src/phases/verify/dns.js";
import type { Config } from "../../../src/config/schema.js";
import { motoClients, type TestClients } from "../../support/aws.js";
import { testConfig } from "../../support/config.js";
import { MOTO_CREDENTIALS, motoControl } from "../../support/moto.js";
import { recordingReporter } from "../../support/reporter.js";
import { fakeKube, type FakeKube } from "../../fakes/kube.js";
import { failure, kubernetesServices } from "../../unit/phases/btp/helpers.js";
import { INFRA_OUTPUTS } from "../../unit/phases/btp/fixtures.js";

const moto = motoControl(inject("motoEndpoint"));
const REGION = "eu-west-1";
const client = { region: REGION, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS };

interface Alb {
  dnsName: string;
  zoneId: string;
}

let zoneId: string;
let alb: Alb;
let oldAlb: Alb;

/** An internet-facing ALB in a fresh VPC with two subnets, as the controller would make it. */
async function createAlb(name: string, cidr: string): Promise<Alb> {
  const ec2 = new EC2Client(client);
  const elbv2 = new ElasticLoadBalancingV2Client(client);
  try {
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!;
    const base = cidr.split(".").slice(0, 2).join(".");
    const subnets = await Promise.all(["a", "b"].map(async (az, i) => (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: `${base}.${i}.0/24`, AvailabilityZone: `${REGION}${az}` }))).Subnet!.SubnetId!));
    const created = (await elbv2.send(new CreateLoadBalancerCommand({ Name: name, Subnets: subnets, Scheme: "internet-facing", Type: "application" }))).LoadBalancers![0]!;
    return { dnsName: created.DNSName!, zoneId: created.CanonicalHostedZoneId! };
  } finally {
    ec2.destroy();
    elbv2.destroy();
  }
}

beforeAll(async () => {
  await moto.reset();
  zoneId = await moto.seedHostedZone("example.com");
  alb = await createAlb("k8s-btpbtptest-0a1b2c3d4e", "10.20.0.0/16");
  oldAlb = await createAlb("k8s-btpold-9f8e7d6c5b", "10.30.0.0/16");
});

function ingressWith(hostname: string | undefined, domain: string): FakeKube {
  const kube = fakeKube();
  kube.seed({
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: "settlemint", namespace: "settlemint" },
    spec: { ingressClassName: "alb", rules: [{ host: domain }, { host: `*.${domain}` }] },
    status: { loadBalancer: { ingress: hostname ? [{ hostname }] : [] } },
  });
  return kube;
}

function dnsConfig(domain: string): Config {
  return testConfig({ dns: { domain, hostedZoneId: zoneId, acmeEmail: "ops@example.com" } });
}

async function runDns(config: Config, kube: FakeKube, aws: TestClients) {
  const report = recordingReporter();
  const outputs = await dnsStep.run({ config, services: kubernetesServices({ kube, aws }), outputs: INFRA_OUTPUTS, previous: undefined, signal: new AbortController().signal }, report);
  return { outputs, report };
}

async function records(name: string): Promise<ResourceRecordSet[]> {
  const route53 = new Route53Client({ ...client, region: "us-east-1" });
  try {
    const { ResourceRecordSets } = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
    // AWS spells the wildcard \052, moto *: normalizeName makes them one.
    return (ResourceRecordSets ?? []).filter((r) => normalizeName(r.Name ?? "") === normalizeName(name));
  } finally {
    route53.destroy();
  }
}

async function change(changes: Change[]): Promise<void> {
  const route53 = new Route53Client({ ...client, region: "us-east-1" });
  try {
    await route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } }));
  } finally {
    route53.destroy();
  }
}

const aliasOf = (target: Alb) => ({ DNSName: `${target.dnsName}.`, HostedZoneId: target.zoneId, EvaluateTargetHealth: true });
/** Route 53 answers the alias target with a trailing dot; moto as written. Either is the same name. */
const aliasTo = (target: Alb) => ({ ...aliasOf(target), DNSName: expect.stringMatching(new RegExp(`^${target.dnsName.replace(/\./g, "\\.")}\\.?$`, "i")) as unknown as string });

describe("verify/dns against moto", () => {
  it("writes alias A records for the domain and its wildcard, then changes nothing on a re-run", async () => {
    const domain = "btp.example.com";
    const aws = motoClients(moto.endpoint, { region: REGION });
    const kube = ingressWith(alb.dnsName, domain);

    const first = await runDns(dnsConfig(domain), kube, aws);
    expect(first.outputs).toEqual({ albHostname: alb.dnsName.toLowerCase(), albHostedZoneId: alb.zoneId, records: [domain, `*.${domain}`] });
    expect(first.report.infos).toEqual([`alias A records ${domain} and *.${domain} → ${alb.dnsName.toLowerCase()} (zone ${alb.zoneId}), INSYNC`]);
    for (const name of [`${domain}.`, `\\052.${domain}.`]) {
      const found = await records(name);
      expect(found.map((r) => r.Type)).toEqual(["A"]);
      expect(found[0]?.AliasTarget).toEqual(aliasTo(alb));
      expect(found[0]?.ResourceRecords ?? []).toEqual([]);
    }
    expect(aws.counter.snapshot().byOperation).toMatchObject({ "ElasticLoadBalancingV2.DescribeLoadBalancers": 1, "Route53.ChangeResourceRecordSets": 1, "Route53.GetChange": 1 });

    aws.counter.reset();
    const second = await runDns(dnsConfig(domain), kube, aws);
    expect(aws.counter.snapshot().mutating, aws.counter.mutatingOperations().join(", ")).toBe(0);
    expect(second.report.skipped).toEqual([`alias A records ${domain} and *.${domain} already point at ${alb.dnsName.toLowerCase()}`]);
    expect(second.outputs).toEqual(first.outputs);
    aws.destroy();
  });

  it("replaces the guide's CNAME to the ALB and an alias to an old ALB", async () => {
    const domain = "repair.example.com";
    await change([
      { Action: "CREATE", ResourceRecordSet: { Name: domain, Type: "CNAME", TTL: 300, ResourceRecords: [{ Value: alb.dnsName }] } },
      { Action: "CREATE", ResourceRecordSet: { Name: `*.${domain}`, Type: "A", AliasTarget: aliasOf(oldAlb) } },
    ]);
    const aws = motoClients(moto.endpoint, { region: REGION });
    const { report } = await runDns(dnsConfig(domain), ingressWith(alb.dnsName, domain), aws);
    expect(report.infos[0]).toBe(`replaced the CNAME ${domain}. with an alias A record (a CNAME cannot sit at a zone apex or beside an A record)`);
    for (const name of [`${domain}.`, `\\052.${domain}.`]) {
      const found = await records(name);
      expect(found.map((r) => [r.Type, r.AliasTarget])).toEqual([["A", aliasTo(alb)]]);
    }
    expect(aws.counter.snapshot().byOperation["Route53.ChangeResourceRecordSets"]).toBe(1);
    aws.destroy();
  });

  it("leaves a CNAME that points elsewhere alone and stops", async () => {
    const domain = "taken.example.com";
    await change([{ Action: "CREATE", ResourceRecordSet: { Name: domain, Type: "CNAME", TTL: 300, ResourceRecords: [{ Value: "legacy.example.net" }] } }]);
    const aws = motoClients(moto.endpoint, { region: REGION });
    const error = await failure(runDns(dnsConfig(domain), ingressWith(alb.dnsName, domain), aws));
    expect(error.message).toBe(`a CNAME record ${domain} → legacy.example.net exists: an alias A record for the platform cannot sit beside it`);
    expect(aws.counter.mutatingOperations()).toEqual([]);
    expect((await records(`${domain}.`)).map((r) => r.Type)).toEqual(["CNAME"]);
    aws.destroy();
  });

  it("says so when the ingress names a load balancer this account and region do not have", async () => {
    const domain = "ghost.example.com";
    const ghost = "k8s-ghost-0000000000-1111111111.eu-west-1.elb.amazonaws.com";
    const aws = motoClients(moto.endpoint, { region: REGION });
    const error = await failure(runDns(dnsConfig(domain), ingressWith(ghost, domain), aws));
    expect(error.message).toBe(`Ingress settlemint/settlemint points at ${ghost}, but no load balancer with that DNS name exists in eu-west-1`);
    expect(aws.counter.mutatingOperations()).toEqual([]);
    aws.destroy();
  });
});
