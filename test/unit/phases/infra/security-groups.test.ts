/** infra/security-groups with the SDK mocked: decisions, call shapes and error paths. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import {
  AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateTagsCommand, DescribeSecurityGroupRulesCommand, DescribeSecurityGroupsCommand, EC2Client,
  EC2ServiceException, RevokeSecurityGroupIngressCommand, type Filter, type SecurityGroup, type SecurityGroupRule,
} from "@aws-sdk/client-ec2";
import { classifyOperation } from "../../../../src/aws/call-counter.js";
import { createAwsClients } from "../../../../src/aws/clients.js";
import { platformTags, tagList } from "../../../../src/aws/tags.js";
import type { Config } from "../../../../src/config/schema.js";
import { BtpAwsError } from "../../../../src/errors.js";
import { securityGroupsStep } from "../../../../src/phases/infra/security-groups.js";
import { describeRule, opensToWorld, sameRule, wantedIngress } from "../../../../src/phases/infra/vpc-security-rules.js";
import type { StepOutputs } from "../../../../src/plan/types.js";
import { testConfig } from "../../../support/config.js";
import { recordingReporter, type RecordingReporter } from "../../../support/reporter.js";

const config = testConfig({ tags: { team: "chain" } });
const OUTPUTS: Record<string, StepOutputs> = { "infra/vpc": { vpcId: "vpc-1" } };
const NAMES = { nodes: "btp-btp-test-nodes", alb: "btp-btp-test-alb", database: "btp-btp-test-db", cache: "btp-btp-test-redis" } as const;
const ec2 = mockClient(EC2Client);

const groupTags = (c: Config, role: keyof typeof NAMES) => tagList(platformTags(c, { Name: NAMES[role], "btp-aws:role": role }));

interface World {
  groups: SecurityGroup[];
  rules: SecurityGroupRule[];
}

let ruleCounter = 0;
function rule(groupId: string, protocol: string, port: number, source: Partial<SecurityGroupRule>): SecurityGroupRule {
  return { SecurityGroupRuleId: `sgr-${++ruleCounter}`, GroupId: groupId, IsEgress: false, IpProtocol: protocol, FromPort: port, ToPort: port, ...source };
}

/** The four groups with exactly the wanted rules, plus the default allow-all egress EC2 adds. */
function completeWorld(): World {
  const groups = (Object.keys(NAMES) as (keyof typeof NAMES)[]).map((role) => ({ GroupId: `sg-${role}`, GroupName: NAMES[role], VpcId: "vpc-1", Tags: groupTags(config, role) }));
  const rules = [
    rule("sg-nodes", "-1", -1, { ReferencedGroupInfo: { GroupId: "sg-nodes", UserId: "123456789012" } }),
    rule("sg-nodes", "-1", -1, { ReferencedGroupInfo: { GroupId: "sg-alb", UserId: "123456789012" } }),
    ...[80, 443].flatMap((port) => [rule("sg-alb", "tcp", port, { CidrIpv4: "0.0.0.0/0" }), rule("sg-alb", "tcp", port, { CidrIpv6: "::/0" })]),
    rule("sg-database", "tcp", 5432, { ReferencedGroupInfo: { GroupId: "sg-nodes" } }),
    rule("sg-cache", "tcp", 6379, { ReferencedGroupInfo: { GroupId: "sg-nodes" } }),
    ...groups.map((g) => ({ ...rule(g.GroupId, "-1", -1, { CidrIpv4: "0.0.0.0/0" }), IsEgress: true })),
  ];
  return { groups, rules };
}

function values(filters: Filter[] | undefined, name: string): string[] | undefined {
  return filters?.find((f) => f.Name === name)?.Values;
}

