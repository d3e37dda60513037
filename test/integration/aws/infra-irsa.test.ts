/**
 * infra/irsa against moto: the OIDC provider and five roles created once, each trusting exactly
 * one service account and scoped to the platform's resources; a re-run makes zero mutating
 * calls; tampered policies are put back. The cluster, key and bucket the step needs are created
 * directly with the SDK (moto gives every cluster in a region the same OIDC issuer).
 */
import { CreateClusterCommand } from "@aws-sdk/client-eks";
import {
  DeleteRoleCommand, DeleteRolePolicyCommand, DetachRolePolicyCommand, GetOpenIDConnectProviderCommand, GetRoleCommand, GetRolePolicyCommand, ListAttachedRolePoliciesCommand,
  ListOpenIDConnectProvidersCommand, ListRolePoliciesCommand, ListRolesCommand, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { CreateKeyCommand } from "@aws-sdk/client-kms";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parsePolicyDocument } from "../../../src/aws/iam-policy-document.js";
import { BtpAwsError } from "../../../src/errors.js";
import { irsaStep } from "../../../src/phases/infra/irsa.js";
import type { StepOutputs } from "../../../src/plan/types.js";
import { awsTestConfig as testConfig } from "../../support/aws-modes.js";
import { PREPARE_OUTPUTS, infraServices, runStep, type TestInfraServices } from "../../support/infra.js";
import { MOTO_ACCOUNT, motoControl } from "../../support/moto.js";

