/**
 * The fault and latency proxy against a real moto server, through the installer's own SDK
 * clients (adaptive retries, 5 attempts): requests pass unchanged (signatures included), every
 * protocol's injected throttling is retried by the SDK, 5xx and dropped connections too, created
 * resources report their provisioning state for the scaled time, and moto's EKS gaps are served.
 */
import { ListCertificatesCommand, RequestCertificateCommand } from "@aws-sdk/client-acm";
import { DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { AllocateAddressCommand, CreateNatGatewayCommand, CreateSubnetCommand, CreateVpcCommand, DescribeNatGatewaysCommand, DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import * as eks from "@aws-sdk/client-eks";
import { CreateReplicationGroupCommand, DescribeReplicationGroupsCommand } from "@aws-sdk/client-elasticache";
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, GetRoleCommand, ListRolesCommand } from "@aws-sdk/client-iam";
import { ListKeysCommand } from "@aws-sdk/client-kms";
import { CreateDBInstanceCommand, DescribeDBInstancesCommand } from "@aws-sdk/client-rds";
import { ListHostedZonesCommand } from "@aws-sdk/client-route-53";
import { ListBucketsCommand } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { decideFault, startFaultProxy, type FaultProxy } from "./proxy/index.js";
import { motoClients, type TestClients } from "../support/aws.js";
import { MOTO_ACCOUNT, motoControl } from "../support/moto.js";

const moto = motoControl(inject("motoEndpoint"));
let proxy: FaultProxy;

beforeAll(async () => {
  await moto.reset();
  proxy = await startFaultProxy({ target: moto.endpoint, seed: 1 });
});
afterAll(async () => {
  await proxy?.stop();
});

/** The installer's clients, pointed at the proxy; fresh per test so the adaptive rate limiter starts clean. */
async function withClients<T>(use: (aws: TestClients) => Promise<T>, options: Parameters<typeof motoClients>[1] = {}): Promise<T> {
  const aws = motoClients(proxy.endpoint, options);
  try {
    return await use(aws);
  } finally {
    aws.destroy();
  }
}

/** [status, injected, forwarded] of each logged request of an operation. */
const trail = (operation: string) => proxy.log.entries.filter((e) => e.operation === operation).map((e) => [e.status, e.injected ?? "-", e.forwarded]);

describe("forwarding", () => {
  it("passes every protocol through to moto and logs service, operation and status", async () => {
    proxy.setFaults({});
    proxy.log.clear();
    await withClients(async (aws) => {
      await (await aws.sts()).send(new GetCallerIdentityCommand({}));
      await (await aws.ec2()).send(new DescribeVpcsCommand({}));
      await (await aws.iam()).send(new ListRolesCommand({}));
      await (await aws.kms()).send(new ListKeysCommand({}));
      await (await aws.eks()).send(new eks.ListClustersCommand({}));
      await (await aws.s3()).send(new ListBucketsCommand({}));
      await (await aws.route53()).send(new ListHostedZonesCommand({}));
      await (await aws.cloudwatch()).send(new DescribeAlarmsCommand({}));
    });
    expect(proxy.log.entries.map((e) => [e.service, e.operation, e.status, e.injected ?? "-", e.forwarded])).toEqual([
      ["sts", "GetCallerIdentity", 200, "-", true],
      ["ec2", "DescribeVpcs", 200, "-", true],
      ["iam", "ListRoles", 200, "-", true],
      ["kms", "ListKeys", 200, "-", true],
      ["eks", "ListClusters", 200, "-", true],
      ["s3", "ListBuckets", 200, "-", true],
      ["route53", "ListHostedZones", 200, "-", true],
      ["monitoring", "DescribeAlarms", 200, "-", true],
    ]);
  });

  it("keeps SigV4 signatures valid: with IAM authentication on, moto accepts the proxied calls and rejects a wrong secret", async () => {
    const key = await withClients(async (direct) => {
      const iam = await direct.iam();
      await iam.send(new CreateUserCommand({ UserName: "proxy-signer" }));
      await iam.send(new AttachUserPolicyCommand({ UserName: "proxy-signer", PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }));
      return (await iam.send(new CreateAccessKeyCommand({ UserName: "proxy-signer" }))).AccessKey!;
    });
    const credentials = (secret: string) => () => Promise.resolve({ accessKeyId: key.AccessKeyId!, secretAccessKey: secret });
    await moto.enableIamAuth();
    try {
      const identity = await withClients(async (aws) => {
        await (await aws.ec2()).send(new DescribeVpcsCommand({}));
        await (await aws.s3()).send(new ListBucketsCommand({}));
        return (await aws.sts()).send(new GetCallerIdentityCommand({}));
      }, { credentials: credentials(key.SecretAccessKey!) });
      expect(identity.Arn).toBe(`arn:aws:iam::${MOTO_ACCOUNT}:user/proxy-signer`);
      const rejected = await withClients((aws) => aws.ec2().then((ec2) => ec2.send(new DescribeVpcsCommand({}))), { credentials: credentials("not-the-secret") }).catch((e: unknown) => e as Error);
      expect((rejected as Error).name).toBe("AuthFailure");
    } finally {
      await moto.disableIamAuth();
    }
  });
});

describe("faults", () => {
  // The first attempt of the operation is throttled; the SDK must recognise it and retry.
  it.each<[string, number, (aws: TestClients) => Promise<{ $metadata: { attempts?: number } }>]>([
    ["DescribeVpcs", 503, async (aws) => (await aws.ec2()).send(new DescribeVpcsCommand({}))],
    ["ListRoles", 400, async (aws) => (await aws.iam()).send(new ListRolesCommand({}))],
    ["DescribeDBInstances", 400, async (aws) => (await aws.rds()).send(new DescribeDBInstancesCommand({}))],
    ["ListKeys", 400, async (aws) => (await aws.kms()).send(new ListKeysCommand({}))],
    ["ListClusters", 400, async (aws) => (await aws.eks()).send(new eks.ListClustersCommand({}))],
    ["ListBuckets", 503, async (aws) => (await aws.s3()).send(new ListBucketsCommand({}))],
    ["ListHostedZones", 400, async (aws) => (await aws.route53()).send(new ListHostedZonesCommand({}))],
    ["DescribeAlarms", 400, async (aws) => (await aws.cloudwatch()).send(new DescribeAlarmsCommand({}))],
  ])("%s: a throttled first attempt (HTTP %d) succeeds on the SDK's retry", async (operation, status, send) => {
    proxy.setFaults({ throttle: 1, limit: 1, only: (call) => call.operation === operation });
    proxy.log.clear();
    const output = await withClients(send);
    expect(output.$metadata.attempts).toBe(2);
    expect(trail(operation)).toEqual([[status, "throttle", false], [200, "-", true]]);
  });

  it("500/503 answers and dropped connections are retried", async () => {
    proxy.setFaults({ serverError: 1, limit: 2, only: (call) => call.operation === "DescribeVpcs" });
    proxy.log.clear();
    expect((await withClients(async (aws) => (await aws.ec2()).send(new DescribeVpcsCommand({})))).$metadata.attempts).toBe(3);
    expect(trail("DescribeVpcs").map(([, injected]) => injected)).toEqual(["5xx", "5xx", "-"]);
    expect(proxy.log.entries.filter((e) => e.injected === "5xx").map((e) => e.status).every((s) => s === 500 || s === 503)).toBe(true);

    proxy.setFaults({ drop: 1, limit: 1, only: (call) => call.operation === "ListKeys" });
    expect((await withClients(async (aws) => (await aws.kms()).send(new ListKeysCommand({})))).$metadata.attempts).toBe(2);
    expect(trail("ListKeys")).toEqual([[undefined, "drop", false], [200, "-", true]]);
  });

  it("a lost response means moto did the work: the retried create finds the role already there", async () => {
    proxy.setFaults({ lostResponse: 1, limit: 1, only: (call) => call.operation === "CreateRole" });
    proxy.log.clear();
    const error = await withClients(async (aws) => (await aws.iam()).send(new CreateRoleCommand({ RoleName: "lost-answer", AssumeRolePolicyDocument: "{}" }))).catch((e: unknown) => e as Error);
    expect((error as Error).name).toBe("EntityAlreadyExistsException");
    expect(trail("CreateRole")).toEqual([[undefined, "drop", true], [409, "-", true]]);
    expect((await withClients(async (aws) => (await aws.iam()).send(new GetRoleCommand({ RoleName: "lost-answer" })))).Role?.RoleName).toBe("lost-answer");
  });

  // Few calls: after a throttle the SDK's adaptive mode rate-limits the client (60 calls took ~37 s here).
  it("at 20% throttling and 2% 5xx every call still succeeds, and each fault costs exactly one extra attempt", async () => {
    proxy.setFaults({ throttle: 0.2, serverError: 0.02, seed: 7 });
    proxy.log.clear();
    await withClients(async (aws) => {
      const ec2 = await aws.ec2();
      for (let i = 0; i < 15; i++) await ec2.send(new DescribeVpcsCommand({}));
    });
    const extra = proxy.log.extraCalls();
    expect(proxy.log.entries).toHaveLength(15 + extra.total);
    expect(proxy.log.injected(undefined)).toHaveLength(15);
    // The seeded plan, replayed: each call is retried until its draw lets it through.
    let ordinal = 0;
    let planned = 0;
    for (let call = 0; call < 15; call++) while (decideFault({ throttle: 0.2, serverError: 0.02 }, 7, "eu-west-1/ec2.DescribeVpcs", ordinal++)) planned += 1;
    expect(planned).toBeGreaterThan(0);
    expect(extra).toEqual({ total: planned, byOperation: { "ec2.DescribeVpcs": planned } });
    proxy.setFaults({});
  });
});

describe("latency model", () => {
  // A proxy of its own with a manual clock: the test steps over the provisioning time instead of sleeping.
  let clock = 0;
  let timed: FaultProxy;
  beforeAll(async () => {
    timed = await startFaultProxy({ target: moto.endpoint, now: () => clock });
  });
  afterAll(async () => {
    await timed?.stop();
  });

  it("makes each created resource report its provisioning state for the scaled time, leaving other resources alone", async () => {
    const aws = motoClients(timed.endpoint);
    try {
      await latencyScenario(aws);
    } finally {
      aws.destroy();
    }
  });

  async function latencyScenario(aws: TestClients): Promise<void> {
    {
      const [ec2, rds, cache, client, acm] = [await aws.ec2(), await aws.rds(), await aws.elasticache(), await aws.eks(), await aws.acm()];
      const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }))).Vpc!.VpcId!;
      const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.9.1.0/24" }))).Subnet!.SubnetId!;
      const role = `arn:aws:iam::${MOTO_ACCOUNT}:role/eks`;
      const create = async (suffix: string) => {
        const allocation = (await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }))).AllocationId!;
        const nat = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnet, AllocationId: allocation }))).NatGateway!.NatGatewayId!;
        await rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: `db-${suffix}`, DBInstanceClass: "db.t3.micro", Engine: "postgres", AllocatedStorage: 20, MasterUsername: "u", MasterUserPassword: "password-1234" }));
        await cache.send(new CreateReplicationGroupCommand({ ReplicationGroupId: `rg-${suffix}`, ReplicationGroupDescription: "x", Engine: "redis", CacheNodeType: "cache.t3.micro" }));
        await client.send(new eks.CreateClusterCommand({ name: `eks-${suffix}`, roleArn: role, resourcesVpcConfig: { subnetIds: [subnet] } }));
        await client.send(new eks.CreateNodegroupCommand({ clusterName: `eks-${suffix}`, nodegroupName: `ng-${suffix}`, nodeRole: role, subnets: [subnet] }));
        await client.send(new eks.CreateAddonCommand({ clusterName: `eks-${suffix}`, addonName: "vpc-cni" }));
        const certificate = (await acm.send(new RequestCertificateCommand({ DomainName: `${suffix}.example.com`, ValidationMethod: "DNS" }))).CertificateArn!;
        return { nat, certificate };
      };
      const statuses = async (suffix: string, ids: { nat: string; certificate: string }) => {
        const certificates = (await acm.send(new ListCertificatesCommand({}))).CertificateSummaryList ?? [];
        return {
          nat: (await ec2.send(new DescribeNatGatewaysCommand({}))).NatGateways?.find((n) => n.NatGatewayId === ids.nat)?.State,
          db: (await rds.send(new DescribeDBInstancesCommand({}))).DBInstances?.find((d) => d.DBInstanceIdentifier === `db-${suffix}`)?.DBInstanceStatus,
          cache: (await cache.send(new DescribeReplicationGroupsCommand({}))).ReplicationGroups?.find((g) => g.ReplicationGroupId === `rg-${suffix}`)?.Status,
          cluster: (await client.send(new eks.DescribeClusterCommand({ name: `eks-${suffix}` }))).cluster?.status,
          nodegroup: (await client.send(new eks.DescribeNodegroupCommand({ clusterName: `eks-${suffix}`, nodegroupName: `ng-${suffix}` }))).nodegroup?.status,
          addon: (await client.send(new eks.DescribeAddonCommand({ clusterName: `eks-${suffix}`, addonName: "vpc-cni" }))).addon?.status,
          certificate: certificates.find((c) => c.CertificateArn === ids.certificate)?.Status,
        };
      };
      const ready = { nat: "available", db: "available", cache: "available", cluster: "ACTIVE", nodegroup: "ACTIVE", addon: "ACTIVE", certificate: "ISSUED" };

      const before = await create("before"); // created while the model is off: ready at once
      timed.setLatency({ scale: 1 / 60 }); // the default table: an EKS cluster 10 s, RDS 15 s …
      const after = await create("after");
      clock += 1_000;
      timed.log.clear();
      expect(await statuses("after", after)).toEqual({ nat: "pending", db: "creating", cache: "creating", cluster: "CREATING", nodegroup: "CREATING", addon: "CREATING", certificate: "PENDING_VALIDATION" });
      expect(timed.log.injected("latency").map((e) => e.operation)).toEqual(["ListCertificates", "DescribeNatGateways", "DescribeDBInstances", "DescribeReplicationGroups", "DescribeCluster", "DescribeNodegroup", "DescribeAddon"]);
      timed.log.clear();
      expect(await statuses("before", before)).toEqual(ready);
      // Lists show the provisioning resource too (rewritten); the other resource's own describes are untouched.
      expect(timed.log.injected("latency").map((e) => e.operation)).toEqual(["ListCertificates", "DescribeNatGateways", "DescribeDBInstances", "DescribeReplicationGroups"]);

      // 12 s after the creates everything but the Multi-AZ database (15 s) is ready.
      clock += 11_000;
      expect(await statuses("after", after)).toEqual({ ...ready, db: "creating" });
      expect(timed.latency.pending(clock).map((p) => [p.what, Math.round(p.readyInMs)])).toEqual([["RDS instance (Multi-AZ)", 3_000]]);
      clock += 3_000;
      timed.log.clear();
      expect(await statuses("after", after)).toEqual(ready);
      expect(timed.log.injected("latency")).toEqual([]);
    }
  }
});

