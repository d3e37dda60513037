/**
 * destroy/iam: the cluster's OIDC provider and the roles infra made: the cluster and node roles
 * and one IRSA role per service account. A role is deleted when it carries this platform's tag,
 * or carries no platform tag and the state recorded it as ours; any other role of the same name
 * belongs to someone else and is left alone (with a warning).
 */
import { deleteOidcProvider, deleteRoleCompletely, oidcProviders, type OidcProviderSummary } from "../../aws/iam-delete.js";
import { getRole } from "../../aws/iam.js";
import { PLATFORM_TAG } from "../../aws/tags.js";
import { adoptedResources } from "../../phases/infra/existing-cluster-state.js";
import { IRSA_SERVICE_ACCOUNTS } from "../../phases/infra/irsa-policies.js";
import type { StepOutputs } from "../../plan/types.js";
import { attempt, count, deleting, names, recorded } from "./context.js";
import type { DestroyContext, Stage } from "./types.js";

/** Every role infra/iam-roles and infra/irsa create, by name. */
export function platformRoleNames(context: Pick<DestroyContext, "target">): string[] {
  const n = names(context);
  return [n.clusterRole, n.nodeRole, ...Object.keys(IRSA_SERVICE_ACCOUNTS).map((service) => n.irsaRole(service))];
}

function recordedArns(outputs: Readonly<Record<string, StepOutputs>>): Set<string> {
  const arns = new Set<string>();
  for (const step of ["infra/iam-roles", "infra/irsa"]) {
    for (const value of Object.values(outputs[step] ?? {})) if (typeof value === "string" && value.includes(":role/")) arns.add(value);
  }
  return arns;
}

interface Plan {
  roles: string[];
  providers: OidcProviderSummary[];
  /** Roles of our names that are someone else's. */
  foreign: string[];
}

async function plan(context: DestroyContext): Promise<Plan> {
  const iam = await context.services.aws.iam();
  const { platform } = context.target;
  // cluster.mode existing: the cluster's own roles and OIDC provider were recorded, never made.
  const adopted = adoptedResources(context.target.outputs);
  const arns = recordedArns(context.target.outputs);
  for (const arn of adopted?.roleArns ?? []) arns.delete(arn);
  const roles: string[] = [];
  const foreign: string[] = [];
  for (const name of platformRoleNames(context)) {
    const role = await attempt(context, `read IAM role ${name} (iam:GetRole)`, () => getRole(iam, name));
    if (!role) continue;
    const owner = role.tags[PLATFORM_TAG];
    if (owner === platform || (owner === undefined && arns.has(role.arn))) roles.push(name);
    else foreign.push(`${name} (${owner === undefined ? "no btp-aws:platform tag" : `tagged for platform ${owner}`})`);
  }
  const fromState = recorded(context, "infra/irsa", "oidcProviderArn");
  const providers = (await attempt(context, "list OIDC providers (iam:ListOpenIDConnectProviders, iam:GetOpenIDConnectProvider)", () => oidcProviders(iam)))
    .filter((p) => p.tags[PLATFORM_TAG] === platform || (p.tags[PLATFORM_TAG] === undefined && p.arn === fromState))
    .filter((p) => p.arn !== adopted?.oidcProviderArn);
  return { roles, providers, foreign };
}

export const iamStage: Stage = {
  id: "destroy/iam",
  title: "Delete the OIDC provider and IAM roles",
  phase: "infra",
  async survey(context) {
    const found = await plan(context);
    return [...deleting([...found.providers.map((p) => `OIDC provider ${p.url}`), ...found.roles.map((r) => `IAM role ${r}`)]), ...found.foreign.map((f) => ({ resource: `IAM role ${f}`, kept: "not this platform's" }))];
  },
  async run(context, report) {
    const found = await plan(context);
    for (const role of found.foreign) report.warn(`left IAM role ${role} alone: btp-aws did not create it for this platform`);
    if (found.roles.length === 0 && found.providers.length === 0) return report.skip("no OIDC provider or IAM role of the platform is left");
    const iam = await context.services.aws.iam();
    for (const provider of found.providers) {
      await attempt(context, `delete OIDC provider ${provider.arn} (iam:DeleteOpenIDConnectProvider)`, () => deleteOidcProvider(iam, provider.arn));
    }
    for (const role of found.roles) {
      report.status(`deleting role ${role}`);
      await attempt(context, `delete IAM role ${role} (iam:DetachRolePolicy, iam:DeleteRolePolicy, iam:RemoveRoleFromInstanceProfile, iam:DeleteRole)`, () => deleteRoleCompletely(iam, role));
    }
    report.info(`deleted ${[...found.providers.map((p) => `OIDC provider ${p.url}`), count(found.roles.length, "IAM role")].join(" and ")}: ${found.roles.join(", ")}`);
  },
};
