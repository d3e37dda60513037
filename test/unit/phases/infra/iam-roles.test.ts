/** infra/iam-roles decisions, SDK call shapes and error paths, with the IAM client mocked. */
import {
  AttachRolePolicyCommand, CreateRoleCommand, GetRoleCommand, IAMClient, IAMServiceException, ListAttachedRolePoliciesCommand, NoSuchEntityException,
  TagRoleCommand, UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { classifyOperation } from "../../../../src/aws/call-counter.js";
import type { AwsClients } from "../../../../src/aws/clients.js";
import { platformTags, tagList } from "../../../../src/aws/tags.js";
import { BtpAwsError } from "../../../../src/errors.js";
import { iamRolesStep, roleSpecs } from "../../../../src/phases/infra/iam-roles.js";
import type { InfraServices } from "../../../../src/phases/infra/services.js";
import { testConfig } from "../../../support/config.js";
import { PREPARE_OUTPUTS, runStep } from "../../../support/infra.js";

const ACCOUNT = "123456789012";
const config = testConfig({ tags: { team: "chain" } });
const CLUSTER_ROLE = "btp-btp-test-eks-cluster";
const NODE_ROLE = "btp-btp-test-eks-node";
const arn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const managed = (name: string) => `arn:aws:iam::aws:policy/${name}`;
const NODE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly", "AmazonSSMManagedInstanceCore"].map(managed);
const trust = (service: string) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });

const iamMock = mockClient(IAMClient);
const iam = new IAMClient({ region: "eu-west-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
const services = { aws: { iam: () => Promise.resolve(iam), endpoint: undefined, region: "eu-west-1" } as unknown as AwsClients } satisfies Pick<InfraServices, "aws">;

function iamError(name: string, message: string): IAMServiceException {
  return new IAMServiceException({ name, $fault: "client", $metadata: { httpStatusCode: 400 }, message });
}

/** Operations sent that change something, in order. */
function mutations(mock: { calls(): { args: readonly unknown[] }[] }): string[] {
  return mock.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, "")).filter((op) => classifyOperation(op) === "mutating");
}

/** GetRole as IAM answers it: the trust policy URL-encoded, tags inline. */
function existing(name: string, service: string, tags = platformTags(config, { Name: name })) {
  return { Role: { RoleName: name, Arn: arn(name), Path: "/", RoleId: "AROA", CreateDate: new Date(), AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust(service))), Tags: tagList(tags) } };
}

async function failure(promise: Promise<unknown>): Promise<BtpAwsError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BtpAwsError);
  return error as BtpAwsError;
}

beforeEach(() => iamMock.reset());