describe("moto gaps over HTTP", () => {
  it("answers EKS add-on and access-entry calls from memory while the cluster itself lives in moto", async () => {
    proxy.setFaults({});
    proxy.setLatency(undefined);
    proxy.log.clear();
    const principal = `arn:aws:iam::${MOTO_ACCOUNT}:role/admin`;
    await withClients(async (aws) => {
      const client = await aws.eks();
      await client.send(new eks.CreateClusterCommand({ name: "gaps", roleArn: principal, resourcesVpcConfig: { subnetIds: [] } }));
      await expect(client.send(new eks.DescribeAccessEntryCommand({ clusterName: "gaps", principalArn: principal }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
      await client.send(new eks.CreateAccessEntryCommand({ clusterName: "gaps", principalArn: principal }));
      await client.send(new eks.AssociateAccessPolicyCommand({ clusterName: "gaps", principalArn: principal, policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", accessScope: { type: "cluster" } }));
      const policies = await client.send(new eks.ListAssociatedAccessPoliciesCommand({ clusterName: "gaps", principalArn: principal }));
      expect(policies.associatedAccessPolicies?.map((p) => p.policyArn)).toEqual(["arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"]);
      expect((await client.send(new eks.DescribeClusterCommand({ name: "gaps" }))).cluster?.name).toBe("gaps");
    });
    expect(proxy.log.entries.map((e) => [e.operation, e.status, e.injected ?? "-"])).toEqual([
      ["CreateCluster", 200, "-"],
      ["DescribeAccessEntry", 404, "gap"],
      ["CreateAccessEntry", 200, "gap"],
      ["AssociateAccessPolicy", 200, "gap"],
      ["ListAssociatedAccessPolicies", 200, "gap"],
      ["DescribeCluster", 200, "-"],
    ]);
    expect([...proxy.gaps.eksState("eu-west-1").entries.keys()]).toEqual([`gaps ${principal}`]);
  });
});
