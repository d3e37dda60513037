/**
 * The quotas the install draws on, what the plan needs from each, and how much is in use.
 *
 * Resources that already belong to this platform (a re-run, or an install resumed after infra
 * began) are part of the plan, not extra demand: each check subtracts them from what it needs,
 * so a second run does not warn about the VPC it created itself.
 */
import { availabilityZones } from "../../aws/ec2-regions.js";
import { awsErrorCode } from "../../aws/errors.js";
import { instanceTypeVcpus, listAddresses, listNatGateways, listRunningInstances, listVpcs, type NatGatewayInZone, type TaggedItem } from "../../aws/ec2-usage.js";
import { listCacheClusters } from "../../aws/elasticache-usage.js";
import { listDbInstanceIds } from "../../aws/rds-usage.js";
import { belongsTo } from "../../aws/tags.js";
import type { Config } from "../../config/schema.js";
import { BtpAwsError } from "../../errors.js";
import { infraNames } from "../infra/names.js";
import type { PrepareServices } from "./services.js";

export interface Measurement {
  /** How many more the plan needs; 0 when the platform's own resources already cover it. */
  need: number;
  /** How `need` reads when a bare number would mislead: "1 in each of 3 AZs". */
  needText?: string;
  /** Counted against the quota now; in `where` for a per-zone quota. */
  used: number;
  where?: string;
  /** Why nothing more is needed, when `need` is 0. */
  covered?: string;
}

export interface QuotaCheck {
  what: string;
  service: string;
  code: string;
  /** The IAM actions `measure` calls, named when they fail. */
  reads: string;
  measure(): Promise<Measurement>;
  /** Set when the config draws nothing on this quota: it is never asked for. */
  notDrawnOn?: string;
}

/** NAT gateways the plan creates; each needs one Elastic IP. */
export function natGatewayCount(config: Pick<Config, "network">): number {
  return config.network.natGateways === "per-az" ? config.network.azCount : 1;
}

/**
 * The "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances" quota counts these
 * families. Approximate: the family is read from the type's leading letters, so Inf, DL, Trn,
 * HPC and Mac instances (own quotas) are left out while im4gn and is4gen (storage, "I") count.
 */
const STANDARD_FAMILIES = new Set(["a", "c", "d", "h", "i", "im", "is", "m", "r", "t", "z"]);

export function isStandardFamily(instanceType: string): boolean {
  return STANDARD_FAMILIES.has(/^[a-z]+/.exec(instanceType)?.[0] ?? "");
}

export const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
const count = (items: readonly TaggedItem[], platform: string) => items.filter((i) => belongsTo(i.tags, platform)).length;

/**
 * NAT gateways per AZ: the plan needs room for one gateway in each of `natCount` zones. The
 * zones infra will pick are not known here, so the check asks whether enough zones have room,
 * and reports the fullest zone among the emptiest `natCount` (the one that decides).
 */
export function natMeasurement(natCount: number, zones: readonly string[], nats: readonly NatGatewayInZone[], platform: string): Measurement {
  const ours = nats.filter((n) => belongsTo(n.tags, platform));
  const zonesNeeded = natCount - ours.length;
  if (zonesNeeded <= 0) return { need: 0, used: nats.length, covered: `platform ${platform} already has its ${plural(ours.length, "NAT gateway")}` };
  const ourZones = new Set(ours.map((n) => n.zone));
  const usage = zones
    .filter((zone) => !ourZones.has(zone))
    .map((zone) => ({ zone, used: nats.filter((n) => n.zone === zone).length }))
    .sort((a, b) => a.used - b.used || a.zone.localeCompare(b.zone));
  const decisive = usage[Math.min(zonesNeeded, usage.length) - 1];
  const measurement: Measurement = { need: 1, used: decisive?.used ?? 0 };
  if (zonesNeeded > 1) measurement.needText = `1 in each of ${zonesNeeded} AZs`;
  if (decisive) measurement.where = decisive.zone;
  return measurement;
}

