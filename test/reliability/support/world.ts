/**
 * What a platform install left in moto, counted resource by resource: the reliability tests'
 * answer to "every resource exists exactly once, and nothing leaked".
 *
 * moto starts empty for each scenario (reset), so every resource of a kind below that is not a
 * moto default was made by the installer. Each one is reported with
 * - `tagged`: it carries btp-aws:platform=<platform> (undefined for kinds that take no tags:
 *   aliases, subscriptions, DNS records). An untagged one is a leak tags can never find again.
 * - `known`: the state knows it: an id, ARN or name in some step's outputs names it, or a known
 *   resource refers to it (a route table associated with a known subnet, the Elastic IP of a
 *   known NAT gateway, the subnet group of the known database …). A tagged resource that is not
 *   known is an orphan: it costs money and nothing will ever clean it up.
 * Counting per kind then shows duplicates (two clusters, four NAT gateways) against what the
 * config asks for.
 *
 * EKS add-ons and access entries, and Budgets tags, exist only in the proxy's gap state (moto
 * lacks those APIs), so they are read from there.
 */
import type { Tag as Ec2Tag } from "@aws-sdk/client-ec2";
import type { StepOutputs } from "../../../src/plan/types.js";
import { PLATFORM_TAG, tagMap } from "../../../src/aws/tags.js";
import { motoClients, type TestClients } from "../../support/aws.js";
import type { BudgetsMotoGaps } from "../../support/budgets-moto-gaps.js";
import type { EksMotoGaps } from "../../support/eks-moto-gaps.js";
import { MOTO_ACCOUNT } from "../../support/moto.js";

export type ResourceKind =
  | "vpc" | "subnet" | "internet-gateway" | "nat-gateway" | "elastic-ip" | "route-table" | "security-group" | "flow-log" | "log-group"
  | "kms-key" | "kms-alias" | "bucket" | "secret" | "certificate" | "validation-record"
  | "iam-role" | "oidc-provider" | "eks-cluster" | "node-group" | "launch-template" | "eks-addon" | "access-entry"
  | "db-instance" | "db-subnet-group" | "db-parameter-group" | "replication-group" | "cache-subnet-group"
  | "sns-topic" | "sns-subscription" | "alarm" | "budget";

export interface Resource {
  kind: ResourceKind;
  /** The id, name or ARN the kind is usually named by. */
  id: string;
  /** Carries the platform tag; undefined where the kind takes no tags. */
  tagged: boolean | undefined;
  /** Named by the state's outputs, or referred to by a resource that is. */
  known: boolean;
}

export interface CensusOptions {
  /** moto itself, not the proxy: counting must not meet injected faults or the latency model. */
  motoEndpoint: string;
  region: string;
  platform: string;
  /** The hosted zone seeded for the platform (validation records are counted there). */
  zoneId: string;
  /** Every step's outputs from the state file, by step id. */
  outputs: Readonly<Record<string, StepOutputs>>;
  /** The proxy's gap state: EKS (of `region`) and Budgets. */
  gaps: { eks: EksMotoGaps; budgets: BudgetsMotoGaps };
}

/** Every string an output holds (lists flattened): what the state names. */
export function namedByOutputs(outputs: Readonly<Record<string, StepOutputs>>): Set<string> {
  const named = new Set<string>();
  for (const step of Object.values(outputs)) {
    for (const value of Object.values(step)) {
      if (typeof value === "string") named.add(value);
      else if (Array.isArray(value)) for (const item of value as readonly string[]) named.add(item);
    }
  }
  return named;
}

const ec2Tags = (tags: Ec2Tag[] | undefined) => tagMap(tags);

/** Everything the installer can have made, per kind, in moto and the proxy's gap state. */
export async function census(options: CensusOptions): Promise<Resource[]> {
  const aws = motoClients(options.motoEndpoint, { region: options.region });
  try {
    const named = namedByOutputs(options.outputs);
    const ours = (tags: Record<string, string>) => tags[PLATFORM_TAG] === options.platform;
    const resources: Resource[] = [];
    const add = (kind: ResourceKind, id: string, tagged: boolean | undefined, known: boolean) => resources.push({ kind, id, tagged, known });
    await network(aws, named, ours, add);
    await keysAndStorage(aws, options, named, ours, add);
    await identityAndCluster(aws, options, named, ours, add);
    await dataAndMonitoring(aws, options, named, ours, add);
    return resources;
  } finally {
    aws.destroy();
  }
}

type Add = (kind: ResourceKind, id: string, tagged: boolean | undefined, known: boolean) => void;
type Ours = (tags: Record<string, string>) => boolean;

