/**
 * The EC2 calls the network steps make (VPC, subnets, gateways, routes, flow logs, security
 * groups), as domain operations over one EC2Client. "Not found" is `undefined` or an empty list;
 * every other failure is the SDK's error, for the step to describe.
 */
import type { EC2Client, Filter, IpPermission, ResourceType, RouteTable as SdkRouteTable, Subnet as SdkSubnet, TagSpecification } from "@aws-sdk/client-ec2";
import { awsErrorCode } from "./errors.js";
import { tagList, tagMap, type TagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

/** `{ "vpc-id": ["vpc-1"] }` → EC2's Filter list. */
export function ec2Filters(filters: Readonly<Record<string, readonly string[]>>): Filter[] {
  return Object.entries(filters).map(([Name, Values]) => ({ Name, Values: [...Values] }));
}

/** Tags applied by the create call itself, so no resource exists untagged even for a moment. */
function tagSpec(resourceType: ResourceType, tags: TagMap): TagSpecification[] {
  return [{ ResourceType: resourceType, Tags: tagList(tags) }];
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`EC2 returned no ${what}`);
  return value;
}

// ---------------------------------------------------------------- availability zones

export interface Zone {
  name: string;
  zoneId: string;
}

/**
 * The region's availability zones that can take subnets now: state `available`, and of type
 * `availability-zone` (Local and Wavelength Zones lack NAT gateways and most instance types).
 */
export async function availableZones(ec2: EC2Client): Promise<Zone[]> {
  const { DescribeAvailabilityZonesCommand } = await loadSdk("@aws-sdk/client-ec2");
  const { AvailabilityZones = [] } = await ec2.send(new DescribeAvailabilityZonesCommand({}));
  return AvailabilityZones
    .filter((z) => z.State === "available" && (z.ZoneType ?? "availability-zone") === "availability-zone" && z.ZoneName !== undefined)
    .map((z) => ({ name: z.ZoneName!, zoneId: z.ZoneId ?? "" }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

// ---------------------------------------------------------------- tags

export async function addTags(ec2: EC2Client, resourceIds: readonly string[], tags: TagMap): Promise<void> {
  const { CreateTagsCommand } = await loadSdk("@aws-sdk/client-ec2");
  await ec2.send(new CreateTagsCommand({ Resources: [...resourceIds], Tags: tagList(tags) }));
}

// ---------------------------------------------------------------- VPC

export interface Vpc {
  vpcId: string;
  cidr: string;
  /** pending | available */
  state: string;
  tags: Record<string, string>;
}

export async function findVpcs(ec2: EC2Client, filters: Readonly<Record<string, readonly string[]>>): Promise<Vpc[]> {
  const { paginateDescribeVpcs } = await loadSdk("@aws-sdk/client-ec2");
  const found: Vpc[] = [];
  for await (const page of paginateDescribeVpcs({ client: ec2 }, { Filters: ec2Filters(filters) })) {
    for (const v of page.Vpcs ?? []) {
      if (v.VpcId && v.CidrBlock) found.push({ vpcId: v.VpcId, cidr: v.CidrBlock, state: v.State ?? "unknown", tags: tagMap(v.Tags) });
    }
  }
  return found;
}

export async function describeVpc(ec2: EC2Client, vpcId: string): Promise<Vpc | undefined> {
  try {
    return (await findVpcs(ec2, { "vpc-id": [vpcId] }))[0];
  } catch (error) {
    if (awsErrorCode(error) === "InvalidVpcID.NotFound") return undefined;
    throw error;
  }
}

export async function createVpc(ec2: EC2Client, cidr: string, tags: TagMap): Promise<Vpc> {
  const { CreateVpcCommand } = await loadSdk("@aws-sdk/client-ec2");
  const { Vpc: v } = await ec2.send(new CreateVpcCommand({ CidrBlock: cidr, TagSpecifications: tagSpec("vpc", tags) }));
  return { vpcId: required(v?.VpcId, "VPC id"), cidr, state: v?.State ?? "pending", tags: { ...tags } };
}

export type DnsAttribute = "support" | "hostnames";

export async function vpcDnsEnabled(ec2: EC2Client, vpcId: string, attribute: DnsAttribute): Promise<boolean> {
  const { DescribeVpcAttributeCommand } = await loadSdk("@aws-sdk/client-ec2");
  const answer = await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: attribute === "support" ? "enableDnsSupport" : "enableDnsHostnames" }));
  return (attribute === "support" ? answer.EnableDnsSupport?.Value : answer.EnableDnsHostnames?.Value) === true;
}