/** vCPUs of the largest standard instance type the node group may use, from EC2 itself. */
async function largestNodeVcpus(config: Config, aws: PrepareServices["aws"]): Promise<number> {
  const types = config.cluster.instanceTypes;
  let vcpus: Map<string, number>;
  try {
    vcpus = await instanceTypeVcpus(await aws.ec2(config.aws.region), types);
  } catch (error) {
    if (awsErrorCode(error) !== "InvalidInstanceType") throw error;
    throw new BtpAwsError(`cluster.instanceTypes: EC2 in ${config.aws.region} does not offer ${types.join(", ")}: ${error instanceof Error ? error.message : String(error)}`, {
      hint: `choose instance types the region offers (aws ec2 describe-instance-type-offerings --region ${config.aws.region})`,
      cause: error,
    });
  }
  const unknown = types.filter((t) => !vcpus.has(t));
  if (unknown.length > 0) {
    throw new BtpAwsError(`cluster.instanceTypes: EC2 in ${config.aws.region} does not offer ${unknown.join(", ")}`, {
      hint: `choose instance types the region offers (aws ec2 describe-instance-type-offerings --region ${config.aws.region})`,
    });
  }
  return Math.max(0, ...types.filter(isStandardFamily).map((t) => vcpus.get(t) ?? 0));
}

/** Why an adopted cluster (cluster.mode existing) needs no VPC, NAT gateway, Elastic IP or node vCPU. */
export const ADOPTED_CLUSTER = "adopted cluster: uses its own network and nodes";

/** VPCs, NAT gateways per AZ, Elastic IPs, standard on-demand vCPUs: what only a created cluster draws on. */
const CLUSTER_QUOTA_CODES = new Set(["L-F678F1CE", "L-FE5A380F", "L-0263D0A3", "L-1216C47A"]);

/** RDS DB instances and ElastiCache nodes: drawn on only in aws mode (database.mode, cache.mode). */
const DATABASE_QUOTA_CODE = "L-7B6409FD";
const CACHE_QUOTA_CODE = "L-DFE45DF3";

/** Why a check needs nothing under this config, or undefined when it must measure. */
function notDrawnOn(config: Config, code: string): string | undefined {
  // infra/vpc, nat-gateways and nodegroup only discover an adopted cluster's network and nodes.
  if (config.cluster.mode === "existing" && CLUSTER_QUOTA_CODES.has(code)) return ADOPTED_CLUSTER;
  if (code === DATABASE_QUOTA_CODE && config.database.mode !== "aws") return `database.mode is ${config.database.mode}: no RDS instance`;
  if (code === CACHE_QUOTA_CODE && config.cache.mode !== "aws") return `cache.mode is ${config.cache.mode}: no ElastiCache nodes`;
  return undefined;
}

export function quotaChecks(config: Config, aws: PrepareServices["aws"]): QuotaCheck[] {
  // A check the config does not draw on needs 0 and asks AWS nothing.
  return allQuotaChecks(config, aws).map((check) => {
    const covered = notDrawnOn(config, check.code);
    return covered === undefined ? check : { ...check, notDrawnOn: covered, measure: () => Promise.resolve({ need: 0, used: 0, covered }) };
  });
}

