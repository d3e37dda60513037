/**
 * infra/irsa: the cluster's IAM OIDC identity provider and one IAM role per Kubernetes service
 * account that calls AWS (IRSA): cert-manager, Vault, the AWS Load Balancer Controller, the EBS
 * CSI driver and the platform itself (only when storage.mode is aws: its one AWS use is the
 * bucket). Each role trusts exactly one namespace/service account and
 * reaches only this platform's resources (see irsa-policies.ts).
 *
 * The provider is found by the issuer URL, roles by name; both must carry this platform's tag to
 * be adopted. Trust and inline policies are compared by meaning and rewritten only when they
 * differ, so a re-run makes no mutating call and a tampered policy is put back.
 */
import type { IAMClient } from "@aws-sdk/client-iam";
import { awsErrorCode, describeAwsError } from "../../aws/errors.js";
import {
  addOidcClientId, attachPolicy, attachedPolicyArns, createOidcProvider, createRole, findOidcProvider, getInlinePolicy, getRole,
  inlinePolicyNames, issuerHostPath, putInlinePolicy, tagOidcProvider, tagRole, updateTrustPolicy, type IamRole,
} from "../../aws/iam-oidc.js";
import { samePolicy, type PolicyDocument } from "../../aws/iam-policy-document.js";
import { PLATFORM_TAG, missingTags, platformTags, type TagMap } from "../../aws/tags.js";
import { waitFor } from "../../aws/wait.js";
import type { Config } from "../../config/schema.js";
import { BtpAwsError } from "../../errors.js";
import { stringOutput } from "../../plan/outputs.js";
import type { Reporter, Step, StepContext, StepOutputs } from "../../plan/types.js";
import {
  INLINE_POLICY_NAME, IRSA_SERVICE_ACCOUNTS, clusterAutoscalerPolicy, STS_AUDIENCE, btpPolicy, certManagerPolicy, ebsCsiKeyPolicy, ebsCsiManagedPolicy,
  loadBalancerControllerPolicy, partitionOf, serviceAccountTrustPolicy, vaultPolicy, type IrsaService, type ServiceAccountRef,
  alarmTopicArn, alertmanagerPolicy, cloudWatchObservabilityManagedPolicy, cloudWatchObservabilityPolicy, irsaServiceWanted,
} from "./irsa-policies.js";
import { infraNames } from "./names.js";
import type { InfraServices } from "./services.js";

type Services = Pick<InfraServices, "aws" | "wait">;
type Context = StepContext<Services>;

/**
 * IAM no longer uses the thumbprint for EKS issuers: it validates oidc.eks.*.amazonaws.com
 * through its own library of trusted root CAs. CreateOpenIDConnectProvider has long required a
 * ThumbprintList all the same (older SDKs, partitions and LocalStack-style endpoints still do),
 * so we pass the root CA thumbprint AWS documented for EKS OIDC endpoints; it is never checked.
 */
export const EKS_OIDC_ROOT_CA_THUMBPRINT = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280";

/** IAM propagates a new provider within seconds, rarely a minute; a role trusting it waits that long. */
const PRINCIPAL_PROPAGATION = { timeoutMs: 120_000, intervalMs: 10_000 };

interface RoleSpec {
  service: IrsaService;
  /** Key of the role ARN in this step's outputs. */
  output: string;
  account: ServiceAccountRef;
  purpose: string;
  inline: PolicyDocument;
  managed: readonly string[];
}

interface Resources {
  clusterName: string;
  keyArn: string;
  /** Undefined unless storage.mode is aws (infra/s3 made the bucket). */
  bucketArn: string | undefined;
  partition: string;
  loadBalancerController: PolicyDocument;
}

