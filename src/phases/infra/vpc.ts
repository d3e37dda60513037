/**
 * infra/vpc: the platform's network. A VPC from network.vpcCidr over network.azCount zones, a
 * private and a public subnet per zone (tagged for the load balancer controller), an internet
 * gateway, NAT gateways (per zone or one), route tables, and in production flow logs.
 *
 * Each part is found before it is made (see the vpc-*.ts files), so a re-run changes nothing
 * and a part deleted out of band is recreated alone. The VPC's CIDR is the one thing that
 * cannot be repaired: a different one is reported as drift.
 */
import { describeAwsError } from "../../aws/errors.js";
import { parseCidr, subnetLayout } from "../../config/cidr.js";
import type { Config } from "../../config/schema.js";
import { stringOutput } from "../../plan/outputs.js";
import type { Reporter, Step, StepOutputs } from "../../plan/types.js";
import { infraNames } from "./names.js";
import type { InfraServices } from "./services.js";
import { ensureFlowLogs } from "./vpc-flow-logs.js";
import { ensureNatGateways } from "./vpc-nat.js";
import { ensureInternetGateway, ensureSubnets, ensureVpc } from "./vpc-network.js";
import { ensureRouteTables } from "./vpc-routes.js";
import { vpcWork } from "./vpc-work.js";

type VpcServices = Pick<InfraServices, "aws" | "wait">;

function natWords(config: Config): string {
  return config.network.natGateways === "per-az" ? `${config.network.azCount} NAT gateways (one per AZ)` : "1 NAT gateway";
}

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
  // infra/kms only for the flow-log group's encryption; always needed so the DAG does not depend on config.
  needs: ["prepare/credentials", "infra/kms"],
  describe: (config) => {
    const names = infraNames(config);
    const layout = subnetLayout(parseCidr(config.network.vpcCidr)!, config.network.azCount);
    return [
      `create or adopt VPC ${names.vpc} ${config.network.vpcCidr} over ${config.network.azCount} AZs`,
      `private subnets ${layout.private.join(", ")}; public subnets ${layout.public.join(", ")}`,
      `internet gateway, ${natWords(config)}, route tables${config.network.flowLogs ? `, flow logs to CloudWatch Logs ${names.flowLogGroup}` : ""}`,
    ];
  },
  async run(context, report: Reporter) {
    const { config, services, outputs, previous } = context;
    const names = infraNames(config);
    try {
      const work = vpcWork({ config, ec2: await services.aws.ec2(), endpoint: services.aws.endpoint, report, wait: services.wait, signal: context.signal });
      report.status(`looking for VPC ${names.vpc}`);
      const { vpc, created } = await ensureVpc(work, previousString(previous, "vpcId"));
      const subnets = await ensureSubnets(work, vpc.vpcId, previousList(previous, "availabilityZones"));
      const internetGatewayId = await ensureInternetGateway(work, vpc.vpcId);
      // Flow logs need only the VPC: they are set up while new NAT gateways provision (about two
      // minutes) instead of after. The route tables need the gateways available.
      const flowLogs = config.network.flowLogs
        ? (async () => ensureFlowLogs(work, vpc.vpcId, {
          logs: await services.aws.logs(),
          iam: await services.aws.iam(),
          account: stringOutput(outputs, "prepare/credentials", "account"),
          keyArn: stringOutput(outputs, "infra/kms", "keyArn"),
        }))()
        : Promise.resolve();
      const [nats] = await Promise.all([ensureNatGateways(work, vpc.vpcId, subnets.public), flowLogs]);
      const tables = await ensureRouteTables(work, vpc.vpcId, subnets, internetGatewayId, nats);

      const shape = `${subnets.private.length + subnets.public.length} subnets over ${subnets.zones.join(", ")}, internet gateway ${internetGatewayId}, ${nats.length} NAT gateway${nats.length === 1 ? "" : "s"}, ${1 + tables.privateRouteTableIds.length} route tables${config.network.flowLogs ? `, flow logs into ${names.flowLogGroup}` : ""}`;
      if (created) report.info(`created VPC ${vpc.vpcId} (${names.vpc}, ${vpc.cidr}): ${shape}`);
      else if (work.changes.length > 0) report.info(`VPC ${vpc.vpcId} (${names.vpc}): ${work.changes.join("; ")}`);
      else report.skip(`VPC ${vpc.vpcId} (${names.vpc}, ${vpc.cidr}) is in place: ${shape}`);

      return {
        vpcId: vpc.vpcId,
        vpcCidr: vpc.cidr,
        availabilityZones: subnets.zones,
        publicSubnetIds: subnets.public.map((s) => s.subnetId),
        privateSubnetIds: subnets.private.map((s) => s.subnetId),
        internetGatewayId,
        natGatewayIds: nats.map((n) => n.natGatewayId),
      };
    } catch (error) {
      // Calls are wrapped one by one (vpc-errors.ts); this catches what lies between them.
      throw describeAwsError(error, `set up VPC ${names.vpc}`, { endpoint: services.aws.endpoint, region: config.aws.region });
    }
  },
};
