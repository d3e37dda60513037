/**
 * What doctor and status know about the platform's AWS resources, looked up once and shared by
 * every check. Each resource is found the way a re-run of the installer finds it: by the id the
 * state recorded, else by its name (infraNames), else by the btp-aws:platform tag — so a lost
 * state file costs nothing but a few more calls.
 */
import type { AwsClients } from "../../aws/clients.js";
import { describeCertificate, type Certificate } from "../../aws/acm.js";
import { describeVpc, findSecurityGroups, findVpcs, ingressRules, type ExistingIngressRule, type SecurityGroup, type Vpc } from "../../aws/ec2.js";
import { findLaunchTemplate, launchSettings, type LaunchSettings } from "../../aws/ec2-launch-template.js";
import { describeCluster, describeNodeGroup, type EksCluster, type NodeGroup } from "../../aws/eks.js";
import { findReplicationGroup, type ReplicationGroupInfo } from "../../aws/elasticache.js";
import { describeKey, type KmsKey } from "../../aws/kms.js";
import { findDbInstance, type DbInstanceInfo } from "../../aws/rds.js";
import { headBucket, type BucketPresence, type BucketRef } from "../../aws/s3.js";
import { describeSecret, type SecretDescription } from "../../aws/secrets-manager.js";
import { whoAmI, type CallerIdentity } from "../../aws/sts.js";
import { findTaggedResourceArns } from "../../aws/tagging.js";
import { PLATFORM_TAG } from "../../aws/tags.js";
import type { Config } from "../../config/schema.js";
import { bucketName, infraNames, type InfraNames } from "../../phases/infra/names.js";
import { ROOT_DEVICE } from "../../phases/infra/nodegroup-launch-template.js";
import type { GroupRole } from "../../phases/infra/vpc-security-rules.js";
import type { StepOutputs } from "../../plan/types.js";
import { clusterLoadBalancers, nodeGroupInstances, type LoadBalancer, type NodeInstance } from "./aws-reads.js";
import { dependencyModes, type DependencyModes } from "./dependency-modes.js";

export interface LaunchTemplateFacts {
  id: string;
  version: string;
  settings: LaunchSettings;
}

export interface BucketFacts {
  ref: BucketRef;
  presence: BucketPresence;
}

export type PlatformSecurityGroups = Partial<Record<GroupRole, SecurityGroup & { rules: ExistingIngressRule[] }>>;

export interface Facts {
  readonly names: InfraNames;
  readonly clusterName: string;
  readonly nodeGroupName: string;
  readonly databaseId: string;
  readonly cacheId: string;
  /** Where the database, cache and object storage run (the config's modes; aws without a config). */
  readonly modes: DependencyModes;
  identity(): Promise<CallerIdentity>;
  /** The account the platform lives in: what prepare recorded, else the caller's. */
  account(): Promise<string>;
  cluster(): Promise<EksCluster | undefined>;
  nodeGroup(): Promise<NodeGroup | undefined>;
  nodeInstances(): Promise<NodeInstance[]>;
  launchTemplate(): Promise<LaunchTemplateFacts | undefined>;
  database(): Promise<DbInstanceInfo | undefined>;
  cache(): Promise<ReplicationGroupInfo | undefined>;
  bucket(): Promise<BucketFacts>;
  key(): Promise<KmsKey | undefined>;
  certificate(): Promise<Certificate | undefined>;
  secret(): Promise<SecretDescription | undefined>;
  vpc(): Promise<Vpc | undefined>;
  securityGroups(): Promise<PlatformSecurityGroups>;
  /** The ALB the load balancer controller made for the cluster's Ingress, if any. */
  loadBalancer(): Promise<LoadBalancer | undefined>;
  /** ARNs the Resource Groups Tagging API knows with the platform tag: the last-resort finder. */
  taggedArns(): Promise<string[]>;
}

export interface FactsInput {
  platform: string;
  region: string;
  config: Config | undefined;
  outputs: Readonly<Record<string, StepOutputs>>;
  aws: AwsClients;
}

/** A lookup made on first use and shared afterwards (its failure too: every asker sees it). */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= load());
}

