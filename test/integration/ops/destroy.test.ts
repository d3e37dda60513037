/**
 * `btp-aws destroy` against moto, after a whole install built with the real prepare and infra
 * steps (as test/integration/aws/install-infra.test.ts builds it), in-process so the operations
 * moto lacks can be served: the EKS and Budgets gaps as in the install tests, plus two of
 * destroy's own (ElastiCache keeps a deleted replication group `deleting` forever and has no
 * DeleteCacheSubnetGroup). The Kubernetes side is the in-memory fake cluster with a fake helm; the
 * AWS Load Balancer Controller's resources are a real ALB, target group and security group made
 * in moto with the controller's tags.
 */
import { motoInstallServices } from "../../support/infra.js";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateVolumeCommand, DeleteSecurityGroupCommand, DescribeAddressesCommand, DescribeNatGatewaysCommand, DescribeVolumesCommand, DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { CreateLoadBalancerCommand, CreateTargetGroupCommand, DeleteLoadBalancerCommand, DeleteTargetGroupCommand, DescribeLoadBalancersCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { CacheSubnetGroupNotFoundFault, ReplicationGroupNotFoundFault, type ElastiCacheClient } from "@aws-sdk/client-elasticache";
import { ListRolesCommand } from "@aws-sdk/client-iam";
import type { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { DescribeKeyCommand } from "@aws-sdk/client-kms";
import { DescribeDBSnapshotsCommand } from "@aws-sdk/client-rds";
import { DescribeSecretCommand } from "@aws-sdk/client-secrets-manager";
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import { ListClustersCommand } from "@aws-sdk/client-eks";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { destroyCommand } from "../../../src/cli/commands/destroy.js";
import { createUi } from "../../../src/cli/output.js";
import { installSteps } from "../../../src/cli/steps.js";
import type { ConfigInput } from "../../../src/config/schema.js";
import type { Helm, HelmReleaseStatus } from "../../../src/helm/release.js";
import { ListDashboardsCommand } from "@aws-sdk/client-cloudwatch";
import { ListWebACLsCommand } from "@aws-sdk/client-wafv2";
import { DESTROY_STAGES } from "../../../src/ops/destroy/stages.js";
import type { ClusterReach } from "../../../src/ops/destroy/types.js";
import { selectSteps } from "../../../src/plan/select.js";
import { runSteps } from "../../../src/runner/scheduler.js";
import { openState, readState } from "../../../src/state/file-store.js";
import { fakeKube, type FakeKube } from "../../fakes/kube.js";
import { motoClients, type TestClients } from "../../support/aws.js";
import { testConfig } from "../../support/config.js";
import { motoControl } from "../../support/moto.js";

const moto = motoControl(inject("motoEndpoint"));
const helmBinary = inject("helm");
const CONTROLLER_TAG = "elbv2.k8s.aws/cluster";

/**
 * moto gaps of destroy: a deleted replication group stays `deleting` forever, and there is no
 * DeleteCacheSubnetGroup. Both are served here, and what they delete leaves the tagging API too.
 */
function serveElastiCacheDeletion(ec: ElastiCacheClient, tagging: ResourceGroupsTaggingAPIClient): void {
  const deleting = new Map<string, number>();
  const deletedSubnetGroups = new Set<string>();
  ec.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      const operation = context.commandName;
      if (operation === "DeleteCacheSubnetGroupCommand") {
        deletedSubnetGroups.add(String(input.CacheSubnetGroupName));
        return { output: { $metadata: {} }, response: {} };
      }
      if (operation === "DescribeCacheSubnetGroupsCommand" && deletedSubnetGroups.has(String(input.CacheSubnetGroupName))) {
        throw new CacheSubnetGroupNotFoundFault({ message: `CacheSubnetGroup ${String(input.CacheSubnetGroupName)} not found.`, $metadata: { httpStatusCode: 404 } });
      }
      const id = String(input.ReplicationGroupId);
      // The first look after the delete sees moto's "deleting"; the next one finds it gone, as on AWS.
      if (operation === "DescribeReplicationGroupsCommand" && deleting.has(id)) {
        const seen = deleting.get(id)!;
        deleting.set(id, seen + 1);
        if (seen > 0) throw new ReplicationGroupNotFoundFault({ message: `ReplicationGroup ${id} not found.`, $metadata: { httpStatusCode: 404 } });
      }
      const result = await next(args);
      if (operation === "DeleteReplicationGroupCommand") deleting.set(id, 0);
      return result;
    },
    { step: "initialize", name: "destroyTestElastiCacheGaps" },
  );
  tagging.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const output = result.output as { ResourceTagMappingList?: { ResourceARN?: string }[] };
      if (output.ResourceTagMappingList) {
        const gone = [...[...deletedSubnetGroups].map((name) => `:subnetgroup:${name}`), ...[...deleting.entries()].filter(([, seen]) => seen > 1).map(([id]) => `:replicationgroup:${id}`)];
        output.ResourceTagMappingList = output.ResourceTagMappingList.filter((m) => !gone.some((suffix) => m.ResourceARN?.endsWith(suffix)));
      }
      return result;
    },
    { step: "initialize", name: "destroyTestTaggingGaps" },
  );
}

