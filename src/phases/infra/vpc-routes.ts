/**
 * Route tables: one public (0.0.0.0/0 → internet gateway) shared by the public subnets, made by
 * infra/vpc, and one private per zone (0.0.0.0/0 → that zone's NAT gateway, or the single one)
 * for its private subnet, made by infra/nat-gateways once the gateways are available. Tables are
 * found by Name in the VPC; a missing table, route or association is recreated alone, and a
 * route or association that points elsewhere is moved back.
 */
import { associateRouteTable, createRoute, createRouteTable, findRouteTables, replaceRoute, replaceRouteTableAssociation, type NatGateway, type RouteTable, type RouteTarget } from "../../aws/ec2.js";
import { belongsTo } from "../../aws/tags.js";
import { BtpAwsError } from "../../errors.js";
import { repairTags } from "./vpc-network.js";
import { concurrently, type SubnetRef, type VpcWork } from "./vpc-work.js";

const DEFAULT_ROUTE = "0.0.0.0/0";

function targetId(target: RouteTarget): string {
  return "gatewayId" in target ? target.gatewayId : target.natGatewayId;
}

async function ensureTable(work: VpcWork, vpcId: string, tables: RouteTable[], name: string): Promise<{ table: RouteTable; created: boolean }> {
  const named = tables.filter((t) => t.tags.Name === name);
  const ours = named.filter((t) => belongsTo(t.tags, work.config.platform));
  if (ours.length > 1) {
    throw new BtpAwsError(`found ${ours.length} route tables named ${name} in VPC ${vpcId}: ${ours.map((t) => t.routeTableId).join(", ")}`, {
      hint: "delete the one without subnet associations, then run again",
    });
  }
  // Inside our own VPC, a same-named table without our tags was made for it: adopt and tag it.
  const found = ours[0] ?? named[0];
  if (found) {
    await repairTags(work, found.routeTableId, "route table", found.tags, work.tags(name));
    return { table: found, created: false };
  }
  const table = await work.call(`create route table ${name} (ec2:CreateRouteTable)`, () => createRouteTable(work.ec2, vpcId, work.tags(name)));
  work.changes.push(`created route table ${table.routeTableId} (${name})`);
  return { table, created: true };
}

async function ensureDefaultRoute(work: VpcWork, table: RouteTable, name: string, target: RouteTarget, quiet: boolean): Promise<void> {
  const want = targetId(target);
  const route = table.routes.find((r) => r.destination === DEFAULT_ROUTE);
  if (!route) {
    await work.call(`add route ${DEFAULT_ROUTE} → ${want} to ${table.routeTableId} (ec2:CreateRoute)`, () => createRoute(work.ec2, table.routeTableId, DEFAULT_ROUTE, target));
    if (!quiet) work.changes.push(`recreated route ${DEFAULT_ROUTE} → ${want} in ${table.routeTableId} (${name})`);
    return;
  }
  const current = route.natGatewayId ?? route.gatewayId;
  // A blackhole route still names its (deleted) target: it needs replacing as much as a wrong one.
  if (current === want && route.state !== "blackhole") return;
  await work.call(`point route ${DEFAULT_ROUTE} in ${table.routeTableId} at ${want} (ec2:ReplaceRoute)`, () => replaceRoute(work.ec2, table.routeTableId, DEFAULT_ROUTE, target));
  work.changes.push(`re-pointed route ${DEFAULT_ROUTE} in ${table.routeTableId} (${name}) from ${current ?? "nothing"}${route.state === "blackhole" ? " (blackhole)" : ""} to ${want}`);
}