let groupCounter = 0;
function install(w: World): void {
  ec2.on(DescribeSecurityGroupsCommand).callsFake((i: { Filters?: Filter[] }) => ({
    SecurityGroups: w.groups.filter((g) => values(i.Filters, "vpc-id")!.includes(g.VpcId!) && values(i.Filters, "group-name")!.includes(g.GroupName!)),
  }));
  ec2.on(CreateSecurityGroupCommand).callsFake((i: { GroupName: string; VpcId: string }) => {
    const id = `sg-new-${++groupCounter}`;
    w.groups.push({ GroupId: id, GroupName: i.GroupName, VpcId: i.VpcId });
    return { GroupId: id };
  });
  ec2.on(DescribeSecurityGroupRulesCommand).callsFake((i: { Filters?: Filter[] }) => ({ SecurityGroupRules: w.rules.filter((r) => values(i.Filters, "group-id")!.includes(r.GroupId!)) }));
  ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
  ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
  ec2.on(CreateTagsCommand).resolves({});
}

const aws = () => createAwsClients({ region: "eu-west-1", userAgentSuffix: "btp-aws/test", credentials: () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "b" }) });

async function run(outputs = OUTPUTS): Promise<{ outputs: StepOutputs; report: RecordingReporter }> {
  const report = recordingReporter();
  const result = await securityGroupsStep.run({ config, services: { aws: aws() }, outputs, previous: undefined, signal: new AbortController().signal }, report);
  return { outputs: result ?? {}, report };
}

async function failure(): Promise<BtpAwsError> {
  const error = await run().then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BtpAwsError);
  return error as BtpAwsError;
}

function mutations(): string[] {
  return ec2.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, "")).filter((op) => classifyOperation(op) === "mutating");
}

const ec2Error = (name: string, message: string) => new EC2ServiceException({ name, $fault: "client", $metadata: {}, message });

let world: World;
beforeEach(() => {
  ruleCounter = 0;
  groupCounter = 0;
});
afterEach(() => ec2.reset());

describe("infra/security-groups: plan", () => {
  it("needs the VPC and names the four groups", () => {
    expect(securityGroupsStep.needs).toEqual(["infra/vpc"]);
    expect(securityGroupsStep.describe(config)).toEqual([
      "security groups btp-btp-test-nodes, btp-btp-test-alb, btp-btp-test-db, btp-btp-test-redis: database 5432 and cache 6379 reachable only from the cluster nodes; ALB 80/443 from anywhere",
    ]);
  });
});

