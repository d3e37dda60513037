/**
 * IAM calls for IRSA (IAM roles for Kubernetes service accounts), as domain operations: the
 * cluster's OIDC identity provider, and roles with one inline policy and managed attachments.
 * "Not found" is `undefined`. Policy documents come back decoded (IAM returns them URL-encoded).
 */
import type { IAMClient } from "@aws-sdk/client-iam";
import { awsErrorCode } from "./errors.js";
import { decodePolicyDocument } from "./iam-policy-document.js";
import { tagList, tagMap, type TagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

export interface OidcProvider {
  arn: string;
  /** Without the scheme, as IAM stores it: "oidc.eks.eu-west-1.amazonaws.com/id/ABC". */
  url: string;
  clientIds: string[];
  tags: Record<string, string>;
}

export interface IamRole {
  name: string;
  arn: string;
  /** The trust policy as JSON text (decoded). */
  trustPolicy: string;
  tags: Record<string, string>;
}

// The modeled exception is NoSuchEntityException; the query protocol's raw code is NoSuchEntity.
const NOT_FOUND = new Set(["NoSuchEntityException", "NoSuchEntity", "NotFoundException"]);

function notFound(error: unknown): boolean {
  return NOT_FOUND.has(awsErrorCode(error) ?? "");
}

/** "https://oidc.eks…/id/X" → "oidc.eks…/id/X": the form IAM keys providers and conditions by. */
export function issuerHostPath(issuer: string): string {
  return issuer.replace(/^https:\/\//, "").replace(/\/+$/, "");
}

/** The provider for `issuer`, found by its URL among the account's providers. */
export async function findOidcProvider(iam: IAMClient, issuer: string): Promise<OidcProvider | undefined> {
  const { ListOpenIDConnectProvidersCommand, GetOpenIDConnectProviderCommand } = await loadSdk("@aws-sdk/client-iam");
  const wanted = issuerHostPath(issuer);
  // Provider ARNs end in ":oidc-provider/<url without scheme>", so the list alone finds it.
  const { OpenIDConnectProviderList } = await iam.send(new ListOpenIDConnectProvidersCommand({}));
  const arn = OpenIDConnectProviderList?.map((p) => p.Arn).find((a) => a !== undefined && a.endsWith(`:oidc-provider/${wanted}`));
  if (arn === undefined) return undefined;
  try {
    const found = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    return { arn, url: issuerHostPath(found.Url ?? wanted), clientIds: found.ClientIDList ?? [], tags: tagMap(found.Tags) };
  } catch (error) {
    if (notFound(error)) return undefined; // deleted between the two calls
    throw error;
  }
}

export async function createOidcProvider(iam: IAMClient, spec: { issuer: string; clientIds: string[]; thumbprints: string[]; tags: TagMap }): Promise<string> {
  const { CreateOpenIDConnectProviderCommand } = await loadSdk("@aws-sdk/client-iam");
  const { OpenIDConnectProviderArn } = await iam.send(new CreateOpenIDConnectProviderCommand({
    Url: spec.issuer,
    ClientIDList: spec.clientIds,
    ThumbprintList: spec.thumbprints,
    Tags: tagList(spec.tags),
  }));
  if (!OpenIDConnectProviderArn) throw new Error("iam:CreateOpenIDConnectProvider returned no ARN");
  return OpenIDConnectProviderArn;
}

export async function addOidcClientId(iam: IAMClient, arn: string, clientId: string): Promise<void> {
  const { AddClientIDToOpenIDConnectProviderCommand } = await loadSdk("@aws-sdk/client-iam");
  await iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: clientId }));
}

export async function tagOidcProvider(iam: IAMClient, arn: string, tags: TagMap): Promise<void> {
  const { TagOpenIDConnectProviderCommand } = await loadSdk("@aws-sdk/client-iam");
  await iam.send(new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, Tags: tagList(tags) }));
}

function decode(document: string | undefined): string {
  return document === undefined ? "{}" : decodePolicyDocument(document);
}