/** ModifyVpcAttribute takes one attribute per call. */
export async function enableVpcDns(ec2: EC2Client, vpcId: string, attribute: DnsAttribute): Promise<void> {
  const { ModifyVpcAttributeCommand } = await loadSdk("@aws-sdk/client-ec2");
  await ec2.send(new ModifyVpcAttributeCommand(attribute === "support" ? { VpcId: vpcId, EnableDnsSupport: { Value: true } } : { VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
}

// ---------------------------------------------------------------- subnets

export interface Subnet {
  subnetId: string;
  vpcId: string;
  cidr: string;
  zone: string;
  state: string;
  mapPublicIpOnLaunch: boolean;
  tags: Record<string, string>;
}

function subnetOf(s: SdkSubnet): Subnet | undefined {
  if (!s.SubnetId || !s.CidrBlock) return undefined;
  return { subnetId: s.SubnetId, vpcId: s.VpcId ?? "", cidr: s.CidrBlock, zone: s.AvailabilityZone ?? "", state: s.State ?? "unknown", mapPublicIpOnLaunch: s.MapPublicIpOnLaunch === true, tags: tagMap(s.Tags) };
}

export async function findSubnets(ec2: EC2Client, filters: Readonly<Record<string, readonly string[]>>): Promise<Subnet[]> {
  const { paginateDescribeSubnets } = await loadSdk("@aws-sdk/client-ec2");
  const found: Subnet[] = [];
  for await (const page of paginateDescribeSubnets({ client: ec2 }, { Filters: ec2Filters(filters) })) {
    for (const s of page.Subnets ?? []) {
      const subnet = subnetOf(s);
      if (subnet) found.push(subnet);
    }
  }
  return found;
}

export async function createSubnet(ec2: EC2Client, spec: { vpcId: string; cidr: string; zone: string; tags: TagMap }): Promise<Subnet> {
  const { CreateSubnetCommand } = await loadSdk("@aws-sdk/client-ec2");
  const { Subnet: s } = await ec2.send(new CreateSubnetCommand({ VpcId: spec.vpcId, CidrBlock: spec.cidr, AvailabilityZone: spec.zone, TagSpecifications: tagSpec("subnet", spec.tags) }));
  return required(s ? subnetOf(s) : undefined, "subnet");
}

export async function enableMapPublicIpOnLaunch(ec2: EC2Client, subnetId: string): Promise<void> {
  const { ModifySubnetAttributeCommand } = await loadSdk("@aws-sdk/client-ec2");
  await ec2.send(new ModifySubnetAttributeCommand({ SubnetId: subnetId, MapPublicIpOnLaunch: { Value: true } }));
}

// ---------------------------------------------------------------- internet gateway

export interface InternetGateway {
  internetGatewayId: string;
  /** VPCs it is attached to (at most one). */
  vpcIds: string[];
  tags: Record<string, string>;
}

export async function findInternetGateways(ec2: EC2Client, filters: Readonly<Record<string, readonly string[]>>): Promise<InternetGateway[]> {
  const { paginateDescribeInternetGateways } = await loadSdk("@aws-sdk/client-ec2");
  const found: InternetGateway[] = [];
  for await (const page of paginateDescribeInternetGateways({ client: ec2 }, { Filters: ec2Filters(filters) })) {
    for (const g of page.InternetGateways ?? []) {
      if (!g.InternetGatewayId) continue;
      const vpcIds = (g.Attachments ?? []).filter((a) => a.State !== "detached" && a.State !== "detaching" && a.VpcId).map((a) => a.VpcId!);
      found.push({ internetGatewayId: g.InternetGatewayId, vpcIds, tags: tagMap(g.Tags) });
    }
  }
  return found;
}

export async function createInternetGateway(ec2: EC2Client, tags: TagMap): Promise<string> {
  const { CreateInternetGatewayCommand } = await loadSdk("@aws-sdk/client-ec2");
  const { InternetGateway: g } = await ec2.send(new CreateInternetGatewayCommand({ TagSpecifications: tagSpec("internet-gateway", tags) }));
  return required(g?.InternetGatewayId, "internet gateway id");
}

export async function attachInternetGateway(ec2: EC2Client, internetGatewayId: string, vpcId: string): Promise<void> {
  const { AttachInternetGatewayCommand } = await loadSdk("@aws-sdk/client-ec2");
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: internetGatewayId, VpcId: vpcId }));
}

