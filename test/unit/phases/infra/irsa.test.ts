/** infra/irsa decisions, SDK call shapes and error paths, with the IAM client mocked. */
import {
  AddClientIDToOpenIDConnectProviderCommand, AttachRolePolicyCommand, CreateOpenIDConnectProviderCommand, CreateRoleCommand, GetOpenIDConnectProviderCommand,
  GetRoleCommand, GetRolePolicyCommand, IAMClient, IAMServiceException, ListAttachedRolePoliciesCommand, ListOpenIDConnectProvidersCommand, ListRolePoliciesCommand, ListRoleTagsCommand,
  NoSuchEntityException, PutRolePolicyCommand, TagOpenIDConnectProviderCommand, TagRoleCommand, UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AwsClients } from "../../../../src/aws/clients.js";
import { classifyOperation } from "../../../../src/aws/call-counter.js";
import { platformTags, tagList } from "../../../../src/aws/tags.js";
import { BtpAwsError } from "../../../../src/errors.js";
import { EKS_OIDC_ROOT_CA_THUMBPRINT, irsaStep } from "../../../../src/phases/infra/irsa.js";
import {
  IRSA_SERVICE_ACCOUNTS, btpPolicy, clusterAutoscalerPolicy, certManagerPolicy, ebsCsiKeyPolicy, loadBalancerControllerPolicy, serviceAccountTrustPolicy, vaultPolicy, type IrsaService,
  alarmTopicArn, alertmanagerPolicy, cloudWatchObservabilityPolicy, irsaServiceWanted,
} from "../../../../src/phases/infra/irsa-policies.js";
import type { InfraServices } from "../../../../src/phases/infra/services.js";
import type { StepOutputs } from "../../../../src/plan/types.js";
import { awsTestConfig as testConfig } from "../../../support/aws-modes.js";
import { PREPARE_OUTPUTS, runStep } from "../../../support/infra.js";