export async function getRole(iam: IAMClient, name: string): Promise<IamRole | undefined> {
  const { GetRoleCommand, ListRoleTagsCommand } = await loadSdk("@aws-sdk/client-iam");
  try {
    const { Role: r } = await iam.send(new GetRoleCommand({ RoleName: name }));
    if (!r?.Arn) return undefined;
    // GetRole includes tags on AWS; ask explicitly only when a backend leaves them out.
    const tags = r.Tags ?? (await iam.send(new ListRoleTagsCommand({ RoleName: name }))).Tags;
    return { name, arn: r.Arn, trustPolicy: decode(r.AssumeRolePolicyDocument), tags: tagMap(tags) };
  } catch (error) {
    if (notFound(error)) return undefined;
    throw error;
  }
}

export async function createRole(iam: IAMClient, spec: { name: string; trustPolicy: string; description: string; tags: TagMap }): Promise<IamRole> {
  const { CreateRoleCommand } = await loadSdk("@aws-sdk/client-iam");
  const { Role: r } = await iam.send(new CreateRoleCommand({
    RoleName: spec.name,
    AssumeRolePolicyDocument: spec.trustPolicy,
    Description: spec.description,
    Tags: tagList(spec.tags),
  }));
  if (!r?.Arn) throw new Error("iam:CreateRole returned no ARN");
  return { name: spec.name, arn: r.Arn, trustPolicy: spec.trustPolicy, tags: { ...spec.tags } };
}

export async function updateTrustPolicy(iam: IAMClient, role: string, trustPolicy: string): Promise<void> {
  const { UpdateAssumeRolePolicyCommand } = await loadSdk("@aws-sdk/client-iam");
  await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: role, PolicyDocument: trustPolicy }));
}

export async function tagRole(iam: IAMClient, role: string, tags: TagMap): Promise<void> {
  const { TagRoleCommand } = await loadSdk("@aws-sdk/client-iam");
  await iam.send(new TagRoleCommand({ RoleName: role, Tags: tagList(tags) }));
}

/** Names of the role's inline policies. */
export async function inlinePolicyNames(iam: IAMClient, role: string): Promise<string[]> {
  const { paginateListRolePolicies } = await loadSdk("@aws-sdk/client-iam");
  const names: string[] = [];
  for await (const page of paginateListRolePolicies({ client: iam }, { RoleName: role })) names.push(...(page.PolicyNames ?? []));
  return names;
}

/** One inline policy as JSON text (decoded), or undefined when the role has none by that name. */
export async function getInlinePolicy(iam: IAMClient, role: string, policyName: string): Promise<string | undefined> {
  const { GetRolePolicyCommand } = await loadSdk("@aws-sdk/client-iam");
  try {
    const { PolicyDocument } = await iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: policyName }));
    return PolicyDocument === undefined ? undefined : decode(PolicyDocument);
  } catch (error) {
    if (notFound(error)) return undefined;
    throw error;
  }
}

export async function putInlinePolicy(iam: IAMClient, role: string, policyName: string, document: string): Promise<void> {
  const { PutRolePolicyCommand } = await loadSdk("@aws-sdk/client-iam");
  await iam.send(new PutRolePolicyCommand({ RoleName: role, PolicyName: policyName, PolicyDocument: document }));
}

/** ARNs of the managed policies attached to the role. */
export async function attachedPolicyArns(iam: IAMClient, role: string): Promise<string[]> {
  const { paginateListAttachedRolePolicies } = await loadSdk("@aws-sdk/client-iam");
  const arns: string[] = [];
  for await (const page of paginateListAttachedRolePolicies({ client: iam }, { RoleName: role })) {
    for (const policy of page.AttachedPolicies ?? []) if (policy.PolicyArn) arns.push(policy.PolicyArn);
  }
  return arns;
}

export async function attachPolicy(iam: IAMClient, role: string, policyArn: string): Promise<void> {
  const { AttachRolePolicyCommand } = await loadSdk("@aws-sdk/client-iam");
  await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: policyArn }));
}
