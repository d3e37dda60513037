/**
 * infra/security-groups: four groups in the platform VPC.
 * - nodes: the node group's extra group; all traffic between nodes and from the ALB
 * - alb: 80 and 443 from anywhere (IPv4 and IPv6), the only internet-facing rules
 * - database: 5432 from the nodes only; cache: 6379 from the nodes only
 *
 * Groups are found by name in the VPC (names are unique per VPC and cannot change). Missing
 * rules are added back; a rule that opens the database or cache to the internet is revoked and
 * reported, since it is a security finding, not a preference.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import { addTags, authorizeIngress, createSecurityGroup, findSecurityGroups, ingressRules, revokeIngress, type ExistingIngressRule, type IngressRule, type SecurityGroup } from "../../aws/ec2.js";
import { belongsTo, missingTags, platformTags } from "../../aws/tags.js";
import { stringOutput } from "../../plan/outputs.js";
import type { Reporter, Step } from "../../plan/types.js";
import { adoptedGroupLines, adoptedGroupRoles } from "./existing-cluster-adopt.js";
import { discoverExistingCluster, isExistingCluster } from "./existing-cluster.js";
import { infraNames } from "./names.js";
import type { InfraServices } from "./services.js";
import { awsCall, type AwsCall } from "./vpc-errors.js";
import { foreignResource } from "./vpc-network.js";
import { concurrently } from "./vpc-work.js";
import { describeRule, opensToWorld, sameRule, wantedIngress, type GroupRole } from "./vpc-security-rules.js";

const GROUPS: readonly { role: GroupRole; output: string; purpose: string }[] = [
  { role: "nodes", output: "nodeSecurityGroupId", purpose: "EKS nodes" },
  { role: "alb", output: "albSecurityGroupId", purpose: "application load balancer" },
  { role: "database", output: "databaseSecurityGroupId", purpose: "RDS PostgreSQL" },
  { role: "cache", output: "cacheSecurityGroupId", purpose: "ElastiCache" },
];

/** Groups whose internet-open rules are revoked rather than reported: they hold the data. */
const GUARDED: ReadonlySet<GroupRole> = new Set(["database", "cache"]);

interface Context {
  call: AwsCall;
  ec2: EC2Client;
  /** What this run changed, in words: the step's report. */
  changes: string[];
  report: Reporter;
}

async function ensureGroup(ctx: Context, found: SecurityGroup[], spec: { name: string; vpcId: string; description: string; tags: Record<string, string>; platform: string }): Promise<{ id: string; created: boolean }> {
  const existing = found.find((g) => g.name === spec.name);
  if (existing) {
    if (!belongsTo(existing.tags, spec.platform)) throw foreignResource(`security group ${spec.name} (${existing.groupId})`, spec.platform);
    const absent = missingTags(existing.tags, spec.tags);
    if (Object.keys(absent).length > 0) {
      await ctx.call(`tag security group ${existing.groupId} (ec2:CreateTags)`, () => addTags(ctx.ec2, [existing.groupId], absent));
      ctx.changes.push(`added tags ${Object.keys(absent).join(", ")} to security group ${spec.name}`);
    }
    return { id: existing.groupId, created: false };
  }
  const id = await ctx.call(`create security group ${spec.name} (ec2:CreateSecurityGroup)`, () => createSecurityGroup(ctx.ec2, spec));
  ctx.changes.push(`created security group ${spec.name} (${id})`);
  return { id, created: true };
}

