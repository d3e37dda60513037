/**
 * The VPC itself, its availability zones, subnets and internet gateway.
 *
 * The VPC is found by the id state recorded, else by its Name tag with our platform tag; its
 * CIDR cannot change in place, so a different one is drift. Subnets are found by VPC and CIDR
 * (the layout is a pure function of network.vpcCidr and network.azCount), so a deleted subnet is
 * recreated alone and an existing one keeps its zone.
 */
import { addTags, attachInternetGateway, availableZones, createInternetGateway, createSubnet, createVpc, describeVpc, enableMapPublicIpOnLaunch, enableVpcDns, findInternetGateways, findSubnets, findVpcs, vpcDnsEnabled, type DnsAttribute, type Subnet, type Vpc } from "../../aws/ec2.js";
import { belongsTo, missingTags, PLATFORM_TAG, type TagMap } from "../../aws/tags.js";
import { waitFor } from "../../aws/wait.js";
import { parseCidr, subnetLayout } from "../../config/cidr.js";
import { BtpAwsError } from "../../errors.js";
import { concurrently, type VpcWork } from "./vpc-work.js";

export type Tier = "private" | "public";

/** "exists but is not managed by btp-aws": never adopted silently. */
export function foreignResource(what: string, platform: string): BtpAwsError {
  return new BtpAwsError(`${what} exists but is not managed by btp-aws for platform ${platform} (no tag ${PLATFORM_TAG}=${platform})`, {
    hint: `tag it ${PLATFORM_TAG}=${platform} if btp-aws should adopt it, or choose another platform name`,
  });
}

/** Adds the tags an adopted resource lacks, and says so. */
export async function repairTags(work: VpcWork, resourceId: string, what: string, actual: Record<string, string>, wanted: TagMap): Promise<void> {
  const absent = missingTags(actual, wanted);
  if (Object.keys(absent).length === 0) return;
  await work.call(`tag ${what} ${resourceId} (ec2:CreateTags)`, () => addTags(work.ec2, [resourceId], absent));
  work.changes.push(`added tags ${Object.keys(absent).join(", ")} to ${what} ${resourceId}`);
}

// ---------------------------------------------------------------- VPC

async function locateVpc(work: VpcWork, previousId: string | undefined): Promise<Vpc | undefined> {
  const { names, config } = work;
  if (previousId !== undefined) {
    const recorded = await work.call(`describe VPC ${previousId} (ec2:DescribeVpcs)`, () => describeVpc(work.ec2, previousId));
    if (recorded && belongsTo(recorded.tags, config.platform)) return recorded;
  }
  const named = await work.call(`find VPC ${names.vpc} (ec2:DescribeVpcs)`, () => findVpcs(work.ec2, { "tag:Name": [names.vpc] }));
  const ours = named.filter((v) => belongsTo(v.tags, config.platform));
  if (ours.length > 1) {
    throw new BtpAwsError(`found ${ours.length} VPCs named ${names.vpc} for platform ${config.platform}: ${ours.map((v) => v.vpcId).join(", ")}`, {
      hint: "delete the one that is not in use (or remove its btp-aws:platform tag), then run again",
    });
  }
  if (ours[0]) return ours[0];
  if (named[0]) throw foreignResource(`VPC ${names.vpc} (${named.map((v) => v.vpcId).join(", ")})`, config.platform);
  return undefined;
}

async function waitForVpc(work: VpcWork, vpcId: string): Promise<void> {
  await waitFor({
    what: `VPC ${vpcId} to become available`,
    observe: async () => {
      const vpc = await work.call(`describe VPC ${vpcId} (ec2:DescribeVpcs)`, () => describeVpc(work.ec2, vpcId));
      if (!vpc) return { state: "failed", status: "gone", reason: "the VPC was deleted while btp-aws waited for it" };
      return vpc.state === "available" ? { state: "ready", value: undefined, status: vpc.state } : { state: "pending", status: vpc.state };
    },
    timeoutMs: 5 * 60_000,
    intervalMs: 10_000,
    settings: work.wait,
    onStatus: (text) => work.report.status(text),
    signal: work.signal,
  });
}

const DNS_WORDS: Record<DnsAttribute, string> = { support: "DNS support", hostnames: "DNS hostnames" };

/** The VPC, created or adopted (its DNS settings: ensureVpcDns). */
export async function ensureVpc(work: VpcWork, previousId: string | undefined): Promise<{ vpc: Vpc; created: boolean }> {
  const { names, config } = work;
  const wantedCidr = config.network.vpcCidr;
  const found = await locateVpc(work, previousId);
  let vpc: Vpc;
  if (found) {
    vpc = found;
    if (vpc.cidr !== wantedCidr) {
      throw new BtpAwsError(`VPC ${vpc.vpcId} (${names.vpc}) has CIDR ${vpc.cidr} but network.vpcCidr is ${wantedCidr}: a VPC's CIDR cannot change in place`, {
        hint: `set network.vpcCidr back to ${vpc.cidr}, or remove the platform's VPC (btp-aws destroy) so it can be created again`,
      });
    }
    await repairTags(work, vpc.vpcId, "VPC", vpc.tags, work.tags(names.vpc));
  } else {
    work.report.status(`creating VPC ${names.vpc}`);
    vpc = await work.call(`create VPC ${names.vpc} (ec2:CreateVpc)`, () => createVpc(work.ec2, wantedCidr, work.tags(names.vpc)), { field: { path: "network.vpcCidr", value: wantedCidr } });
  }
  if (vpc.state !== "available") await waitForVpc(work, vpc.vpcId);
  return { vpc, created: !found };
}