function recorded(outputs: FactsInput["outputs"], step: string, key: string): string | undefined {
  const value = outputs[step]?.[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

const SECURITY_GROUP_OUTPUTS: Readonly<Record<GroupRole, string>> = {
  nodes: "nodeSecurityGroupId", alb: "albSecurityGroupId", database: "databaseSecurityGroupId", cache: "cacheSecurityGroupId",
};

export function createFacts(input: FactsInput): Facts {
  const { aws, outputs, platform, region } = input;
  const names = infraNames({ platform });
  const clusterName = recorded(outputs, "infra/eks", "clusterName") ?? names.cluster;
  const nodeGroupName = recorded(outputs, "infra/nodegroup", "nodeGroupName") ?? names.nodeGroup;
  const databaseId = recorded(outputs, "infra/rds", "dbInstanceId") ?? names.database;
  const cacheId = recorded(outputs, "infra/elasticache", "replicationGroupId") ?? names.cache;

  const identity = once(() => whoAmI(aws));
  const taggedArns = once(async () => findTaggedResourceArns(await aws.tagging(), { [PLATFORM_TAG]: platform }));
  const tagged = async (service: string, resourceType: string) =>
    (await taggedArns()).filter((arn) => arn.split(":")[2] === service && arn.split(":")[5]?.startsWith(resourceType));

  const cluster = once(async () => describeCluster(await aws.eks(), clusterName));
  const nodeGroup = once(async () => describeNodeGroup(await aws.eks(), clusterName, nodeGroupName));
  const vpc = once(async (): Promise<Vpc | undefined> => {
    const ec2 = await aws.ec2();
    const id = recorded(outputs, "infra/vpc", "vpcId");
    const byId = id ? await describeVpc(ec2, id) : undefined;
    return byId ?? (await findVpcs(ec2, { [`tag:${PLATFORM_TAG}`]: [platform] }))[0];
  });

  async function keyFromTags(): Promise<KmsKey | undefined> {
    const kms = await aws.kms();
    for (const arn of await tagged("kms", "key/")) {
      const key = await describeKey(kms, arn);
      if (key && key.state !== "PendingDeletion") return key;
    }
    return undefined;
  }

  async function certificateFromTags(): Promise<Certificate | undefined> {
    const acm = await aws.acm();
    const found: Certificate[] = [];
    for (const arn of await tagged("acm", "certificate/")) {
      const certificate = await describeCertificate(acm, arn);
      if (certificate) found.push(certificate);
    }
    // Prefer the one for the configured domain, then an issued one: older requests may linger.
    const domain = input.config?.dns.domain;
    return found.find((c) => c.domain === domain && c.status === "ISSUED") ?? found.find((c) => c.domain === domain) ?? found.find((c) => c.status === "ISSUED") ?? found[0];
  }

  return {
    names,
    clusterName,
    nodeGroupName,
    modes: dependencyModes(input.config),
    databaseId,
    cacheId,
    identity,
    account: once(async () => recorded(outputs, "prepare/credentials", "account") ?? (await identity()).account),
    cluster,
    nodeGroup,
    nodeInstances: once(async () => nodeGroupInstances(await aws.ec2(), clusterName, nodeGroupName)),
    launchTemplate: once(async (): Promise<LaunchTemplateFacts | undefined> => {
      const ec2 = await aws.ec2();
      const group = await nodeGroup();
      // The version the node group runs, not the latest: that is what its nodes were launched from.
      const inUse = group?.launchTemplate.id ? { id: group.launchTemplate.id, version: group.launchTemplate.version ?? "$Latest" } : undefined;
      const byName = inUse ? undefined : await findLaunchTemplate(ec2, names.launchTemplate);
      const target = inUse ?? (byName ? { id: byName.id, version: String(byName.latestVersion) } : undefined);
      if (!target) return undefined;
      return { ...target, settings: await launchSettings(ec2, target.id, target.version, ROOT_DEVICE) };
    }),
    database: once(async () => findDbInstance(await aws.rds(), databaseId)),
    cache: once(async () => findReplicationGroup(await aws.elasticache(), cacheId)),
    bucket: once(async (): Promise<BucketFacts> => {
      const account = recorded(outputs, "prepare/credentials", "account") ?? (await identity()).account;
      const ref = { name: recorded(outputs, "infra/s3", "bucket") ?? bucketName(platform, account, region), owner: account };
      return { ref, presence: await headBucket(await aws.s3(), ref) };
    }),
    key: once(async () => {
      const kms = await aws.kms();
      const id = recorded(outputs, "infra/kms", "keyId");
      const byId = id ? await describeKey(kms, id) : undefined;
      return byId ?? (await describeKey(kms, names.keyAlias)) ?? (await keyFromTags());
    }),
    certificate: once(async () => {
      const arn = recorded(outputs, "infra/acm", "certificateArn");
      const byArn = arn ? await describeCertificate(await aws.acm(), arn) : undefined;
      return byArn ?? (await certificateFromTags());
    }),
    secret: once(async () => describeSecret(await aws.secretsManager(), recorded(outputs, "infra/secrets", "secretArn") ?? names.secret)),
    vpc,
    securityGroups: once(async (): Promise<PlatformSecurityGroups> => {
      const ec2 = await aws.ec2();
      const found = await vpc();
      if (!found) return {};
      const groups = await findSecurityGroups(ec2, found.vpcId, Object.values(names.securityGroups));
      const result: PlatformSecurityGroups = {};
      for (const role of Object.keys(SECURITY_GROUP_OUTPUTS) as GroupRole[]) {
        const id = recorded(outputs, "infra/security-groups", SECURITY_GROUP_OUTPUTS[role]);
        const group = groups.find((g) => g.groupId === id) ?? groups.find((g) => g.name === names.securityGroups[role]);
        if (group) result[role] = { ...group, rules: [] };
      }
      const ids = Object.values(result).map((g) => g.groupId);
      const rules = ids.length > 0 ? await ingressRules(ec2, ids) : [];
      for (const group of Object.values(result)) group.rules = rules.filter((r) => r.groupId === group.groupId);
      return result;
    }),
    loadBalancer: once(async () => {
      const found = await clusterLoadBalancers(await aws.elbv2(), clusterName);
      return found.find((lb) => lb.state === "active") ?? found[0];
    }),
    taggedArns,
  };
}