const moto = motoControl(inject("motoEndpoint"));
// Production: storage.mode aws, so the btp role (the bucket's) is among the roles.
const config = testConfig({ environment: "production", tags: { team: "chain" } });
const ROLE_PREFIX = "btp-btp-test-irsa-";

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Principal?: { Federated?: string };
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** What the steps before infra/irsa would have recorded, made real in moto. */
async function dependencies(services: TestInfraServices): Promise<Record<string, StepOutputs>> {
  const eks = await services.aws.eks();
  const cluster = await eks.send(new CreateClusterCommand({
    name: "btp-btp-test",
    roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/btp-btp-test-eks-cluster`,
    resourcesVpcConfig: { subnetIds: ["subnet-1", "subnet-2"] },
  }));
  const kms = await services.aws.kms();
  const key = await kms.send(new CreateKeyCommand({ Description: "platform key" }));
  const s3 = await services.aws.s3();
  const bucket = `btp-btp-test-${MOTO_ACCOUNT}-eu-west-1`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
  services.aws.counter.reset();
  return {
    ...PREPARE_OUTPUTS,
    "infra/eks": { clusterName: "btp-btp-test", oidcIssuer: cluster.cluster?.identity?.oidc?.issuer ?? "", kubernetesVersion: "1.34" },
    "infra/kms": { keyId: key.KeyMetadata?.KeyId ?? "", keyArn: key.KeyMetadata?.Arn ?? "", alias: "alias/btp-btp-test" },
    "infra/s3": { bucket, bucketArn: `arn:aws:s3:::${bucket}` },
  };
}

async function statements(services: TestInfraServices, role: string): Promise<Statement[]> {
  const iam = await services.aws.iam();
  const { PolicyDocument } = await iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: "btp-aws" }));
  return parsePolicyDocument(PolicyDocument ?? "").Statement as Statement[];
}

/** The one subject each role must trust, by role suffix. */
const SUBJECTS: Record<string, string> = {
  "cert-manager": "system:serviceaccount:cert-manager:cert-manager",
  vault: "system:serviceaccount:vault:vault",
  "aws-load-balancer-controller": "system:serviceaccount:kube-system:aws-load-balancer-controller",
  "ebs-csi": "system:serviceaccount:kube-system:ebs-csi-controller-sa",
  btp: "system:serviceaccount:settlemint:settlemint",
  "cluster-autoscaler": "system:serviceaccount:kube-system:cluster-autoscaler",
  alertmanager: "system:serviceaccount:settlemint:settlemint-alertmanager",
};

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

describe("infra/irsa against moto", () => {
  // One reset and one first run for the file: moto's IAM loads the managed policies (~3 s) on
  // the first call after a reset. The tests after the first only read, or put back what they break.
  let services: TestInfraServices;
  let outputs: Record<string, StepOutputs>;
  let first: Awaited<ReturnType<typeof runStep>>;
  let firstCounts: Record<string, number>;
  let host: string;
  beforeAll(async () => {
    await moto.reset();
    services = infraServices(moto.endpoint);
    outputs = await dependencies(services);
    host = String(outputs["infra/eks"]!.oidcIssuer).replace("https://", "");
    first = await runStep(irsaStep, config, services, outputs);
    firstCounts = services.aws.counter.snapshot().byOperation;
  });
  afterAll(() => services.aws.destroy());

  it("creates the OIDC provider and seven roles once, each trusting exactly one service account", async () => {
    const iam = await services.aws.iam();
    const providers = (await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? [];
    expect(providers.map((p) => p.Arn)).toEqual([`arn:aws:iam::${MOTO_ACCOUNT}:oidc-provider/${host}`]);
    const provider = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: String(first.outputs.oidcProviderArn) }));
    expect(provider.ClientIDList).toEqual(["sts.amazonaws.com"]);
    expect(provider.ThumbprintList).toEqual(["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]);
    expect(provider.Tags).toEqual(expect.arrayContaining([{ Key: "btp-aws:platform", Value: "btp-test" }, { Key: "team", Value: "chain" }]));

    const roles = ((await iam.send(new ListRolesCommand({}))).Roles ?? []).filter((r) => r.RoleName?.startsWith(ROLE_PREFIX)).map((r) => r.RoleName).sort();
    expect(roles).toEqual(["alertmanager", "aws-load-balancer-controller", "btp", "cert-manager", "cluster-autoscaler", "ebs-csi", "vault"].map((s) => ROLE_PREFIX + s));
    for (const [service, subject] of Object.entries(SUBJECTS)) {
      const { Role } = await iam.send(new GetRoleCommand({ RoleName: ROLE_PREFIX + service }));
      const trust = parsePolicyDocument(Role?.AssumeRolePolicyDocument ?? "").Statement as Statement[];
      expect(trust).toHaveLength(1);
      expect(trust[0]!.Action).toBe("sts:AssumeRoleWithWebIdentity");
      expect(trust[0]!.Principal).toEqual({ Federated: first.outputs.oidcProviderArn });
      // Exactly one subject, pinned with StringEquals (no wildcard operator), and the STS audience.
      expect(trust[0]!.Condition).toEqual({ StringEquals: { [`${host}:sub`]: subject, [`${host}:aud`]: "sts.amazonaws.com" } });
      expect(Role?.Tags).toEqual(expect.arrayContaining([{ Key: "btp-aws:platform", Value: "btp-test" }, { Key: "btp-aws:managed-by", Value: "btp-aws" }, { Key: "team", Value: "chain" }]));
    }
    expect(first.outputs).toEqual({
      oidcProviderArn: `arn:aws:iam::${MOTO_ACCOUNT}:oidc-provider/${host}`,
      certManagerRoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/${ROLE_PREFIX}cert-manager`,
      vaultRoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/${ROLE_PREFIX}vault`,
      loadBalancerControllerRoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/${ROLE_PREFIX}aws-load-balancer-controller`,
      ebsCsiRoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/${ROLE_PREFIX}ebs-csi`,
      btpRoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/${ROLE_PREFIX}btp`,
      clusterAutoscalerRoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/${ROLE_PREFIX}cluster-autoscaler`,
      alertmanagerRoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/${ROLE_PREFIX}alertmanager`,
    });
    expect(firstCounts["IAM.CreateOpenIDConnectProvider"]).toBe(1);
    expect(firstCounts["IAM.CreateRole"]).toBe(7);
    expect(firstCounts["IAM.PutRolePolicy"]).toBe(7);
    expect(firstCounts["IAM.AttachRolePolicy"]).toBe(1);
    expect(first.report.infos).toEqual([
      `created OIDC provider ${host}`,
      ...Object.entries(SUBJECTS).map(([service, subject]) => `created role ${ROLE_PREFIX}${service} for ${subject.split(":").slice(2).join("/")}`),
    ]);
  });

  it("scopes each role's policies to this platform's zone, key and bucket", async () => {
    const keyArn = String(outputs["infra/kms"]!.keyArn);
    const bucketArn = String(outputs["infra/s3"]!.bucketArn);
    const iam = await services.aws.iam();

    const certManager = await statements(services, `${ROLE_PREFIX}cert-manager`);
    const zoneActions = certManager.filter((s) => list(s.Action).includes("route53:ChangeResourceRecordSets"));
    expect(zoneActions.map((s) => s.Resource)).toEqual(["arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"]);
    expect(certManager.filter((s) => s.Resource === "*").flatMap((s) => list(s.Action))).toEqual(["route53:ListHostedZonesByName"]);

    const vault = await statements(services, `${ROLE_PREFIX}vault`);
    expect(vault).toEqual([expect.objectContaining({ Action: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], Resource: keyArn })]);

    const btp = await statements(services, `${ROLE_PREFIX}btp`);
    expect(btp.flatMap((s) => list(s.Resource)).sort()).toEqual([keyArn, bucketArn, `${bucketArn}/*`].sort());

    const ebs = await statements(services, `${ROLE_PREFIX}ebs-csi`);
    expect(ebs.every((s) => s.Resource === keyArn)).toBe(true);
    expect(ebs.find((s) => list(s.Action).includes("kms:CreateGrant"))?.Condition).toEqual({ Bool: { "kms:GrantIsForAWSResource": "true" } });
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: `${ROLE_PREFIX}ebs-csi` }));
    expect(attached.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual(["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"]);

    // The controller's published policy, unchanged: 16 statements, ELB actions among them.
    const controller = await statements(services, `${ROLE_PREFIX}aws-load-balancer-controller`);
    expect(controller).toHaveLength(16);
    expect(controller.flatMap((s) => list(s.Action))).toContain("elasticloadbalancing:CreateLoadBalancer");
    for (const service of ["cert-manager", "vault", "btp", "aws-load-balancer-controller"]) {
      expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: ROLE_PREFIX + service }))).AttachedPolicies).toEqual([]);
      expect((await iam.send(new ListRolePoliciesCommand({ RoleName: ROLE_PREFIX + service }))).PolicyNames).toEqual(["btp-aws"]);
    }
  });

  it("adopts everything on a re-run with zero mutating calls", async () => {
    services.aws.counter.reset();
    const second = await runStep(irsaStep, config, services, outputs, first.outputs);
    expect(second.outputs).toEqual(first.outputs);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    expect(second.report.skipped).toEqual([`OIDC provider ${host} and 7 roles exist as configured`]);
    expect(second.report.infos).toEqual([]);
    expect(second.report.warnings).toEqual([]);
  });

  it("restores a tampered inline policy, a widened trust policy and a detached managed policy", async () => {
    const iam = await services.aws.iam();
    const vault = `${ROLE_PREFIX}vault`;
    const original = await statements(services, vault);
    await iam.send(new PutRolePolicyCommand({
      RoleName: vault,
      PolicyName: "btp-aws",
      PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] }),
    }));
    const btp = `${ROLE_PREFIX}btp`;
    const widened = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Federated: first.outputs.oidcProviderArn }, Action: "sts:AssumeRoleWithWebIdentity" }],
    });
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: btp, PolicyDocument: widened }));
    const ebs = `${ROLE_PREFIX}ebs-csi`;
    await iam.send(new DetachRolePolicyCommand({ RoleName: ebs, PolicyArn: "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy" }));
    services.aws.counter.reset();

    const again = await runStep(irsaStep, config, services, outputs, first.outputs);
    expect(again.report.infos).toEqual([
      `role ${ROLE_PREFIX}vault: restored inline policy btp-aws`,
      `role ${ROLE_PREFIX}ebs-csi: attached arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy`,
      `role ${ROLE_PREFIX}btp: restored the trust policy (only settlemint/settlemint)`,
    ]);
    expect(await statements(services, vault)).toEqual(original);
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: btp }));
    const trust = parsePolicyDocument(Role?.AssumeRolePolicyDocument ?? "").Statement as Statement[];
    expect(Object.values(trust[0]!.Condition?.StringEquals ?? {})).toContain("system:serviceaccount:settlemint:settlemint");
    expect(services.aws.counter.mutatingOperations().sort()).toEqual(["IAM.AttachRolePolicy", "IAM.PutRolePolicy", "IAM.UpdateAssumeRolePolicy"]);
    expect(again.outputs).toEqual(first.outputs);

    // Repaired means settled: the run after the repair changes nothing.
    services.aws.counter.reset();
    await runStep(irsaStep, config, services, outputs, first.outputs);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
  });

  it("refuses the provider when another platform's config finds it (moto shares one issuer per region)", async () => {
    services.aws.counter.reset();
    const other = testConfig({ platform: "other-platform" });
    const error = await runStep(irsaStep, other, services, outputs).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(BtpAwsError);
    expect((error as BtpAwsError).message).toBe(`OIDC provider ${String(first.outputs.oidcProviderArn)} exists but is not managed by btp-aws for platform other-platform (it is tagged for platform btp-test)`);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
  });

  it("recreates a role deleted out of band, alone", async () => {
    const iam = await services.aws.iam();
    const role = `${ROLE_PREFIX}cert-manager`;
    await iam.send(new DeleteRolePolicyCommand({ RoleName: role, PolicyName: "btp-aws" }));
    await iam.send(new DeleteRoleCommand({ RoleName: role }));
    services.aws.counter.reset();
    const again = await runStep(irsaStep, config, services, outputs, first.outputs);
    expect(again.report.infos).toEqual([`created role ${role} for cert-manager/cert-manager`]);
    expect(services.aws.counter.mutatingOperations().sort()).toEqual(["IAM.CreateRole", "IAM.PutRolePolicy"]);
    expect(again.outputs).toEqual(first.outputs);
  });
});