/**
 * DNS support and hostnames on (EKS needs both). Independent of the subnets and the gateway, so
 * infra/vpc runs it beside them. `adopted`: the VPC existed before this run (a change is a repair).
 */
export async function ensureVpcDns(work: VpcWork, vpcId: string, adopted: boolean): Promise<void> {
  // One attribute per call, each independent of the other.
  await concurrently(work, ["support", "hostnames"] as const, async (part, attribute) => {
    const on = await part.call(`read the ${DNS_WORDS[attribute]} setting of VPC ${vpcId} (ec2:DescribeVpcAttribute)`, () => vpcDnsEnabled(part.ec2, vpcId, attribute));
    if (on) return;
    await part.call(`turn on ${DNS_WORDS[attribute]} in VPC ${vpcId} (ec2:ModifyVpcAttribute)`, () => enableVpcDns(part.ec2, vpcId, attribute));
    if (adopted) part.changes.push(`turned ${DNS_WORDS[attribute]} back on`);
  });
}

// ---------------------------------------------------------------- zones and subnets

export interface SubnetSet {
  zones: string[];
  private: Subnet[];
  public: Subnet[];
}

function layoutOf(work: VpcWork): Record<Tier, string[]> {
  // The schema has validated the CIDR; parseCidr cannot fail here.
  return subnetLayout(parseCidr(work.config.network.vpcCidr)!, work.config.network.azCount);
}

/**
 * The zone of each layout slot: where its existing subnet already is, else where state says it
 * was, else the first available zone not yet taken. Existing subnets never move.
 */
async function chooseZones(work: VpcWork, layout: Record<Tier, string[]>, existing: Subnet[], recorded: readonly string[] | undefined): Promise<string[]> {
  const { azCount } = work.config.network;
  const slots: (string | undefined)[] = Array.from({ length: azCount }, (_, i) => {
    const privateZone = existing.find((s) => s.cidr === layout.private[i])?.zone;
    const publicZone = existing.find((s) => s.cidr === layout.public[i])?.zone;
    if (privateZone && publicZone && privateZone !== publicZone) {
      throw new BtpAwsError(`subnets ${layout.private[i]} (${privateZone}) and ${layout.public[i]} (${publicZone}) should share an availability zone: the layout pairs them`, {
        hint: "delete the subnet in the wrong zone (nothing must run in it), then run again",
      });
    }
    return privateZone ?? publicZone ?? (recorded?.length === azCount ? recorded[i] : undefined);
  });
  if (slots.every((z) => z !== undefined)) return slots;
  const zones = await work.call("list availability zones (ec2:DescribeAvailabilityZones)", () => availableZones(work.ec2));
  const free = zones.map((z) => z.name).filter((name) => !slots.includes(name));
  const needed = slots.filter((z) => z === undefined).length;
  if (free.length < needed) {
    throw new BtpAwsError(`network.azCount: ${work.config.aws.region} has ${zones.length} available availability zones (${zones.map((z) => z.name).join(", ")}), the config asks for ${azCount}`, {
      hint: `set network.azCount to ${zones.length} or fewer, then run again`,
    });
  }
  return slots.map((z) => z ?? free.shift()!);
}

function subnetTags(work: VpcWork, tier: Tier, zone: string): TagMap {
  const role = tier === "public" ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb";
  // The load balancer controller picks subnets by these tags; "shared" lets other clusters use them too.
  return work.tags(`${work.names.vpc}-${tier}-${zone}`, { [role]: "1", [`kubernetes.io/cluster/${work.names.cluster}`]: "shared", "btp-aws:tier": tier });
}

async function waitForSubnets(work: VpcWork, subnetIds: string[]): Promise<void> {
  await waitFor({
    what: `subnets ${subnetIds.join(", ")} to become available`,
    observe: async () => {
      const seen = await work.call("describe subnets (ec2:DescribeSubnets)", () => findSubnets(work.ec2, { "subnet-id": subnetIds }));
      const ready = seen.filter((s) => s.state === "available").length;
      return ready === subnetIds.length ? { state: "ready", value: undefined, status: "available" } : { state: "pending", status: `pending (${ready} of ${subnetIds.length} available)` };
    },
    timeoutMs: 5 * 60_000,
    intervalMs: 10_000,
    settings: work.wait,
    onStatus: (text) => work.report.status(text),
    signal: work.signal,
  });
}