async function reconcileRules(ctx: Context, role: GroupRole, name: string, groupId: string, wanted: IngressRule[], actual: ExistingIngressRule[], created: boolean): Promise<void> {
  const missing = wanted.filter((w) => !actual.some((r) => sameRule(r, w)));
  if (missing.length > 0) {
    await ctx.call(`allow ${missing.map(describeRule).join(", ")} into ${name} (ec2:AuthorizeSecurityGroupIngress)`, () => authorizeIngress(ctx.ec2, groupId, missing));
    if (!created) ctx.changes.push(`re-added ${missing.map(describeRule).join(", ")} to ${name}`);
  }
  const open = actual.filter((r) => opensToWorld(r) && !wanted.some((w) => sameRule(r, w)));
  if (open.length === 0) return;
  const rules = open.map(describeRule).join(", ");
  if (GUARDED.has(role)) {
    await ctx.call(`revoke ${rules} from ${name} (ec2:RevokeSecurityGroupIngress)`, () => revokeIngress(ctx.ec2, groupId, open.map((r) => r.ruleId)));
    ctx.report.warn(`revoked ${rules} from security group ${name} (${groupId}): the ${role} must be reachable only from the cluster nodes`);
    ctx.changes.push(`revoked ${rules} from ${name}`);
  } else {
    ctx.report.warn(`security group ${name} (${groupId}) also allows ${rules}: btp-aws opens only the ALB's 80 and 443 to the internet; remove the rule unless it is intended`);
  }
}

export const securityGroupsStep: Step<Pick<InfraServices, "aws">> = {
  id: "infra/security-groups",
  title: "Security groups",
  phase: "infra",
  needs: ["infra/vpc"],
  describe: (config) => {
    if (isExistingCluster(config)) return adoptedGroupLines(config);
    const g = infraNames(config).securityGroups;
    return [`security groups ${g.nodes}, ${g.alb}, ${g.database}, ${g.cache}: database 5432 and cache 6379 reachable only from the cluster nodes; ALB 80/443 from anywhere`];
  },
  async run(context, report: Reporter) {
    const { config, services, outputs } = context;
    const vpcId = stringOutput(outputs, "infra/vpc", "vpcId");
    const names = infraNames(config).securityGroups;
    const call = awsCall({ endpoint: services.aws.endpoint, region: config.aws.region });
    const ctx: Context = { call, ec2: await services.aws.ec2(), changes: [], report };

    // cluster.mode existing: the nodes keep the group they carry; only the data stores' groups are made.
    const adopted = isExistingCluster(config) ? await discoverExistingCluster(services.aws, config, report) : undefined;
    const groups = adopted ? GROUPS.filter(({ role }) => adoptedGroupRoles(config).includes(role)) : GROUPS;
    const ids = (adopted ? { nodes: adopted.nodeSecurityGroupId, alb: "", database: "", cache: "" } : {}) as Record<GroupRole, string>;

    report.status(`looking for security groups in ${vpcId}`);
    const found = await call(`find the security groups of VPC ${vpcId} (ec2:DescribeSecurityGroups)`, () => findSecurityGroups(ctx.ec2, vpcId, Object.values(names)));
    const created = new Set<GroupRole>();
    // The groups, then their rules, are independent calls: made at once (this step is on the path
    // to the EKS cluster), with change lines kept in the groups' order.
    await concurrently(ctx, groups, async (part, { role, purpose }) => {
      const name = names[role];
      const tags = platformTags(config, { Name: name, "btp-aws:role": role });
      const group = await ensureGroup(part, found, { name, vpcId, description: `${purpose} of btp-aws platform ${config.platform}`, tags, platform: config.platform });
      ids[role] = group.id;
      if (group.created) created.add(role);
    });

    const wanted = wantedIngress(ids);
    const managed = groups.map(({ role }) => ids[role]);
    const actual = managed.length === 0 ? [] : await call("list security group rules (ec2:DescribeSecurityGroupRules)", () => ingressRules(ctx.ec2, managed));
    await concurrently(ctx, groups, (part, { role }) => reconcileRules(part, role, names[role], ids[role], wanted[role], actual.filter((r) => r.groupId === ids[role]), created.has(role)));

    if (ctx.changes.length > 0) report.info(`security groups in ${vpcId}: ${ctx.changes.join("; ")}`);
    else report.skip(`security groups ${groups.map(({ role }) => names[role]).join(", ") || "(none needed)"} in ${vpcId} are in place with their rules`);
    return Object.fromEntries(GROUPS.map(({ role, output }) => [output, ids[role]]));
  },
};
