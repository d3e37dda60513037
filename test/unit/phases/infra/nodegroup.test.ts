/** infra/nodegroup decisions, SDK call shapes and error paths, with the EC2 and EKS clients mocked. */
import {
  CreateLaunchTemplateCommand, CreateLaunchTemplateVersionCommand, CreateTagsCommand, DescribeLaunchTemplateVersionsCommand, DescribeLaunchTemplatesCommand,
  EC2Client, EC2ServiceException, type RequestLaunchTemplateData,
} from "@aws-sdk/client-ec2";
import {
  AccessDeniedException, CreateNodegroupCommand, DescribeNodegroupCommand, DescribeUpdateCommand, EKSClient, InvalidParameterException,
  ResourceLimitExceededException, ResourceNotFoundException, TagResourceCommand, UpdateNodegroupConfigCommand, UpdateNodegroupVersionCommand, type Nodegroup,
} from "@aws-sdk/client-eks";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { classifyOperation } from "../../../../src/aws/call-counter.js";
import type { AwsClients } from "../../../../src/aws/clients.js";
import { platformTags, tagList } from "../../../../src/aws/tags.js";
import type { Config } from "../../../../src/config/schema.js";
import { BtpAwsError } from "../../../../src/errors.js";
import { launchSettingsDiff, wantedLaunchSettings } from "../../../../src/phases/infra/nodegroup-launch-template.js";
import { amiTypeFor, nodegroupStep } from "../../../../src/phases/infra/nodegroup.js";
import type { InfraServices } from "../../../../src/phases/infra/services.js";
import type { StepOutputs } from "../../../../src/plan/types.js";
import { testConfig } from "../../../support/config.js";
import { PREPARE_OUTPUTS, runStep } from "../../../support/infra.js";

