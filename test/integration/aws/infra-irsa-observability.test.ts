/**
 * The observability roles of infra/irsa against moto: Alertmanager's (monitoring.prometheusStack,
 * on by default) may publish to the platform's alarm topic and use the platform key only through
 * SNS; Container Insights' (monitoring.containerInsights) carries the CloudWatch agent's managed
 * policy and X-Ray writes. Each trusts exactly its one service account; a re-run changes nothing;
 * with both switches off neither role is made. The cluster, key and bucket the step needs are
 * created directly with the SDK, as in infra-irsa.test.ts.
 */
import { CreateClusterCommand } from "@aws-sdk/client-eks";
import { GetRoleCommand, GetRolePolicyCommand, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand, ListRolesCommand } from "@aws-sdk/client-iam";
import { CreateKeyCommand } from "@aws-sdk/client-kms";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { CreateTopicCommand } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parsePolicyDocument } from "../../../src/aws/iam-policy-document.js";
import { irsaStep } from "../../../src/phases/infra/irsa.js";
import { infraNames } from "../../../src/phases/infra/names.js";
import type { StepOutputs } from "../../../src/plan/types.js";
import { testConfig } from "../../support/config.js";
import { PREPARE_OUTPUTS, infraServices, runStep, type TestInfraServices } from "../../support/infra.js";
import { MOTO_ACCOUNT, motoControl } from "../../support/moto.js";

const moto = motoControl(inject("motoEndpoint"));
// Production: storage.mode aws, so the btp role exists too (8 IRSA roles with Container Insights).
const config = testConfig({ environment: "production", monitoring: { containerInsights: true } });
const ALERTMANAGER = "btp-btp-test-irsa-alertmanager";
const CONTAINER_INSIGHTS = "btp-btp-test-irsa-cloudwatch-observability";

