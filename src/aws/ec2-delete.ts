/**
 * The EC2 calls destroy makes: the network and what lives in it, taken down in dependency order.
 * Every delete treats "already gone" as done (see idempotent-delete.ts); listings return plain
 * values so a stage can say what it found before it deletes it.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import { ec2Filters } from "./ec2.js";
import { deleteUnlessGone } from "./idempotent-delete.js";
import { tagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

type Filters = Readonly<Record<string, readonly string[]>>;

export async function deleteNatGateway(ec2: EC2Client, natGatewayId: string): Promise<boolean> {
  const { DeleteNatGatewayCommand } = await loadSdk("@aws-sdk/client-ec2");
  return deleteUnlessGone(["InvalidNatGatewayID.NotFound", "NatGatewayNotFound"], () => ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: natGatewayId })));
}

export async function disassociateAddress(ec2: EC2Client, associationId: string): Promise<boolean> {
  const { DisassociateAddressCommand } = await loadSdk("@aws-sdk/client-ec2");
  return deleteUnlessGone(["InvalidAssociationID.NotFound"], () => ec2.send(new DisassociateAddressCommand({ AssociationId: associationId })));
}

export async function releaseAddress(ec2: EC2Client, allocationId: string): Promise<boolean> {
  const { ReleaseAddressCommand } = await loadSdk("@aws-sdk/client-ec2");
  return deleteUnlessGone(["InvalidAllocationID.NotFound"], () => ec2.send(new ReleaseAddressCommand({ AllocationId: allocationId })));
}

export async function detachInternetGateway(ec2: EC2Client, internetGatewayId: string, vpcId: string): Promise<boolean> {
  const { DetachInternetGatewayCommand } = await loadSdk("@aws-sdk/client-ec2");
  return deleteUnlessGone(["Gateway.NotAttached", "InvalidInternetGatewayID.NotFound"], () => ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: internetGatewayId, VpcId: vpcId })));
}

export async function deleteInternetGateway(ec2: EC2Client, internetGatewayId: string): Promise<boolean> {
  const { DeleteInternetGatewayCommand } = await loadSdk("@aws-sdk/client-ec2");
  return deleteUnlessGone(["InvalidInternetGatewayID.NotFound"], () => ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: internetGatewayId })));
}

export async function disassociateRouteTable(ec2: EC2Client, associationId: string): Promise<boolean> {
  const { DisassociateRouteTableCommand } = await loadSdk("@aws-sdk/client-ec2");
  return deleteUnlessGone(["InvalidAssociationID.NotFound"], () => ec2.send(new DisassociateRouteTableCommand({ AssociationId: associationId })));
}

export async function deleteRouteTable(ec2: EC2Client, routeTableId: string): Promise<boolean> {
  const { DeleteRouteTableCommand } = await loadSdk("@aws-sdk/client-ec2");
  return deleteUnlessGone(["InvalidRouteTableID.NotFound"], () => ec2.send(new DeleteRouteTableCommand({ RouteTableId: routeTableId })));
}

export async function deleteSubnet(ec2: EC2Client, subnetId: string): Promise<boolean> {
  const { DeleteSubnetCommand } = await loadSdk("@aws-sdk/client-ec2");
  return deleteUnlessGone(["InvalidSubnetID.NotFound"], () => ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId })));
}

export async function deleteVpc(ec2: EC2Client, vpcId: string): Promise<boolean> {
  const { DeleteVpcCommand } = await loadSdk("@aws-sdk/client-ec2");
  return deleteUnlessGone(["InvalidVpcID.NotFound"], () => ec2.send(new DeleteVpcCommand({ VpcId: vpcId })));
}

export async function deleteFlowLogs(ec2: EC2Client, flowLogIds: readonly string[]): Promise<void> {
  if (flowLogIds.length === 0) return;
  const { DeleteFlowLogsCommand } = await loadSdk("@aws-sdk/client-ec2");
  // Per-id failures come back in the body; an id that is already gone is what we wanted.
  const { Unsuccessful = [] } = await ec2.send(new DeleteFlowLogsCommand({ FlowLogIds: [...flowLogIds] }));
  const failed = Unsuccessful.find((u) => u.Error?.Code !== "InvalidFlowLogId.NotFound");
  if (failed?.Error) throw Object.assign(new Error(failed.Error.Message ?? "flow log not deleted"), { name: failed.Error.Code ?? "FlowLogNotDeleted", $metadata: {} });
}

export async function deleteLaunchTemplate(ec2: EC2Client, launchTemplateId: string): Promise<boolean> {
  const { DeleteLaunchTemplateCommand } = await loadSdk("@aws-sdk/client-ec2");
  return deleteUnlessGone(["InvalidLaunchTemplateId.NotFound", "InvalidLaunchTemplateId.Malformed"], () => ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: launchTemplateId })));
}

// ---------------------------------------------------------------- security groups

export interface GroupSummary {
  groupId: string;
  name: string;
  vpcId: string;
  tags: Record<string, string>;
}

export async function securityGroupsMatching(ec2: EC2Client, filters: Filters): Promise<GroupSummary[]> {
  const { paginateDescribeSecurityGroups } = await loadSdk("@aws-sdk/client-ec2");
  const found: GroupSummary[] = [];
  for await (const page of paginateDescribeSecurityGroups({ client: ec2 }, { Filters: ec2Filters(filters) })) {
    for (const g of page.SecurityGroups ?? []) {
      if (g.GroupId && g.GroupName) found.push({ groupId: g.GroupId, name: g.GroupName, vpcId: g.VpcId ?? "", tags: tagMap(g.Tags) });
    }
  }
  return found;
}

export interface GroupRule {
  ruleId: string;
  groupId: string;
  egress: boolean;
  /** The security group this rule lets traffic in from (or out to), if it names one. */
  referencedGroupId: string | undefined;
}