const ACCOUNT = "123456789012";
const CLUSTER = "btp-btp-test";
const NAME = "btp-btp-test-nodes";
const LT = "lt-0123456789abcdef0";
const NODE_ROLE = `arn:aws:iam::${ACCOUNT}:role/btp-btp-test-eks-node`;
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/11112222-3333-4444-5555-666677778888`;
const PRIVATE = ["subnet-p1", "subnet-p2", "subnet-p3"];
const config = testConfig({ environment: "production", tags: { team: "chain" } });
const TAGS = platformTags(config, { Name: NAME });

function outputsFor(clusterSecurityGroupId = "sg-cluster"): Record<string, StepOutputs> {
  return {
    ...PREPARE_OUTPUTS,
    "infra/vpc": { vpcId: "vpc-1", vpcCidr: "10.0.0.0/16", availabilityZones: ["eu-west-1a"], privateSubnetIds: PRIVATE, publicSubnetIds: ["subnet-u1"], internetGatewayId: "igw-1", natGatewayIds: [] },
    "infra/kms": { keyId: "k", keyArn: KEY_ARN, alias: "alias/btp-btp-test" },
    "infra/iam-roles": { clusterRoleArn: `arn:aws:iam::${ACCOUNT}:role/btp-btp-test-eks-cluster`, nodeRoleArn: NODE_ROLE },
    "infra/security-groups": { nodeSecurityGroupId: "sg-nodes", albSecurityGroupId: "sg-alb", databaseSecurityGroupId: "sg-db", cacheSecurityGroupId: "sg-cache" },
    "infra/eks": { clusterName: CLUSTER, clusterArn: "arn", endpoint: "https://x", oidcIssuer: "https://oidc", clusterSecurityGroupId, kubernetesVersion: "1.34" },
  };
}

/** The launch template data the config asks for, as EC2 stores it. */
function templateData(overrides: Partial<RequestLaunchTemplateData> = {}, diskSizeGiB = 100, groups = ["sg-cluster", "sg-nodes"]): RequestLaunchTemplateData {
  return {
    MetadataOptions: { HttpEndpoint: "enabled", HttpTokens: "required", HttpPutResponseHopLimit: 2 },
    BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: diskSizeGiB, VolumeType: "gp3", Encrypted: true, KmsKeyId: KEY_ARN, DeleteOnTermination: true } }],
    SecurityGroupIds: groups,
    TagSpecifications: [{ ResourceType: "instance", Tags: tagList(TAGS) }, { ResourceType: "volume", Tags: tagList(TAGS) }],
    ...overrides,
  };
}

function group(overrides: Partial<Nodegroup> = {}): { nodegroup: Nodegroup } {
  return {
    nodegroup: {
      nodegroupName: NAME, nodegroupArn: `arn:aws:eks:eu-west-1:${ACCOUNT}:nodegroup/${CLUSTER}/${NAME}/uuid`, clusterName: CLUSTER, status: "ACTIVE",
      instanceTypes: ["m5.xlarge"], subnets: PRIVATE, nodeRole: NODE_ROLE, scalingConfig: { minSize: 2, desiredSize: 3, maxSize: 50 },
      launchTemplate: { id: LT, name: NAME, version: "1" }, tags: { ...TAGS }, health: { issues: [] },
      ...overrides,
    },
  };
}

const ec2Mock = mockClient(EC2Client);
const eksMock = mockClient(EKSClient);
const ec2 = new EC2Client({ region: "eu-west-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
const eks = new EKSClient({ region: "eu-west-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });

function services(): Pick<InfraServices, "aws" | "wait"> {
  let now = 0;
  return {
    aws: { ec2: () => Promise.resolve(ec2), eks: () => Promise.resolve(eks), endpoint: undefined, region: "eu-west-1" } as unknown as AwsClients,
    wait: { scale: 1, now: () => now, sleep: (ms: number) => { now += ms; return Promise.resolve(); } },
  };
}

function mutations(...mocks: { calls(): { args: readonly unknown[] }[] }[]): string[] {
  return mocks.flatMap((m) => m.calls()).map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, "")).filter((op) => classifyOperation(op) === "mutating");
}

/** The launch template exists, tagged, with `versions` in order (the last is the latest). */
function templateExists(...versions: RequestLaunchTemplateData[]) {
  ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LaunchTemplateId: LT, LaunchTemplateName: NAME, LatestVersionNumber: versions.length, Tags: tagList(platformTags(config, { Name: NAME })) }] });
  versions.forEach((data, i) => {
    // EC2 (and moto) may list the template's own launch-template tags among the data's tag specifications.
    const withTemplateTags = { ...data, TagSpecifications: [...(data.TagSpecifications ?? []), { ResourceType: "launch-template" as const, Tags: [{ Key: "x", Value: "y" }] }] };
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand, { LaunchTemplateId: LT, Versions: [String(i + 1)] }).resolves({ LaunchTemplateVersions: [{ VersionNumber: i + 1, LaunchTemplateData: withTemplateTags }] });
  });
}

async function run(c: Config = config, outputs = outputsFor()) {
  return runStep(nodegroupStep, c, services(), outputs);
}

async function failure(promise: Promise<unknown>): Promise<BtpAwsError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BtpAwsError);
  return error as BtpAwsError;
}

const variant = (cluster: Partial<Config["cluster"]>) => testConfig({ environment: "production", tags: { team: "chain" }, cluster });

beforeEach(() => {
  ec2Mock.reset();
  eksMock.reset();
});

describe("infra/nodegroup: create", () => {
  it("declares its place in the DAG and what it does", () => {
    expect([nodegroupStep.id, nodegroupStep.phase, nodegroupStep.needs]).toEqual(["infra/nodegroup", "infra", ["infra/eks", "infra/iam-roles", "infra/security-groups", "infra/kms", "infra/vpc", "infra/nat-gateways"]]);
    expect(nodegroupStep.describe(config)).toEqual([
      `node group ${NAME}: m5.xlarge, min 2 / desired 3 / max 50, on the private subnets`,
      `launch template ${NAME}: IMDSv2 required, gp3 100 GiB encrypted with the platform key`,
    ]);
  });

  it("creates the launch template and the node group, then waits for ACTIVE", async () => {
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [] });
    ec2Mock.on(CreateLaunchTemplateCommand).resolves({ LaunchTemplate: { LaunchTemplateId: LT, LatestVersionNumber: 1 } });
    eksMock.on(DescribeNodegroupCommand).rejectsOnce(new ResourceNotFoundException({ message: "No node group found", $metadata: {} })).resolvesOnce(group({ status: "CREATING" })).resolves(group());
    eksMock.on(CreateNodegroupCommand).resolves({});
    const { outputs, report } = await run();

    expect(ec2Mock.commandCalls(CreateLaunchTemplateCommand).map((c) => c.args[0].input)).toEqual([{
      LaunchTemplateName: NAME, VersionDescription: "btp-aws", LaunchTemplateData: templateData(),
      TagSpecifications: [{ ResourceType: "launch-template", Tags: tagList(platformTags(config, { Name: NAME })) }],
    }]);
    expect(eksMock.commandCalls(CreateNodegroupCommand).map((c) => c.args[0].input)).toEqual([{
      clusterName: CLUSTER, nodegroupName: NAME, subnets: PRIVATE, instanceTypes: ["m5.xlarge"], amiType: "AL2023_x86_64_STANDARD", capacityType: "ON_DEMAND",
      scalingConfig: { minSize: 2, desiredSize: 3, maxSize: 50 }, nodeRole: NODE_ROLE, launchTemplate: { id: LT, version: "1" }, tags: { ...TAGS },
    }]);
    expect(report.statuses).toContain("CREATING, 0s");
    expect(report.infos).toEqual([`created launch template ${NAME} (${LT})`, `created node group ${NAME} (m5.xlarge, 2/3/50)`]);
    expect(outputs).toEqual({ nodeGroupName: NAME, launchTemplateId: LT });
  });

  it("warns and uses only the node security group when EKS reported no cluster security group", async () => {
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [] });
    ec2Mock.on(CreateLaunchTemplateCommand).resolves({ LaunchTemplate: { LaunchTemplateId: LT, LatestVersionNumber: 1 } });
    eksMock.on(DescribeNodegroupCommand).rejectsOnce(new ResourceNotFoundException({ message: "none", $metadata: {} })).resolves(group());
    eksMock.on(CreateNodegroupCommand).resolves({});
    const { report } = await run(config, outputsFor(""));
    expect(ec2Mock.commandCalls(CreateLaunchTemplateCommand)[0]!.args[0].input.LaunchTemplateData!.SecurityGroupIds).toEqual(["sg-nodes"]);
    expect(report.warnings).toEqual(["EKS reported no cluster security group: the nodes get only the node security group"]);
  });

  it("names the vCPU quota when the node group fails for lack of it", async () => {
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [] });
    ec2Mock.on(CreateLaunchTemplateCommand).resolves({ LaunchTemplate: { LaunchTemplateId: LT, LatestVersionNumber: 1 } });
    eksMock.on(DescribeNodegroupCommand).rejectsOnce(new ResourceNotFoundException({ message: "none", $metadata: {} }))
      .resolves(group({ status: "CREATE_FAILED", health: { issues: [{ code: "AsgInstanceLaunchFailures", message: "Could not launch On-Demand Instances. VcpuLimitExceeded - You have requested more vCPU capacity than your current vCPU limit of 32 allows" }] } }));
    eksMock.on(CreateNodegroupCommand).resolves({});
    const error = await failure(run());
    expect(error.message).toBe(`node group ${NAME} to become ACTIVE: it is CREATE_FAILED: AsgInstanceLaunchFailures: Could not launch On-Demand Instances. VcpuLimitExceeded - You have requested more vCPU capacity than your current vCPU limit of 32 allows`);
    expect(error.hint).toContain("Running On-Demand Standard instances (service quotas: ec2 L-1216C47A)");
  });
});

describe("infra/nodegroup: adopt and change", () => {
  it("adopts the template and the node group with only reads", async () => {
    templateExists(templateData());
    eksMock.on(DescribeNodegroupCommand).resolves(group());
    const { outputs, report } = await run();
    expect(mutations(ec2Mock, eksMock)).toEqual([]);
    expect(outputs).toEqual({ nodeGroupName: NAME, launchTemplateId: LT });
    expect(report.skipped).toEqual([`node group ${NAME} is ACTIVE with m5.xlarge 2/3/50 on launch template ${LT} version 1`]);
  });

  it("changes scaling in place and waits for the update", async () => {
    templateExists(templateData());
    eksMock.on(DescribeNodegroupCommand).resolves(group({ scalingConfig: { minSize: 2, desiredSize: 2, maxSize: 10 } }));
    eksMock.on(UpdateNodegroupConfigCommand).resolves({ update: { id: "u-scale", status: "InProgress" } });
    eksMock.on(DescribeUpdateCommand).resolvesOnce({ update: { status: "InProgress" } }).resolves({ update: { status: "Successful" } });
    const { report } = await run();
    expect(eksMock.commandCalls(UpdateNodegroupConfigCommand).map((c) => c.args[0].input)).toEqual([{ clusterName: CLUSTER, nodegroupName: NAME, scalingConfig: { minSize: 2, desiredSize: 3, maxSize: 50 } }]);
    expect(eksMock.commandCalls(DescribeUpdateCommand).map((c) => c.args[0].input)).toEqual([
      { name: CLUSTER, nodegroupName: NAME, updateId: "u-scale" }, { name: CLUSTER, nodegroupName: NAME, updateId: "u-scale" },
    ]);
    expect(report.statuses).toContain("update InProgress, 0s");
    expect(report.infos).toEqual([`node group ${NAME}: scaling min/desired/max 2/2/10 → 2/3/50`]);
    expect(mutations(ec2Mock)).toEqual([]);
  });

  it("makes a new template version for new content and rolls the node group onto it", async () => {
    templateExists(templateData({ MetadataOptions: { HttpTokens: "optional", HttpPutResponseHopLimit: 1, HttpEndpoint: "enabled" } }, 80, ["sg-nodes"]));
    ec2Mock.on(CreateLaunchTemplateVersionCommand).resolves({ LaunchTemplateVersion: { VersionNumber: 2 } });
    eksMock.on(DescribeNodegroupCommand).resolves(group());
    eksMock.on(UpdateNodegroupVersionCommand).resolves({ update: { id: "u-roll", status: "InProgress" } });
    eksMock.on(DescribeUpdateCommand).resolves({ update: { status: "Successful" } });
    const { report } = await run();
    expect(ec2Mock.commandCalls(CreateLaunchTemplateVersionCommand).map((c) => c.args[0].input)).toEqual([{ LaunchTemplateId: LT, VersionDescription: "btp-aws", LaunchTemplateData: templateData() }]);
    expect(eksMock.commandCalls(UpdateNodegroupVersionCommand).map((c) => c.args[0].input)).toEqual([{ clusterName: CLUSTER, nodegroupName: NAME, launchTemplate: { id: LT, version: "2" } }]);
    expect(report.infos).toEqual([
      `launch template ${NAME}: version 2 (IMDS tokens optional → required; IMDS hop limit 1 → 2; root volume 80 → 100 GiB; security groups sg-nodes → sg-cluster, sg-nodes)`,
      `node group ${NAME}: rolled the nodes from launch template version 1 to 2`,
    ]);
  });

  it("moves a node group left on an older version to the newest one without another template version", async () => {
    templateExists(templateData({}, 80), templateData());
    eksMock.on(DescribeNodegroupCommand).resolves(group());
    eksMock.on(UpdateNodegroupVersionCommand).resolves({ update: { id: "u-roll", status: "InProgress" } });
    eksMock.on(DescribeUpdateCommand).resolves({ update: { status: "Successful" } });
    await run();
    expect(mutations(ec2Mock, eksMock)).toEqual(["UpdateNodegroupVersion"]);
    expect(eksMock.commandCalls(UpdateNodegroupVersionCommand)[0]!.args[0].input.launchTemplate).toEqual({ id: LT, version: "2" });
  });

  it("adds missing tags to the template and the node group", async () => {
    templateExists(templateData());
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LaunchTemplateId: LT, LaunchTemplateName: NAME, LatestVersionNumber: 1, Tags: [{ Key: "btp-aws:platform", Value: "btp-test" }] }] });
    ec2Mock.on(CreateTagsCommand).resolves({});
    const { team: _team, ...withoutTeam } = TAGS;
    eksMock.on(DescribeNodegroupCommand).resolves(group({ tags: withoutTeam }));
    eksMock.on(TagResourceCommand).resolves({});
    await run();
    expect(ec2Mock.commandCalls(CreateTagsCommand)[0]!.args[0].input.Resources).toEqual([LT]);
    expect(eksMock.commandCalls(TagResourceCommand)[0]!.args[0].input.tags).toEqual({ team: "chain" });
  });

  it("warns about a DEGRADED node group and still finishes", async () => {
    templateExists(templateData());
    eksMock.on(DescribeNodegroupCommand).resolves(group({ status: "DEGRADED", health: { issues: [{ code: "Ec2SecurityGroupNotFound", message: "sg-gone not found" }] } }));
    const { report } = await run();
    expect(report.warnings).toEqual([`node group ${NAME} is DEGRADED: Ec2SecurityGroupNotFound: sg-gone not found`]);
  });
});

describe("infra/nodegroup: drift and errors", () => {
  it("reports other instance types, subnets, role and template as drift, changing nothing", async () => {
    templateExists(templateData());
    eksMock.on(DescribeNodegroupCommand).resolves(group({ instanceTypes: ["t3.large"], subnets: ["subnet-x"], nodeRole: "arn:aws:iam::1:role/x", launchTemplate: { id: "lt-other", version: "1" } }));
    const error = await failure(run());
    expect(error.message).toBe(`node group ${NAME} differs from the config in ways EKS cannot change in place: instance types are t3.large, the config asks for m5.xlarge (cluster.instanceTypes); subnets are subnet-x, the VPC's private subnets are ${PRIVATE.join(", ")}; node role is arn:aws:iam::1:role/x, expected ${NODE_ROLE}; launch template is lt-other, expected ${LT}`);
    expect(error.hint).toBe(`change the config back, or replace the node group deliberately (aws eks delete-nodegroup --cluster-name ${CLUSTER} --nodegroup-name ${NAME}, then run again): btp-aws never replaces it on its own`);
    expect(mutations(ec2Mock, eksMock)).toEqual([]);
  });

  it("refuses a launch template or node group of the same name that is not this platform's", async () => {
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LaunchTemplateId: LT, LaunchTemplateName: NAME, LatestVersionNumber: 1, Tags: [] }] });
    expect((await failure(run())).message).toBe(`launch template ${NAME} (${LT}) exists but is not managed by btp-aws for platform btp-test (its btp-aws:platform tag is missing)`);
    templateExists(templateData());
    eksMock.on(DescribeNodegroupCommand).resolves(group({ tags: { "btp-aws:platform": "other" } }));
    expect((await failure(run())).message).toBe(`node group ${NAME} exists but is not managed by btp-aws for platform btp-test (its btp-aws:platform tag is other)`);
  });

  it("stops at a node group that failed earlier, with the way out", async () => {
    templateExists(templateData());
    eksMock.on(DescribeNodegroupCommand).resolves(group({ status: "CREATE_FAILED", health: { issues: [{ code: "NodeCreationFailure", message: "Instances failed to join the kubernetes cluster" }] } }));
    const error = await failure(run());
    expect(error.message).toBe(`node group ${NAME} is CREATE_FAILED: NodeCreationFailure: Instances failed to join the kubernetes cluster`);
    expect(error.hint).toBe(`fix the cause, delete the node group (aws eks delete-nodegroup --cluster-name ${CLUSTER} --nodegroup-name ${NAME}), wait until it is gone, then run again`);
  });

  it("names the config field EKS or EC2 rejected", async () => {
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [] });
    ec2Mock.on(CreateLaunchTemplateCommand).rejects(new EC2ServiceException({ name: "InvalidParameterValue", $fault: "client", $metadata: {}, message: "Volume size 17000 GiB is above the maximum of 16384" }));
    expect((await failure(run(variant({ diskSizeGiB: 16384 })))).message).toBe("cluster.diskSizeGiB: EC2 rejected 16384 GiB: Volume size 17000 GiB is above the maximum of 16384");

    ec2Mock.on(CreateLaunchTemplateCommand).resolves({ LaunchTemplate: { LaunchTemplateId: LT, LatestVersionNumber: 1 } });
    eksMock.on(DescribeNodegroupCommand).rejects(new ResourceNotFoundException({ message: "none", $metadata: {} }));
    eksMock.on(CreateNodegroupCommand).rejects(new InvalidParameterException({ message: "Instance type m5.huge is not supported in this region", $metadata: {} }));
    const types = await failure(run(variant({ instanceTypes: ["m5.huge"] })));
    expect(types.message).toBe("cluster.instanceTypes: EKS rejected m5.huge: Instance type m5.huge is not supported in this region");

    eksMock.on(CreateNodegroupCommand).rejects(new InvalidParameterException({ message: "desiredSize must be between minSize and maxSize", $metadata: {} }));
    expect((await failure(run())).message).toBe("cluster.minNodes/desiredNodes/maxNodes: EKS rejected 2/3/50: desiredSize must be between minSize and maxSize");
  });

  it("names the quota and the denied action", async () => {
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [] });
    ec2Mock.on(CreateLaunchTemplateCommand).resolves({ LaunchTemplate: { LaunchTemplateId: LT, LatestVersionNumber: 1 } });
    eksMock.on(DescribeNodegroupCommand).rejects(new ResourceNotFoundException({ message: "none", $metadata: {} }));
    eksMock.on(CreateNodegroupCommand).rejects(new ResourceLimitExceededException({ message: "Nodegroups limit exceeded", $metadata: {} }));
    expect((await failure(run())).message).toBe(`create node group ${NAME} (eks:CreateNodegroup, iam:PassRole): ResourceLimitExceededException: Nodegroups limit exceeded: managed node groups per cluster or nodes per node group (service quotas: eks)`);

    eksMock.on(CreateNodegroupCommand).rejects(new AccessDeniedException({ message: "not authorized to perform: iam:PassRole", $metadata: {} }));
    expect((await failure(run())).message).toBe(`not allowed to create node group ${NAME} (eks:CreateNodegroup, iam:PassRole): AccessDeniedException: not authorized to perform: iam:PassRole`);
  });
});