async function dependencies(services: TestInfraServices): Promise<Record<string, StepOutputs>> {
  const cluster = await (await services.aws.eks()).send(new CreateClusterCommand({
    name: "btp-btp-test",
    roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/btp-btp-test-eks-cluster`,
    resourcesVpcConfig: { subnetIds: ["subnet-1", "subnet-2"] },
  }));
  const key = await (await services.aws.kms()).send(new CreateKeyCommand({ Description: "platform key" }));
  const bucket = `btp-btp-test-${MOTO_ACCOUNT}-eu-west-1`;
  await (await services.aws.s3()).send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
  services.aws.counter.reset();
  return {
    ...PREPARE_OUTPUTS,
    "infra/eks": { clusterName: "btp-btp-test", oidcIssuer: cluster.cluster?.identity?.oidc?.issuer ?? "", kubernetesVersion: "1.35" },
    "infra/kms": { keyId: key.KeyMetadata?.KeyId ?? "", keyArn: key.KeyMetadata?.Arn ?? "", alias: "alias/btp-btp-test" },
    "infra/s3": { bucket, bucketArn: `arn:aws:s3:::${bucket}` },
  };
}

describe("infra/irsa observability roles against moto", () => {
  let services: TestInfraServices;
  let outputs: Record<string, StepOutputs>;
  let first: Awaited<ReturnType<typeof runStep>>;
  let host: string;
  let seconds: number;
  beforeAll(async () => {
    await moto.reset();
    services = infraServices(moto.endpoint);
    outputs = await dependencies(services);
    host = String(outputs["infra/eks"]!.oidcIssuer).replace("https://", "");
    const started = Date.now();
    first = await runStep(irsaStep, config, services, outputs);
    seconds = (Date.now() - started) / 1000;
  });
  afterAll(() => services.aws.destroy());

  it("creates the Alertmanager role for settlemint/settlemint-alertmanager, publishing only to the alarm topic moto would name", async () => {
    console.log(`[irsa] 8 roles with Container Insights against moto: ${seconds.toFixed(1)} s`);
    const iam = await services.aws.iam();
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: ALERTMANAGER }));
    expect(first.outputs.alertmanagerRoleArn).toBe(Role?.Arn);
    expect(parsePolicyDocument(Role?.AssumeRolePolicyDocument ?? "").Statement).toEqual([expect.objectContaining({
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringEquals: { [`${host}:sub`]: "system:serviceaccount:settlemint:settlemint-alertmanager", [`${host}:aud`]: "sts.amazonaws.com" } },
    })]);
    expect(Role?.Tags).toEqual(expect.arrayContaining([{ Key: "btp-aws:platform", Value: "btp-test" }, { Key: "btp-aws:service-account", Value: "settlemint/settlemint-alertmanager" }]));

    // The topic infra/monitoring will create: the ARN SNS gives it is the one the policy names.
    const topic = await (await services.aws.sns()).send(new CreateTopicCommand({ Name: infraNames(config).alarmTopic }));
    const keyArn = String(outputs["infra/kms"]!.keyArn);
    const { PolicyDocument } = await iam.send(new GetRolePolicyCommand({ RoleName: ALERTMANAGER, PolicyName: "btp-aws" }));
    expect(parsePolicyDocument(PolicyDocument ?? "").Statement).toEqual([
      { Sid: "PublishAlerts", Effect: "Allow", Action: "sns:Publish", Resource: topic.TopicArn },
      { Sid: "EncryptedTopic", Effect: "Allow", Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: keyArn, Condition: { StringEquals: { "kms:ViaService": "sns.eu-west-1.amazonaws.com" } } },
    ]);
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: ALERTMANAGER }))).AttachedPolicies).toEqual([]);
  });

  it("creates the Container Insights role for amazon-cloudwatch/cloudwatch-agent with the agent's managed policy and X-Ray writes", async () => {
    const iam = await services.aws.iam();
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: CONTAINER_INSIGHTS }));
    expect(first.outputs.containerInsightsRoleArn).toBe(Role?.Arn);
    expect(parsePolicyDocument(Role?.AssumeRolePolicyDocument ?? "").Statement).toEqual([expect.objectContaining({
      Condition: { StringEquals: { [`${host}:sub`]: "system:serviceaccount:amazon-cloudwatch:cloudwatch-agent", [`${host}:aud`]: "sts.amazonaws.com" } },
    })]);
    // moto loads AWS's managed policies: an ARN that did not exist would be refused here.
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: CONTAINER_INSIGHTS }));
    expect(attached.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual(["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"]);
    const { PolicyDocument } = await iam.send(new GetRolePolicyCommand({ RoleName: CONTAINER_INSIGHTS, PolicyName: "btp-aws" }));
    expect(parsePolicyDocument(PolicyDocument ?? "").Statement).toEqual([{
      Sid: "ApplicationSignalsTraces", Effect: "Allow", Resource: "*",
      Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"],
    }]);
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: CONTAINER_INSIGHTS }))).PolicyNames).toEqual(["btp-aws"]);
  });

  it("adopts both on a re-run with zero mutating calls", async () => {
    services.aws.counter.reset();
    const second = await runStep(irsaStep, config, services, outputs, first.outputs);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    expect(second.outputs).toEqual(first.outputs);
    expect(second.report.skipped).toEqual([`OIDC provider ${host} and 8 roles exist as configured`]);
  });

  it("with both switches off, asks for neither role: no output, no IAM write, and the existing roles are left", async () => {
    const off = testConfig({ environment: "production", monitoring: { prometheusStack: false, containerInsights: false } });
    expect(irsaStep.describe(off).join("\n")).not.toMatch(/alertmanager|cloudwatch-observability/);
    services.aws.counter.reset();
    const run = await runStep(irsaStep, off, services, outputs, first.outputs);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    expect(run.outputs).not.toHaveProperty("alertmanagerRoleArn");
    expect(run.outputs).not.toHaveProperty("containerInsightsRoleArn");
    expect(run.report.skipped).toEqual([`OIDC provider ${host} and 6 roles exist as configured`]);
    // Turning a feature off deletes nothing: destroy removes the roles with the platform.
    const roles = ((await (await services.aws.iam()).send(new ListRolesCommand({}))).Roles ?? []).map((r) => r.RoleName);
    expect(roles).toEqual(expect.arrayContaining([ALERTMANAGER, CONTAINER_INSIGHTS]));
  });
});