// ---------------------------------------------------------------- Elastic IPs and NAT gateways

export interface ElasticIp {
  allocationId: string;
  publicIp: string;
  /** Set while the address is in use (by a NAT gateway's network interface, an instance …). */
  associationId: string | undefined;
  tags: Record<string, string>;
}

export async function findAddresses(ec2: EC2Client, filters: Readonly<Record<string, readonly string[]>>): Promise<ElasticIp[]> {
  const { DescribeAddressesCommand } = await loadSdk("@aws-sdk/client-ec2");
  const { Addresses = [] } = await ec2.send(new DescribeAddressesCommand({ Filters: ec2Filters(filters) }));
  return Addresses.filter((a) => a.AllocationId).map((a) => ({ allocationId: a.AllocationId!, publicIp: a.PublicIp ?? "", associationId: a.AssociationId ?? undefined, tags: tagMap(a.Tags) }));
}

export async function allocateAddress(ec2: EC2Client, tags: TagMap): Promise<ElasticIp> {
  const { AllocateAddressCommand } = await loadSdk("@aws-sdk/client-ec2");
  const answer = await ec2.send(new AllocateAddressCommand({ Domain: "vpc", TagSpecifications: tagSpec("elastic-ip", tags) }));
  return { allocationId: required(answer.AllocationId, "allocation id"), publicIp: answer.PublicIp ?? "", associationId: undefined, tags: { ...tags } };
}

export interface NatGateway {
  natGatewayId: string;
  subnetId: string;
  vpcId: string;
  /** pending | failed | available | deleting | deleted */
  state: string;
  /** What AWS says went wrong, for a failed gateway. */
  failure: string | undefined;
  tags: Record<string, string>;
}

export async function findNatGateways(ec2: EC2Client, query: { filters?: Readonly<Record<string, readonly string[]>>; ids?: readonly string[] }): Promise<NatGateway[]> {
  const { paginateDescribeNatGateways } = await loadSdk("@aws-sdk/client-ec2");
  const found: NatGateway[] = [];
  const input = { ...(query.filters ? { Filter: ec2Filters(query.filters) } : {}), ...(query.ids ? { NatGatewayIds: [...query.ids] } : {}) };
  for await (const page of paginateDescribeNatGateways({ client: ec2 }, input)) {
    for (const n of page.NatGateways ?? []) {
      if (!n.NatGatewayId) continue;
      const failure = n.FailureCode ? `${n.FailureCode}: ${n.FailureMessage ?? ""}`.trim() : undefined;
      found.push({ natGatewayId: n.NatGatewayId, subnetId: n.SubnetId ?? "", vpcId: n.VpcId ?? "", state: n.State ?? "unknown", failure, tags: tagMap(n.Tags) });
    }
  }
  return found;
}

