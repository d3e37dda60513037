/** Private and public subnets of an adopted cluster's VPC, told apart by their routes alone. */
import { describe, expect, it } from "vitest";
import type { RouteTable, Subnet } from "../../../../src/aws/ec2.js";
import { classifySubnets, routeTableOf, routesToInternet, zonesOf } from "../../../../src/phases/infra/existing-cluster-network.js";

function subnet(id: string, zone: string, tags: Record<string, string> = {}): Subnet {
  return { subnetId: id, vpcId: "vpc-1", cidr: "10.0.0.0/24", zone, state: "available", mapPublicIpOnLaunch: false, tags };
}

function table(id: string, routes: RouteTable["routes"], subnets: string[], main = false): RouteTable {
  return {
    routeTableId: id, vpcId: "vpc-1", routes, tags: {},
    associations: [...subnets.map((s, i) => ({ associationId: `${id}-a${i}`, subnetId: s, main: false })), ...(main ? [{ associationId: `${id}-main`, subnetId: undefined, main: true }] : [])],
  };
}

const LOCAL = { destination: "10.0.0.0/16", gatewayId: "local", natGatewayId: undefined, state: "active" };
const TO_IGW = { destination: "0.0.0.0/0", gatewayId: "igw-1", natGatewayId: undefined, state: "active" };
const TO_NAT = { destination: "0.0.0.0/0", gatewayId: undefined, natGatewayId: "nat-1", state: "active" };

describe("existing cluster subnets", () => {
  it("calls a subnet public only when its table sends 0.0.0.0/0 to an internet gateway", () => {
    expect(routesToInternet(table("rtb-pub", [LOCAL, TO_IGW], []))).toBe(true);
    expect(routesToInternet(table("rtb-nat", [LOCAL, TO_NAT], []))).toBe(false);
    expect(routesToInternet(table("rtb-local", [LOCAL], []))).toBe(false);
    // A narrower route to the gateway is not a default route.
    expect(routesToInternet(table("rtb-part", [LOCAL, { ...TO_IGW, destination: "198.51.100.0/24" }], []))).toBe(false);
    // A virtual private gateway (vgw-) is not the internet.
    expect(routesToInternet(table("rtb-vgw", [LOCAL, { ...TO_IGW, gatewayId: "vgw-1" }], []))).toBe(false);
    expect(routesToInternet(undefined)).toBe(false);
  });

  it("routes a subnet without a table of its own through the VPC's main table", () => {
    const tables = [table("rtb-main", [LOCAL, TO_IGW], [], true), table("rtb-nat", [LOCAL, TO_NAT], ["subnet-a"])];
    expect(routeTableOf("subnet-a", tables)?.routeTableId).toBe("rtb-nat");
    expect(routeTableOf("subnet-b", tables)?.routeTableId).toBe("rtb-main");
  });

  it("splits the VPC: the cluster's private subnets, and the public ones tagged for load balancers first", () => {
    const subnets = [
      subnet("subnet-priv-b", "eu-west-1b"), subnet("subnet-priv-a", "eu-west-1a"), subnet("subnet-other", "eu-west-1c"),
      subnet("subnet-pub-a", "eu-west-1a", { "kubernetes.io/role/elb": "1" }), subnet("subnet-pub-b", "eu-west-1b"),
    ];
    const tables = [
      table("rtb-main", [LOCAL], [], true),
      table("rtb-nat", [LOCAL, TO_NAT], ["subnet-priv-a", "subnet-priv-b"]),
      table("rtb-pub", [LOCAL, TO_IGW], ["subnet-pub-a", "subnet-pub-b"]),
    ];
    const classes = classifySubnets(subnets, tables, new Set(["subnet-priv-a", "subnet-priv-b", "subnet-pub-a"]));
    // subnet-other is private (main table, no internet route) but the cluster does not use it.
    expect(classes.private.map((s) => s.subnetId)).toEqual(["subnet-priv-a", "subnet-priv-b"]);
    expect(classes.public.map((s) => s.subnetId)).toEqual(["subnet-pub-a"]);
    expect(classes.untaggedPublic.map((s) => s.subnetId)).toEqual(["subnet-pub-b"]);
    expect(zonesOf(classes.private)).toEqual(["eu-west-1a", "eu-west-1b"]);
  });

  it("falls back to every private subnet of the VPC when the cluster uses only public ones, and to untagged public ones", () => {
    const subnets = [subnet("subnet-x", "eu-west-1b"), subnet("subnet-y", "eu-west-1a"), subnet("subnet-pub", "eu-west-1a")];
    const tables = [table("rtb-main", [LOCAL, TO_NAT], [], true), table("rtb-pub", [LOCAL, TO_IGW], ["subnet-pub"])];
    const classes = classifySubnets(subnets, tables, new Set(["subnet-pub"]));
    expect(classes.private.map((s) => s.subnetId)).toEqual(["subnet-y", "subnet-x"]);
    expect(classes.public.map((s) => s.subnetId)).toEqual(["subnet-pub"]);
    expect(classes.untaggedPublic.map((s) => s.subnetId)).toEqual(["subnet-pub"]);
  });

  it("finds no private subnet in a VPC whose main table routes everything to the internet", () => {
    const subnets = [subnet("subnet-1", "eu-west-1a"), subnet("subnet-2", "eu-west-1b")];
    const classes = classifySubnets(subnets, [table("rtb-main", [LOCAL, TO_IGW], [], true)], new Set(["subnet-1", "subnet-2"]));
    expect(classes.private).toEqual([]);
    expect(classes.public.map((s) => s.subnetId)).toEqual(["subnet-1", "subnet-2"]);
  });
});
