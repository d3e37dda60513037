/**
 * infra/nat-gateways: the private subnets' way out. NAT gateways with their Elastic IPs (per zone
 * or one), a private route table per zone through them, and in production the VPC's flow logs.
 *
 * Its own step, apart from infra/vpc, because a NAT gateway takes about two minutes to become
 * available and only the nodes need it (they pull images through it): the EKS cluster is created
 * meanwhile, and the install's critical path is two minutes shorter. Flow logs are here because
 * they need the platform key (infra/kms), which infra/vpc then does not have to wait for.
 *
 * Works on the VPC and subnets infra/vpc recorded; finds every part before making it (vpc-nat.ts,
 * vpc-routes.ts, vpc-flow-logs.ts), so a re-run changes nothing. A state written before this step
 * existed (infra/vpc made all of it) resumes here: the gateways, tables and flow log are adopted.
 */
import { describeAwsError } from "../../aws/errors.js";
import type { Config } from "../../config/schema.js";
import { listOutput, stringOutput } from "../../plan/outputs.js";
import type { Reporter, Step, StepOutputs } from "../../plan/types.js";
import { isExistingCluster } from "./existing-cluster.js";
import { infraNames } from "./names.js";
import type { InfraServices } from "./services.js";
import { ensureFlowLogs } from "./vpc-flow-logs.js";
import { ensureNatGateways } from "./vpc-nat.js";
import { ensurePrivateRouteTables } from "./vpc-routes.js";
import { vpcWork, type SubnetRef, type VpcWork } from "./vpc-work.js";

type NatServices = Pick<InfraServices, "aws" | "wait">;

function natWords(config: Config): string {
  return config.network.natGateways === "per-az" ? `${config.network.azCount} NAT gateways (one per AZ)` : "1 NAT gateway";
}

/** infra/vpc's subnets of one tier, with their zones: outputs list both in zone order. */
function recordedSubnets(outputs: Readonly<Record<string, StepOutputs>>, key: "publicSubnetIds" | "privateSubnetIds"): SubnetRef[] {
  const zones = listOutput(outputs, "infra/vpc", "availabilityZones");
  return listOutput(outputs, "infra/vpc", key).map((subnetId, i) => ({ subnetId, zone: zones[i] ?? "" }));
}

export const natGatewaysStep: Step<NatServices> = {
  id: "infra/nat-gateways",
  title: "NAT gateways and private routes",
  phase: "infra",
  // infra/kms only for the flow-log group's encryption; always needed so the DAG does not depend on config.
  needs: ["prepare/credentials", "infra/vpc", "infra/kms"],
  describe: (config) => {
    if (isExistingCluster(config)) return ["keep the adopted cluster's own NAT gateways and routes: nothing created"];
    const flowLogs = config.network.flowLogs ? `; flow logs to CloudWatch Logs ${infraNames(config).flowLogGroup}` : "";
    return [`${natWords(config)} with Elastic IPs, a private route table per AZ through them${flowLogs}`];
  },
  async run(context, report: Reporter) {
    const { config, services, outputs } = context;
    const vpcId = stringOutput(outputs, "infra/vpc", "vpcId");
    if (isExistingCluster(config)) {
      // The adopted VPC's egress is its owner's: recorded as infra/vpc found it, never changed.
      const natGatewayIds = listOutput(outputs, "infra/vpc", "natGatewayIds");
      report.skip(`cluster.mode existing: VPC ${vpcId} keeps its own NAT gateways (${natGatewayIds.join(", ") || "none"}); nothing created`);
      const adopted: StepOutputs = { natGatewayIds, adopted: true };
      return adopted;
    }
    const names = infraNames(config);
    try {
      const work = vpcWork({ config, ec2: await services.aws.ec2(), endpoint: services.aws.endpoint, report, wait: services.wait, signal: context.signal });
      // Flow logs need only the VPC: they are set up while new gateways provision. Each part keeps
      // its own change log, so the report's order does not depend on which finished first.
      const natPart: VpcWork = { ...work, changes: [] };
      const flowPart: VpcWork = { ...work, changes: [] };
      const flowLogs = config.network.flowLogs
        ? (async () => ensureFlowLogs(flowPart, vpcId, {
          logs: await services.aws.logs(),
          iam: await services.aws.iam(),
          account: stringOutput(outputs, "prepare/credentials", "account"),
          keyArn: stringOutput(outputs, "infra/kms", "keyArn"),
        }))()
        : Promise.resolve(undefined);
      const [nats, flowLogId] = await Promise.all([ensureNatGateways(natPart, vpcId, recordedSubnets(outputs, "publicSubnetIds")), flowLogs]);
      work.changes.push(...natPart.changes);
      // The private routes need the gateways available, which ensureNatGateways waited for.
      const privateRouteTableIds = await ensurePrivateRouteTables(work, vpcId, recordedSubnets(outputs, "privateSubnetIds"), nats);
      work.changes.push(...flowPart.changes);

      const shape = `${nats.length} NAT gateway${nats.length === 1 ? "" : "s"} (${nats.map((n) => n.natGatewayId).join(", ")}), ${privateRouteTableIds.length} private route tables${flowLogId === undefined ? "" : `, flow logs into ${names.flowLogGroup}`}`;
      if (work.changes.length > 0) report.info(`VPC ${vpcId} (${names.vpc}) egress: ${work.changes.join("; ")}`);
      else report.skip(`VPC ${vpcId} (${names.vpc}) egress is in place: ${shape}`);

      const recorded: Record<string, string | string[]> = { natGatewayIds: nats.map((n) => n.natGatewayId), privateRouteTableIds };
      if (flowLogId !== undefined) recorded.flowLogId = flowLogId;
      return recorded;
    } catch (error) {
      // Calls are wrapped one by one (vpc-errors.ts); this catches what lies between them.
      throw describeAwsError(error, `set up the NAT gateways of VPC ${names.vpc}`, { endpoint: services.aws.endpoint, region: config.aws.region });
    }
  },
};