async function network(aws: TestClients, named: Set<string>, ours: Ours, add: Add): Promise<void> {
  const ec2Sdk = await import("@aws-sdk/client-ec2");
  const ec2 = await aws.ec2();
  // moto's default VPC (and its subnets, gateway, tables, group) is not the installer's.
  const vpcs = ((await ec2.send(new ec2Sdk.DescribeVpcsCommand({}))).Vpcs ?? []).filter((v) => !v.IsDefault);
  const vpcIds = new Set(vpcs.map((v) => v.VpcId!));
  for (const v of vpcs) add("vpc", v.VpcId!, ours(ec2Tags(v.Tags)), named.has(v.VpcId!));

  for (const s of (await ec2.send(new ec2Sdk.DescribeSubnetsCommand({}))).Subnets ?? []) {
    if (vpcIds.has(s.VpcId!)) add("subnet", s.SubnetId!, ours(ec2Tags(s.Tags)), named.has(s.SubnetId!));
  }
  for (const g of (await ec2.send(new ec2Sdk.DescribeInternetGatewaysCommand({}))).InternetGateways ?? []) {
    const attachedToDefault = (g.Attachments ?? []).some((a) => a.VpcId !== undefined && !vpcIds.has(a.VpcId));
    if (!attachedToDefault) add("internet-gateway", g.InternetGatewayId!, ours(ec2Tags(g.Tags)), named.has(g.InternetGatewayId!));
  }
  // Deleted and failed gateways cost nothing and stay listed for an hour: only live ones count.
  const nats = ((await ec2.send(new ec2Sdk.DescribeNatGatewaysCommand({}))).NatGateways ?? []).filter((n) => n.State === "pending" || n.State === "available");
  const knownAllocations = new Set<string>();
  for (const n of nats) {
    const known = named.has(n.NatGatewayId!);
    if (known) for (const a of n.NatGatewayAddresses ?? []) if (a.AllocationId) knownAllocations.add(a.AllocationId);
    add("nat-gateway", n.NatGatewayId!, ours(ec2Tags(n.Tags)), known);
  }
  for (const a of (await ec2.send(new ec2Sdk.DescribeAddressesCommand({}))).Addresses ?? []) {
    add("elastic-ip", a.AllocationId!, ours(ec2Tags(a.Tags)), knownAllocations.has(a.AllocationId!));
  }
  for (const t of (await ec2.send(new ec2Sdk.DescribeRouteTablesCommand({}))).RouteTables ?? []) {
    // Every VPC comes with a main table the installer does not manage.
    if (!vpcIds.has(t.VpcId!) || (t.Associations ?? []).some((a) => a.Main)) continue;
    const known = (t.Associations ?? []).some((a) => a.SubnetId !== undefined && named.has(a.SubnetId));
    add("route-table", t.RouteTableId!, ours(ec2Tags(t.Tags)), known);
  }
  for (const g of (await ec2.send(new ec2Sdk.DescribeSecurityGroupsCommand({}))).SecurityGroups ?? []) {
    if (!vpcIds.has(g.VpcId!) || g.GroupName === "default") continue;
    add("security-group", g.GroupId!, ours(ec2Tags(g.Tags)), named.has(g.GroupId!));
  }
  const flowLogs = (await ec2.send(new ec2Sdk.DescribeFlowLogsCommand({}))).FlowLogs ?? [];
  const knownLogs = flowLogs.filter((f) => named.has(f.ResourceId!));
  for (const f of flowLogs) add("flow-log", f.FlowLogId!, ours(ec2Tags(f.Tags)), named.has(f.ResourceId!));
  // The flow logs' group and delivery role are known through the known flow log.
  const logs = await aws.logs();
  const logsSdk = await import("@aws-sdk/client-cloudwatch-logs");
  for (const g of (await logs.send(new logsSdk.DescribeLogGroupsCommand({}))).logGroups ?? []) {
    const tags = (await logs.send(new logsSdk.ListTagsForResourceCommand({ resourceArn: g.arn!.replace(/:\*$/, "") }))).tags ?? {};
    add("log-group", g.logGroupName!, ours(tags), knownLogs.some((f) => f.LogGroupName === g.logGroupName));
  }
  for (const f of knownLogs) if (f.DeliverLogsPermissionArn) named.add(f.DeliverLogsPermissionArn);
}

