/**
 * destroy/network and destroy/vpc: the platform's VPC is ours by its btp-aws:platform tag, so
 * everything inside it goes with it: flow logs, NAT gateways (then their Elastic IPs), the
 * internet gateway, route tables, network interfaces left behind, security groups and subnets,
 * then the VPC. Network interfaces of deleted load balancers, databases and clusters disappear a
 * few minutes after their owner: destroy waits for them instead of failing on the first try.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import { describeVpc, findAddresses, findFlowLogs, findInternetGateways, findNatGateways, findRouteTables, findSubnets, findVpcs, type Vpc } from "../../aws/ec2.js";
import {
  deleteFlowLogs, deleteInternetGateway, deleteNatGateway, deleteNetworkInterface, deleteRouteTable, deleteSecurityGroup, deleteSubnet, deleteVpc,
  detachInternetGateway, disassociateAddress, disassociateRouteTable, networkInterfaces, releaseAddress, revokeRules, securityGroupRules, securityGroupsMatching,
} from "../../aws/ec2-delete.js";
import { awsErrorCode, describeAwsError } from "../../aws/errors.js";
import { deleteRoleCompletely } from "../../aws/iam-delete.js";
import { getRole } from "../../aws/iam.js";
import { logGroupTags, findLogGroup } from "../../aws/logs.js";
import { deleteLogGroup } from "../../aws/logs-delete.js";
import { belongsTo, PLATFORM_TAG } from "../../aws/tags.js";
import { waitFor } from "../../aws/wait.js";
import { BtpAwsError } from "../../errors.js";
import { adoptedResources } from "../../phases/infra/existing-cluster-state.js";
import type { Reporter } from "../../plan/types.js";
import { attempt, count, deleting, names, recorded, RESUME_HINT } from "./context.js";
import type { DestroyContext, Stage } from "./types.js";

const MINUTE = 60_000;
const NAT_DELETE = { timeoutMs: 15 * MINUTE, intervalMs: 15_000 };
/** EKS and load balancer interfaces can take 10–20 minutes to be released after their owner. */
const INTERFACES_GONE = { timeoutMs: 30 * MINUTE, intervalMs: 20_000 };

/** The platform's VPCs: the one the state recorded (if still ours) and any tagged for the platform. */
export async function platformVpcs(context: DestroyContext): Promise<Vpc[]> {
  const ec2 = await context.services.aws.ec2();
  const found = new Map<string, Vpc>();
  const fromState = recorded(context, "infra/vpc", "vpcId");
  if (fromState !== undefined) {
    const vpc = await attempt(context, `read VPC ${fromState} (ec2:DescribeVpcs)`, () => describeVpc(ec2, fromState));
    if (vpc && belongsTo(vpc.tags, context.target.platform)) found.set(vpc.vpcId, vpc);
  }
  for (const vpc of await attempt(context, "find the platform's VPCs (ec2:DescribeVpcs)", () => findVpcs(ec2, { [`tag:${PLATFORM_TAG}`]: [context.target.platform] }))) found.set(vpc.vpcId, vpc);
  // cluster.mode existing: the adopted cluster's VPC is the owner's, whatever its tags say.
  const adopted = adoptedResources(context.target.outputs);
  if (adopted) found.delete(adopted.vpcId);
  return [...found.values()];
}

/** cluster.mode existing: the security groups infra made inside the adopted VPC (database, cache), ours by tag. */
async function adoptedVpcGroups(context: DestroyContext, ec2: EC2Client): Promise<{ vpcId: string; groups: { id: string; name: string }[] } | undefined> {
  const adopted = adoptedResources(context.target.outputs);
  if (!adopted || adopted.vpcId === "") return undefined;
  const vpcId = adopted.vpcId;
  const groups = await attempt(context, `find the platform's security groups in VPC ${vpcId} (ec2:DescribeSecurityGroups)`, () =>
    securityGroupsMatching(ec2, { "vpc-id": [vpcId], [`tag:${PLATFORM_TAG}`]: [context.target.platform] }));
  // In name order: the report reads the same however EC2 lists them.
  return { vpcId, groups: groups.map((g) => ({ id: g.groupId, name: g.name })).sort((a, b) => a.name.localeCompare(b.name)) };
}