export async function createNatGateway(ec2: EC2Client, spec: { subnetId: string; allocationId: string; tags: TagMap }): Promise<NatGateway> {
  const { CreateNatGatewayCommand } = await loadSdk("@aws-sdk/client-ec2");
  const { NatGateway: n } = await ec2.send(new CreateNatGatewayCommand({
    SubnetId: spec.subnetId,
    AllocationId: spec.allocationId,
    ConnectivityType: "public",
    TagSpecifications: tagSpec("natgateway", spec.tags),
  }));
  return { natGatewayId: required(n?.NatGatewayId, "NAT gateway id"), subnetId: spec.subnetId, vpcId: n?.VpcId ?? "", state: n?.State ?? "pending", failure: undefined, tags: { ...spec.tags } };
}

// ---------------------------------------------------------------- route tables

export interface Route {
  destination: string;
  gatewayId: string | undefined;
  natGatewayId: string | undefined;
  /** active | blackhole (the target is gone) */
  state: string;
}

export interface RouteTableAssociation {
  associationId: string;
  subnetId: string | undefined;
  main: boolean;
}

export interface RouteTable {
  routeTableId: string;
  vpcId: string;
  routes: Route[];
  associations: RouteTableAssociation[];
  tags: Record<string, string>;
}

function routeTableOf(t: SdkRouteTable): RouteTable | undefined {
  if (!t.RouteTableId) return undefined;
  return {
    routeTableId: t.RouteTableId,
    vpcId: t.VpcId ?? "",
    routes: (t.Routes ?? []).filter((r) => r.DestinationCidrBlock).map((r) => ({ destination: r.DestinationCidrBlock!, gatewayId: r.GatewayId ?? undefined, natGatewayId: r.NatGatewayId ?? undefined, state: r.State ?? "active" })),
    associations: (t.Associations ?? [])
      .filter((a) => a.RouteTableAssociationId && a.AssociationState?.State !== "disassociated")
      .map((a) => ({ associationId: a.RouteTableAssociationId!, subnetId: a.SubnetId ?? undefined, main: a.Main === true })),
    tags: tagMap(t.Tags),
  };
}

export async function findRouteTables(ec2: EC2Client, filters: Readonly<Record<string, readonly string[]>>): Promise<RouteTable[]> {
  const { paginateDescribeRouteTables } = await loadSdk("@aws-sdk/client-ec2");
  const found: RouteTable[] = [];
  for await (const page of paginateDescribeRouteTables({ client: ec2 }, { Filters: ec2Filters(filters) })) {
    for (const t of page.RouteTables ?? []) {
      const table = routeTableOf(t);
      if (table) found.push(table);
    }
  }
  return found;
}

export async function createRouteTable(ec2: EC2Client, vpcId: string, tags: TagMap): Promise<RouteTable> {
  const { CreateRouteTableCommand } = await loadSdk("@aws-sdk/client-ec2");
  const { RouteTable: t } = await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: tagSpec("route-table", tags) }));
  return required(t ? routeTableOf(t) : undefined, "route table");
}

/** Where a route sends traffic: an internet gateway or a NAT gateway. */
export type RouteTarget = { gatewayId: string } | { natGatewayId: string };

function targetFields(target: RouteTarget): { GatewayId?: string; NatGatewayId?: string } {
  return "gatewayId" in target ? { GatewayId: target.gatewayId } : { NatGatewayId: target.natGatewayId };
}

export async function createRoute(ec2: EC2Client, routeTableId: string, destination: string, target: RouteTarget): Promise<void> {
  const { CreateRouteCommand } = await loadSdk("@aws-sdk/client-ec2");
  await ec2.send(new CreateRouteCommand({ RouteTableId: routeTableId, DestinationCidrBlock: destination, ...targetFields(target) }));
}

export async function replaceRoute(ec2: EC2Client, routeTableId: string, destination: string, target: RouteTarget): Promise<void> {
  const { ReplaceRouteCommand } = await loadSdk("@aws-sdk/client-ec2");
  await ec2.send(new ReplaceRouteCommand({ RouteTableId: routeTableId, DestinationCidrBlock: destination, ...targetFields(target) }));
}

export async function associateRouteTable(ec2: EC2Client, routeTableId: string, subnetId: string): Promise<void> {
  const { AssociateRouteTableCommand } = await loadSdk("@aws-sdk/client-ec2");
  await ec2.send(new AssociateRouteTableCommand({ RouteTableId: routeTableId, SubnetId: subnetId }));
}