describe("infra/security-groups: creating", () => {
  it("creates four tagged groups in the VPC and authorizes exactly the wanted ingress", async () => {
    install((world = { groups: [], rules: [] }));
    const { outputs, report } = await run();
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)[0]!.args[0].input).toEqual({ Filters: [{ Name: "vpc-id", Values: ["vpc-1"] }, { Name: "group-name", Values: Object.values(NAMES) }] });
    expect(ec2.commandCalls(CreateSecurityGroupCommand).map((c) => c.args[0].input)).toEqual([
      { GroupName: NAMES.nodes, Description: "EKS nodes of btp-aws platform btp-test", VpcId: "vpc-1", TagSpecifications: [{ ResourceType: "security-group", Tags: groupTags(config, "nodes") }] },
      { GroupName: NAMES.alb, Description: "application load balancer of btp-aws platform btp-test", VpcId: "vpc-1", TagSpecifications: [{ ResourceType: "security-group", Tags: groupTags(config, "alb") }] },
      { GroupName: NAMES.database, Description: "RDS PostgreSQL of btp-aws platform btp-test", VpcId: "vpc-1", TagSpecifications: [{ ResourceType: "security-group", Tags: groupTags(config, "database") }] },
      { GroupName: NAMES.cache, Description: "ElastiCache of btp-aws platform btp-test", VpcId: "vpc-1", TagSpecifications: [{ ResourceType: "security-group", Tags: groupTags(config, "cache") }] },
    ]);
    expect(ec2.commandCalls(AuthorizeSecurityGroupIngressCommand).map((c) => c.args[0].input)).toEqual([
      { GroupId: "sg-new-1", IpPermissions: [
        { IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: "sg-new-1", Description: "btp-aws: node to node" }] },
        { IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: "sg-new-2", Description: "btp-aws: from the ALB" }] },
      ] },
      { GroupId: "sg-new-2", IpPermissions: [
        { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "btp-aws: HTTP from the internet" }] },
        { IpProtocol: "tcp", FromPort: 80, ToPort: 80, Ipv6Ranges: [{ CidrIpv6: "::/0", Description: "btp-aws: HTTP from the internet" }] },
        { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "btp-aws: HTTPS from the internet" }] },
        { IpProtocol: "tcp", FromPort: 443, ToPort: 443, Ipv6Ranges: [{ CidrIpv6: "::/0", Description: "btp-aws: HTTPS from the internet" }] },
      ] },
      { GroupId: "sg-new-3", IpPermissions: [{ IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: "sg-new-1", Description: "btp-aws: PostgreSQL from the cluster nodes" }] }] },
      { GroupId: "sg-new-4", IpPermissions: [{ IpProtocol: "tcp", FromPort: 6379, ToPort: 6379, UserIdGroupPairs: [{ GroupId: "sg-new-1", Description: "btp-aws: Redis from the cluster nodes" }] }] },
    ]);
    expect(outputs).toEqual({ nodeSecurityGroupId: "sg-new-1", albSecurityGroupId: "sg-new-2", databaseSecurityGroupId: "sg-new-3", cacheSecurityGroupId: "sg-new-4" });
    expect(report.infos).toEqual([`security groups in vpc-1: ${Object.values(NAMES).map((n, i) => `created security group ${n} (sg-new-${i + 1})`).join("; ")}`]);
    expect(report.warnings).toEqual([]);
  });

  it("creates the four groups at the same time, then authorizes their rules at the same time", async () => {
    // Found by test/bench (makespan): the step is on the path to the EKS cluster and made its ten
    // calls one after another. Each create (then each authorize) is held until all four have been
    // asked for: made one at a time, the first would wait forever and the test time out.
    install((world = { groups: [], rules: [] }));
    const heldUntilFour = (answer: (input: { GroupName?: string; GroupId?: string }) => object) => {
      const held: (() => void)[] = [];
      return (input: { GroupName?: string; GroupId?: string }) => new Promise((resolve) => {
        held.push(() => resolve(answer(input)));
        if (held.length === 4) held.forEach((go) => go());
      });
    };
    ec2.on(CreateSecurityGroupCommand).callsFake(heldUntilFour((i) => ({ GroupId: `sg-${i.GroupName!}` })));
    ec2.on(AuthorizeSecurityGroupIngressCommand).callsFake(heldUntilFour(() => ({ Return: true })));
    const { outputs, report } = await run();
    expect(outputs).toEqual({ nodeSecurityGroupId: `sg-${NAMES.nodes}`, albSecurityGroupId: `sg-${NAMES.alb}`, databaseSecurityGroupId: `sg-${NAMES.database}`, cacheSecurityGroupId: `sg-${NAMES.cache}` });
    expect(ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)).toHaveLength(4);
    // The report keeps the groups' order whichever answered first.
    expect(report.infos).toEqual([`security groups in vpc-1: ${Object.values(NAMES).map((n) => `created security group ${n} (sg-${n})`).join("; ")}`]);
  }, 5_000);

  it("needs the VPC's id from infra/vpc", async () => {
    install((world = completeWorld()));
    await expect(run({})).rejects.toThrow("output vpcId of step infra/vpc is missing from the state");
    expect(ec2.calls()).toHaveLength(0);
  });

  it.each([
    ["SecurityGroupLimitExceeded", (e: Error) => ec2.on(CreateSecurityGroupCommand).rejects(e), "create security group btp-btp-test-nodes (ec2:CreateSecurityGroup): SecurityGroupLimitExceeded: the account is at its limit of VPC security groups per Region (service quotas: vpc L-E79EC296)"],
    ["RulesPerSecurityGroupLimitExceeded", (e: Error) => ec2.on(AuthorizeSecurityGroupIngressCommand).rejects(e), "allow all traffic from sg-new-1, all traffic from sg-new-2 into btp-btp-test-nodes (ec2:AuthorizeSecurityGroupIngress): RulesPerSecurityGroupLimitExceeded: the account is at its limit of Inbound or outbound rules per security group (service quotas: vpc L-0EA8095F)"],
    ["UnauthorizedOperation", (e: Error) => ec2.on(AuthorizeSecurityGroupIngressCommand).rejects(e), "not allowed to allow all traffic from sg-new-1, all traffic from sg-new-2 into btp-btp-test-nodes (ec2:AuthorizeSecurityGroupIngress): UnauthorizedOperation: You are not authorized to perform this operation."],
  ] as const)("explains %s", async (code, reject, expected) => {
    install((world = { groups: [], rules: [] }));
    reject(ec2Error(code, code === "UnauthorizedOperation" ? "You are not authorized to perform this operation." : "limit"));
    expect((await failure()).message).toBe(expected);
  });
});