/** Deletes them, waiting while a deleted database or cache still holds a network interface in them. */
async function removeAdoptedVpcGroups(context: DestroyContext, ec2: EC2Client, found: { vpcId: string; groups: { id: string; name: string }[] }, report: Reporter): Promise<void> {
  const inv: Inventory = { vpcId: found.vpcId, flowLogs: [], nats: [], gateways: [], routeTables: [], interfaces: [], groups: found.groups, subnets: [] };
  await waitFor({
    what: `security groups ${found.groups.map((g) => g.name).join(", ")} in VPC ${found.vpcId} to be deleted`,
    observe: async () => {
      try {
        await removeGroups(context, ec2, inv);
        return { state: "ready", value: undefined, status: "deleted" };
      } catch (error) {
        if (awsErrorCode(error instanceof BtpAwsError ? error.cause : error) !== "DependencyViolation") throw error;
        return { state: "pending", status: "a network interface still uses them" };
      }
    },
    ...INTERFACES_GONE,
    settings: context.services.wait,
    onStatus: (text) => report.status(text),
    signal: context.signal,
    hint: `something still uses them (aws ec2 describe-network-interfaces --filters Name=group-id,Values=${found.groups.map((g) => g.id).join(",")}): ${RESUME_HINT}`,
  });
}

interface Inventory {
  vpcId: string;
  flowLogs: string[];
  nats: { id: string; state: string }[];
  gateways: { id: string; ours: boolean }[];
  routeTables: { id: string; associations: string[] }[];
  interfaces: { id: string; status: string; description: string; requesterManaged: boolean }[];
  groups: { id: string; name: string }[];
  subnets: string[];
}

async function inventory(context: DestroyContext, ec2: EC2Client, vpcId: string): Promise<Inventory> {
  const inVpc = { "vpc-id": [vpcId] };
  const call = <T>(what: string, fn: () => Promise<T>) => attempt(context, `${what} of VPC ${vpcId}`, fn);
  const flowLogs = (await call("list the flow logs (ec2:DescribeFlowLogs)", () => findFlowLogs(ec2, vpcId))).map((f) => f.flowLogId);
  const nats = (await call("list the NAT gateways (ec2:DescribeNatGateways)", () => findNatGateways(ec2, { filters: inVpc }))).filter((n) => n.state !== "deleted").map((n) => ({ id: n.natGatewayId, state: n.state }));
  const gateways = (await call("list the internet gateways (ec2:DescribeInternetGateways)", () => findInternetGateways(ec2, { "attachment.vpc-id": [vpcId] }))).map((g) => ({ id: g.internetGatewayId, ours: belongsTo(g.tags, context.target.platform) }));
  const routeTables = (await call("list the route tables (ec2:DescribeRouteTables)", () => findRouteTables(ec2, inVpc)))
    .filter((t) => !t.associations.some((a) => a.main))
    .map((t) => ({ id: t.routeTableId, associations: t.associations.map((a) => a.associationId) }));
  const interfaces = (await call("list the network interfaces (ec2:DescribeNetworkInterfaces)", () => networkInterfaces(ec2, inVpc))).map((n) => ({ id: n.id, status: n.status, description: n.description, requesterManaged: n.requesterManaged }));
  const groups = (await call("list the security groups (ec2:DescribeSecurityGroups)", () => securityGroupsMatching(ec2, inVpc))).filter((g) => g.name !== "default").map((g) => ({ id: g.groupId, name: g.name }));
  const subnets = (await call("list the subnets (ec2:DescribeSubnets)", () => findSubnets(ec2, inVpc))).map((s) => s.subnetId);
  return { vpcId, flowLogs, nats, gateways, routeTables, interfaces, groups, subnets };
}