interface World {
  aws: TestClients;
  stateDir: string;
  platform: string;
  cluster: string;
  kube: FakeKube;
  helm: FakeHelm;
}

interface FakeHelm extends Helm {
  releases: Map<string, HelmReleaseStatus>;
  uninstalled: string[];
}

function fakeHelm(installed: string[]): FakeHelm {
  const releases = new Map(installed.map((key) => [key, { status: "deployed", chartVersion: "1.0.0", revision: 1 }]));
  const uninstalled: string[] = [];
  const never = () => Promise.reject(new Error("not used by destroy"));
  return {
    releases,
    uninstalled,
    status: (name, namespace) => Promise.resolve(releases.get(`${namespace}/${name}`)),
    uninstall(name, namespace) {
      const key = `${namespace}/${name}`;
      if (!releases.delete(key)) return Promise.resolve("absent");
      uninstalled.push(key);
      return Promise.resolve("uninstalled");
    },
    list: () => Promise.resolve([...releases.keys()].map((key) => ({ name: key.split("/")[1]!, namespace: key.split("/")[0]!, status: "deployed", chart: "x-1.0.0" }))),
    upgradeInstall: never,
    template: never,
    showValues: never,
    registryLogin: never,
  };
}

async function install(overrides: Partial<ConfigInput>, zoneId: string): Promise<World> {
  const config = testConfig({
    dns: { domain: "btp.example.com", hostedZoneId: zoneId, hostedZoneName: "example.com", acmeEmail: "ops@example.com" },
    monitoring: { alarmEmail: "oncall@example.com", monthlyBudgetUsd: 2000 },
    ...overrides,
  });
  const aws = motoClients(moto.endpoint);
  const services = await motoInstallServices(aws, helmBinary.v4.path);
  serveElastiCacheDeletion(await aws.elasticache(), await aws.tagging());
  const stateDir = await mkdtemp(join(tmpdir(), "btp-aws-destroy-"));
  const store = await openState({ dir: stateDir, platform: config.platform, region: config.aws.region });
  await store.update((state) => {
    state.config = config;
  });
  const all = installSteps();
  const result = await runSteps(selectSteps(all, { only: ["prepare", "infra"] }), { config, services, store, allSteps: all, concurrency: 8 });
  expect(result.failed.map((id) => `${id}: ${store.current().steps[id]?.error?.message ?? ""}`)).toEqual([]);
  const cluster = String(store.current().steps["infra/eks"]!.outputs.clusterName);
  const kube = fakeKube();
  const helm = fakeHelm(["settlemint/settlemint", "vault/vault", "cert-manager/cert-manager", "kube-system/aws-load-balancer-controller"]);
  return { aws, stateDir, platform: config.platform, cluster, kube, helm };
}