describe("infra/iam-roles", () => {
  it("makes both roles at once, and attaches a role's policies at once", async () => {
    // Found by test/bench (makespan): the EKS cluster waits for this step, and two roles with
    // five policies, one call after the other, took a second at 1/60.
    let arrived = 0;
    let release!: () => void;
    const allArrived = new Promise<void>((resolve) => (release = resolve));
    iamMock.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: "not found", $metadata: {} }));
    iamMock.on(CreateRoleCommand).callsFake((input: { RoleName: string }) => ({ Role: { RoleName: input.RoleName, Arn: arn(input.RoleName), Path: "/", RoleId: "AROA", CreateDate: new Date() } }));
    // Every attachment waits until all five have been sent: calls made one by one would hang here.
    iamMock.on(AttachRolePolicyCommand).callsFake(async () => {
      if (++arrived === 1 + NODE_POLICIES.length) release();
      await allArrived;
      return {};
    });
    const { outputs } = await runStep(iamRolesStep, config, services, PREPARE_OUTPUTS);
    expect(outputs).toEqual({ clusterRoleArn: arn(CLUSTER_ROLE), nodeRoleArn: arn(NODE_ROLE) });
    expect(arrived).toBe(5);
  });

  it("declares its place in the DAG and what it does", () => {
    expect([iamRolesStep.id, iamRolesStep.phase, iamRolesStep.needs]).toEqual(["infra/iam-roles", "infra", ["prepare/credentials"]]);
    expect(iamRolesStep.describe(config)).toEqual([
      `role ${CLUSTER_ROLE} (trusted by eks.amazonaws.com) with AmazonEKSClusterPolicy`,
      `role ${NODE_ROLE} (trusted by EC2) with AmazonEKSWorkerNodePolicy, AmazonEKS_CNI_Policy, AmazonEC2ContainerRegistryReadOnly, AmazonSSMManagedInstanceCore`,
    ]);
  });

  it("creates both roles with their trust, tags and managed policies", async () => {
    iamMock.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: "no role", $metadata: {} }));
    iamMock.on(CreateRoleCommand).callsFake((input: { RoleName: string }) => ({ Role: { RoleName: input.RoleName, Arn: arn(input.RoleName) } }));
    iamMock.on(AttachRolePolicyCommand).resolves({});
    const { outputs, report } = await runStep(iamRolesStep, config, services, PREPARE_OUTPUTS);

    expect(outputs).toEqual({ clusterRoleArn: arn(CLUSTER_ROLE), nodeRoleArn: arn(NODE_ROLE) });
    const created = iamMock.commandCalls(CreateRoleCommand).map((c) => c.args[0].input);
    expect(created).toEqual([
      { RoleName: CLUSTER_ROLE, Description: "EKS control plane of btp-aws platform btp-test", AssumeRolePolicyDocument: JSON.stringify(trust("eks.amazonaws.com")), Tags: tagList(platformTags(config, { Name: CLUSTER_ROLE })) },
      { RoleName: NODE_ROLE, Description: "EKS worker nodes of btp-aws platform btp-test", AssumeRolePolicyDocument: JSON.stringify(trust("ec2.amazonaws.com")), Tags: tagList(platformTags(config, { Name: NODE_ROLE })) },
    ]);
    expect(created[0]!.Tags).toEqual(expect.arrayContaining([{ Key: "team", Value: "chain" }, { Key: "btp-aws:platform", Value: "btp-test" }, { Key: "btp-aws:managed-by", Value: "btp-aws" }]));
    expect(iamMock.commandCalls(AttachRolePolicyCommand).map((c) => [c.args[0].input.RoleName, c.args[0].input.PolicyArn])).toEqual([
      [CLUSTER_ROLE, managed("AmazonEKSClusterPolicy")],
      ...NODE_POLICIES.map((p) => [NODE_ROLE, p]),
    ]);
    expect(report.infos).toEqual([
      `created role ${CLUSTER_ROLE} with AmazonEKSClusterPolicy`,
      `created role ${NODE_ROLE} with AmazonEKSWorkerNodePolicy, AmazonEKS_CNI_Policy, AmazonEC2ContainerRegistryReadOnly, AmazonSSMManagedInstanceCore`,
    ]);
  });

  it("adopts both roles with only reads when trust (URL-encoded), policies and tags are in place", async () => {
    iamMock.on(GetRoleCommand, { RoleName: CLUSTER_ROLE }).resolves(existing(CLUSTER_ROLE, "eks.amazonaws.com"));
    iamMock.on(GetRoleCommand, { RoleName: NODE_ROLE }).resolves(existing(NODE_ROLE, "ec2.amazonaws.com"));
    iamMock.on(ListAttachedRolePoliciesCommand, { RoleName: CLUSTER_ROLE }).resolves({ AttachedPolicies: [{ PolicyArn: managed("AmazonEKSClusterPolicy") }, { PolicyArn: managed("AmazonEKSVPCResourceController") }] });
    iamMock.on(ListAttachedRolePoliciesCommand, { RoleName: NODE_ROLE }).resolves({ AttachedPolicies: NODE_POLICIES.map((PolicyArn) => ({ PolicyArn })) });
    const { outputs, report } = await runStep(iamRolesStep, config, services, PREPARE_OUTPUTS);
    expect(outputs).toEqual({ clusterRoleArn: arn(CLUSTER_ROLE), nodeRoleArn: arn(NODE_ROLE) });
    expect(mutations(iamMock)).toEqual([]);
    expect(report.skipped).toEqual([`roles ${CLUSTER_ROLE} and ${NODE_ROLE} exist with their trust and managed policies`]);
  });

  it("resets a changed trust policy, re-attaches a detached policy and adds missing tags", async () => {
    const { team: _team, ...withoutTeam } = platformTags(config, { Name: NODE_ROLE });
    iamMock.on(GetRoleCommand, { RoleName: CLUSTER_ROLE }).resolves(existing(CLUSTER_ROLE, "ec2.amazonaws.com"));
    iamMock.on(GetRoleCommand, { RoleName: NODE_ROLE }).resolves(existing(NODE_ROLE, "ec2.amazonaws.com", withoutTeam));
    iamMock.on(ListAttachedRolePoliciesCommand, { RoleName: CLUSTER_ROLE }).resolves({ AttachedPolicies: [{ PolicyArn: managed("AmazonEKSClusterPolicy") }] });
    iamMock.on(ListAttachedRolePoliciesCommand, { RoleName: NODE_ROLE }).resolves({ AttachedPolicies: NODE_POLICIES.slice(0, 3).map((PolicyArn) => ({ PolicyArn })) });
    iamMock.on(UpdateAssumeRolePolicyCommand).resolves({});
    iamMock.on(AttachRolePolicyCommand).resolves({});
    iamMock.on(TagRoleCommand).resolves({});
    const { report } = await runStep(iamRolesStep, config, services, PREPARE_OUTPUTS);

    expect(iamMock.commandCalls(UpdateAssumeRolePolicyCommand).map((c) => c.args[0].input)).toEqual([{ RoleName: CLUSTER_ROLE, PolicyDocument: JSON.stringify(trust("eks.amazonaws.com")) }]);
    expect(iamMock.commandCalls(AttachRolePolicyCommand).map((c) => c.args[0].input)).toEqual([{ RoleName: NODE_ROLE, PolicyArn: managed("AmazonSSMManagedInstanceCore") }]);
    expect(iamMock.commandCalls(TagRoleCommand).map((c) => c.args[0].input)).toEqual([{ RoleName: NODE_ROLE, Tags: [{ Key: "team", Value: "chain" }] }]);
    expect(report.infos).toEqual([
      `role ${CLUSTER_ROLE}: reset the trust policy`,
      `role ${NODE_ROLE}: re-attached AmazonSSMManagedInstanceCore; added tags team`,
    ]);
    expect(report.skipped).toEqual([]);
  });

  it("leaves a trust policy alone that says the same in other words", async () => {
    const reworded = { Statement: { Sid: "Eks", Action: ["sts:AssumeRole"], Effect: "Allow", Principal: { Service: ["eks.amazonaws.com"] } }, Version: "2012-10-17" };
    iamMock.on(GetRoleCommand, { RoleName: CLUSTER_ROLE }).resolves({ Role: { ...existing(CLUSTER_ROLE, "x").Role, AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(reworded)) } });
    iamMock.on(GetRoleCommand, { RoleName: NODE_ROLE }).resolves(existing(NODE_ROLE, "ec2.amazonaws.com"));
    iamMock.on(ListAttachedRolePoliciesCommand, { RoleName: CLUSTER_ROLE }).resolves({ AttachedPolicies: [{ PolicyArn: managed("AmazonEKSClusterPolicy") }] });
    iamMock.on(ListAttachedRolePoliciesCommand, { RoleName: NODE_ROLE }).resolves({ AttachedPolicies: NODE_POLICIES.map((PolicyArn) => ({ PolicyArn })) });
    await runStep(iamRolesStep, config, services, PREPARE_OUTPUTS);
    expect(mutations(iamMock)).toEqual([]);
  });

  it("refuses a role of the same name that belongs to another platform", async () => {
    iamMock.on(GetRoleCommand, { RoleName: CLUSTER_ROLE }).resolves(existing(CLUSTER_ROLE, "eks.amazonaws.com", { "btp-aws:platform": "other" }));
    const error = await failure(runStep(iamRolesStep, config, services, PREPARE_OUTPUTS));
    expect(error.message).toBe(`IAM role ${CLUSTER_ROLE} exists but is not managed by btp-aws for platform btp-test (its btp-aws:platform tag is other)`);
    expect(error.hint).toBe(`choose another platform name, or delete or rename the role (aws iam delete-role --role-name ${CLUSTER_ROLE}) if nothing uses it`);
    expect(mutations(iamMock)).toEqual([]);
  });

  it("names the IAM action when access is denied", async () => {
    iamMock.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: "no role", $metadata: {} }));
    iamMock.on(CreateRoleCommand).rejects(iamError("AccessDenied", "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: iam:CreateRole"));
    const error = await failure(runStep(iamRolesStep, config, services, PREPARE_OUTPUTS));
    expect(error.message).toBe(`not allowed to create IAM role ${CLUSTER_ROLE} (iam:CreateRole, iam:TagRole): AccessDenied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: iam:CreateRole`);
    expect(error.hint).toBe("give the principal btp-aws runs as the IAM permission named above, or run with a profile that has it");
  });

  it("names the quota when the account has too many roles", async () => {
    iamMock.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: "no role", $metadata: {} }));
    iamMock.on(CreateRoleCommand).rejects(iamError("LimitExceededException", "Cannot exceed quota for RolesPerAccount: 1000"));
    const error = await failure(runStep(iamRolesStep, config, services, PREPARE_OUTPUTS));
    expect(error.message).toBe(`create IAM role ${CLUSTER_ROLE} (iam:CreateRole, iam:TagRole): LimitExceededException: Cannot exceed quota for RolesPerAccount: 1000: roles per account or managed policies per role (service quotas: iam L-FE177D64, L-0DA4ABF3)`);
    expect(error.hint).toBe("delete unused roles or ask for a higher quota in the Service Quotas console, then run again");
  });

  it("writes ARNs and the EC2 principal of the partition the region is in", () => {
    const china = roleSpecs(testConfig({ aws: { region: "cn-north-1", drRegion: "cn-northwest-1" } }));
    expect(china.node.trustPolicy).toEqual(trust("ec2.amazonaws.com.cn"));
    expect(china.cluster.policyArns).toEqual(["arn:aws-cn:iam::aws:policy/AmazonEKSClusterPolicy"]);
    expect(roleSpecs(testConfig({ aws: { region: "us-gov-west-1", drRegion: "us-gov-east-1" } })).node.policyArns[0]).toBe("arn:aws-us-gov:iam::aws:policy/AmazonEKSWorkerNodePolicy");
  });
});