const ACCOUNT = "123456789012";
const HOST = "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";
const ISSUER = `https://${HOST}`;
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/11112222-3333-4444-5555-666677778888`;
const BUCKET_ARN = `arn:aws:s3:::btp-btp-test-${ACCOUNT}-eu-west-1`;
const EBS_MANAGED = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy";
const config = testConfig({ tags: { team: "chain" } });
/** The roles this config asks for (Container Insights is off by default: no role for it). */
const SERVICES = (Object.keys(IRSA_SERVICE_ACCOUNTS) as IrsaService[]).filter((service) => irsaServiceWanted(service, config));
const roleName = (service: IrsaService) => `btp-btp-test-irsa-${service}`;

const OUTPUTS: Record<string, StepOutputs> = {
  ...PREPARE_OUTPUTS,
  "infra/eks": { clusterName: "btp-btp-test", oidcIssuer: ISSUER, kubernetesVersion: "1.34" },
  "infra/kms": { keyId: "11112222-3333-4444-5555-666677778888", keyArn: KEY_ARN, alias: "alias/btp-btp-test" },
  "infra/s3": { bucket: `btp-btp-test-${ACCOUNT}-eu-west-1`, bucketArn: BUCKET_ARN },
};

const iamMock = mockClient(IAMClient);
const iam = new IAMClient({ region: "eu-west-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
const services = {
  aws: { iam: () => Promise.resolve(iam), endpoint: undefined, region: "eu-west-1" } as unknown as AwsClients,
  wait: { scale: 1, sleep: () => Promise.resolve(), now: (() => { let t = 0; return () => (t += 1_000); })() },
} satisfies Pick<InfraServices, "aws" | "wait">;

function iamError(name: string, message: string): IAMServiceException {
  return new IAMServiceException({ name, $fault: "client", $metadata: { httpStatusCode: 400 }, message });
}
const noSuchEntity = () => new NoSuchEntityException({ message: "not found", $metadata: {} });

async function inlineFor(service: IrsaService): Promise<object> {
  switch (service) {
    case "cert-manager": return certManagerPolicy(config.dns.hostedZoneId);
    case "vault": return vaultPolicy(KEY_ARN);
    case "aws-load-balancer-controller": return loadBalancerControllerPolicy();
    case "ebs-csi": return ebsCsiKeyPolicy(KEY_ARN);
    case "btp": return btpPolicy(BUCKET_ARN, KEY_ARN);
    case "cluster-autoscaler": return clusterAutoscalerPolicy("btp-btp-test");
    case "alertmanager": return alertmanagerPolicy(alarmTopicArn(KEY_ARN, "eu-west-1", "btp-btp-test-alarms"), KEY_ARN, "eu-west-1");
    case "cloudwatch-observability": return cloudWatchObservabilityPolicy();
  }
}
function roleTags(service: IrsaService) {
  const account = IRSA_SERVICE_ACCOUNTS[service];
  return platformTags(config, { Name: roleName(service), "btp-aws:service-account": `${account.namespace}/${account.name}` });
}
const trustFor = (service: IrsaService) => serviceAccountTrustPolicy(PROVIDER_ARN, HOST, IRSA_SERVICE_ACCOUNTS[service]);

/** IAM as a finished first run left it; IAM returns documents URL-encoded, as AWS does. */
async function installedWorld(): Promise<void> {
  iamMock.on(ListOpenIDConnectProvidersCommand).resolves({ OpenIDConnectProviderList: [{ Arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/other.example.com` }, { Arn: PROVIDER_ARN }] });
  iamMock.on(GetOpenIDConnectProviderCommand).resolves({ Url: HOST, ClientIDList: ["sts.amazonaws.com"], ThumbprintList: [EKS_OIDC_ROOT_CA_THUMBPRINT], Tags: tagList(platformTags(config, { Name: "btp-btp-test-oidc" })) });
  for (const service of SERVICES) {
    const name = roleName(service);
    iamMock.on(GetRoleCommand, { RoleName: name }).resolves({
      Role: { RoleName: name, RoleId: "AROA", Path: "/", CreateDate: new Date(), Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trustFor(service))), Tags: tagList(roleTags(service)) },
    });
    iamMock.on(ListRolePoliciesCommand, { RoleName: name }).resolves({ PolicyNames: ["btp-aws"] });
    iamMock.on(GetRolePolicyCommand, { RoleName: name }).resolves({ RoleName: name, PolicyName: "btp-aws", PolicyDocument: encodeURIComponent(JSON.stringify(await inlineFor(service))) });
    iamMock.on(ListAttachedRolePoliciesCommand, { RoleName: name }).resolves({ AttachedPolicies: service === "ebs-csi" ? [{ PolicyArn: EBS_MANAGED, PolicyName: "AmazonEBSCSIDriverPolicy" }] : [] });
  }
}

/** An account with nothing of ours in it. */
function emptyWorld(): void {
  iamMock.on(ListOpenIDConnectProvidersCommand).resolves({ OpenIDConnectProviderList: [] });
  iamMock.on(CreateOpenIDConnectProviderCommand).resolves({ OpenIDConnectProviderArn: PROVIDER_ARN });
  iamMock.on(GetRoleCommand).rejects(noSuchEntity());
  iamMock.on(CreateRoleCommand).callsFake((input: { RoleName: string }) => ({ Role: { RoleName: input.RoleName, Arn: `arn:aws:iam::${ACCOUNT}:role/${input.RoleName}`, RoleId: "AROA", Path: "/", CreateDate: new Date() } }));
  iamMock.on(PutRolePolicyCommand).resolves({});
  iamMock.on(AttachRolePolicyCommand).resolves({});
}

function mutations(): string[] {
  return iamMock.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, "")).filter((op) => classifyOperation(op) === "mutating");
}

async function failure(promise: Promise<unknown>): Promise<BtpAwsError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BtpAwsError);
  return error as BtpAwsError;
}

const run = () => runStep(irsaStep, config, services, OUTPUTS);

beforeEach(() => iamMock.reset());
afterEach(() => iamMock.reset());

