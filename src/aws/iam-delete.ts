/**
 * The IAM calls destroy makes. A role can be deleted only bare: its managed policies detached,
 * its inline policies deleted and it removed from any instance profile (EKS puts the node role
 * in one). OIDC providers have no name; they are found by their tags.
 */
import type { IAMClient } from "@aws-sdk/client-iam";
import { attachedPolicyArns, inlinePolicyNames } from "./iam-oidc.js";
import { deleteUnlessGone, isGone } from "./idempotent-delete.js";
import { tagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

const GONE = ["NoSuchEntityException", "NoSuchEntity"];

async function instanceProfilesOf(iam: IAMClient, role: string): Promise<string[]> {
  const { paginateListInstanceProfilesForRole } = await loadSdk("@aws-sdk/client-iam");
  const names: string[] = [];
  for await (const page of paginateListInstanceProfilesForRole({ client: iam }, { RoleName: role })) {
    for (const profile of page.InstanceProfiles ?? []) if (profile.InstanceProfileName) names.push(profile.InstanceProfileName);
  }
  return names;
}

/** Strips the role and deletes it; false when it did not exist. */
export async function deleteRoleCompletely(iam: IAMClient, role: string): Promise<boolean> {
  const { DeleteRoleCommand, DeleteRolePolicyCommand, DetachRolePolicyCommand, RemoveRoleFromInstanceProfileCommand } = await loadSdk("@aws-sdk/client-iam");
  try {
    for (const arn of await attachedPolicyArns(iam, role)) {
      await deleteUnlessGone(GONE, () => iam.send(new DetachRolePolicyCommand({ RoleName: role, PolicyArn: arn })));
    }
    for (const name of await inlinePolicyNames(iam, role)) {
      await deleteUnlessGone(GONE, () => iam.send(new DeleteRolePolicyCommand({ RoleName: role, PolicyName: name })));
    }
    for (const profile of await instanceProfilesOf(iam, role)) {
      await deleteUnlessGone(GONE, () => iam.send(new RemoveRoleFromInstanceProfileCommand({ RoleName: role, InstanceProfileName: profile })));
    }
  } catch (error) {
    // The role vanished while we stripped it: nothing is left to delete.
    if (isGone(GONE, error)) return false;
    throw error;
  }
  return deleteUnlessGone(GONE, () => iam.send(new DeleteRoleCommand({ RoleName: role })));
}

export interface OidcProviderSummary {
  arn: string;
  /** Without the scheme: "oidc.eks.eu-west-1.amazonaws.com/id/ABC". */
  url: string;
  tags: Record<string, string>;
}

/** Every OIDC provider of the account with its tags (accounts hold a handful). */
export async function oidcProviders(iam: IAMClient): Promise<OidcProviderSummary[]> {
  const { GetOpenIDConnectProviderCommand, ListOpenIDConnectProvidersCommand } = await loadSdk("@aws-sdk/client-iam");
  const { OpenIDConnectProviderList = [] } = await iam.send(new ListOpenIDConnectProvidersCommand({}));
  const found: OidcProviderSummary[] = [];
  for (const { Arn: arn } of OpenIDConnectProviderList) {
    if (!arn) continue;
    try {
      const provider = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
      found.push({ arn, url: (provider.Url ?? "").replace(/^https:\/\//, ""), tags: tagMap(provider.Tags) });
    } catch (error) {
      if (!isGone(GONE, error)) throw error; // deleted between the two calls: skip it
    }
  }
  return found;
}

export async function deleteOidcProvider(iam: IAMClient, arn: string): Promise<boolean> {
  const { DeleteOpenIDConnectProviderCommand } = await loadSdk("@aws-sdk/client-iam");
  return deleteUnlessGone(GONE, () => iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })));
}
