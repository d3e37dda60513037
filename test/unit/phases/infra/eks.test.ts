/** infra/eks decisions, SDK call shapes and error paths, with the EKS and IAM clients mocked. */
import {
  AccessDeniedException, AssociateAccessPolicyCommand, AssociateEncryptionConfigCommand, CreateAccessEntryCommand, CreateClusterCommand, DescribeAccessEntryCommand,
  DescribeClusterCommand, DescribeUpdateCommand, EKSClient, InvalidParameterException, ListAssociatedAccessPoliciesCommand, ResourceInUseException,
  ResourceLimitExceededException, ResourceNotFoundException, TagResourceCommand, UnsupportedAvailabilityZoneException, UpdateClusterConfigCommand, type Cluster,
} from "@aws-sdk/client-eks";
import { GetRoleCommand, IAMClient, IAMServiceException } from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { classifyOperation } from "../../../../src/aws/call-counter.js";
import type { AwsClients } from "../../../../src/aws/clients.js";
import { platformTags } from "../../../../src/aws/tags.js";
import type { Config } from "../../../../src/config/schema.js";
import { BtpAwsError } from "../../../../src/errors.js";
import { iamPrincipal } from "../../../../src/phases/infra/eks-access.js";
import { eksStep } from "../../../../src/phases/infra/eks.js";
import type { InfraServices } from "../../../../src/phases/infra/services.js";
import type { StepOutputs } from "../../../../src/plan/types.js";
import { testConfig } from "../../../support/config.js";
import { runStep } from "../../../support/infra.js";