async function keysAndStorage(aws: TestClients, options: CensusOptions, named: Set<string>, ours: Ours, add: Add): Promise<void> {
  const kmsSdk = await import("@aws-sdk/client-kms");
  const kms = await aws.kms();
  for (const k of (await kms.send(new kmsSdk.ListKeysCommand({}))).Keys ?? []) {
    const meta = (await kms.send(new kmsSdk.DescribeKeyCommand({ KeyId: k.KeyId! }))).KeyMetadata!;
    // AWS managed keys (aws/secretsmanager …) and keys pending deletion are not the platform's.
    if (meta.KeyManager !== "CUSTOMER" || meta.KeyState === "PendingDeletion") continue;
    const tags = tagMap((await kms.send(new kmsSdk.ListResourceTagsCommand({ KeyId: k.KeyId! }))).Tags);
    add("kms-key", k.KeyId!, ours(tags), named.has(k.KeyId!));
  }
  for (const a of (await kms.send(new kmsSdk.ListAliasesCommand({}))).Aliases ?? []) {
    if (a.AliasName?.startsWith("alias/aws/")) continue;
    add("kms-alias", a.AliasName!, undefined, named.has(a.AliasName!) && named.has(a.TargetKeyId ?? ""));
  }

  const s3Sdk = await import("@aws-sdk/client-s3");
  const s3 = await aws.s3();
  for (const b of (await s3.send(new s3Sdk.ListBucketsCommand({}))).Buckets ?? []) {
    const tags = await s3.send(new s3Sdk.GetBucketTaggingCommand({ Bucket: b.Name! })).then((r) => tagMap(r.TagSet), () => ({}));
    add("bucket", b.Name!, ours(tags), named.has(b.Name!));
  }

  const smSdk = await import("@aws-sdk/client-secrets-manager");
  const sm = await aws.secretsManager();
  for (const s of (await sm.send(new smSdk.ListSecretsCommand({}))).SecretList ?? []) {
    if (s.DeletedDate !== undefined) continue;
    add("secret", s.ARN!, ours(tagMap(s.Tags)), named.has(s.ARN!));
  }

  const acmSdk = await import("@aws-sdk/client-acm");
  const acm = await aws.acm();
  const statuses = ["PENDING_VALIDATION", "ISSUED", "INACTIVE", "EXPIRED", "VALIDATION_TIMED_OUT", "REVOKED", "FAILED"] as const;
  const knownRecords = new Set<string>();
  for (const c of (await acm.send(new acmSdk.ListCertificatesCommand({ CertificateStatuses: [...statuses] }))).CertificateSummaryList ?? []) {
    const tags = tagMap((await acm.send(new acmSdk.ListTagsForCertificateCommand({ CertificateArn: c.CertificateArn! }))).Tags);
    const known = named.has(c.CertificateArn!);
    if (known) {
      const detail = (await acm.send(new acmSdk.DescribeCertificateCommand({ CertificateArn: c.CertificateArn! }))).Certificate;
      for (const o of detail?.DomainValidationOptions ?? []) if (o.ResourceRecord?.Name) knownRecords.add(o.ResourceRecord.Name);
    }
    add("certificate", c.CertificateArn!, ours(tags), known);
  }
  const r53Sdk = await import("@aws-sdk/client-route-53");
  const route53 = await aws.route53();
  for (const r of (await route53.send(new r53Sdk.ListResourceRecordSetsCommand({ HostedZoneId: options.zoneId }))).ResourceRecordSets ?? []) {
    // The seeded zone's own SOA and NS records are the user's.
    if (r.Type !== "CNAME") continue;
    add("validation-record", r.Name!, undefined, knownRecords.has(r.Name!));
  }
}