/** What the load balancer controller makes for an Ingress: an ALB, a target group, its security group and a rule on the nodes' group. */
async function controllerLoadBalancer(world: World): Promise<void> {
  const state = await readState(world.stateDir, world.platform);
  const vpc = state!.steps["infra/vpc"]!.outputs;
  const groups = state!.steps["infra/security-groups"]!.outputs;
  const ec2 = await world.aws.ec2();
  const tags = [{ Key: CONTROLLER_TAG, Value: world.cluster }, { Key: "ingress.k8s.aws/stack", Value: "settlemint/settlemint" }];
  const { GroupId } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: "k8s-settlemint-abc123", Description: "[k8s] Managed SecurityGroup for LoadBalancer", VpcId: String(vpc.vpcId), TagSpecifications: [{ ResourceType: "security-group", Tags: tags }] }));
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: String(groups.nodeSecurityGroupId), IpPermissions: [{ IpProtocol: "tcp", FromPort: 8080, ToPort: 8080, UserIdGroupPairs: [{ GroupId }] }] }));
  const elbv2 = await world.aws.elbv2();
  await elbv2.send(new CreateLoadBalancerCommand({ Name: "k8s-settlemint-abc123", Subnets: [...(vpc.publicSubnetIds as string[])], SecurityGroups: [GroupId!], Scheme: "internet-facing", Type: "application", Tags: tags }));
  await elbv2.send(new CreateTargetGroupCommand({ Name: "k8s-settlemint-tg", Protocol: "HTTP", Port: 8080, VpcId: String(vpc.vpcId), TargetType: "ip", Tags: tags }));
  world.kube.seed({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "settlemint", namespace: "settlemint" }, spec: { ingressClassName: "alb" } });
  world.kube.seed({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "data-vault-0", namespace: "vault" } });
  world.kube.seed({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "aws-load-balancer-controller", namespace: "kube-system" }, spec: { replicas: 2 } });
}

/**
 * What an in-cluster dependency leaves: its helm release, its claim (and a dr-snapshot
 * VolumeSnapshot) in btp-dependencies, and the EBS volume the CSI driver made for the claim,
 * tagged as the driver tags it (a real moto volume: destroy/cluster finds it after the cluster).
 */
async function inClusterDependency(world: World, release: string, claim: string): Promise<string> {
  world.helm.releases.set(`btp-dependencies/${release}`, { status: "deployed", chartVersion: "1.0.0", revision: 1 });
  world.kube.seed({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: claim, namespace: "btp-dependencies" } });
  world.kube.seed({ apiVersion: "snapshot.storage.k8s.io/v1", kind: "VolumeSnapshot", metadata: { name: `dr-20261128t030000-${claim}`, namespace: "btp-dependencies" }, spec: {} });
  const tags = [
    { Key: `kubernetes.io/cluster/${world.cluster}`, Value: "owned" },
    { Key: "kubernetes.io/created-for/pvc/namespace", Value: "btp-dependencies" },
    { Key: "kubernetes.io/created-for/pvc/name", Value: claim },
  ];
  const { VolumeId } = await (await world.aws.ec2()).send(new CreateVolumeCommand({ AvailabilityZone: "eu-west-1a", Size: 8, VolumeType: "gp3", TagSpecifications: [{ ResourceType: "volume", Tags: tags }] }));
  return VolumeId!;
}

