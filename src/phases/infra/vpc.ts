/**
 * infra/vpc: the platform's network. A VPC from network.vpcCidr over network.azCount zones, a
 * private and a public subnet per zone (tagged for the load balancer controller), an internet
 * gateway and the public route table. Everything EKS needs to be created, and nothing that takes
 * long: the NAT gateways (about two minutes), the private routes through them and the flow logs
 * are infra/nat-gateways, which the node group waits for and the cluster does not.
 *
 * Each part is found before it is made (see the vpc-*.ts files), so a re-run changes nothing
 * and a part deleted out of band is recreated alone. The VPC's CIDR is the one thing that
 * cannot be repaired: a different one is reported as drift.
 */
import { describeAwsError } from "../../aws/errors.js";
import { parseCidr, subnetLayout } from "../../config/cidr.js";
import type { Reporter, Step, StepOutputs } from "../../plan/types.js";
import { infraNames } from "./names.js";
import type { InfraServices } from "./services.js";
import { adoptedNetworkLines, adoptNetwork } from "./existing-cluster-adopt.js";
import { isExistingCluster } from "./existing-cluster.js";
import { ensureInternetGateway, ensureSubnets, ensureVpc, ensureVpcDns, type SubnetSet } from "./vpc-network.js";
import { fillPublicRouteTable, publicRouteTable, type PublicTable } from "./vpc-routes.js";
import { concurrently, vpcWork, type VpcWork } from "./vpc-work.js";

type VpcServices = Pick<InfraServices, "aws" | "wait">;

function previousString(previous: StepOutputs | undefined, key: string): string | undefined {
  const value = previous?.[key];
  return typeof value === "string" ? value : undefined;
}

function previousList(previous: StepOutputs | undefined, key: string): readonly string[] | undefined {
  const value = previous?.[key];
  return Array.isArray(value) ? (value as readonly string[]) : undefined;
}

export const vpcStep: Step<VpcServices> = {
  id: "infra/vpc",
  title: "VPC and subnets",
  phase: "infra",
  needs: ["prepare/credentials"],
  describe: (config) => {
    if (isExistingCluster(config)) return adoptedNetworkLines(config);
    const names = infraNames(config);
    const layout = subnetLayout(parseCidr(config.network.vpcCidr)!, config.network.azCount);
    return [
      `create or adopt VPC ${names.vpc} ${config.network.vpcCidr} over ${config.network.azCount} AZs`,
      `private subnets ${layout.private.join(", ")}; public subnets ${layout.public.join(", ")}`,
      "internet gateway, public route table",
    ];
  },
  async run(context, report: Reporter) {
    const { config, services, previous } = context;
    // cluster.mode existing: the cluster's own VPC is recorded, nothing is created.
    if (isExistingCluster(config)) return adoptNetwork(context, report);
    const names = infraNames(config);
    try {
      const work = vpcWork({ config, ec2: await services.aws.ec2(), endpoint: services.aws.endpoint, report, wait: services.wait, signal: context.signal });
      report.status(`looking for VPC ${names.vpc}`);
      const { vpc, created } = await ensureVpc(work, previousString(previous, "vpcId"));
      // DNS settings, subnets, the internet gateway and the public route table need only the VPC:
      // found or made at the same time (this step is on the path to the EKS cluster).
      let subnets: SubnetSet | undefined;
      let internetGatewayId = "";
      let table: PublicTable | undefined;
      const parts: ((part: VpcWork) => Promise<void>)[] = [
        (part) => ensureVpcDns(part, vpc.vpcId, !created),
        async (part) => void (subnets = await ensureSubnets(part, vpc.vpcId, previousList(previous, "availabilityZones"), created)),
        async (part) => void (internetGatewayId = await ensureInternetGateway(part, vpc.vpcId, created)),
        async (part) => void (table = await publicRouteTable(part, vpc.vpcId, created)),
      ];
      await concurrently(work, parts, (part, make) => make(part));
      const { zones, private: privateSubnets, public: publicSubnets } = subnets!;
      const publicRouteTableId = await fillPublicRouteTable(work, table!, publicSubnets, internetGatewayId);

      const shape = `${privateSubnets.length + publicSubnets.length} subnets over ${zones.join(", ")}, internet gateway ${internetGatewayId}, public route table ${publicRouteTableId}`;
      if (created) report.info(`created VPC ${vpc.vpcId} (${names.vpc}, ${vpc.cidr}): ${shape}`);
      else if (work.changes.length > 0) report.info(`VPC ${vpc.vpcId} (${names.vpc}): ${work.changes.join("; ")}`);
      else report.skip(`VPC ${vpc.vpcId} (${names.vpc}, ${vpc.cidr}) is in place: ${shape}`);

      return {
        vpcId: vpc.vpcId,
        vpcCidr: vpc.cidr,
        availabilityZones: zones,
        publicSubnetIds: publicSubnets.map((s) => s.subnetId),
        privateSubnetIds: privateSubnets.map((s) => s.subnetId),
        internetGatewayId,
        publicRouteTableId,
      };
    } catch (error) {
      // Calls are wrapped one by one (vpc-errors.ts); this catches what lies between them.
      throw describeAwsError(error, `set up VPC ${names.vpc}`, { endpoint: services.aws.endpoint, region: config.aws.region });
    }
  },
};