async function identityAndCluster(aws: TestClients, options: CensusOptions, named: Set<string>, ours: Ours, add: Add): Promise<void> {
  const iamSdk = await import("@aws-sdk/client-iam");
  const iam = await aws.iam();
  for (const r of (await iam.send(new iamSdk.ListRolesCommand({ MaxItems: 1000 }))).Roles ?? []) {
    const tags = tagMap((await iam.send(new iamSdk.ListRoleTagsCommand({ RoleName: r.RoleName! }))).Tags);
    add("iam-role", r.RoleName!, ours(tags), named.has(r.Arn!));
  }
  for (const p of (await iam.send(new iamSdk.ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? []) {
    const tags = tagMap((await iam.send(new iamSdk.ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: p.Arn! }))).Tags);
    add("oidc-provider", p.Arn!, ours(tags), named.has(p.Arn!));
  }

  const eksSdk = await import("@aws-sdk/client-eks");
  const eks = await aws.eks();
  for (const name of (await eks.send(new eksSdk.ListClustersCommand({}))).clusters ?? []) {
    const cluster = (await eks.send(new eksSdk.DescribeClusterCommand({ name }))).cluster!;
    add("eks-cluster", name, ours(cluster.tags ?? {}), named.has(cluster.arn!));
    for (const ng of (await eks.send(new eksSdk.ListNodegroupsCommand({ clusterName: name }))).nodegroups ?? []) {
      const group = (await eks.send(new eksSdk.DescribeNodegroupCommand({ clusterName: name, nodegroupName: ng }))).nodegroup!;
      add("node-group", `${name}/${ng}`, ours(group.tags ?? {}), named.has(cluster.arn!) && named.has(ng));
    }
  }
  for (const a of options.gaps.eks.addons.values()) add("eks-addon", `${a.clusterName}/${a.addonName}`, ours(a.tags), named.has(a.clusterName) && named.has(a.addonName));
  for (const [key, e] of options.gaps.eks.entries) add("access-entry", key, ours(e.tags), named.has(key.split(" ")[0]!));

  const ec2Sdk = await import("@aws-sdk/client-ec2");
  const ec2 = await aws.ec2();
  for (const t of (await ec2.send(new ec2Sdk.DescribeLaunchTemplatesCommand({}))).LaunchTemplates ?? []) {
    add("launch-template", t.LaunchTemplateId!, ours(ec2Tags(t.Tags)), named.has(t.LaunchTemplateId!));
  }
}

async function dataAndMonitoring(aws: TestClients, options: CensusOptions, named: Set<string>, ours: Ours, add: Add): Promise<void> {
  const rdsSdk = await import("@aws-sdk/client-rds");
  const rds = await aws.rds();
  const instances = (await rds.send(new rdsSdk.DescribeDBInstancesCommand({}))).DBInstances ?? [];
  const known = instances.filter((d) => named.has(d.DBInstanceIdentifier!));
  for (const d of instances) add("db-instance", d.DBInstanceIdentifier!, ours(tagMap(d.TagList)), named.has(d.DBInstanceIdentifier!));
  for (const g of (await rds.send(new rdsSdk.DescribeDBSubnetGroupsCommand({}))).DBSubnetGroups ?? []) {
    const tags = tagMap((await rds.send(new rdsSdk.ListTagsForResourceCommand({ ResourceName: g.DBSubnetGroupArn! }))).TagList);
    add("db-subnet-group", g.DBSubnetGroupName!, ours(tags), known.some((d) => d.DBSubnetGroup?.DBSubnetGroupName === g.DBSubnetGroupName));
  }
  for (const g of (await rds.send(new rdsSdk.DescribeDBParameterGroupsCommand({}))).DBParameterGroups ?? []) {
    // moto lists the engines' default groups too.
    if (g.DBParameterGroupName?.startsWith("default.")) continue;
    const tags = tagMap((await rds.send(new rdsSdk.ListTagsForResourceCommand({ ResourceName: g.DBParameterGroupArn! }))).TagList);
    const used = known.some((d) => (d.DBParameterGroups ?? []).some((p) => p.DBParameterGroupName === g.DBParameterGroupName));
    add("db-parameter-group", g.DBParameterGroupName!, ours(tags), used);
  }

  const ecSdk = await import("@aws-sdk/client-elasticache");
  const ec = await aws.elasticache();
  const arn = (kind: string, name: string) => `arn:aws:elasticache:${options.region}:${MOTO_ACCOUNT}:${kind}:${name}`;
  const groups = (await ec.send(new ecSdk.DescribeReplicationGroupsCommand({}))).ReplicationGroups ?? [];
  for (const g of groups) {
    const tags = tagMap((await ec.send(new ecSdk.ListTagsForResourceCommand({ ResourceName: g.ARN ?? arn("replicationgroup", g.ReplicationGroupId!) }))).TagList);
    add("replication-group", g.ReplicationGroupId!, ours(tags), named.has(g.ReplicationGroupId!));
  }
  const knownGroups = groups.filter((g) => named.has(g.ReplicationGroupId!));
  const knownMembers = new Set(knownGroups.flatMap((g) => g.MemberClusters ?? []));
  const clusters = (await ec.send(new ecSdk.DescribeCacheClustersCommand({}))).CacheClusters ?? [];
  const knownSubnetGroups = new Set(clusters.filter((c) => knownMembers.has(c.CacheClusterId!)).map((c) => c.CacheSubnetGroupName));
  // moto's replication groups have no describable member clusters: the installer gives the
  // subnet group the replication group's name, so the name is the link there.
  if (knownSubnetGroups.size === 0) for (const g of knownGroups) knownSubnetGroups.add(g.ReplicationGroupId);
  for (const g of (await ec.send(new ecSdk.DescribeCacheSubnetGroupsCommand({}))).CacheSubnetGroups ?? []) {
    if (g.CacheSubnetGroupName === "default") continue;
    const tags = tagMap((await ec.send(new ecSdk.ListTagsForResourceCommand({ ResourceName: g.ARN ?? arn("subnetgroup", g.CacheSubnetGroupName!) }))).TagList);
    add("cache-subnet-group", g.CacheSubnetGroupName!, ours(tags), knownSubnetGroups.has(g.CacheSubnetGroupName));
  }

  const snsSdk = await import("@aws-sdk/client-sns");
  const sns = await aws.sns();
  for (const t of (await sns.send(new snsSdk.ListTopicsCommand({}))).Topics ?? []) {
    const tags = tagMap((await sns.send(new snsSdk.ListTagsForResourceCommand({ ResourceArn: t.TopicArn! }))).Tags);
    const known = named.has(t.TopicArn!);
    add("sns-topic", t.TopicArn!, ours(tags), known);
    for (const s of (await sns.send(new snsSdk.ListSubscriptionsByTopicCommand({ TopicArn: t.TopicArn! }))).Subscriptions ?? []) {
      add("sns-subscription", `${s.Protocol}:${s.Endpoint}`, undefined, known);
    }
  }
  const cwSdk = await import("@aws-sdk/client-cloudwatch");
  const cw = await aws.cloudwatch();
  for (const a of (await cw.send(new cwSdk.DescribeAlarmsCommand({}))).MetricAlarms ?? []) {
    const tags = tagMap((await cw.send(new cwSdk.ListTagsForResourceCommand({ ResourceARN: a.AlarmArn! }))).Tags);
    add("alarm", a.AlarmName!, ours(tags), named.has(a.AlarmName!));
  }
  const budgetsSdk = await import("@aws-sdk/client-budgets");
  const budgets = await aws.budgets();
  for (const b of (await budgets.send(new budgetsSdk.DescribeBudgetsCommand({ AccountId: MOTO_ACCOUNT }))).Budgets ?? []) {
    const tags = options.gaps.budgets.tags.get(`arn:aws:budgets::${MOTO_ACCOUNT}:budget/${b.BudgetName!}`) ?? {};
    add("budget", b.BudgetName!, ours(tags), named.has(b.BudgetName!));
  }
}

