/**
 * What already runs in a region, for comparing with Service Quotas: VPCs, Elastic IPs, NAT
 * gateways by zone, running instances and their vCPUs. Read-only; every list is paginated.
 */
import type { EC2Client, _InstanceType } from "@aws-sdk/client-ec2";
import { tagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

export interface TaggedItem {
  id: string;
  tags: Record<string, string>;
}

export interface NatGatewayInZone extends TaggedItem {
  zone: string;
}

export interface RunningInstance extends TaggedItem {
  type: string;
  /** "spot", "scheduled", "capacity-block"; undefined for on-demand. */
  lifecycle: string | undefined;
}

export async function listVpcs(ec2: EC2Client): Promise<TaggedItem[]> {
  const { paginateDescribeVpcs } = await loadSdk("@aws-sdk/client-ec2");
  const vpcs: TaggedItem[] = [];
  for await (const page of paginateDescribeVpcs({ client: ec2 }, {})) {
    for (const vpc of page.Vpcs ?? []) if (vpc.VpcId) vpcs.push({ id: vpc.VpcId, tags: tagMap(vpc.Tags) });
  }
  return vpcs;
}

/** Elastic IPs allocated in the region, attached or not: both count against the quota. */
export async function listAddresses(ec2: EC2Client): Promise<TaggedItem[]> {
  const { DescribeAddressesCommand } = await loadSdk("@aws-sdk/client-ec2");
  // DescribeAddresses has no pagination: it returns every address at once.
  const { Addresses } = await ec2.send(new DescribeAddressesCommand({}));
  return (Addresses ?? []).map((a) => ({ id: a.AllocationId ?? a.PublicIp ?? "", tags: tagMap(a.Tags) }));
}

export async function listNatGateways(ec2: EC2Client): Promise<NatGatewayInZone[]> {
  const { paginateDescribeNatGateways, DescribeSubnetsCommand } = await loadSdk("@aws-sdk/client-ec2");
  const gateways: { id: string; subnetId: string; tags: Record<string, string> }[] = [];
  const states = { Filter: [{ Name: "state", Values: ["pending", "available"] }] };
  for await (const page of paginateDescribeNatGateways({ client: ec2 }, states)) {
    for (const nat of page.NatGateways ?? []) {
      if (nat.NatGatewayId && nat.SubnetId) gateways.push({ id: nat.NatGatewayId, subnetId: nat.SubnetId, tags: tagMap(nat.Tags) });
    }
  }
  if (gateways.length === 0) return [];
  // The gateway does not carry its zone; its subnet does.
  const subnetIds = [...new Set(gateways.map((g) => g.subnetId))];
  const zones = new Map<string, string>();
  for (let i = 0; i < subnetIds.length; i += 200) {
    const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds.slice(i, i + 200) }));
    for (const s of Subnets ?? []) if (s.SubnetId && s.AvailabilityZone) zones.set(s.SubnetId, s.AvailabilityZone);
  }
  return gateways.map((g) => ({ id: g.id, zone: zones.get(g.subnetId) ?? "unknown", tags: g.tags }));
}

export async function listRunningInstances(ec2: EC2Client): Promise<RunningInstance[]> {
  const { paginateDescribeInstances } = await loadSdk("@aws-sdk/client-ec2");
  const instances: RunningInstance[] = [];
  const running = { Filters: [{ Name: "instance-state-name", Values: ["pending", "running"] }] };
  for await (const page of paginateDescribeInstances({ client: ec2 }, running)) {
    for (const reservation of page.Reservations ?? []) {
      for (const i of reservation.Instances ?? []) {
        if (i.InstanceId && i.InstanceType) instances.push({ id: i.InstanceId, type: i.InstanceType, lifecycle: i.InstanceLifecycle, tags: tagMap(i.Tags) });
      }
    }
  }
  return instances;
}

/**
 * Default vCPUs per instance type. An unknown type (or one the region does not offer) makes
 * EC2 fail the whole call with InvalidInstanceType; that error reaches the caller unchanged.
 */
export async function instanceTypeVcpus(ec2: EC2Client, types: readonly string[]): Promise<Map<string, number>> {
  const { DescribeInstanceTypesCommand } = await loadSdk("@aws-sdk/client-ec2");
  const vcpus = new Map<string, number>();
  const unique = [...new Set(types)];
  // DescribeInstanceTypes accepts at most 100 names per call.
  for (let i = 0; i < unique.length; i += 100) {
    const { InstanceTypes } = await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: unique.slice(i, i + 100) as _InstanceType[] }));
    for (const t of InstanceTypes ?? []) if (t.InstanceType && t.VCpuInfo?.DefaultVCpus !== undefined) vcpus.set(t.InstanceType, t.VCpuInfo.DefaultVCpus);
  }
  return vcpus;
}