describe("infra/security-groups: adopting and repairing", () => {
  it("adopts the groups with reads only", async () => {
    install((world = completeWorld()));
    const { outputs, report } = await run();
    expect(mutations()).toEqual([]);
    expect(outputs).toEqual({ nodeSecurityGroupId: "sg-nodes", albSecurityGroupId: "sg-alb", databaseSecurityGroupId: "sg-database", cacheSecurityGroupId: "sg-cache" });
    expect(report.skipped).toEqual([`security groups ${Object.values(NAMES).join(", ")} in vpc-1 are in place with their rules`]);
    expect(ec2.commandCalls(DescribeSecurityGroupRulesCommand)[0]!.args[0].input).toEqual({ Filters: [{ Name: "group-id", Values: ["sg-nodes", "sg-alb", "sg-database", "sg-cache"] }] });
  });

  it("treats protocol numbers and other descriptions as the same rule", async () => {
    world = completeWorld();
    const db = world.rules.find((r) => r.GroupId === "sg-database")!;
    Object.assign(db, { IpProtocol: "6", Description: "edited in the console" });
    install(world);
    await run();
    expect(mutations()).toEqual([]);
  });

  it("refuses a same-named group without the platform tag", async () => {
    world = completeWorld();
    world.groups[2]!.Tags = [{ Key: "Name", Value: NAMES.database }];
    install(world);
    const error = await failure();
    expect(error.message).toBe("security group btp-btp-test-db (sg-database) exists but is not managed by btp-aws for platform btp-test (no tag btp-aws:platform=btp-test)");
    expect(mutations()).toEqual([]);
  });

  it("adds missing tags and a removed rule, recreates a deleted group", async () => {
    world = completeWorld();
    world.groups[0]!.Tags = world.groups[0]!.Tags!.filter((t) => t.Key !== "team");
    world.rules = world.rules.filter((r) => !(r.GroupId === "sg-alb" && r.FromPort === 443 && r.CidrIpv6));
    world.groups = world.groups.filter((g) => g.GroupId !== "sg-cache");
    world.rules = world.rules.filter((r) => r.GroupId !== "sg-cache");
    install(world);
    const { outputs, report } = await run();
    expect(ec2.commandCalls(CreateTagsCommand).map((c) => c.args[0].input)).toEqual([{ Resources: ["sg-nodes"], Tags: [{ Key: "team", Value: "chain" }] }]);
    expect(ec2.commandCalls(AuthorizeSecurityGroupIngressCommand).map((c) => c.args[0].input)).toEqual([
      { GroupId: "sg-alb", IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, Ipv6Ranges: [{ CidrIpv6: "::/0", Description: "btp-aws: HTTPS from the internet" }] }] },
      { GroupId: "sg-new-1", IpPermissions: [{ IpProtocol: "tcp", FromPort: 6379, ToPort: 6379, UserIdGroupPairs: [{ GroupId: "sg-nodes", Description: "btp-aws: Redis from the cluster nodes" }] }] },
    ]);
    expect(outputs.cacheSecurityGroupId).toBe("sg-new-1");
    expect(report.infos).toEqual([
      "security groups in vpc-1: added tags team to security group btp-btp-test-nodes; created security group btp-btp-test-redis (sg-new-1); re-added tcp 443 from ::/0 to btp-btp-test-alb",
    ]);
  });

  it("revokes every rule opening the cache to the internet, by rule id, and warns", async () => {
    world = completeWorld();
    world.rules.push(rule("sg-cache", "tcp", 6379, { CidrIpv6: "::/0" }), rule("sg-cache", "-1", -1, { CidrIpv4: "0.0.0.0/0" }));
    install(world);
    const { report } = await run();
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand).map((c) => c.args[0].input)).toEqual([{ GroupId: "sg-cache", SecurityGroupRuleIds: ["sgr-13", "sgr-14"] }]);
    expect(report.warnings).toEqual(["revoked tcp 6379 from ::/0, all traffic from 0.0.0.0/0 from security group btp-btp-test-redis (sg-cache): the cache must be reachable only from the cluster nodes"]);
    expect(report.infos).toEqual(["security groups in vpc-1: revoked tcp 6379 from ::/0, all traffic from 0.0.0.0/0 from btp-btp-test-redis"]);
  });

  it("only warns about internet-open rules on the nodes and ALB groups, and leaves narrower extra rules alone", async () => {
    world = completeWorld();
    world.rules.push(rule("sg-nodes", "tcp", 22, { CidrIpv4: "0.0.0.0/0" }), rule("sg-alb", "tcp", 8080, { CidrIpv4: "0.0.0.0/0" }), rule("sg-database", "tcp", 5432, { CidrIpv4: "10.0.0.0/16" }));
    install(world);
    const { report } = await run();
    expect(mutations()).toEqual([]);
    expect(report.warnings).toEqual([
      "security group btp-btp-test-nodes (sg-nodes) also allows tcp 22 from 0.0.0.0/0: btp-aws opens only the ALB's 80 and 443 to the internet; remove the rule unless it is intended",
      "security group btp-btp-test-alb (sg-alb) also allows tcp 8080 from 0.0.0.0/0: btp-aws opens only the ALB's 80 and 443 to the internet; remove the rule unless it is intended",
    ]);
    expect(report.skipped).toHaveLength(1);
  });

  it("explains a denied revoke", async () => {
    world = completeWorld();
    world.rules.push(rule("sg-database", "tcp", 5432, { CidrIpv4: "0.0.0.0/0" }));
    install(world);
    ec2.on(RevokeSecurityGroupIngressCommand).rejects(ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));
    expect((await failure()).message).toBe("not allowed to revoke tcp 5432 from 0.0.0.0/0 from btp-btp-test-db (ec2:RevokeSecurityGroupIngress): UnauthorizedOperation: You are not authorized to perform this operation.");
  });
});