describe("infra/irsa: plan", () => {
  it("declares its needs and describes every role with the one service account it trusts", () => {
    expect(irsaStep.needs).toEqual(["infra/eks", "infra/s3", "infra/kms", "prepare/credentials"]);
    expect(irsaStep.describe(config)).toEqual([
      "create or adopt the cluster's IAM OIDC provider (client id sts.amazonaws.com)",
      "create or adopt role btp-btp-test-irsa-cert-manager, assumable only by cert-manager/cert-manager",
      "create or adopt role btp-btp-test-irsa-vault, assumable only by vault/vault",
      "create or adopt role btp-btp-test-irsa-aws-load-balancer-controller, assumable only by kube-system/aws-load-balancer-controller",
      "create or adopt role btp-btp-test-irsa-ebs-csi, assumable only by kube-system/ebs-csi-controller-sa",
      "create or adopt role btp-btp-test-irsa-btp, assumable only by settlemint/settlemint",
      "create or adopt role btp-btp-test-irsa-cluster-autoscaler, assumable only by kube-system/cluster-autoscaler",
      "create or adopt role btp-btp-test-irsa-alertmanager, assumable only by settlemint/settlemint-alertmanager",
    ]);
  });
});

describe("infra/irsa: creating", () => {
  it("creates the provider with the STS client id and the root CA thumbprint, tagged", async () => {
    emptyWorld();
    await run();
    const [create] = iamMock.commandCalls(CreateOpenIDConnectProviderCommand);
    expect(create!.args[0].input).toEqual({
      Url: ISSUER,
      ClientIDList: ["sts.amazonaws.com"],
      ThumbprintList: ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"],
      Tags: expect.arrayContaining([{ Key: "btp-aws:platform", Value: "btp-test" }, { Key: "btp-aws:managed-by", Value: "btp-aws" }, { Key: "team", Value: "chain" }, { Key: "Name", Value: "btp-btp-test-oidc" }]) as unknown,
    });
  });

  it("creates seven roles, each trusting one service account, with its inline policy; ebs-csi also gets the managed policy", async () => {
    emptyWorld();
    const { outputs, report } = await run();
    const creates = iamMock.commandCalls(CreateRoleCommand).map((c) => c.args[0].input);
    expect(creates.map((c) => c.RoleName)).toEqual(SERVICES.map(roleName));
    for (const [index, service] of SERVICES.entries()) {
      expect(JSON.parse(creates[index]!.AssumeRolePolicyDocument!)).toEqual(trustFor(service));
      expect(creates[index]!.Tags).toEqual(expect.arrayContaining(tagList(roleTags(service))));
    }
    expect(JSON.parse(creates[0]!.AssumeRolePolicyDocument!)).toEqual({
      Version: "2012-10-17",
      Statement: [{
        Effect: "Allow",
        Principal: { Federated: PROVIDER_ARN },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${HOST}:sub`]: "system:serviceaccount:cert-manager:cert-manager", [`${HOST}:aud`]: "sts.amazonaws.com" } },
      }],
    });
    expect(creates[0]!.Description).toBe("btp-aws btp-test: DNS-01 challenges in hosted zone Z0123456789ABCDEFGHIJ, for cert-manager/cert-manager");
    const puts = iamMock.commandCalls(PutRolePolicyCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => [p.RoleName, p.PolicyName])).toEqual(SERVICES.map((s) => [roleName(s), "btp-aws"]));
    for (const [index, service] of SERVICES.entries()) expect(JSON.parse(puts[index]!.PolicyDocument!)).toEqual(await inlineFor(service));
    expect(iamMock.commandCalls(AttachRolePolicyCommand).map((c) => c.args[0].input)).toEqual([{ RoleName: roleName("ebs-csi"), PolicyArn: EBS_MANAGED }]);
    expect(outputs).toEqual({
      oidcProviderArn: PROVIDER_ARN,
      certManagerRoleArn: `arn:aws:iam::${ACCOUNT}:role/btp-btp-test-irsa-cert-manager`,
      vaultRoleArn: `arn:aws:iam::${ACCOUNT}:role/btp-btp-test-irsa-vault`,
      loadBalancerControllerRoleArn: `arn:aws:iam::${ACCOUNT}:role/btp-btp-test-irsa-aws-load-balancer-controller`,
      ebsCsiRoleArn: `arn:aws:iam::${ACCOUNT}:role/btp-btp-test-irsa-ebs-csi`,
      btpRoleArn: `arn:aws:iam::${ACCOUNT}:role/btp-btp-test-irsa-btp`,
      clusterAutoscalerRoleArn: `arn:aws:iam::${ACCOUNT}:role/btp-btp-test-irsa-cluster-autoscaler`,
      alertmanagerRoleArn: `arn:aws:iam::${ACCOUNT}:role/btp-btp-test-irsa-alertmanager`,
    });
    expect(report.infos[0]).toBe(`created OIDC provider ${HOST}`);
    expect(report.infos).toHaveLength(8);
  });

  it("retries a trust policy IAM rejects while the new provider propagates, then goes on", async () => {
    emptyWorld();
    iamMock.on(CreateRoleCommand, { RoleName: roleName("cert-manager") })
      .rejectsOnce(iamError("MalformedPolicyDocumentException", `Invalid principal in policy: "FEDERATED":"${PROVIDER_ARN}"`))
      .resolves({ Role: { RoleName: roleName("cert-manager"), Arn: `arn:aws:iam::${ACCOUNT}:role/${roleName("cert-manager")}`, RoleId: "AROA", Path: "/", CreateDate: new Date() } });
    const { report } = await run();
    expect(iamMock.commandCalls(CreateRoleCommand, { RoleName: roleName("cert-manager") })).toHaveLength(2);
    expect(report.statuses).toContain("OIDC provider not yet visible to IAM, 1s");
  });

  it("gives up on a provider IAM never accepts, saying so", async () => {
    emptyWorld();
    iamMock.on(CreateRoleCommand).rejects(iamError("MalformedPolicyDocumentException", "Invalid principal in policy"));
    const error = await failure(run());
    expect(error.message).toMatch(/^timed out waiting for IAM to accept the OIDC provider in the trust policy of btp-btp-test-irsa-cert-manager: still OIDC provider not yet visible to IAM after /);
    expect(error.hint).toBe("IAM has not propagated the OIDC provider yet: run the same command again in a minute");
  });

  it("does not retry a malformed policy that is not about the principal", async () => {
    emptyWorld();
    iamMock.on(CreateRoleCommand).rejects(iamError("MalformedPolicyDocumentException", "Syntax errors in policy."));
    const error = await failure(run());
    expect(error.message).toBe("create IAM role btp-btp-test-irsa-cert-manager (iam:CreateRole): MalformedPolicyDocumentException: Syntax errors in policy.");
    expect(iamMock.commandCalls(CreateRoleCommand)).toHaveLength(1);
  });
});

describe("infra/irsa: adopting", () => {
  it("makes no mutating call when everything matches, comparing URL-encoded documents by meaning", async () => {
    await installedWorld();
    const { outputs, report } = await runStep(irsaStep, config, services, OUTPUTS, { oidcProviderArn: PROVIDER_ARN });
    expect(mutations()).toEqual([]);
    expect(report.skipped).toEqual([`OIDC provider ${HOST} and 7 roles exist as configured`]);
    expect(report.infos).toEqual([]);
    expect(outputs.btpRoleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/btp-btp-test-irsa-btp`);
  });

  it("treats reordered actions, single-item lists and reordered statements as the same policy", async () => {
    await installedWorld();
    const reordered = { Statement: [...(btpPolicy(BUCKET_ARN, KEY_ARN).Statement as object[])].reverse().map((s) => ({ ...s, Action: [...((s as { Action: string[] }).Action)].reverse() })), Version: "2012-10-17" };
    iamMock.on(GetRolePolicyCommand, { RoleName: roleName("btp") }).resolves({ PolicyDocument: encodeURIComponent(JSON.stringify(reordered)) });
    const trust = trustFor("vault") as { Statement: object[] };
    iamMock.on(GetRoleCommand, { RoleName: roleName("vault") }).resolves({
      Role: { RoleName: roleName("vault"), RoleId: "AROA", Path: "/", CreateDate: new Date(), Arn: `arn:aws:iam::${ACCOUNT}:role/${roleName("vault")}`, AssumeRolePolicyDocument: JSON.stringify({ ...trust, Statement: trust.Statement[0] }), Tags: tagList(roleTags("vault")) },
    });
    await run();
    expect(mutations()).toEqual([]);
  });

  it("puts back a changed inline policy, a missing one, a changed trust policy and a detached managed policy", async () => {
    await installedWorld();
    iamMock.on(GetRolePolicyCommand, { RoleName: roleName("vault") }).resolves({ PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] }) });
    iamMock.on(ListRolePoliciesCommand, { RoleName: roleName("btp") }).resolves({ PolicyNames: [] });
    iamMock.on(GetRoleCommand, { RoleName: roleName("cert-manager") }).resolves({
      Role: { RoleName: roleName("cert-manager"), RoleId: "AROA", Path: "/", CreateDate: new Date(), Arn: `arn:aws:iam::${ACCOUNT}:role/${roleName("cert-manager")}`, AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trustFor("vault"))), Tags: tagList(roleTags("cert-manager")) },
    });
    iamMock.on(ListAttachedRolePoliciesCommand, { RoleName: roleName("ebs-csi") }).resolves({ AttachedPolicies: [] });
    iamMock.on(PutRolePolicyCommand).resolves({});
    iamMock.on(UpdateAssumeRolePolicyCommand).resolves({});
    iamMock.on(AttachRolePolicyCommand).resolves({});
    const { report } = await run();
    expect(report.infos).toEqual([
      "role btp-btp-test-irsa-cert-manager: restored the trust policy (only cert-manager/cert-manager)",
      "role btp-btp-test-irsa-vault: restored inline policy btp-aws",
      `role btp-btp-test-irsa-ebs-csi: attached ${EBS_MANAGED}`,
      "role btp-btp-test-irsa-btp: put back inline policy btp-aws",
    ]);
    expect(JSON.parse(iamMock.commandCalls(UpdateAssumeRolePolicyCommand)[0]!.args[0].input.PolicyDocument!)).toEqual(trustFor("cert-manager"));
    expect(iamMock.commandCalls(PutRolePolicyCommand).map((c) => c.args[0].input.RoleName)).toEqual([roleName("vault"), roleName("btp")]);
    // A missing inline policy is known from the list: no GetRolePolicy for it.
    expect(iamMock.commandCalls(GetRolePolicyCommand, { RoleName: roleName("btp") })).toHaveLength(0);
  });

  it("adds missing tags to roles and the provider, and the STS client id to the provider", async () => {
    await installedWorld();
    iamMock.on(GetOpenIDConnectProviderCommand).resolves({ Url: HOST, ClientIDList: [], Tags: [{ Key: "btp-aws:platform", Value: "btp-test" }] });
    iamMock.on(GetRoleCommand, { RoleName: roleName("vault") }).resolves({
      Role: { RoleName: roleName("vault"), RoleId: "AROA", Path: "/", CreateDate: new Date(), Arn: `arn:aws:iam::${ACCOUNT}:role/${roleName("vault")}`, AssumeRolePolicyDocument: JSON.stringify(trustFor("vault")), Tags: [{ Key: "btp-aws:platform", Value: "btp-test" }] },
    });
    iamMock.on(AddClientIDToOpenIDConnectProviderCommand).resolves({});
    iamMock.on(TagOpenIDConnectProviderCommand).resolves({});
    iamMock.on(TagRoleCommand).resolves({});
    const { report } = await run();
    expect(iamMock.commandCalls(AddClientIDToOpenIDConnectProviderCommand)[0]!.args[0].input).toEqual({ OpenIDConnectProviderArn: PROVIDER_ARN, ClientID: "sts.amazonaws.com" });
    expect(iamMock.commandCalls(TagRoleCommand)[0]!.args[0].input.Tags).toEqual(expect.arrayContaining([{ Key: "btp-aws:managed-by", Value: "btp-aws" }, { Key: "team", Value: "chain" }]));
    expect(report.infos).toEqual([
      `added client id sts.amazonaws.com to OIDC provider ${HOST}`,
      `added tags team, Name, btp-aws:managed-by to OIDC provider ${HOST}`,
      "role btp-btp-test-irsa-vault: added tags team, Name, btp-aws:service-account, btp-aws:managed-by",
    ]);
  });

  it("warns about permissions it did not grant, and leaves them", async () => {
    await installedWorld();
    iamMock.on(ListRolePoliciesCommand, { RoleName: roleName("btp") }).resolves({ PolicyNames: ["btp-aws", "debug"] });
    iamMock.on(ListAttachedRolePoliciesCommand, { RoleName: roleName("btp") }).resolves({ AttachedPolicies: [{ PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }] });
    const { report } = await run();
    expect(report.warnings).toEqual([
      "role btp-btp-test-irsa-btp also has inline policy debug, arn:aws:iam::aws:policy/AdministratorAccess, which btp-aws did not grant: they widen what settlemint/settlemint may do",
    ]);
    expect(mutations()).toEqual([]);
  });

  it("refuses a same-named role without this platform's tag", async () => {
    await installedWorld();
    // AWS leaves Tags out of GetRole for an untagged role; the adapter then asks ListRoleTags.
    iamMock.on(ListRoleTagsCommand).resolves({ Tags: [] });
    iamMock.on(GetRoleCommand, { RoleName: roleName("cert-manager") }).resolves({ Role: { RoleName: roleName("cert-manager"), RoleId: "AROA", Path: "/", CreateDate: new Date(), Arn: `arn:aws:iam::${ACCOUNT}:role/x`, AssumeRolePolicyDocument: "{}" } });
    const error = await failure(run());
    expect(error.message).toBe("IAM role btp-btp-test-irsa-cert-manager exists but is not managed by btp-aws for platform btp-test");
    expect(error.hint).toBe("delete it, or, if it is meant for this platform, tag it (aws iam tag-role --role-name btp-btp-test-irsa-cert-manager --tags Key=btp-aws:platform,Value=btp-test) and run again");
    expect(mutations()).toEqual([]);
  });

  it("refuses a role tagged for another platform, naming it", async () => {
    await installedWorld();
    iamMock.on(GetRoleCommand, { RoleName: roleName("vault") }).resolves({ Role: { RoleName: roleName("vault"), RoleId: "AROA", Path: "/", CreateDate: new Date(), Arn: "arn", AssumeRolePolicyDocument: "{}", Tags: [{ Key: "btp-aws:platform", Value: "other" }] } });
    const error = await failure(run());
    expect(error.message).toBe("IAM role btp-btp-test-irsa-vault exists but is not managed by btp-aws for platform btp-test (it is tagged for platform other)");
  });

  it("refuses an OIDC provider for the issuer that is not this platform's", async () => {
    await installedWorld();
    iamMock.on(GetOpenIDConnectProviderCommand).resolves({ Url: HOST, ClientIDList: ["sts.amazonaws.com"], Tags: [] });
    const error = await failure(run());
    expect(error.message).toBe(`OIDC provider ${PROVIDER_ARN} exists but is not managed by btp-aws for platform btp-test`);
    expect(error.hint).toBe(`delete it, or, if it is meant for this platform, tag it (aws iam tag-open-id-connect-provider --open-id-connect-provider-arn ${PROVIDER_ARN} --tags Key=btp-aws:platform,Value=btp-test) and run again`);
  });
});