/** Resources per kind. */
export function countKinds(resources: readonly Resource[]): Partial<Record<ResourceKind, number>> {
  const counts: Partial<Record<ResourceKind, number>> = {};
  for (const r of resources) counts[r.kind] = (counts[r.kind] ?? 0) + 1;
  return counts;
}

/** Tagged for the platform, unknown to the state: nothing will ever clean these up. */
export function orphans(resources: readonly Resource[]): string[] {
  return resources.filter((r) => r.tagged === true && !r.known).map((r) => `${r.kind} ${r.id}`);
}

/** Made by the installer but without the platform tag: tags can never find these again. */
export function untagged(resources: readonly Resource[]): string[] {
  return resources.filter((r) => r.tagged === false).map((r) => `${r.kind} ${r.id}`);
}

/** Kinds that take no tags, but the state does not know (a stray alias, record or subscription). */
export function unknownUntaggable(resources: readonly Resource[]): string[] {
  return resources.filter((r) => r.tagged === undefined && !r.known).map((r) => `${r.kind} ${r.id}`);
}

/**
 * What `install --only prepare,infra` of examples/btp-aws.yaml makes: production, 3 AZs, a NAT
 * gateway per AZ, flow logs, Multi-AZ database and cache, 10 IAM roles (cluster, node, flow
 * logs, 7 IRSA: the 7th is Alertmanager's, monitoring.prometheusStack being on by default),
 * 4 add-ons (no Container Insights, no in-cluster dependency: no snapshot controller), 5 alarms.
 */
export const EXAMPLE_WORLD: Readonly<Record<ResourceKind, number>> = {
  vpc: 1, subnet: 6, "internet-gateway": 1, "nat-gateway": 3, "elastic-ip": 3, "route-table": 4, "security-group": 4, "flow-log": 1, "log-group": 1,
  "kms-key": 1, "kms-alias": 1, bucket: 1, secret: 1, certificate: 1, "validation-record": 1,
  "iam-role": 10, "oidc-provider": 1, "eks-cluster": 1, "node-group": 1, "launch-template": 1, "eks-addon": 4, "access-entry": 1,
  "db-instance": 1, "db-subnet-group": 1, "db-parameter-group": 1, "replication-group": 1, "cache-subnet-group": 1,
  "sns-topic": 1, "sns-subscription": 1, alarm: 5, budget: 1,
};