/** Plays the controller: once the Ingress is gone, it deletes its load balancer, target group and security group. */
function controllerCleansUp(world: World): FakeKube {
  const kube = world.kube;
  const remove = kube.delete.bind(kube);
  kube.delete = async (apiVersion, kind, name, namespace) => {
    const removed = await remove(apiVersion, kind, name, namespace);
    if (kind === "Ingress") {
      const elbv2 = await world.aws.elbv2();
      const ec2 = await world.aws.ec2();
      setTimeout(() => {
        void (async () => {
          for (const lb of (await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? []) await elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
          const { DescribeTargetGroupsCommand } = await import("@aws-sdk/client-elastic-load-balancing-v2");
          for (const tg of (await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []) await elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn }));
          const { DescribeSecurityGroupsCommand, RevokeSecurityGroupIngressCommand, DescribeSecurityGroupRulesCommand } = await import("@aws-sdk/client-ec2");
          const groups = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: `tag:${CONTROLLER_TAG}`, Values: [world.cluster] }] }))).SecurityGroups ?? [];
          for (const group of groups) {
            const rules = (await ec2.send(new DescribeSecurityGroupRulesCommand({}))).SecurityGroupRules ?? [];
            for (const rule of rules.filter((r) => r.ReferencedGroupInfo?.GroupId === group.GroupId)) {
              await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: rule.GroupId, SecurityGroupRuleIds: [rule.SecurityGroupRuleId!] }));
            }
            await ec2.send(new DeleteSecurityGroupCommand({ GroupId: group.GroupId }));
          }
        })();
      }, 20);
    }
    return removed;
  };
  return kube;
}

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return { stream: new Writable({ write: (chunk, _encoding, done) => { chunks.push(String(chunk)); done(); } }), text: () => chunks.join("") };
}