/**
 * One private and one public subnet per zone, from the layout; ordered by zone. `fresh`: the VPC
 * was created by this run, so it has no subnets to look for (one round trip fewer on the path to
 * the EKS cluster).
 */
export async function ensureSubnets(work: VpcWork, vpcId: string, recordedZones: readonly string[] | undefined, fresh = false): Promise<SubnetSet> {
  const { config } = work;
  const layout = layoutOf(work);
  const existing = fresh ? [] : await work.call(`list the subnets of VPC ${vpcId} (ec2:DescribeSubnets)`, () => findSubnets(work.ec2, { "vpc-id": [vpcId] }));
  const wanted = new Set([...layout.private, ...layout.public]);
  const strays = existing.filter((s) => belongsTo(s.tags, config.platform) && !wanted.has(s.cidr));
  if (strays.length > 0) {
    throw new BtpAwsError(`VPC ${vpcId} has platform subnets outside the layout for network.vpcCidr ${config.network.vpcCidr} and network.azCount ${config.network.azCount}: ${strays.map((s) => `${s.subnetId} (${s.cidr})`).join(", ")}: subnets cannot be re-cut in place`, {
      hint: "set network.azCount back to the value the VPC was created with, then run again",
    });
  }
  const zones = await chooseZones(work, layout, existing, recordedZones);
  const slots = (["private", "public"] as const).flatMap((tier) => layout[tier].map((cidr, i) => ({ tier, cidr, zone: zones[i]! })));
  const made = await concurrently(work, slots, async (part, { tier, cidr, zone }) => {
    const tags = subnetTags(part, tier, zone);
    let subnet = existing.find((s) => s.cidr === cidr);
    const found = subnet !== undefined;
    if (subnet) {
      await repairTags(part, subnet.subnetId, `${tier} subnet`, subnet.tags, tags);
    } else {
      part.report.status(`creating ${tier} subnet ${cidr} in ${zone}`);
      subnet = await part.call(`create ${tier} subnet ${cidr} in ${zone} (ec2:CreateSubnet)`, () => createSubnet(part.ec2, { vpcId, cidr, zone, tags }), { field: { path: "network.vpcCidr", value: config.network.vpcCidr } });
      part.changes.push(`created ${tier} subnet ${subnet.subnetId} (${cidr}, ${zone})`);
    }
    if (tier === "public" && !subnet.mapPublicIpOnLaunch) {
      const id = subnet.subnetId;
      await part.call(`turn on MapPublicIpOnLaunch for subnet ${id} (ec2:ModifySubnetAttribute)`, () => enableMapPublicIpOnLaunch(part.ec2, id));
      if (found) part.changes.push(`turned MapPublicIpOnLaunch back on for public subnet ${id}`);
      subnet = { ...subnet, mapPublicIpOnLaunch: true };
    }
    return subnet;
  });
  const result: SubnetSet = { zones, private: made.filter((_, i) => slots[i]!.tier === "private"), public: made.filter((_, i) => slots[i]!.tier === "public") };
  const pending = [...result.private, ...result.public].filter((s) => s.state !== "available").map((s) => s.subnetId);
  if (pending.length > 0) await waitForSubnets(work, pending);
  return result;
}

// ---------------------------------------------------------------- internet gateway

/** The VPC's internet gateway: the attached one, else a detached one of ours, else a new one. */
/** `fresh`: the VPC was created by this run, so nothing is attached to it yet (not looked up). */
export async function ensureInternetGateway(work: VpcWork, vpcId: string, fresh = false): Promise<string> {
  const name = `${work.names.vpc}-igw`;
  const tags = work.tags(name);
  const attached = fresh ? [] : await work.call(`find the internet gateway of VPC ${vpcId} (ec2:DescribeInternetGateways)`, () => findInternetGateways(work.ec2, { "attachment.vpc-id": [vpcId] }));
  if (attached[0]) {
    await repairTags(work, attached[0].internetGatewayId, "internet gateway", attached[0].tags, tags);
    return attached[0].internetGatewayId;
  }
  const named = await work.call(`find internet gateway ${name} (ec2:DescribeInternetGateways)`, () => findInternetGateways(work.ec2, { "tag:Name": [name] }));
  const detached = named.find((g) => belongsTo(g.tags, work.config.platform) && g.vpcIds.length === 0);
  let id: string;
  if (detached) {
    id = detached.internetGatewayId;
  } else {
    id = await work.call(`create internet gateway ${name} (ec2:CreateInternetGateway)`, () => createInternetGateway(work.ec2, tags));
  }
  await work.call(`attach internet gateway ${id} to VPC ${vpcId} (ec2:AttachInternetGateway)`, () => attachInternetGateway(work.ec2, id, vpcId));
  work.changes.push(detached ? `re-attached internet gateway ${id}` : `created internet gateway ${id}`);
  return id;
}