describe("infra/irsa: errors", () => {
  it("names the IAM action that was denied", async () => {
    emptyWorld();
    iamMock.on(CreateOpenIDConnectProviderCommand).rejects(iamError("AccessDenied", `User: arn:aws:iam::${ACCOUNT}:user/ci is not authorized to perform: iam:CreateOpenIDConnectProvider`));
    const error = await failure(run());
    expect(error.message).toBe(`not allowed to create the OIDC provider for ${HOST} (iam:CreateOpenIDConnectProvider): AccessDenied: User: arn:aws:iam::${ACCOUNT}:user/ci is not authorized to perform: iam:CreateOpenIDConnectProvider`);
  });

  it.each([
    ["CreateRole", "Cannot exceed quota for RolesPerAccount: 1000", "create IAM role btp-btp-test-irsa-cert-manager (iam:CreateRole): IAM roles per account (service quotas: iam L-FE177D64) is reached"],
    ["CreateOpenIDConnectProvider", "Cannot exceed quota for OpenIdConnectProvidersPerAccount: 100", `create the OIDC provider for ${HOST} (iam:CreateOpenIDConnectProvider): OpenID Connect providers per account (service quotas: iam L-858F3967) is reached`],
    ["PutRolePolicy", "Maximum policy size of 10240 bytes exceeded for role btp-btp-test-irsa-cert-manager", "put inline policy btp-aws on btp-btp-test-irsa-cert-manager (iam:PutRolePolicy): inline policy size per role (10,240 characters, not adjustable) is reached"],
    ["AttachRolePolicy", "Cannot exceed quota for PoliciesPerRole: 10", "attach arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy to btp-btp-test-irsa-ebs-csi (iam:AttachRolePolicy): managed policies per role (service quotas: iam L-0DA4ABF3) is reached"],
  ])("names the quota when %s hits a limit", async (operation, message, expected) => {
    emptyWorld();
    const command = { CreateRole: CreateRoleCommand, CreateOpenIDConnectProvider: CreateOpenIDConnectProviderCommand, PutRolePolicy: PutRolePolicyCommand, AttachRolePolicy: AttachRolePolicyCommand }[operation]!;
    iamMock.on(command as typeof CreateRoleCommand).rejects(iamError("LimitExceededException", message));
    const error = await failure(run());
    expect(error.message).toBe(`${expected}: LimitExceededException: ${message}`);
    expect(error.hint).toBe("raise the quota in Service Quotas or remove unused IAM entities, then run again");
  });

  it("blames the tags config field when IAM rejects a tag", async () => {
    emptyWorld();
    iamMock.on(CreateOpenIDConnectProviderCommand).rejects(iamError("InvalidInputException", "1 validation error detected: Value at 'tags.1.member.value' failed to satisfy constraint"));
    const error = await failure(run());
    expect(error.message).toBe(`tags: IAM rejected a tag while trying to create the OIDC provider for ${HOST} (iam:CreateOpenIDConnectProvider): InvalidInputException: 1 validation error detected: Value at 'tags.1.member.value' failed to satisfy constraint`);
    expect(error.hint).toMatch(/correct `tags` in the config$/);
  });

  it("stops before any IAM call when the cluster recorded no OIDC issuer", async () => {
    const error = await failure(runStep(irsaStep, config, services, { ...OUTPUTS, "infra/eks": { clusterName: "btp-btp-test", oidcIssuer: "", kubernetesVersion: "1.34" } }));
    expect(error.message).toBe('cluster btp-btp-test reports no OIDC issuer URL (""): IRSA needs one');
    expect(iamMock.calls()).toEqual([]);
  });

  it("says which output is missing when infra/eks has not run", async () => {
    const { "infra/eks": _eks, ...without } = OUTPUTS;
    const error = await failure(runStep(irsaStep, config, services, without));
    expect(error.message).toBe("output oidcIssuer of step infra/eks is missing from the state");
    expect(iamMock.calls()).toEqual([]);
  });
});

describe("templates/iam/aws-load-balancer-controller-policy.json", () => {
  it("is the controller's published policy: 16 statements, ELB and the tag conditions it relies on", async () => {
    const policy = await loadBalancerControllerPolicy();
    const statements = policy.Statement as { Action: string[]; Condition?: object }[];
    expect(policy.Version).toBe("2012-10-17");
    expect(statements).toHaveLength(16);
    expect(statements.flatMap((s) => s.Action)).toEqual(expect.arrayContaining(["elasticloadbalancing:CreateLoadBalancer", "ec2:CreateSecurityGroup", "elasticloadbalancing:ModifyIpPools"]));
    expect(JSON.stringify(policy)).toContain("elbv2.k8s.aws/cluster");
    // Minified, it leaves room under IAM's 10,240-character inline policy limit.
    expect(JSON.stringify(policy).length).toBeLessThan(10_240);
  });
});