describe("amiTypeFor and launchSettingsDiff", () => {
  it("picks the Amazon Linux 2023 AMI of the instance types' architecture", () => {
    expect(amiTypeFor(["m5.xlarge", "m6i.xlarge", "g4dn.xlarge"])).toBe("AL2023_x86_64_STANDARD");
    expect(amiTypeFor(["m7g.xlarge", "c6gn.large", "t4g.medium"])).toBe("AL2023_ARM_64_STANDARD");
    expect(() => amiTypeFor(["m5.xlarge", "m7g.xlarge"])).toThrow("cluster.instanceTypes: m5.xlarge, m7g.xlarge mixes arm64 (m7g.xlarge) and x86_64 instance types; a node group runs one architecture");
  });

  it("compares a key ARN and its key id as the same key, and names a missing root volume", () => {
    const wanted = wantedLaunchSettings(config, { kmsKeyArn: KEY_ARN, securityGroupIds: ["sg-a"] });
    expect(launchSettingsDiff({ ...wanted, rootVolume: { ...wanted.rootVolume!, kmsKeyId: "11112222-3333-4444-5555-666677778888" } }, wanted)).toEqual([]);
    expect(launchSettingsDiff({ ...wanted, rootVolume: undefined, resourceTags: {} }, wanted)).toEqual([
      "root volume /dev/xvda missing",
      `instance tags ${Object.keys(TAGS).join(", ")}`,
      `volume tags ${Object.keys(TAGS).join(", ")}`,
    ]);
  });
});
