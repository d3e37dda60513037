/**
 * Which subnets of an adopted cluster's VPC are private and which public, from their route
 * tables alone (pure: the caller reads subnets and route tables). A subnet is public when the
 * route table it uses sends 0.0.0.0/0 to an internet gateway; a subnet with no table of its own
 * uses the VPC's main table, as EC2 routes it. Names and tags are not trusted: a subnet called
 * "private" with an internet route is public.
 */
import type { RouteTable, Subnet } from "../../aws/ec2.js";

/** The tag the AWS Load Balancer Controller looks for when it places an internet-facing ALB. */
export const PUBLIC_ELB_TAG = "kubernetes.io/role/elb";

export interface SubnetClasses {
  /** Private subnets the platform uses: the cluster's and its node groups' when they have any. */
  private: Subnet[];
  /** Public subnets of the VPC, those tagged for internet-facing load balancers first. */
  public: Subnet[];
  /** Public subnets without the load balancer tag (the controller will not place an ALB there). */
  untaggedPublic: Subnet[];
}

/** The route table EC2 applies to the subnet: its explicit association, else the main table. */
export function routeTableOf(subnetId: string, tables: readonly RouteTable[]): RouteTable | undefined {
  return tables.find((t) => t.associations.some((a) => a.subnetId === subnetId)) ?? tables.find((t) => t.associations.some((a) => a.main));
}

export function routesToInternet(table: RouteTable | undefined): boolean {
  return table?.routes.some((r) => r.destination === "0.0.0.0/0" && r.gatewayId?.startsWith("igw-") === true) ?? false;
}

function byZoneThenId(a: Subnet, b: Subnet): number {
  return a.zone.localeCompare(b.zone) || a.subnetId.localeCompare(b.subnetId);
}

/**
 * Splits the VPC's subnets. `inUse` are the subnets the cluster and its node groups were given:
 * the private ones among them are where the nodes (and so the data stores) belong; a VPC may
 * hold other private subnets for other workloads, which are used only when `inUse` has none.
 */
export function classifySubnets(subnets: readonly Subnet[], tables: readonly RouteTable[], inUse: ReadonlySet<string>): SubnetClasses {
  const isPublic = (s: Subnet) => routesToInternet(routeTableOf(s.subnetId, tables));
  const available = subnets.filter((s) => s.state !== "pending").sort(byZoneThenId);
  const privateAll = available.filter((s) => !isPublic(s));
  const privateInUse = privateAll.filter((s) => inUse.has(s.subnetId));
  const publicAll = available.filter(isPublic);
  const tagged = publicAll.filter((s) => s.tags[PUBLIC_ELB_TAG] === "1" || s.tags[PUBLIC_ELB_TAG] === "");
  return {
    private: privateInUse.length > 0 ? privateInUse : privateAll,
    public: tagged.length > 0 ? tagged : publicAll,
    untaggedPublic: publicAll.filter((s) => !tagged.includes(s)),
  };
}

export function zonesOf(subnets: readonly Subnet[]): string[] {
  return [...new Set(subnets.map((s) => s.zone))].sort();
}