/** Ingress and egress rules of the groups. */
export async function securityGroupRules(ec2: EC2Client, groupIds: readonly string[]): Promise<GroupRule[]> {
  if (groupIds.length === 0) return [];
  const { paginateDescribeSecurityGroupRules } = await loadSdk("@aws-sdk/client-ec2");
  const found: GroupRule[] = [];
  for await (const page of paginateDescribeSecurityGroupRules({ client: ec2 }, { Filters: ec2Filters({ "group-id": groupIds }) })) {
    for (const r of page.SecurityGroupRules ?? []) {
      if (r.SecurityGroupRuleId && r.GroupId) found.push({ ruleId: r.SecurityGroupRuleId, groupId: r.GroupId, egress: r.IsEgress === true, referencedGroupId: r.ReferencedGroupInfo?.GroupId ?? undefined });
    }
  }
  return found;
}

export async function revokeRules(ec2: EC2Client, groupId: string, rules: readonly GroupRule[]): Promise<void> {
  const { RevokeSecurityGroupEgressCommand, RevokeSecurityGroupIngressCommand } = await loadSdk("@aws-sdk/client-ec2");
  const ingress = rules.filter((r) => !r.egress).map((r) => r.ruleId);
  const egress = rules.filter((r) => r.egress).map((r) => r.ruleId);
  const gone = ["InvalidGroup.NotFound", "InvalidSecurityGroupRuleId.NotFound", "InvalidPermission.NotFound"];
  if (ingress.length > 0) await deleteUnlessGone(gone, () => ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: ingress })));
  if (egress.length > 0) await deleteUnlessGone(gone, () => ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: groupId, SecurityGroupRuleIds: egress })));
}

export async function deleteSecurityGroup(ec2: EC2Client, groupId: string): Promise<boolean> {
  const { DeleteSecurityGroupCommand } = await loadSdk("@aws-sdk/client-ec2");
  return deleteUnlessGone(["InvalidGroup.NotFound", "InvalidGroupId.NotFound"], () => ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId })));
}

// ---------------------------------------------------------------- network interfaces

export interface NetworkInterface {
  id: string;
  /** available | in-use | attaching | detaching | associated */
  status: string;
  description: string;
  /** interface, nat_gateway, network_load_balancer, … : who made it. */
  type: string;
  requesterManaged: boolean;
  subnetId: string;
}

export async function networkInterfaces(ec2: EC2Client, filters: Filters): Promise<NetworkInterface[]> {
  const { paginateDescribeNetworkInterfaces } = await loadSdk("@aws-sdk/client-ec2");
  const found: NetworkInterface[] = [];
  for await (const page of paginateDescribeNetworkInterfaces({ client: ec2 }, { Filters: ec2Filters(filters) })) {
    for (const n of page.NetworkInterfaces ?? []) {
      if (!n.NetworkInterfaceId) continue;
      found.push({ id: n.NetworkInterfaceId, status: n.Status ?? "unknown", description: n.Description ?? "", type: n.InterfaceType ?? "interface", requesterManaged: n.RequesterManaged === true, subnetId: n.SubnetId ?? "" });
    }
  }
  return found;
}

export async function deleteNetworkInterface(ec2: EC2Client, id: string): Promise<boolean> {
  const { DeleteNetworkInterfaceCommand } = await loadSdk("@aws-sdk/client-ec2");
  return deleteUnlessGone(["InvalidNetworkInterfaceID.NotFound"], () => ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: id })));
}

// ---------------------------------------------------------------- EBS volumes

export interface Volume {
  volumeId: string;
  /** creating | available | in-use | deleting | deleted | error */
  state: string;
  sizeGiB: number;
  tags: Record<string, string>;
}

export async function findVolumes(ec2: EC2Client, filters: Filters): Promise<Volume[]> {
  const { paginateDescribeVolumes } = await loadSdk("@aws-sdk/client-ec2");
  const found: Volume[] = [];
  for await (const page of paginateDescribeVolumes({ client: ec2 }, { Filters: ec2Filters(filters) })) {
    for (const v of page.Volumes ?? []) if (v.VolumeId) found.push({ volumeId: v.VolumeId, state: v.State ?? "unknown", sizeGiB: v.Size ?? 0, tags: tagMap(v.Tags) });
  }
  return found;
}

export async function deleteVolume(ec2: EC2Client, volumeId: string): Promise<boolean> {
  const { DeleteVolumeCommand } = await loadSdk("@aws-sdk/client-ec2");
  return deleteUnlessGone(["InvalidVolume.NotFound"], () => ec2.send(new DeleteVolumeCommand({ VolumeId: volumeId })));
}