const ACCOUNT = "123456789012";
const NAME = "btp-btp-test";
const CLUSTER_ARN = `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/${NAME}`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/btp-btp-test-eks-cluster`;
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/11112222-3333-4444-5555-666677778888`;
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:user/installer`;
const ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
const PRIVATE = ["subnet-p1", "subnet-p2", "subnet-p3"];
const PUBLIC = ["subnet-u1", "subnet-u2", "subnet-u3"];
const LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;
const config = testConfig({ tags: { team: "chain" }, cluster: { publicAccessCidrs: ["203.0.113.0/24"] } });

function outputsFor(principal = PRINCIPAL): Record<string, StepOutputs> {
  return {
    "prepare/credentials": { account: ACCOUNT, principal },
    "infra/vpc": { vpcId: "vpc-1", vpcCidr: "10.0.0.0/16", availabilityZones: ["eu-west-1a"], privateSubnetIds: PRIVATE, publicSubnetIds: PUBLIC, internetGatewayId: "igw-1", natGatewayIds: [] },
    "infra/kms": { keyId: "11112222-3333-4444-5555-666677778888", keyArn: KEY_ARN, alias: "alias/btp-btp-test" },
    "infra/iam-roles": { clusterRoleArn: ROLE_ARN, nodeRoleArn: `arn:aws:iam::${ACCOUNT}:role/btp-btp-test-eks-node` },
    "infra/security-groups": { nodeSecurityGroupId: "sg-nodes", albSecurityGroupId: "sg-alb", databaseSecurityGroupId: "sg-db", cacheSecurityGroupId: "sg-cache" },
  };
}

/** A cluster as DescribeCluster returns it once everything is as configured. */
function cluster(overrides: Partial<Cluster> = {}, vpc: Partial<NonNullable<Cluster["resourcesVpcConfig"]>> = {}): { cluster: Cluster } {
  return {
    cluster: {
      name: NAME, arn: CLUSTER_ARN, status: "ACTIVE", version: "1.35", roleArn: ROLE_ARN,
      endpoint: "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
      identity: { oidc: { issuer: "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC" } },
      resourcesVpcConfig: { subnetIds: [...PRIVATE, ...PUBLIC], clusterSecurityGroupId: "sg-cluster", endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"], ...vpc },
      encryptionConfig: [{ resources: ["secrets"], provider: { keyArn: KEY_ARN } }],
      logging: { clusterLogging: [{ types: [...LOGS], enabled: true }] },
      accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" },
      tags: { ...platformTags(config, { Name: NAME }) },
      ...overrides,
    },
  };
}

const OUTPUTS = {
  clusterName: NAME, clusterArn: CLUSTER_ARN, endpoint: "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
  oidcIssuer: "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC", clusterSecurityGroupId: "sg-cluster", kubernetesVersion: "1.35",
};

const eksMock = mockClient(EKSClient);
const iamMock = mockClient(IAMClient);
const eks = new EKSClient({ region: "eu-west-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
const iam = new IAMClient({ region: "eu-west-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });

/** Waits run on a fake clock: each sleep moves time forward instead of passing it. */
function services(): Pick<InfraServices, "aws" | "wait"> {
  let now = 0;
  return {
    aws: { eks: () => Promise.resolve(eks), iam: () => Promise.resolve(iam), endpoint: undefined, region: "eu-west-1" } as unknown as AwsClients,
    wait: { scale: 1, now: () => now, sleep: (ms: number) => { now += ms; return Promise.resolve(); } },
  };
}

function mutations(...mocks: { calls(): { args: readonly unknown[] }[] }[]): string[] {
  return mocks.flatMap((m) => m.calls()).map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, "")).filter((op) => classifyOperation(op) === "mutating");
}

const notFound = () => new ResourceNotFoundException({ message: "No cluster found for name: btp-btp-test.", $metadata: {} });

/** The access entry already in place, with its admin policy. */
function accessInPlace(principal = PRINCIPAL) {
  eksMock.on(DescribeAccessEntryCommand, { principalArn: principal }).resolves({ accessEntry: { accessEntryArn: `${CLUSTER_ARN}/entry`, principalArn: principal, tags: { ...platformTags(config) } } });
  eksMock.on(ListAssociatedAccessPoliciesCommand, { principalArn: principal }).resolves({ associatedAccessPolicies: [{ policyArn: ADMIN, accessScope: { type: "cluster" } }] });
}

async function run(c: Config = config, outputs = outputsFor()) {
  return runStep(eksStep, c, services(), outputs);
}

async function failure(promise: Promise<unknown>): Promise<BtpAwsError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BtpAwsError);
  return error as BtpAwsError;
}

beforeEach(() => {
  eksMock.reset();
  iamMock.reset();
});

describe("infra/eks: create", () => {
  it("declares its place in the DAG", () => {
    expect([eksStep.id, eksStep.phase, eksStep.needs]).toEqual(["infra/eks", "infra", ["infra/vpc", "infra/kms", "infra/iam-roles", "prepare/credentials"]]);
    expect(eksStep.describe(config)[1]).toBe("private endpoint, public endpoint for 203.0.113.0/24");
  });

  it("creates the cluster as configured, waits for ACTIVE, then grants the installer cluster admin", async () => {
    eksMock.on(DescribeClusterCommand).rejectsOnce(notFound()).resolvesOnce(cluster({ status: "CREATING" })).resolvesOnce(cluster({ status: "CREATING" })).resolves(cluster());
    eksMock.on(CreateClusterCommand).resolves({});
    eksMock.on(DescribeAccessEntryCommand).rejects(new ResourceNotFoundException({ message: "no entry", $metadata: {} }));
    eksMock.on(CreateAccessEntryCommand).resolves({ accessEntry: { accessEntryArn: `${CLUSTER_ARN}/entry` } });
    eksMock.on(AssociateAccessPolicyCommand).resolves({});
    const { outputs, report } = await run();

    expect(eksMock.commandCalls(CreateClusterCommand).map((c) => c.args[0].input)).toEqual([{
      name: NAME, version: "1.35", roleArn: ROLE_ARN,
      resourcesVpcConfig: { subnetIds: [...PRIVATE, ...PUBLIC], endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] },
      encryptionConfig: [{ resources: ["secrets"], provider: { keyArn: KEY_ARN } }],
      logging: { clusterLogging: [{ types: [...LOGS], enabled: true }] },
      accessConfig: { authenticationMode: "API_AND_CONFIG_MAP", bootstrapClusterCreatorAdminPermissions: false },
      tags: { ...platformTags(config, { Name: NAME }) },
    }]);
    expect(eksMock.commandCalls(CreateAccessEntryCommand).map((c) => c.args[0].input)).toEqual([{ clusterName: NAME, principalArn: PRINCIPAL, type: "STANDARD", tags: { ...platformTags(config) } }]);
    expect(eksMock.commandCalls(AssociateAccessPolicyCommand).map((c) => c.args[0].input)).toEqual([{ clusterName: NAME, principalArn: PRINCIPAL, policyArn: ADMIN, accessScope: { type: "cluster" } }]);
    expect(report.statuses.filter((s) => s.startsWith("CREATING"))).toEqual(["CREATING, 0s", "CREATING, 20s"]);
    expect(report.infos).toEqual([`created cluster ${NAME} (Kubernetes 1.35)`, `created the access entry for ${PRINCIPAL}; associated AmazonEKSClusterAdminPolicy (cluster scope)`]);
    expect(outputs).toEqual(OUTPUTS);
  });

  it("retries the creation while the new cluster role propagates through IAM", async () => {
    eksMock.on(DescribeClusterCommand).rejectsOnce(notFound()).resolves(cluster());
    eksMock.on(CreateClusterCommand)
      .rejectsOnce(new InvalidParameterException({ message: `Role with arn: ${ROLE_ARN}, could not be assumed because it does not exist or the trusted entity is not correct`, $metadata: {} }))
      .resolves({});
    accessInPlace();
    const { report } = await run();
    expect(eksMock.commandCalls(CreateClusterCommand)).toHaveLength(2);
    expect(report.statuses).toContain("waiting for the cluster role to propagate, 0s");
  });

  it("waits for a cluster whose creation answer was lost (ResourceInUseException) instead of failing", async () => {
    eksMock.on(DescribeClusterCommand).rejectsOnce(notFound()).resolves(cluster());
    eksMock.on(CreateClusterCommand).rejects(new ResourceInUseException({ message: "Cluster already exists with name: btp-btp-test", $metadata: {} }));
    accessInPlace();
    expect((await run()).outputs).toEqual(OUTPUTS);
  });

  it("reports what EKS says when the cluster fails to come up", async () => {
    eksMock.on(DescribeClusterCommand).rejectsOnce(notFound()).resolves(cluster({ status: "FAILED", health: { issues: [{ code: "InsufficientFreeAddresses", message: "subnet-p1 has no free IP addresses" }] } }));
    eksMock.on(CreateClusterCommand).resolves({});
    const error = await failure(run());
    expect(error.message).toBe(`EKS cluster ${NAME} to become ACTIVE: it is FAILED: InsufficientFreeAddresses: subnet-p1 has no free IP addresses`);
  });

  it("gives up after 30 minutes of CREATING, saying so", async () => {
    eksMock.on(DescribeClusterCommand).rejectsOnce(notFound()).resolves(cluster({ status: "CREATING" }));
    eksMock.on(CreateClusterCommand).resolves({});
    const error = await failure(run());
    expect(error.message).toBe(`timed out waiting for EKS cluster ${NAME} to become ACTIVE: still CREATING after 30m00s`);
    expect(error.hint).toBe("AWS may still finish: run the same command again to keep waiting");
  });
});

describe("infra/eks: adopt and repair", () => {
  it("adopts a cluster that matches with only reads", async () => {
    eksMock.on(DescribeClusterCommand).resolves(cluster());
    accessInPlace();
    const { outputs, report } = await run();
    expect(outputs).toEqual(OUTPUTS);
    expect(mutations(eksMock, iamMock)).toEqual([]);
    expect(report.skipped).toEqual([`cluster ${NAME} is ACTIVE at Kubernetes 1.35 as configured; ${PRINCIPAL} has cluster-admin access`]);
  });

  it("repairs in place, one waited update at a time: encryption, endpoint CIDRs, logging, authentication mode, tags", async () => {
    const { team: _team, ...withoutTeam } = platformTags(config, { Name: NAME });
    eksMock.on(DescribeClusterCommand).resolves(cluster({
      encryptionConfig: [],
      logging: { clusterLogging: [{ types: ["api", "audit"], enabled: true }, { types: ["authenticator", "controllerManager", "scheduler"], enabled: false }] },
      accessConfig: { authenticationMode: "CONFIG_MAP" },
      tags: withoutTeam,
    }, { publicAccessCidrs: ["0.0.0.0/0"] }));
    eksMock.on(AssociateEncryptionConfigCommand).resolves({ update: { id: "u-key", status: "InProgress" } });
    eksMock.on(UpdateClusterConfigCommand).callsFake((input: { logging?: unknown; accessConfig?: unknown }) => ({ update: { id: input.logging ? "u-logs" : input.accessConfig ? "u-auth" : "u-cidrs", status: "InProgress" } }));
    eksMock.on(DescribeUpdateCommand).resolvesOnce({ update: { status: "InProgress" } }).resolves({ update: { status: "Successful" } });
    eksMock.on(TagResourceCommand).resolves({});
    accessInPlace();
    const { report } = await run();

    expect(eksMock.commandCalls(AssociateEncryptionConfigCommand).map((c) => c.args[0].input)).toEqual([{ clusterName: NAME, encryptionConfig: [{ resources: ["secrets"], provider: { keyArn: KEY_ARN } }] }]);
    expect(eksMock.commandCalls(UpdateClusterConfigCommand).map((c) => c.args[0].input)).toEqual([
      { name: NAME, resourcesVpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } },
      { name: NAME, logging: { clusterLogging: [{ types: [...LOGS], enabled: true }] } },
      { name: NAME, accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" } },
    ]);
    expect(eksMock.commandCalls(DescribeUpdateCommand).map((c) => c.args[0].input.updateId)).toEqual(["u-key", "u-key", "u-cidrs", "u-logs", "u-auth"]);
    expect(eksMock.commandCalls(TagResourceCommand).map((c) => c.args[0].input)).toEqual([{ resourceArn: CLUSTER_ARN, tags: { team: "chain" } }]);
    expect(report.infos).toEqual([
      `cluster ${NAME}: encrypt secrets with the platform key; allow the public endpoint from 203.0.113.0/24; turn on authenticator, controllerManager, scheduler logs; accept access entries (API_AND_CONFIG_MAP); add tags team`,
    ]);
  });

  it("fails with EKS's errors when an update fails", async () => {
    eksMock.on(DescribeClusterCommand).resolves(cluster({}, { publicAccessCidrs: ["0.0.0.0/0"] }));
    eksMock.on(UpdateClusterConfigCommand).resolves({ update: { id: "u-1", status: "InProgress" } });
    eksMock.on(DescribeUpdateCommand).resolves({ update: { status: "Failed", errors: [{ errorCode: "InsufficientFreeAddresses", errorMessage: "One or more of the subnets has insufficient free IP addresses" }] } });
    const error = await failure(run());
    expect(error.message).toBe(`EKS cluster ${NAME} to allow the public endpoint from 203.0.113.0/24: it is Failed: InsufficientFreeAddresses: One or more of the subnets has insufficient free IP addresses`);
  });

  it("adds the access entry of an assumed role as its IAM role, path included", async () => {
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Admin_0123/jane@example.com`;
    const role = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123`;
    eksMock.on(DescribeClusterCommand).resolves(cluster());
    iamMock.on(GetRoleCommand, { RoleName: "AWSReservedSSO_Admin_0123" }).resolves({ Role: { RoleName: "AWSReservedSSO_Admin_0123", Arn: role, Path: "/aws-reserved/sso.amazonaws.com/eu-west-1/", RoleId: "AROA", CreateDate: new Date() } });
    eksMock.on(DescribeAccessEntryCommand).rejects(new ResourceNotFoundException({ message: "no entry", $metadata: {} }));
    eksMock.on(CreateAccessEntryCommand).resolves({ accessEntry: { accessEntryArn: `${CLUSTER_ARN}/entry` } });
    eksMock.on(AssociateAccessPolicyCommand).resolves({});
    await run(config, outputsFor(session));
    expect(eksMock.commandCalls(CreateAccessEntryCommand)[0]!.args[0].input.principalArn).toBe(role);
    expect(eksMock.commandCalls(AssociateAccessPolicyCommand)[0]!.args[0].input.principalArn).toBe(role);
  });

  it("falls back to the path-less role ARN when the role cannot be read", async () => {
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci`;
    eksMock.on(DescribeClusterCommand).resolves(cluster());
    iamMock.on(GetRoleCommand).rejects(new IAMServiceException({ name: "AccessDenied", $fault: "client", $metadata: {}, message: "no" }));
    accessInPlace(`arn:aws:iam::${ACCOUNT}:role/deployer`);
    const { report } = await run(config, outputsFor(session));
    expect(report.skipped[0]).toContain(`arn:aws:iam::${ACCOUNT}:role/deployer has cluster-admin access`);
  });

  it("associates the admin policy when an existing entry lacks it", async () => {
    eksMock.on(DescribeClusterCommand).resolves(cluster());
    eksMock.on(DescribeAccessEntryCommand).resolves({ accessEntry: { accessEntryArn: `${CLUSTER_ARN}/entry`, tags: { ...platformTags(config) } } });
    eksMock.on(ListAssociatedAccessPoliciesCommand).resolves({ associatedAccessPolicies: [{ policyArn: ADMIN, accessScope: { type: "namespace", namespaces: ["default"] } }] });
    eksMock.on(AssociateAccessPolicyCommand).resolves({});
    const { report } = await run();
    expect(mutations(eksMock)).toEqual(["AssociateAccessPolicy"]);
    expect(report.infos).toEqual(["associated AmazonEKSClusterAdminPolicy (cluster scope)"]);
  });
});