function describeInventory(inv: Inventory): string[] {
  const lines: string[] = [];
  if (inv.flowLogs.length > 0) lines.push(`${count(inv.flowLogs.length, "flow log")} of VPC ${inv.vpcId}`);
  if (inv.nats.length > 0) lines.push(`NAT gateways ${inv.nats.map((n) => n.id).join(", ")}`);
  if (inv.gateways.length > 0) lines.push(`internet gateway ${inv.gateways.map((g) => g.id).join(", ")}`);
  if (inv.routeTables.length > 0) lines.push(`route tables ${inv.routeTables.map((t) => t.id).join(", ")}`);
  if (inv.interfaces.length > 0) lines.push(`${count(inv.interfaces.length, "network interface")} still in the VPC (waited for, deleted when detached)`);
  if (inv.groups.length > 0) lines.push(`security groups ${inv.groups.map((g) => `${g.name} ${g.id}`).join(", ")}`);
  if (inv.subnets.length > 0) lines.push(`subnets ${inv.subnets.join(", ")}`);
  return lines;
}

/** The flow-log group and its delivery role: outside the VPC, ours by tag. */
async function flowLogExtras(context: DestroyContext): Promise<{ logGroup: string | undefined; role: string | undefined }> {
  const n = names(context);
  const logs = await context.services.aws.logs();
  const group = await attempt(context, `find log group ${n.flowLogGroup} (logs:DescribeLogGroups)`, () => findLogGroup(logs, n.flowLogGroup));
  const groupOurs = group ? belongsTo(await attempt(context, `read the tags of ${n.flowLogGroup} (logs:ListTagsForResource)`, () => logGroupTags(logs, group.arn)), context.target.platform) : false;
  const role = await attempt(context, `read IAM role ${n.flowLogRole} (iam:GetRole)`, async () => getRole(await context.services.aws.iam(), n.flowLogRole));
  return { logGroup: groupOurs ? n.flowLogGroup : undefined, role: role && belongsTo(role.tags, context.target.platform) ? n.flowLogRole : undefined };
}

async function platformAddresses(context: DestroyContext, ec2: EC2Client) {
  return attempt(context, "find the platform's Elastic IPs (ec2:DescribeAddresses)", () => findAddresses(ec2, { [`tag:${PLATFORM_TAG}`]: [context.target.platform] }));
}

async function detachedGateways(context: DestroyContext, ec2: EC2Client) {
  const tagged = await attempt(context, "find the platform's internet gateways (ec2:DescribeInternetGateways)", () => findInternetGateways(ec2, { [`tag:${PLATFORM_TAG}`]: [context.target.platform] }));
  return tagged.filter((g) => g.vpcIds.length === 0).map((g) => g.internetGatewayId);
}

async function removeNats(context: DestroyContext, ec2: EC2Client, inv: Inventory, report: Reporter): Promise<void> {
  const live = inv.nats.filter((n) => n.state !== "deleting");
  for (const nat of live) await attempt(context, `delete NAT gateway ${nat.id} (ec2:DeleteNatGateway)`, () => deleteNatGateway(ec2, nat.id));
  if (inv.nats.length === 0) return;
  const ids = inv.nats.map((n) => n.id);
  await waitFor({
    what: `NAT gateways ${ids.join(", ")} to be deleted`,
    observe: async () => {
      const seen = await attempt(context, "read NAT gateways (ec2:DescribeNatGateways)", () => findNatGateways(ec2, { ids }));
      const left = seen.filter((n) => n.state !== "deleted");
      return left.length === 0 ? { state: "ready", value: undefined, status: "deleted" } : { state: "pending", status: `${left.map((n) => `${n.natGatewayId} ${n.state}`).join(", ")}` };
    },
    ...NAT_DELETE,
    settings: context.services.wait,
    onStatus: (text) => report.status(text),
    signal: context.signal,
  });
}

/** Waits until the VPC holds no network interface, deleting the detached ones nobody manages. */
async function drainInterfaces(context: DestroyContext, ec2: EC2Client, vpcId: string, report: Reporter): Promise<number> {
  let deleted = 0;
  await waitFor({
    what: `the network interfaces in VPC ${vpcId} to go`,
    observe: async () => {
      const left = await attempt(context, `list the network interfaces of VPC ${vpcId} (ec2:DescribeNetworkInterfaces)`, () => networkInterfaces(ec2, { "vpc-id": [vpcId] }));
      for (const eni of left.filter((n) => n.status === "available" && !n.requesterManaged)) {
        if (await attempt(context, `delete network interface ${eni.id} (ec2:DeleteNetworkInterface)`, () => deleteNetworkInterface(ec2, eni.id))) deleted += 1;
      }
      const busy = left.filter((n) => n.status !== "available" || n.requesterManaged);
      if (busy.length === 0) return { state: "ready", value: undefined, status: "none left" };
      return { state: "pending", status: `${count(busy.length, "network interface")} still in use: ${busy.map((n) => `${n.id} (${n.description || n.type})`).join(", ")}` };
    },
    ...INTERFACES_GONE,
    settings: context.services.wait,
    onStatus: (text) => report.status(text),
    signal: context.signal,
    hint: `something outside btp-aws still uses the VPC (the interfaces above name it): delete it, then ${RESUME_HINT}`,
  });
  return deleted;
}