describe("security group rules", () => {
  const ids = { nodes: "sg-n", alb: "sg-a", database: "sg-d", cache: "sg-c" };

  it("opens nothing to the internet but the ALB's 80 and 443", () => {
    const wanted = wantedIngress(ids);
    expect(Object.entries(wanted).flatMap(([role, rules]) => rules.filter(opensToWorld).map((r) => `${role}: ${describeRule(r)}`))).toEqual([
      "alb: tcp 80 from 0.0.0.0/0", "alb: tcp 80 from ::/0", "alb: tcp 443 from 0.0.0.0/0", "alb: tcp 443 from ::/0",
    ]);
    expect(wanted.database.map(describeRule)).toEqual(["tcp 5432 from sg-n"]);
    expect(wanted.cache.map(describeRule)).toEqual(["tcp 6379 from sg-n"]);
    expect(wanted.nodes.map(describeRule)).toEqual(["all traffic from sg-n", "all traffic from sg-a"]);
  });

  it("compares protocol, ports and source, ignoring ports for all-traffic rules", () => {
    const tcp5432 = { protocol: "tcp", fromPort: 5432, toPort: 5432, source: { groupId: "sg-n" } };
    expect(sameRule(tcp5432, { ...tcp5432, protocol: "6", description: "x" })).toBe(true);
    expect(sameRule(tcp5432, { ...tcp5432, toPort: 5433 })).toBe(false);
    expect(sameRule(tcp5432, { ...tcp5432, source: { cidrIpv4: "sg-n" } })).toBe(false);
    expect(sameRule({ protocol: "-1", fromPort: -1, toPort: -1, source: { groupId: "sg-n" } }, { protocol: "all", fromPort: 0, toPort: 65535, source: { groupId: "sg-n" } })).toBe(true);
    expect(describeRule({ protocol: "udp", fromPort: 1000, toPort: 2000, source: { prefixListId: "pl-1" } })).toBe("udp 1000-2000 from pl-1");
  });
});
