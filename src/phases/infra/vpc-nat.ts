/**
 * NAT gateways with their Elastic IPs, in the public subnets: one per zone ("per-az", so a zone
 * outage does not cut the others off) or one for all ("single", cheaper).
 *
 * A gateway is found by its subnet; a deleted one is recreated alone, on a free Elastic IP of
 * ours for that zone when there is one (AWS releases the association when a gateway is deleted).
 */
import { allocateAddress, createNatGateway, findAddresses, findNatGateways, type NatGateway } from "../../aws/ec2.js";
import { belongsTo, PLATFORM_TAG } from "../../aws/tags.js";
import { waitFor } from "../../aws/wait.js";
import { repairTags } from "./vpc-network.js";
import { concurrently, type SubnetRef, type VpcWork } from "./vpc-work.js";

const LIVE = new Set(["pending", "available"]);

/** The public subnets (ordered by zone) that hold a NAT gateway under the configured mode. */
export function natHosts(work: VpcWork, publicSubnets: readonly SubnetRef[]): SubnetRef[] {
  return work.config.network.natGateways === "per-az" ? [...publicSubnets] : publicSubnets.slice(0, 1);
}

async function freeAddress(work: VpcWork, name: string): Promise<string | undefined> {
  const addresses = await work.call(`find Elastic IP ${name} (ec2:DescribeAddresses)`, () => findAddresses(work.ec2, { "tag:Name": [name], [`tag:${PLATFORM_TAG}`]: [work.config.platform] }));
  return addresses.find((a) => a.associationId === undefined)?.allocationId;
}

async function createGateway(work: VpcWork, subnet: SubnetRef): Promise<NatGateway> {
  const name = `${work.names.vpc}-nat-${subnet.zone}`;
  let allocationId = await freeAddress(work, name);
  if (allocationId === undefined) {
    const address = await work.call(`allocate Elastic IP ${name} (ec2:AllocateAddress)`, () => allocateAddress(work.ec2, work.tags(name)));
    allocationId = address.allocationId;
  }
  const eip = allocationId;
  work.report.status(`creating NAT gateway in ${subnet.zone}`);
  const gateway = await work.call(`create NAT gateway ${name} in subnet ${subnet.subnetId} (ec2:CreateNatGateway)`, () => createNatGateway(work.ec2, { subnetId: subnet.subnetId, allocationId: eip, tags: work.tags(name) }));
  work.changes.push(`created NAT gateway ${gateway.natGatewayId} in ${subnet.zone} (Elastic IP ${eip})`);
  return gateway;
}

/** Real NAT gateways take one to five minutes; moto's are available at once. */
async function waitAvailable(work: VpcWork, ids: string[]): Promise<void> {
  await waitFor({
    what: `NAT gateways ${ids.join(", ")} to become available`,
    observe: async () => {
      const seen = await work.call("describe NAT gateways (ec2:DescribeNatGateways)", () => findNatGateways(work.ec2, { ids }));
      const failed = seen.find((n) => !LIVE.has(n.state));
      if (failed) return { state: "failed", status: failed.state, reason: `${failed.natGatewayId}: ${failed.failure ?? "no reason given"}` };
      const ready = seen.filter((n) => n.state === "available").length;
      return ready === ids.length ? { state: "ready", value: undefined, status: "available" } : { state: "pending", status: `pending (${ready} of ${ids.length} available)` };
    },
    timeoutMs: 10 * 60_000,
    intervalMs: 15_000,
    settings: work.wait,
    onStatus: (text) => work.report.status(text),
    signal: work.signal,
    hint: "AWS may still finish: run the same command again to keep waiting; a failed gateway shows its reason in the VPC console",
  });
}

/** The NAT gateways in use, in the order of `natHosts`, available. */
export async function ensureNatGateways(work: VpcWork, vpcId: string, publicSubnets: readonly SubnetRef[]): Promise<NatGateway[]> {
  const hosts = natHosts(work, publicSubnets);
  const all = await work.call(`list the NAT gateways of VPC ${vpcId} (ec2:DescribeNatGateways)`, () => findNatGateways(work.ec2, { filters: { "vpc-id": [vpcId] } }));
  const live = all.filter((n) => LIVE.has(n.state));
  // Zones are independent: their gateways are found or made at once, and provision together.
  const inUse = await concurrently(work, hosts, async (part, subnet) => {
    // Prefer an available gateway over one still pending, should a subnet hold two.
    const found = live.filter((n) => n.subnetId === subnet.subnetId).sort((a, b) => Number(b.state === "available") - Number(a.state === "available"))[0];
    if (!found) return createGateway(part, subnet);
    await repairTags(part, found.natGatewayId, "NAT gateway", found.tags, part.tags(`${part.names.vpc}-nat-${subnet.zone}`));
    return found;
  });
  const idle = live.filter((n) => belongsTo(n.tags, work.config.platform) && !inUse.some((u) => u.natGatewayId === n.natGatewayId));
  for (const gateway of idle) {
    // Deleting is destroy's job; but an idle gateway still costs money, so say so.
    work.report.warn(`NAT gateway ${gateway.natGatewayId} (subnet ${gateway.subnetId}) is no longer routed to (network.natGateways is ${work.config.network.natGateways}): delete it to stop its hourly charge`);
  }
  const pending = inUse.filter((n) => n.state !== "available").map((n) => n.natGatewayId);
  if (pending.length > 0) await waitAvailable(work, pending);
  return inUse;
}