async function removeGroups(context: DestroyContext, ec2: EC2Client, inv: Inventory): Promise<void> {
  const ids = inv.groups.map((g) => g.id);
  const rules = await attempt(context, "list security group rules (ec2:DescribeSecurityGroupRules)", () => securityGroupRules(ec2, ids));
  // Groups that name each other cannot be deleted in any order: drop those rules first.
  for (const id of ids) {
    const naming = rules.filter((r) => r.groupId === id && r.referencedGroupId !== undefined);
    if (naming.length > 0) await attempt(context, `revoke the rules of ${id} that name other groups (ec2:RevokeSecurityGroupIngress, ec2:RevokeSecurityGroupEgress)`, () => revokeRules(ec2, id, naming));
  }
  for (const group of inv.groups) await attempt(context, `delete security group ${group.name} ${group.id} (ec2:DeleteSecurityGroup)`, () => deleteSecurityGroup(ec2, group.id));
}

export const networkStage: Stage = {
  id: "destroy/network",
  title: "Delete NAT gateways, Elastic IPs, gateways, routes, subnets and security groups",
  phase: "infra",
  async survey(context) {
    const ec2 = await context.services.aws.ec2();
    const lines: string[] = [];
    for (const vpc of await platformVpcs(context)) lines.push(...describeInventory(await inventory(context, ec2, vpc.vpcId)));
    const inAdopted = await adoptedVpcGroups(context, ec2);
    if (inAdopted && inAdopted.groups.length > 0) lines.push(`security groups ${inAdopted.groups.map((g) => `${g.name} ${g.id}`).join(", ")} in the adopted VPC ${inAdopted.vpcId}`);
    const addresses = await platformAddresses(context, ec2);
    if (addresses.length > 0) lines.push(`Elastic IPs ${addresses.map((a) => a.publicIp || a.allocationId).join(", ")}`);
    const extras = await flowLogExtras(context);
    if (extras.logGroup) lines.push(`log group ${extras.logGroup}`);
    if (extras.role) lines.push(`IAM role ${extras.role}`);
    return deleting(lines);
  },
  async run(context, report) {
    const ec2 = await context.services.aws.ec2();
    const done: string[] = [];
    for (const vpc of await platformVpcs(context)) {
      const inv = await inventory(context, ec2, vpc.vpcId);
      await attempt(context, `delete the flow logs of ${vpc.vpcId} (ec2:DeleteFlowLogs)`, () => deleteFlowLogs(ec2, inv.flowLogs));
      report.status(`deleting NAT gateways of ${vpc.vpcId}`);
      await removeNats(context, ec2, inv, report);
      for (const gateway of inv.gateways) {
        await attempt(context, `detach internet gateway ${gateway.id} (ec2:DetachInternetGateway)`, () => detachInternetGateway(ec2, gateway.id, vpc.vpcId));
        if (gateway.ours) await attempt(context, `delete internet gateway ${gateway.id} (ec2:DeleteInternetGateway)`, () => deleteInternetGateway(ec2, gateway.id));
        else report.warn(`detached internet gateway ${gateway.id} from ${vpc.vpcId} but kept it: it is not tagged for platform ${context.target.platform}`);
      }
      for (const table of inv.routeTables) {
        for (const association of table.associations) await attempt(context, `disassociate ${association} (ec2:DisassociateRouteTable)`, () => disassociateRouteTable(ec2, association));
        await attempt(context, `delete route table ${table.id} (ec2:DeleteRouteTable)`, () => deleteRouteTable(ec2, table.id));
      }
      report.status(`waiting for the network interfaces of ${vpc.vpcId} to go`);
      const interfaces = await drainInterfaces(context, ec2, vpc.vpcId, report);
      await removeGroups(context, ec2, inv);
      for (const subnet of inv.subnets) await attempt(context, `delete subnet ${subnet} (ec2:DeleteSubnet)`, () => deleteSubnet(ec2, subnet));
      const parts = describeInventory({ ...inv, interfaces: [] });
      if (interfaces > 0) parts.push(`${count(interfaces, "detached network interface")}`);
      if (parts.length > 0) done.push(`in VPC ${vpc.vpcId}: deleted ${parts.join("; ")}`);
    }
    const inAdopted = await adoptedVpcGroups(context, ec2);
    if (inAdopted && inAdopted.groups.length > 0) {
      report.status(`deleting the platform's security groups in the adopted VPC ${inAdopted.vpcId}`);
      await removeAdoptedVpcGroups(context, ec2, inAdopted, report);
      done.push(`deleted security groups ${inAdopted.groups.map((g) => g.name).join(", ")} in the adopted VPC ${inAdopted.vpcId} (the VPC stays)`);
    }
    // Outside any VPC, ours by tag: addresses (released once their NAT gateway is gone), a gateway a failed run left detached.
    const addresses = await platformAddresses(context, ec2);
    for (const address of addresses) {
      // AWS frees a NAT gateway's address with the gateway; an address still associated is freed first.
      if (address.associationId !== undefined) await attempt(context, `disassociate Elastic IP ${address.allocationId} (ec2:DisassociateAddress)`, () => disassociateAddress(ec2, address.associationId!));
      await attempt(context, `release Elastic IP ${address.allocationId} (ec2:ReleaseAddress)`, () => releaseAddress(ec2, address.allocationId));
    }
    if (addresses.length > 0) done.push(`released ${count(addresses.length, "Elastic IP")}`);
    for (const gateway of await detachedGateways(context, ec2)) {
      await attempt(context, `delete internet gateway ${gateway} (ec2:DeleteInternetGateway)`, () => deleteInternetGateway(ec2, gateway));
      done.push(`deleted detached internet gateway ${gateway}`);
    }
    const extras = await flowLogExtras(context);
    if (extras.logGroup) {
      const group = extras.logGroup;
      await attempt(context, `delete log group ${group} (logs:DeleteLogGroup)`, async () => deleteLogGroup(await context.services.aws.logs(), group));
      done.push(`deleted log group ${group}`);
    }
    if (extras.role) {
      const role = extras.role;
      await attempt(context, `delete IAM role ${role} (iam:DeleteRole)`, async () => deleteRoleCompletely(await context.services.aws.iam(), role));
      done.push(`deleted IAM role ${role}`);
    }
    if (done.length === 0) return report.skip("nothing of the platform's network is left");
    report.info(done.join("; "));
  },
};