/** Moves a subnet's existing association to another table in one call (no unrouted gap). */
export async function replaceRouteTableAssociation(ec2: EC2Client, associationId: string, routeTableId: string): Promise<void> {
  const { ReplaceRouteTableAssociationCommand } = await loadSdk("@aws-sdk/client-ec2");
  await ec2.send(new ReplaceRouteTableAssociationCommand({ AssociationId: associationId, RouteTableId: routeTableId }));
}

// ---------------------------------------------------------------- flow logs

export interface FlowLog {
  flowLogId: string;
  resourceId: string;
  /** ACCEPT | REJECT | ALL */
  trafficType: string;
  destinationType: string;
  logGroupName: string | undefined;
  roleArn: string | undefined;
  /** SUCCESS | FAILED, with AWS's message when delivery fails. */
  deliveryStatus: string;
  deliveryError: string | undefined;
  tags: Record<string, string>;
}

export async function findFlowLogs(ec2: EC2Client, resourceId: string): Promise<FlowLog[]> {
  const { paginateDescribeFlowLogs } = await loadSdk("@aws-sdk/client-ec2");
  const found: FlowLog[] = [];
  for await (const page of paginateDescribeFlowLogs({ client: ec2 }, { Filter: ec2Filters({ "resource-id": [resourceId] }) })) {
    for (const f of page.FlowLogs ?? []) {
      if (!f.FlowLogId) continue;
      found.push({
        flowLogId: f.FlowLogId,
        resourceId: f.ResourceId ?? "",
        trafficType: f.TrafficType ?? "",
        destinationType: f.LogDestinationType ?? "cloud-watch-logs",
        logGroupName: f.LogGroupName ?? undefined,
        roleArn: f.DeliverLogsPermissionArn ?? undefined,
        deliveryStatus: f.DeliverLogsStatus ?? "",
        deliveryError: f.DeliverLogsErrorMessage ?? undefined,
        tags: tagMap(f.Tags),
      });
    }
  }
  return found;
}

/** One flow log of ALL traffic on a VPC into a CloudWatch Logs group. */
export async function createVpcFlowLog(ec2: EC2Client, spec: { vpcId: string; logGroupName: string; roleArn: string; tags: TagMap }): Promise<string> {
  const { CreateFlowLogsCommand } = await loadSdk("@aws-sdk/client-ec2");
  const answer = await ec2.send(new CreateFlowLogsCommand({
    ResourceType: "VPC",
    ResourceIds: [spec.vpcId],
    TrafficType: "ALL",
    LogDestinationType: "cloud-watch-logs",
    LogGroupName: spec.logGroupName,
    DeliverLogsPermissionArn: spec.roleArn,
    TagSpecifications: tagSpec("vpc-flow-log", spec.tags),
  }));
  // CreateFlowLogs reports per-resource failures in the body, not as an error.
  const failed = answer.Unsuccessful?.[0]?.Error;
  if (failed) throw Object.assign(new Error(failed.Message ?? "flow log not created"), { name: failed.Code ?? "FlowLogNotCreated", $metadata: {} });
  return required(answer.FlowLogIds?.[0], "flow log id");
}

// ---------------------------------------------------------------- security groups

export interface SecurityGroup {
  groupId: string;
  name: string;
  vpcId: string;
  tags: Record<string, string>;
}

export async function findSecurityGroups(ec2: EC2Client, vpcId: string, names: readonly string[]): Promise<SecurityGroup[]> {
  const { paginateDescribeSecurityGroups } = await loadSdk("@aws-sdk/client-ec2");
  const found: SecurityGroup[] = [];
  for await (const page of paginateDescribeSecurityGroups({ client: ec2 }, { Filters: ec2Filters({ "vpc-id": [vpcId], "group-name": names }) })) {
    for (const g of page.SecurityGroups ?? []) {
      if (g.GroupId && g.GroupName) found.push({ groupId: g.GroupId, name: g.GroupName, vpcId: g.VpcId ?? vpcId, tags: tagMap(g.Tags) });
    }
  }
  return found;
}