function roleSpecs(config: Config, r: Resources): RoleSpec[] {
  const sa = IRSA_SERVICE_ACCOUNTS;
  const specs: RoleSpec[] = [
    { service: "cert-manager", output: "certManagerRoleArn", account: sa["cert-manager"], purpose: `DNS-01 challenges in hosted zone ${config.dns.hostedZoneId}`, inline: certManagerPolicy(config.dns.hostedZoneId, r.partition), managed: [] },
    { service: "vault", output: "vaultRoleArn", account: sa.vault, purpose: "Vault auto-unseal with the platform KMS key", inline: vaultPolicy(r.keyArn), managed: [] },
    { service: "aws-load-balancer-controller", output: "loadBalancerControllerRoleArn", account: sa["aws-load-balancer-controller"], purpose: "the AWS Load Balancer Controller's published policy", inline: r.loadBalancerController, managed: [] },
    { service: "ebs-csi", output: "ebsCsiRoleArn", account: sa["ebs-csi"], purpose: "EBS CSI driver, volumes encrypted with the platform KMS key", inline: ebsCsiKeyPolicy(r.keyArn), managed: [ebsCsiManagedPolicy(r.partition)] },
    // The platform reaches AWS only for its bucket: no bucket of ours (storage.mode), no role.
    ...(r.bucketArn === undefined ? [] : [{ service: "btp", output: "btpRoleArn", account: sa.btp, purpose: "the platform's bucket and the platform KMS key", inline: btpPolicy(r.bucketArn, r.keyArn), managed: [] } satisfies RoleSpec]),
    { service: "cluster-autoscaler", output: "clusterAutoscalerRoleArn", account: sa["cluster-autoscaler"], purpose: "Cluster Autoscaler, resizing only this cluster's node groups", inline: clusterAutoscalerPolicy(r.clusterName), managed: [] },
    { service: "alertmanager", output: "alertmanagerRoleArn", account: sa.alertmanager, purpose: "Alertmanager publishing to the platform's alarm topic", inline: alertmanagerPolicy(alarmTopicArn(r.keyArn, config.aws.region, infraNames(config).alarmTopic), r.keyArn, config.aws.region), managed: [] },
    { service: "cloudwatch-observability", output: "containerInsightsRoleArn", account: sa["cloudwatch-observability"], purpose: "the CloudWatch agent of Container Insights", inline: cloudWatchObservabilityPolicy(), managed: [cloudWatchObservabilityManagedPolicy(r.partition)] },
  ];
  return specs.filter((spec) => irsaServiceWanted(spec.service, config));
}

const LIMITS: readonly { pattern: RegExp; quota: string }[] = [
  { pattern: /RolesPerAccount/i, quota: "IAM roles per account (service quotas: iam L-FE177D64)" },
  { pattern: /OpenIdConnectProviders/i, quota: "OpenID Connect providers per account (service quotas: iam L-858F3967)" },
  { pattern: /PoliciesPerRole/i, quota: "managed policies per role (service quotas: iam L-0DA4ABF3)" },
  { pattern: /ACLSizePerRole|trust policy/i, quota: "role trust policy length (service quotas: iam L-C07B4B0D)" },
  { pattern: /policy size/i, quota: "inline policy size per role (10,240 characters, not adjustable)" },
];

/** An IAM failure as the user should read it: quotas by name and code, tag errors by config field. */
function iamFailure(error: unknown, action: string, context: Context): BtpAwsError {
  const code = awsErrorCode(error) ?? "";
  const message = error instanceof Error ? error.message.split("\n")[0] ?? "" : String(error);
  if (code === "LimitExceededException" || code === "LimitExceeded") {
    const quota = LIMITS.find((l) => l.pattern.test(message))?.quota ?? "an IAM quota";
    return new BtpAwsError(`${action}: ${quota} is reached: ${code}: ${message}`, {
      cause: error,
      hint: "raise the quota in Service Quotas or remove unused IAM entities, then run again",
    });
  }
  if (/^(InvalidInput|ValidationError|ValidationException)/.test(code) && /tag/i.test(message)) {
    return new BtpAwsError(`tags: IAM rejected a tag while trying to ${action}: ${code}: ${message}`, {
      cause: error,
      hint: "IAM tags allow letters, digits, spaces and _ . : / = + - @ (keys up to 128, values up to 256 characters): correct `tags` in the config",
    });
  }
  return describeAwsError(error, action, { endpoint: context.services.aws.endpoint, region: context.config.aws.region });
}