async function destroy(world: World, flags: Record<string, unknown>, cluster?: () => Promise<ClusterReach>): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = capture();
  const stderr = capture();
  const env = { BTP_AWS_POLL_SCALE: "0.001", PATH: "" };
  const code = await destroyCommand({ stateDir: world.stateDir, yes: true, ...flags }, [], {
    env,
    cwd: world.stateDir,
    ui: createUi({ env, yes: true, stdout: stdout.stream, stderr: stderr.stream, stdinTty: false }),
    aws: world.aws,
    cluster: cluster ?? (() => Promise.resolve({ state: "reachable", handles: { kube: world.kube, helm: world.helm } })),
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** The tagging API's answer, less NAT gateways in state "deleted" (EC2 shows those for an hour, tags included). */
async function taggedArns(aws: TestClients, platform: string): Promise<string[]> {
  const { GetResourcesCommand } = await import("@aws-sdk/client-resource-groups-tagging-api");
  const found = await (await aws.tagging()).send(new GetResourcesCommand({ TagFilters: [{ Key: "btp-aws:platform", Values: [platform] }] }));
  const arns = (found.ResourceTagMappingList ?? []).map((m) => m.ResourceARN!);
  const live: string[] = [];
  for (const arn of arns) {
    const nat = /:natgateway\/(.+)$/.exec(arn)?.[1];
    if (nat !== undefined && (await (await aws.ec2()).send(new DescribeNatGatewaysCommand({ NatGatewayIds: [nat] }))).NatGateways?.[0]?.State === "deleted") continue;
    live.push(arn);
  }
  return live;
}

describe("destroy against moto", () => {
  let zoneId: string;
  beforeEach(async () => {
    await moto.reset();
    zoneId = await moto.seedHostedZone("example.com");
  });

  it("after a production install: deletes everything in order, keeps the bucket, the final snapshot and the key that encrypts them, and a re-run changes nothing", async () => {
    // Production with Redis in the cluster: its data must outlive a destroy without --delete-data.
    const world = await install({ platform: "gone1", environment: "production", cache: { mode: "in-cluster" } }, zoneId);
    await controllerLoadBalancer(world);
    controllerCleansUp(world);
    const redisVolume = await inClusterDependency(world, "redis", "redis-data-redis-master-0");

    // --dry-run: what is live, by stage, and not one mutating call.
    world.aws.counter.reset();
    const dry = await destroy(world, { platform: "gone1", dryRun: true, yes: false });
    expect(dry.code, dry.stderr).toBe(0);
    expect(world.aws.counter.mutatingOperations()).toEqual([]);
    expect(dry.stdout).toContain("destroy --dry-run: platform gone1 in account 123456789012, eu-west-1. Nothing was changed.");
    for (const line of [
      "  - helm release settlemint in namespace settlemint (deployed, revision 1)",
      "  - Ingress settlemint/settlemint",
      "  - load balancer k8s-settlemint-abc123 (made by the load balancer controller)",
      "  - PersistentVolumeClaim vault/data-vault-0 and its EBS volume",
      "  - node group btp-gone1-nodes of cluster btp-gone1",
      "  - EKS add-on aws-ebs-csi-driver",
      "  - IAM role btp-gone1-irsa-vault",
      "  - log group /btp-aws/gone1/vpc-flow-logs",
      "  ■ keep S3 bucket btp-gone1-123456789012-eu-west-1: kept without --delete-data",
      "  - secret btp-gone1/credentials (recoverable for 30 days)",
      "  - helm release redis in namespace btp-dependencies (deployed, revision 1)",
      "  ■ keep PersistentVolumeClaim btp-dependencies/redis-data-redis-master-0 and its EBS volume: kept without --delete-data: delete it with `kubectl -n btp-dependencies delete pvc --all` before destroy (the EBS CSI driver then deletes its volume), or `aws ec2 delete-volume` after",
      `  ■ keep EBS volume ${redisVolume} (8 GiB) of claim btp-dependencies/redis-data-redis-master-0: in-cluster dependency data, kept without --delete-data: \`aws ec2 delete-volume --volume-id ${redisVolume}\` deletes it`,
    ]) expect(dry.stdout).toContain(line);
    // cache.mode in-cluster: infra made no ElastiCache, so destroy has none to delete.
    expect(dry.stdout).not.toContain("replication group");
    expect(dry.stdout).toMatch(/RDS instance btp-gone1-db \(available, deletion protection on: turned off first\); final snapshot btp-gone1-final-\d{8}t\d{6} kept/);
    expect(dry.stdout).toMatch(/■ keep KMS key .* \(alias\/btp-gone1\): it encrypts bucket btp-gone1-123456789012-eu-west-1/);
    expect(world.helm.uninstalled).toEqual([]);
    world.aws.counter.reset();

    const started = Date.now();
    const first = await destroy(world, { platform: "gone1" });
    const seconds = (Date.now() - started) / 1000;
    const calls = world.aws.counter.snapshot();
    console.log(`[destroy] production platform against moto: ${seconds.toFixed(1)} s, ${calls.read} read and ${calls.mutating} mutating calls`);
    expect(first.stderr).toContain("Leak report: nothing of the platform is left");
    expect(first.code, first.stderr).toBe(0);
    expect(world.helm.uninstalled).toEqual(["settlemint/settlemint", "btp-dependencies/redis", "vault/vault", "cert-manager/cert-manager", "kube-system/aws-load-balancer-controller"]);
    // Redis's claim and snapshot are kept (no --delete-data); Vault's claim goes.
    expect(world.kube.deleted).toEqual(["Ingress settlemint/settlemint", "PersistentVolumeClaim vault/data-vault-0"]);
    expect((await (await world.aws.ec2()).send(new DescribeVolumesCommand({ VolumeIds: [redisVolume] }))).Volumes?.map((v) => v.VolumeId)).toEqual([redisVolume]);
    expect(first.stderr).toContain(`kept: EBS volume ${redisVolume} (8 GiB) of claim btp-dependencies/redis-data-redis-master-0: in-cluster dependency data, kept without --delete-data`);
    expect(first.stderr).toContain("kept: PersistentVolumeClaim btp-dependencies/redis-data-redis-master-0 and its EBS volume: kept without --delete-data");
    expect(first.stderr).toContain("the load balancer controller removed load balancer k8s-settlemint-abc123");
    expect(first.stderr).toContain("deleted web ACL btp-gone1");
    // The stages ran in the order of the issue.
    const order = [...first.stderr.matchAll(/ (destroy\/[a-z0-9-]+) ▶ started/g)].map((m) => m[1]);
    expect(order).toEqual(DESTROY_STAGES.map((stage) => stage.id));

    // The world: nothing but what the flags keep.
    expect((await (await world.aws.eks()).send(new ListClustersCommand({}))).clusters).toEqual([]);
    expect((await (await world.aws.ec2()).send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:btp-aws:platform", Values: ["gone1"] }] }))).Vpcs).toEqual([]);
    expect((await (await world.aws.ec2()).send(new DescribeAddressesCommand({}))).Addresses).toEqual([]);
    // infra/waf made one in production; the tagging API does not list WAF, so look directly.
    expect((await (await world.aws.wafv2()).send(new ListWebACLsCommand({ Scope: "REGIONAL" }))).WebACLs).toEqual([]);
    // Dashboards carry no tags either: found by name.
    expect((await (await world.aws.cloudwatch()).send(new ListDashboardsCommand({ DashboardNamePrefix: "btp-gone1" }))).DashboardEntries).toEqual([]);
    expect(((await (await world.aws.iam()).send(new ListRolesCommand({}))).Roles ?? []).map((r) => r.RoleName).filter((n) => n?.startsWith("btp-gone1"))).toEqual([]);
    const snapshots = (await (await world.aws.rds()).send(new DescribeDBSnapshotsCommand({ SnapshotType: "manual" }))).DBSnapshots ?? [];
    expect(snapshots.map((s) => s.DBSnapshotIdentifier)).toEqual([expect.stringMatching(/^btp-gone1-final-\d{8}t\d{6}$/)]);
    const bucket = `btp-gone1-123456789012-eu-west-1`;
    await (await world.aws.s3()).send(new HeadBucketCommand({ Bucket: bucket }));
    const secret = await (await world.aws.secretsManager()).send(new DescribeSecretCommand({ SecretId: "btp-gone1/credentials" }));
    expect(secret.DeletedDate).toBeInstanceOf(Date);
    const key = await (await world.aws.kms()).send(new DescribeKeyCommand({ KeyId: snapshots[0]!.KmsKeyId! }));
    expect(key.KeyMetadata?.KeyState).toBe("Enabled");
    expect(first.stderr).toMatch(/kept: S3 bucket btp-gone1-123456789012-eu-west-1: kept without --delete-data/);
    expect(first.stderr).toMatch(/kept: DB snapshot btp-gone1-final-/);
    expect(first.stderr).toMatch(/kept: KMS key .* it encrypts bucket btp-gone1-123456789012-eu-west-1, DB snapshot btp-gone1-final-/);
    expect(first.stderr).toMatch(/scheduled: secret btp-gone1\/credentials/);
    // The tag sweep, independently: only what the flags keep, and the secret in its recovery window.
    const left = await taggedArns(world.aws, "gone1");
    const unexpected = left.filter((arn) => !arn.includes(bucket) && !/:snapshot:btp-gone1-final-/.test(arn) && !arn.includes(key.KeyMetadata!.KeyId!) && !arn.includes(":secret:btp-gone1/credentials"));
    expect(unexpected).toEqual([]);

    // The state file is moved aside; a second destroy finds nothing to do and changes nothing.
    expect(await readState(world.stateDir, "gone1")).toBeUndefined();
    expect((await readdir(join(world.stateDir, "gone1"))).filter((f) => f.startsWith("destroyed-"))).toHaveLength(1);
    world.aws.counter.reset();
    const again = await destroy(world, { platform: "gone1", region: "eu-west-1" }, () => Promise.resolve({ state: "absent", reason: "EKS cluster btp-gone1 does not exist" }));
    expect(again.code, again.stderr).toBe(0);
    expect(world.aws.counter.mutatingOperations()).toEqual([]);
    world.aws.destroy();
    await rm(world.stateDir, { recursive: true, force: true });
  });

  it("without the state file, by --platform and --region: finds everything by name and tag; --delete-data and --skip-final-snapshot leave only the secret and key in their deletion windows", async () => {
    // development: database, cache and storage in-cluster, so infra made no RDS, ElastiCache or bucket.
    const world = await install({ platform: "gone2", environment: "development" }, zoneId);
    await controllerLoadBalancer(world);
    const volumes = [
      await inClusterDependency(world, "postgresql", "data-postgresql-0"),
      await inClusterDependency(world, "redis", "redis-data-redis-master-0"),
      await inClusterDependency(world, "minio", "data-minio-0"),
    ];
    const bucket = "btp-gone2-123456789012-eu-west-1";
    await rm(join(world.stateDir, "gone2", "state.json"));
    world.aws.counter.reset();

    const started = Date.now();
    // The controller runs but never cleans up here: destroy waits, then deletes its load balancer itself.
    const result = await destroy(world, { platform: "gone2", region: "eu-west-1", deleteData: true, skipFinalSnapshot: true });
    console.log(`[destroy] development platform without state against moto: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(result.stderr).toContain("Leak report: nothing of the platform is left");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("the load balancer controller did not remove its load balancers in time: deleting them directly");
    expect(result.stderr).toMatch(/deleted what the load balancer controller left: load balancer k8s-settlemint-abc123, target group k8s-settlemint-tg, security group k8s-settlemint-abc123/);
    expect((await (await world.aws.rds()).send(new DescribeDBSnapshotsCommand({ SnapshotType: "manual" }))).DBSnapshots).toEqual([]);
    // The managed-service stages had nothing to do.
    expect(result.stderr).toContain(`no bucket ${bucket} of the platform is left`);
    await expect((await world.aws.s3()).send(new HeadBucketCommand({ Bucket: bucket }))).rejects.toThrow();
    // --delete-data: the in-cluster releases, their snapshots and claims, then their volumes after the cluster.
    expect(world.helm.uninstalled.filter((r) => r.startsWith("btp-dependencies/"))).toEqual(["btp-dependencies/postgresql", "btp-dependencies/redis", "btp-dependencies/minio"]);
    expect(world.kube.deleted.filter((d) => d.includes("btp-dependencies/"))).toEqual([
      // In the API server's order (by name), every snapshot before any claim.
      "VolumeSnapshot btp-dependencies/dr-20261128t030000-data-minio-0", "VolumeSnapshot btp-dependencies/dr-20261128t030000-data-postgresql-0", "VolumeSnapshot btp-dependencies/dr-20261128t030000-redis-data-redis-master-0",
      "PersistentVolumeClaim btp-dependencies/data-minio-0", "PersistentVolumeClaim btp-dependencies/data-postgresql-0", "PersistentVolumeClaim btp-dependencies/redis-data-redis-master-0",
    ]);
    const leftVolumes = (await (await world.aws.ec2()).send(new DescribeVolumesCommand({ Filters: [{ Name: "volume-id", Values: volumes }] }))).Volumes ?? [];
    expect(leftVolumes.filter((v) => v.State !== "deleted")).toEqual([]);
    const left = await taggedArns(world.aws, "gone2");
    const unexpected = [];
    for (const arn of left) {
      if (arn.includes(":kms:")) {
        expect((await (await world.aws.kms()).send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata?.KeyState).toBe("PendingDeletion");
      } else if (!arn.includes(":secret:btp-gone2/credentials")) unexpected.push(arn);
    }
    expect(unexpected).toEqual([]);
    expect(result.stderr).toMatch(/scheduled: KMS key .*: deleted on \d{4}-\d{2}-\d{2}/);
    world.aws.destroy();
    await rm(world.stateDir, { recursive: true, force: true });
  });
});