export const vpcStage: Stage = {
  id: "destroy/vpc",
  title: "Delete the VPC",
  phase: "infra",
  async survey(context) {
    return deleting((await platformVpcs(context)).map((v) => `VPC ${v.vpcId} (${v.tags.Name ?? ""}, ${v.cidr})`));
  },
  async run(context, report) {
    const vpcs = await platformVpcs(context);
    if (vpcs.length === 0) return report.skip(`no VPC tagged ${PLATFORM_TAG}=${context.target.platform}`);
    const ec2 = await context.services.aws.ec2();
    for (const vpc of vpcs) {
      try {
        await deleteVpc(ec2, vpc.vpcId);
      } catch (error) {
        if (awsErrorCode(error) !== "DependencyViolation") throw describeAwsError(error, `delete VPC ${vpc.vpcId} (ec2:DeleteVpc)`, { endpoint: context.services.aws.endpoint, region: context.target.region });
        const left = describeInventory(await inventory(context, ec2, vpc.vpcId));
        throw new BtpAwsError(`delete VPC ${vpc.vpcId}: it still holds ${left.join("; ") || "something EC2 does not list (an endpoint, a peering connection, a VPN gateway)"}`, {
          cause: error,
          hint: `delete what btp-aws did not create there, then ${RESUME_HINT}`,
        });
      }
    }
    report.info(`deleted VPC ${vpcs.map((v) => v.vpcId).join(", ")}`);
  },
};