function attempt<T>(context: Context, action: string, call: () => Promise<T>): Promise<T> {
  return call().catch((error: unknown) => {
    throw iamFailure(error, action, context);
  });
}

/** True while IAM does not yet know a just-created provider as a trust policy principal. */
function principalNotYetVisible(error: unknown): boolean {
  const code = awsErrorCode(error) ?? "";
  return code.startsWith("MalformedPolicyDocument") && error instanceof Error && /principal/i.test(error.message);
}

/**
 * Runs a trust policy write, retrying (through waitFor) while the provider propagates. `write`
 * must throw the raw SDK error: the caller wraps the result, so the retry can still see the code.
 */
function whenProviderVisible<T>(context: Context, report: Reporter, role: string, write: () => Promise<T>): Promise<T> {
  return waitFor<T>({
    what: `IAM to accept the OIDC provider in the trust policy of ${role}`,
    observe: async () => {
      try {
        return { state: "ready", value: await write(), status: "written" };
      } catch (error) {
        if (principalNotYetVisible(error)) return { state: "pending", status: "OIDC provider not yet visible to IAM" };
        throw error;
      }
    },
    ...PRINCIPAL_PROPAGATION,
    settings: context.services.wait,
    onStatus: (text) => report.status(text),
    signal: context.signal,
    hint: "IAM has not propagated the OIDC provider yet: run the same command again in a minute",
  });
}

function assertOurs(kind: string, name: string, tags: Record<string, string>, platform: string, tagCommand: string): void {
  if (tags[PLATFORM_TAG] === platform) return;
  const other = tags[PLATFORM_TAG] === undefined ? "" : ` (it is tagged for platform ${tags[PLATFORM_TAG]})`;
  throw new BtpAwsError(`${kind} ${name} exists but is not managed by btp-aws for platform ${platform}${other}`, {
    hint: `delete it, or, if it is meant for this platform, tag it (${tagCommand} Key=${PLATFORM_TAG},Value=${platform}) and run again`,
  });
}

/** The provider for the cluster's issuer: found by URL, created when missing, repaired in place. */
async function ensureProvider(context: Context, iam: IAMClient, issuer: string, tags: TagMap, changes: string[]): Promise<string> {
  const { config } = context;
  const host = issuerHostPath(issuer);
  const found = await attempt(context, `find the OIDC provider for ${host} (iam:ListOpenIDConnectProviders, iam:GetOpenIDConnectProvider)`, () => findOidcProvider(iam, issuer));
  if (!found) {
    const arn = await attempt(context, `create the OIDC provider for ${host} (iam:CreateOpenIDConnectProvider)`, () =>
      createOidcProvider(iam, { issuer, clientIds: [STS_AUDIENCE], thumbprints: [EKS_OIDC_ROOT_CA_THUMBPRINT], tags }));
    changes.push(`created OIDC provider ${host}`);
    return arn;
  }
  // An adopted cluster's own provider (cluster.mode existing) is used as it is and never tagged:
  // destroy keeps it through infra/eks's adoptedOidcProviderArn.
  const adopted = context.outputs["infra/eks"]?.adopted === true && found.tags[PLATFORM_TAG] === undefined;
  if (!adopted) assertOurs("OIDC provider", found.arn, found.tags, config.platform, `aws iam tag-open-id-connect-provider --open-id-connect-provider-arn ${found.arn} --tags`);
  if (!found.clientIds.includes(STS_AUDIENCE)) {
    await attempt(context, `add client id ${STS_AUDIENCE} to ${found.arn} (iam:AddClientIDToOpenIDConnectProvider)`, () => addOidcClientId(iam, found.arn, STS_AUDIENCE));
    changes.push(`added client id ${STS_AUDIENCE} to OIDC provider ${host}`);
  }
  const absent = adopted ? {} : missingTags(found.tags, tags);
  if (Object.keys(absent).length > 0) {
    await attempt(context, `tag ${found.arn} (iam:TagOpenIDConnectProvider)`, () => tagOidcProvider(iam, found.arn, absent));
    changes.push(`added tags ${Object.keys(absent).join(", ")} to OIDC provider ${host}`);
  }
  return found.arn;
}