export async function createSecurityGroup(ec2: EC2Client, spec: { name: string; description: string; vpcId: string; tags: TagMap }): Promise<string> {
  const { CreateSecurityGroupCommand } = await loadSdk("@aws-sdk/client-ec2");
  const { GroupId } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: spec.name, Description: spec.description, VpcId: spec.vpcId, TagSpecifications: tagSpec("security-group", spec.tags) }));
  return required(GroupId, "security group id");
}

/** Where an ingress rule lets traffic in from: an IPv4 or IPv6 block, or another security group. */
export type RuleSource = { cidrIpv4: string } | { cidrIpv6: string } | { groupId: string };

export interface IngressRule {
  /** "tcp", "udp", "icmp" or "-1" (all traffic). */
  protocol: string;
  /** -1 when the protocol has no ports. */
  fromPort: number;
  toPort: number;
  source: RuleSource | { prefixListId: string };
  description?: string | undefined;
}

export interface ExistingIngressRule extends IngressRule {
  ruleId: string;
  groupId: string;
}

export async function ingressRules(ec2: EC2Client, groupIds: readonly string[]): Promise<ExistingIngressRule[]> {
  const { paginateDescribeSecurityGroupRules } = await loadSdk("@aws-sdk/client-ec2");
  const found: ExistingIngressRule[] = [];
  for await (const page of paginateDescribeSecurityGroupRules({ client: ec2 }, { Filters: ec2Filters({ "group-id": groupIds }) })) {
    for (const r of page.SecurityGroupRules ?? []) {
      if (r.IsEgress === true || !r.SecurityGroupRuleId || !r.GroupId) continue;
      const source = r.CidrIpv4 ? { cidrIpv4: r.CidrIpv4 } : r.CidrIpv6 ? { cidrIpv6: r.CidrIpv6 } : r.ReferencedGroupInfo?.GroupId ? { groupId: r.ReferencedGroupInfo.GroupId } : r.PrefixListId ? { prefixListId: r.PrefixListId } : undefined;
      if (!source) continue;
      found.push({ ruleId: r.SecurityGroupRuleId, groupId: r.GroupId, protocol: r.IpProtocol ?? "-1", fromPort: r.FromPort ?? -1, toPort: r.ToPort ?? -1, source, description: r.Description ?? undefined });
    }
  }
  return found;
}

function permission(rule: IngressRule): IpPermission {
  const ports = rule.protocol === "-1" ? {} : { FromPort: rule.fromPort, ToPort: rule.toPort };
  const s = rule.source;
  const Description = rule.description;
  return {
    IpProtocol: rule.protocol,
    ...ports,
    ...("cidrIpv4" in s ? { IpRanges: [{ CidrIp: s.cidrIpv4, Description }] } : {}),
    ...("cidrIpv6" in s ? { Ipv6Ranges: [{ CidrIpv6: s.cidrIpv6, Description }] } : {}),
    ...("groupId" in s ? { UserIdGroupPairs: [{ GroupId: s.groupId, Description }] } : {}),
    ...("prefixListId" in s ? { PrefixListIds: [{ PrefixListId: s.prefixListId, Description }] } : {}),
  };
}

export async function authorizeIngress(ec2: EC2Client, groupId: string, rules: readonly IngressRule[], tags?: TagMap): Promise<void> {
  const { AuthorizeSecurityGroupIngressCommand } = await loadSdk("@aws-sdk/client-ec2");
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({
    GroupId: groupId,
    IpPermissions: rules.map(permission),
    ...(tags ? { TagSpecifications: tagSpec("security-group-rule", tags) } : {}),
  }));
}

export async function revokeIngress(ec2: EC2Client, groupId: string, ruleIds: readonly string[]): Promise<void> {
  const { RevokeSecurityGroupIngressCommand } = await loadSdk("@aws-sdk/client-ec2");
  await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: [...ruleIds] }));
}