async function ensureAssociation(work: VpcWork, tables: RouteTable[], table: RouteTable, subnet: SubnetRef, quiet: boolean): Promise<void> {
  const holder = tables.find((t) => t.associations.some((a) => a.subnetId === subnet.subnetId));
  if (holder?.routeTableId === table.routeTableId) return;
  const association = holder?.associations.find((a) => a.subnetId === subnet.subnetId);
  if (holder && association) {
    await work.call(`move subnet ${subnet.subnetId} to route table ${table.routeTableId} (ec2:ReplaceRouteTableAssociation)`, () => replaceRouteTableAssociation(work.ec2, association.associationId, table.routeTableId));
    work.changes.push(`moved subnet ${subnet.subnetId} from route table ${holder.routeTableId} back to ${table.routeTableId}`);
    return;
  }
  await work.call(`associate subnet ${subnet.subnetId} with route table ${table.routeTableId} (ec2:AssociateRouteTable)`, () => associateRouteTable(work.ec2, table.routeTableId, subnet.subnetId));
  if (!quiet) work.changes.push(`re-associated subnet ${subnet.subnetId} with route table ${table.routeTableId}`);
}

/** NAT gateway for private subnet `i`: its zone's in per-az mode, else the only one. */
function natFor(nats: readonly NatGateway[], i: number): NatGateway {
  return (nats.length > 1 ? nats[i] : nats[0])!;
}

function listTables(work: VpcWork, vpcId: string): Promise<RouteTable[]> {
  return work.call(`list the route tables of VPC ${vpcId} (ec2:DescribeRouteTables)`, () => findRouteTables(work.ec2, { "vpc-id": [vpcId] }));
}

type Job = (part: VpcWork) => Promise<void>;

/** The default route and the subnets' associations: independent calls, made at once. */
async function fillTable(work: VpcWork, tables: RouteTable[], made: { table: RouteTable; created: boolean }, name: string, target: RouteTarget, subnets: readonly SubnetRef[]): Promise<void> {
  // A new table's route and associations are part of "created route table", not news of their own.
  const jobs: Job[] = [
    (part) => ensureDefaultRoute(part, made.table, name, target, made.created),
    ...subnets.map((subnet): Job => (part) => ensureAssociation(part, tables, made.table, subnet, made.created)),
  ];
  await concurrently(work, jobs, (part, job) => job(part));
}

export interface PublicTable {
  tables: RouteTable[];
  made: { table: RouteTable; created: boolean };
  name: string;
}

/**
 * The public table of infra/vpc, found or made. It needs only the VPC, so infra/vpc makes it
 * beside the subnets and the gateway; fillPublicRouteTable then routes it. `fresh`: the VPC was
 * created by this run and holds only its main table, not looked up.
 */
export async function publicRouteTable(work: VpcWork, vpcId: string, fresh = false): Promise<PublicTable> {
  const tables = fresh ? [] : await listTables(work, vpcId);
  const name = `${work.names.vpc}-public`;
  return { tables, made: await ensureTable(work, vpcId, tables, name), name };
}

/** 0.0.0.0/0 → the internet gateway, for every public subnet. Returns the table's id. */
export async function fillPublicRouteTable(work: VpcWork, pub: PublicTable, publicSubnets: readonly SubnetRef[], internetGatewayId: string): Promise<string> {
  await fillTable(work, pub.tables, pub.made, pub.name, { gatewayId: internetGatewayId }, publicSubnets);
  return pub.made.table.routeTableId;
}

/** The private tables (infra/nat-gateways): one per zone, 0.0.0.0/0 → that zone's NAT gateway. Returns their ids in zone order. */
export async function ensurePrivateRouteTables(work: VpcWork, vpcId: string, privateSubnets: readonly SubnetRef[], nats: readonly NatGateway[]): Promise<string[]> {
  const tables = await listTables(work, vpcId);
  return concurrently(work, privateSubnets, async (part, subnet, i) => {
    const name = `${part.names.vpc}-private-${subnet.zone}`;
    const priv = await ensureTable(part, vpcId, tables, name);
    await fillTable(part, tables, priv, name, { natGatewayId: natFor(nats, i).natGatewayId }, [subnet]);
    return priv.table.routeTableId;
  });
}