interface RoleWant {
  name: string;
  trust: string;
  inline: string;
  tags: TagMap;
}

async function createIrsaRole(context: Context, report: Reporter, iam: IAMClient, spec: RoleSpec, want: RoleWant): Promise<IamRole> {
  const description = `btp-aws ${context.config.platform}: ${spec.purpose}, for ${spec.account.namespace}/${spec.account.name}`;
  const role = await attempt(context, `create IAM role ${want.name} (iam:CreateRole)`, () =>
    whenProviderVisible(context, report, want.name, () => createRole(iam, { name: want.name, trustPolicy: want.trust, description, tags: want.tags })));
  await attempt(context, `put inline policy ${INLINE_POLICY_NAME} on ${want.name} (iam:PutRolePolicy)`, () => putInlinePolicy(iam, want.name, INLINE_POLICY_NAME, want.inline));
  for (const arn of spec.managed) await attempt(context, `attach ${arn} to ${want.name} (iam:AttachRolePolicy)`, () => attachPolicy(iam, want.name, arn));
  return role;
}

/** Brings an adopted role back to what it should be; returns what it repaired. */
async function repairIrsaRole(context: Context, report: Reporter, iam: IAMClient, spec: RoleSpec, want: RoleWant, role: IamRole): Promise<string[]> {
  const repaired: string[] = [];
  if (!samePolicy(role.trustPolicy, want.trust)) {
    await attempt(context, `restore the trust policy of ${want.name} (iam:UpdateAssumeRolePolicy)`, () =>
      whenProviderVisible(context, report, want.name, () => updateTrustPolicy(iam, want.name, want.trust)));
    repaired.push(`restored the trust policy (only ${spec.account.namespace}/${spec.account.name})`);
  }
  const names = await attempt(context, `list the inline policies of ${want.name} (iam:ListRolePolicies)`, () => inlinePolicyNames(iam, want.name));
  const current = names.includes(INLINE_POLICY_NAME)
    ? await attempt(context, `read inline policy ${INLINE_POLICY_NAME} of ${want.name} (iam:GetRolePolicy)`, () => getInlinePolicy(iam, want.name, INLINE_POLICY_NAME))
    : undefined;
  if (current === undefined || !samePolicy(current, want.inline)) {
    await attempt(context, `put inline policy ${INLINE_POLICY_NAME} on ${want.name} (iam:PutRolePolicy)`, () => putInlinePolicy(iam, want.name, INLINE_POLICY_NAME, want.inline));
    repaired.push(current === undefined ? `put back inline policy ${INLINE_POLICY_NAME}` : `restored inline policy ${INLINE_POLICY_NAME}`);
  }
  const attached = await attempt(context, `list the managed policies of ${want.name} (iam:ListAttachedRolePolicies)`, () => attachedPolicyArns(iam, want.name));
  for (const arn of spec.managed.filter((a) => !attached.includes(a))) {
    await attempt(context, `attach ${arn} to ${want.name} (iam:AttachRolePolicy)`, () => attachPolicy(iam, want.name, arn));
    repaired.push(`attached ${arn}`);
  }
  // Extra permissions are someone's deliberate choice or a leak; removing them could break a
  // running workload, keeping them quietly would hide it. Say so and leave them.
  const extraInline = names.filter((n) => n !== INLINE_POLICY_NAME);
  const extraManaged = attached.filter((a) => !spec.managed.includes(a));
  if (extraInline.length + extraManaged.length > 0) {
    report.warn(`role ${want.name} also has ${[...extraInline.map((n) => `inline policy ${n}`), ...extraManaged].join(", ")}, which btp-aws did not grant: they widen what ${spec.account.namespace}/${spec.account.name} may do`);
  }
  const absent = missingTags(role.tags, want.tags);
  if (Object.keys(absent).length > 0) {
    await attempt(context, `tag IAM role ${want.name} (iam:TagRole)`, () => tagRole(iam, want.name, absent));
    repaired.push(`added tags ${Object.keys(absent).join(", ")}`);
  }
  return repaired;
}