describe("infra/eks: drift and errors", () => {
  it("reports a newer configured version as drift, with the one-minor-at-a-time upgrade in the hint", async () => {
    eksMock.on(DescribeClusterCommand).resolves(cluster({ version: "1.32" }));
    const error = await failure(run());
    expect(error.message).toBe(`EKS cluster ${NAME} differs from the config in ways EKS cannot change in place: Kubernetes version is 1.32, the config asks for 1.35`);
    expect(error.hint).toBe(`upgrades are explicit, one minor version at a time: run \`aws eks update-cluster-version --name ${NAME} --kubernetes-version 1.33\`, wait until it finishes, repeat up to 1.35, then run again`);
    expect(mutations(eksMock, iamMock)).toEqual([]);
  });

  it("says a downgrade is impossible", async () => {
    eksMock.on(DescribeClusterCommand).resolves(cluster({ version: "1.36" }));
    expect((await failure(run())).hint).toBe("EKS cannot downgrade a cluster: set cluster.kubernetesVersion to 1.36, then run again");
  });

  it("reports another secrets key and other subnets together", async () => {
    const other = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/99999999-0000-0000-0000-000000000000`;
    eksMock.on(DescribeClusterCommand).resolves(cluster({ encryptionConfig: [{ resources: ["secrets"], provider: { keyArn: other } }] }, { subnetIds: ["subnet-old1", "subnet-old2"] }));
    const error = await failure(run());
    expect(error.message).toBe(`EKS cluster ${NAME} differs from the config in ways EKS cannot change in place: secrets are encrypted with ${other}, the platform key is ${KEY_ARN}; subnets are subnet-old1, subnet-old2, the VPC's are ${[...PRIVATE, ...PUBLIC].join(", ")}`);
    expect(error.hint).toBe(`change the config back, or replace the cluster deliberately (delete ${NAME} and run again): btp-aws never replaces a cluster on its own`);
    expect(mutations(eksMock, iamMock)).toEqual([]);
  });

  it("refuses a cluster of the same name that is not this platform's", async () => {
    eksMock.on(DescribeClusterCommand).resolves(cluster({ tags: { owner: "someone" } }));
    expect((await failure(run())).message).toBe(`EKS cluster ${NAME} exists but is not managed by btp-aws for platform btp-test (its btp-aws:platform tag is missing)`);
  });

  it("refuses to work on a cluster that is being deleted", async () => {
    eksMock.on(DescribeClusterCommand).resolves(cluster({ status: "DELETING" }));
    const error = await failure(run());
    expect([error.message, error.hint]).toEqual([`EKS cluster ${NAME} is being deleted`, "wait until it is gone (aws eks describe-cluster), then run again to create it anew"]);
  });

  it("names the config field when EKS rejects the version or the CIDRs", async () => {
    eksMock.on(DescribeClusterCommand).rejects(notFound());
    eksMock.on(CreateClusterCommand).rejects(new InvalidParameterException({ message: "unsupported Kubernetes version 1.35", $metadata: {} }));
    const version = await failure(run());
    expect(version.message).toBe("cluster.kubernetesVersion: EKS rejected 1.35: unsupported Kubernetes version 1.35");
    expect(version.hint).toBe("choose a version in EKS standard support (aws eks describe-cluster-versions), then run again");

    eksMock.on(CreateClusterCommand).rejects(new InvalidParameterException({ message: "The following CIDRs are invalid in publicAccessCidrs: [10.0.0.0/8]", $metadata: {} }));
    expect((await failure(run())).message).toBe("cluster.publicAccessCidrs: EKS rejected 203.0.113.0/24: The following CIDRs are invalid in publicAccessCidrs: [10.0.0.0/8]");
  });

  it("names the quota when the region has too many clusters, and the zone EKS cannot use", async () => {
    eksMock.on(DescribeClusterCommand).rejects(notFound());
    eksMock.on(CreateClusterCommand).rejects(new ResourceLimitExceededException({ message: "Cluster limit exceeded for account", $metadata: {} }));
    expect((await failure(run())).message).toBe(`create EKS cluster ${NAME} (eks:CreateCluster, iam:PassRole): ResourceLimitExceededException: Cluster limit exceeded for account: EKS clusters per region (service quotas: eks L-1194D53C)`);

    eksMock.on(CreateClusterCommand).rejects(new UnsupportedAvailabilityZoneException({ message: "Cannot create cluster because us-east-1e does not have sufficient capacity", $metadata: {} }));
    expect((await failure(run())).message).toBe("network.azCount: EKS cannot place a control plane in one of the VPC's availability zones: Cannot create cluster because us-east-1e does not have sufficient capacity");
  });

  it("names the EKS action when access is denied", async () => {
    eksMock.on(DescribeClusterCommand).rejects(notFound());
    eksMock.on(CreateClusterCommand).rejects(new AccessDeniedException({ message: "User is not authorized to perform: eks:CreateCluster", $metadata: {} }));
    const error = await failure(run());
    expect(error.message).toBe(`not allowed to create EKS cluster ${NAME} (eks:CreateCluster, iam:PassRole): AccessDeniedException: User is not authorized to perform: eks:CreateCluster`);
  });
});

describe("iamPrincipal", () => {
  it("turns an assumed-role session into its role and leaves users and roles alone", () => {
    expect(iamPrincipal(`arn:aws:sts::${ACCOUNT}:assumed-role/Admin/jane`)).toEqual({ arn: `arn:aws:iam::${ACCOUNT}:role/Admin`, roleName: "Admin", account: ACCOUNT });
    expect(iamPrincipal(`arn:aws-cn:sts::${ACCOUNT}:assumed-role/Admin/s`).arn).toBe(`arn:aws-cn:iam::${ACCOUNT}:role/Admin`);
    expect(iamPrincipal(PRINCIPAL)).toEqual({ arn: PRINCIPAL });
  });

  it("refuses a federated user, which no access entry can name", () => {
    expect(() => iamPrincipal(`arn:aws:sts::${ACCOUNT}:federated-user/bob`)).toThrow(`the installer runs as federated user arn:aws:sts::${ACCOUNT}:federated-user/bob, which an EKS access entry cannot name`);
  });
});