function allQuotaChecks(config: Config, aws: PrepareServices["aws"]): QuotaCheck[] {
  const region = config.aws.region;
  const platform = config.platform;
  const names = infraNames(config);
  const nats = natGatewayCount(config);
  const ec2 = () => aws.ec2(region);
  return [
    {
      what: "VPCs per Region", service: "vpc", code: "L-F678F1CE", reads: "ec2:DescribeVpcs",
      async measure() {
        const vpcs = await listVpcs(await ec2());
        if (count(vpcs, platform) > 0) return { need: 0, used: vpcs.length, covered: `platform ${platform} already has its VPC` };
        return { need: 1, used: vpcs.length };
      },
    },
    {
      what: "NAT gateways per Availability Zone", service: "vpc", code: "L-FE5A380F", reads: "ec2:DescribeAvailabilityZones, ec2:DescribeNatGateways, ec2:DescribeSubnets",
      async measure() {
        const client = await ec2();
        // Independent reads: at once, since every infra step waits for this check to finish.
        const [zones, gateways] = await Promise.all([availabilityZones(client), listNatGateways(client)]);
        return natMeasurement(nats, zones, gateways, platform);
      },
    },
    {
      what: "EC2-VPC Elastic IPs", service: "ec2", code: "L-0263D0A3", reads: "ec2:DescribeAddresses",
      async measure() {
        const addresses = await listAddresses(await ec2());
        const ours = count(addresses, platform);
        if (ours >= nats) return { need: 0, used: addresses.length, covered: `platform ${platform} already has its ${plural(ours, "Elastic IP")}` };
        return { need: nats - ours, used: addresses.length };
      },
    },
    {
      what: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", service: "ec2", code: "L-1216C47A", reads: "ec2:DescribeInstances, ec2:DescribeInstanceTypes",
      async measure() {
        // Both reads at once (this is the check with the longest chain of calls); both settle before
        // either's failure is thrown, so no call outlives the step.
        const [largest, running] = await Promise.allSettled([largestNodeVcpus(config, aws), ec2().then(listRunningInstances)]);
        if (largest.status === "rejected") throw largest.reason;
        const perNode = largest.value;
        if (perNode === 0) return { need: 0, used: 0, covered: `the node instance types (${config.cluster.instanceTypes.join(", ")}) draw on other vCPU quotas` };
        if (running.status === "rejected") throw running.reason;
        const instances = running.value.filter((i) => i.lifecycle === undefined && isStandardFamily(i.type));
        const vcpus = await instanceTypeVcpus(await ec2(), instances.map((i) => i.type));
        const sum = (list: typeof instances) => list.reduce((total, i) => total + (vcpus.get(i.type) ?? 0), 0);
        // Nodes already running for this cluster are part of maxNodes, not extra demand.
        const ours = instances.filter((i) => belongsTo(i.tags, platform) || i.tags["eks:cluster-name"] === names.cluster);
        const planned = config.cluster.maxNodes * perNode;
        const need = planned - sum(ours);
        if (need <= 0) return { need: 0, used: sum(instances), covered: `the nodes of cluster ${names.cluster} already use ${sum(ours)} vCPUs, the plan's ${planned} at most` };
        return { need, needText: `${need} vCPUs (${config.cluster.maxNodes} nodes × ${perNode}${sum(ours) > 0 ? `, less ${sum(ours)} already running` : ""})`, used: sum(instances) };
      },
    },
    {
      what: "RDS DB instances", service: "rds", code: "L-7B6409FD", reads: "rds:DescribeDBInstances",
      async measure() {
        const ids = await listDbInstanceIds(await aws.rds(region));
        if (ids.includes(names.database)) return { need: 0, used: ids.length, covered: `${names.database} exists` };
        return { need: 1, used: ids.length };
      },
    },
    {
      // "Nodes per Region" is L-DFE45DF3 in every public quota table found (L-8C334AD1, sometimes
      // quoted for it, is "Nodes per cluster (Memcached)"). Not verified against a live account:
      // were the code wrong, Service Quotas would answer NoSuchResource and the check say so.
      what: "ElastiCache nodes per Region", service: "elasticache", code: "L-DFE45DF3", reads: "elasticache:DescribeCacheClusters",
      async measure() {
        const clusters = await listCacheClusters(await aws.elasticache(region));
        const nodes = (list: typeof clusters) => list.reduce((total, c) => total + c.nodes, 0);
        const ours = nodes(clusters.filter((c) => c.replicationGroupId === names.cache));
        const need = config.cache.replicas + 1 - ours;
        if (need <= 0) return { need: 0, used: nodes(clusters), covered: `${names.cache} already has its ${plural(ours, "node")}` };
        return { need, used: nodes(clusters) };
      },
    },
  ];
}