async function ensureRole(context: Context, report: Reporter, iam: IAMClient, spec: RoleSpec, provider: { arn: string; host: string }, changes: string[]): Promise<string> {
  const { config } = context;
  const name = infraNames(config).irsaRole(spec.service);
  const want: RoleWant = {
    name,
    trust: JSON.stringify(serviceAccountTrustPolicy(provider.arn, provider.host, spec.account)),
    inline: JSON.stringify(spec.inline),
    tags: platformTags(config, { Name: name, "btp-aws:service-account": `${spec.account.namespace}/${spec.account.name}` }),
  };
  report.status(`role ${name}`);
  const found = await attempt(context, `read IAM role ${name} (iam:GetRole)`, () => getRole(iam, name));
  if (!found) {
    const created = await createIrsaRole(context, report, iam, spec, want);
    changes.push(`created role ${name} for ${spec.account.namespace}/${spec.account.name}`);
    return created.arn;
  }
  assertOurs("IAM role", name, found.tags, config.platform, `aws iam tag-role --role-name ${name} --tags`);
  const repaired = await repairIrsaRole(context, report, iam, spec, want, found);
  if (repaired.length > 0) changes.push(`role ${name}: ${repaired.join("; ")}`);
  return found.arn;
}

async function loadControllerPolicy(): Promise<PolicyDocument> {
  try {
    return await loadBalancerControllerPolicy();
  } catch (error) {
    throw new BtpAwsError(`cannot read the AWS Load Balancer Controller policy shipped in templates/iam: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
      hint: "the btp-aws installation is incomplete: reinstall the package",
    });
  }
}

export const irsaStep: Step<Services> = {
  id: "infra/irsa",
  title: "IAM roles for service accounts",
  phase: "infra",
  needs: ["infra/eks", "infra/s3", "infra/kms", "prepare/credentials"],
  describe: (config) => [
    `create or adopt the cluster's IAM OIDC provider (client id ${STS_AUDIENCE})`,
    ...(Object.entries(IRSA_SERVICE_ACCOUNTS) as [IrsaService, ServiceAccountRef][]).filter(([service]) => irsaServiceWanted(service, config)).map(
      ([service, account]) => `create or adopt role ${infraNames(config).irsaRole(service)}, assumable only by ${account.namespace}/${account.name}`,
    ),
    ...(config.storage.mode === "aws" ? [] : [`no role ${infraNames(config).irsaRole("btp")}: storage.mode is ${config.storage.mode}, the platform reaches no AWS bucket`]),
  ],
  async run(context, report) {
    const { config, outputs, services } = context;
    const issuer = stringOutput(outputs, "infra/eks", "oidcIssuer");
    if (!issuer.startsWith("https://")) {
      throw new BtpAwsError(`cluster ${stringOutput(outputs, "infra/eks", "clusterName")} reports no OIDC issuer URL ("${issuer}"): IRSA needs one`, {
        hint: "run `btp-aws install` again once the cluster is ACTIVE (infra/eks records the issuer)",
      });
    }
    const keyArn = stringOutput(outputs, "infra/kms", "keyArn");
    const bucketArn = config.storage.mode === "aws" ? stringOutput(outputs, "infra/s3", "bucketArn") : undefined;
    const loadBalancerController = await loadControllerPolicy();
    const iam = await services.aws.iam();
    const changes: string[] = [];

    report.status("looking for the OIDC provider");
    const providerArn = await ensureProvider(context, iam, issuer, platformTags(config, { Name: `${infraNames(config).cluster}-oidc` }), changes);
    const provider = { arn: providerArn, host: issuerHostPath(issuer) };
    const result: Record<string, string> = { oidcProviderArn: providerArn };
    const specs = roleSpecs(config, { clusterName: stringOutput(outputs, "infra/eks", "clusterName"), keyArn, bucketArn, partition: partitionOf(keyArn), loadBalancerController });
    for (const spec of specs) {
      result[spec.output] = await ensureRole(context, report, iam, spec, provider, changes);
    }

    if (changes.length === 0) report.skip(`OIDC provider ${provider.host} and ${specs.length} roles exist as configured`);
    for (const change of changes) report.info(change);
    return result satisfies StepOutputs;
  },
};
