/**
 * Vault configuration the platform expects (FACTS.md). Every item is read before it is written,
 * so a re-run on a configured Vault writes nothing. A changed policy or role is put back and
 * reported; a mount or auth method of the wrong type at one of our paths stops the run, because
 * replacing it would delete whatever it holds.
 *
 * Secret-id: Vault mints a new one on every request and never shows an old one again. The caller
 * passes the secret-id it stored in the platform secret on an earlier run; while Vault still
 * knows it (auth/approle/role/<role>/secret-id/lookup) and it is not about to expire, it is
 * reused and nothing is written. Otherwise a new one is minted and `secretIdCreated` tells the
 * caller to store it (in Secrets Manager, never in state).
 */
import { readFile } from "node:fs/promises";
import { BtpAwsError } from "../../errors.js";
import type { Reporter } from "../../plan/types.js";
import type { VaultClient } from "../../vault/client.js";
import { kubernetesConfigDifferences, kvV2Problem, roleDifferences, samePolicy } from "../../vault/compare.js";
import type { AppRoleSettings, KubernetesAuthConfig } from "../../vault/types.js";
import { PACKAGE_ROOT } from "../../package-root.js";

export const KV_MOUNTS = ["ethereum/", "fabric/", "ipfs/"] as const;
export const POLICY_NAME = "platform-policy";
export const ROLE_NAME = "platform-role";
export const SECRET_ID_KEY = "vaultSecretId";
/** The role-id, kept next to the secret-id so the btp release reads both from one place. */
export const ROLE_ID_KEY = "vaultRoleId";
/** Vault runs inside the cluster, so it reaches the API server by its in-cluster name. */
export const IN_CLUSTER_KUBERNETES_HOST = "https://kubernetes.default.svc";

/** Resolved from this module: src/phases/vault and dist/phases/vault are three levels below the package root. */
export const PLATFORM_POLICY_FILE = new URL("templates/vault/platform-policy.hcl", PACKAGE_ROOT);

/** FACTS.md: token_ttl=1h, token_max_ttl=4h, secret_id_ttl=0; unlimited uses so a stored secret-id stays valid. */
export const PLATFORM_ROLE: AppRoleSettings = {
  token_ttl: 3600,
  token_max_ttl: 14_400,
  secret_id_ttl: 0,
  secret_id_num_uses: 0,
  token_policies: [POLICY_NAME],
  bind_secret_id: true,
};

/** A stored secret-id that expires sooner than this is replaced rather than handed to the chart. */
const MIN_REMAINING_MS = 24 * 3600 * 1000;

export type ConfigurableVault = Pick<
  VaultClient,
  "mounts" | "enableKv2" | "authMethods" | "enableAuth" | "kubernetesAuthConfig" | "putKubernetesAuthConfig" | "policy" | "putPolicy" | "appRole" | "putAppRole" | "roleId" | "createSecretId" | "lookupSecretId"
>;

export interface ConfigureOptions {
  kubernetesHost: string;
  kubernetesCaCert?: string;
  storedSecretId?: string;
  /** Registers secrets (role-id, secret-id) with the redactor. */
  redact?: (secret: string) => void;
  report: Reporter;
  policyFile?: URL;
  now?: () => Date;
}

export interface ConfigureResult {
  roleId: string;
  secretId: string;
  /** A new secret-id was minted: the caller must store it in the platform secret. */
  secretIdCreated: boolean;
  changes: string[];
}

export async function configureVault(vault: ConfigurableVault, options: ConfigureOptions): Promise<ConfigureResult> {
  const changes: string[] = [];
  const changed = (line: string) => {
    changes.push(line);
    options.report.info(line);
  };
  await ensureKvMounts(vault, options.report, changed);
  await ensureAuthMethods(vault, options.report, changed);
  await ensureKubernetesConfig(vault, options, changed);
  await ensurePolicy(vault, options, changed);
  await ensureRole(vault, options.report, changed);
  const roleId = await vault.roleId(ROLE_NAME);
  if (roleId === undefined) throw new BtpAwsError(`Vault has no role-id for AppRole role ${ROLE_NAME}, which this run just checked`, { hint: "something deleted the role meanwhile: run the same command again" });
  options.redact?.(roleId);
  const { secretId, created } = await ensureSecretId(vault, options, changed);
  return { roleId, secretId, secretIdCreated: created, changes };
}

async function ensureKvMounts(vault: ConfigurableVault, report: Reporter, changed: (line: string) => void): Promise<void> {
  const mounts = await vault.mounts();
  // Every path is checked before any is created, so drift stops the run with nothing half-done.
  const drift = KV_MOUNTS.flatMap((path) => {
    const mount = mounts[path];
    const problem = mount && kvV2Problem(mount);
    return problem ? [{ path, problem }] : [];
  });
  if (drift.length > 0) {
    const kvV1 = drift.filter((d) => d.problem === "kv version 1").map((d) => d.path);
    throw new BtpAwsError(`Vault has ${drift.map((d) => `${d.problem} at ${d.path}`).join(", ")}: the platform needs kv version 2 there, and btp-aws does not replace a secrets engine`, {
      hint: [
        ...kvV1.map((path) => `upgrade ${path} in place, keeping its data: \`vault kv enable-versioning ${path}\``),
        "or, if it holds nothing you need: `vault secrets disable <path>` (this deletes its data)",
        "then run the same command again",
      ].join("; "),
    });
  }
  for (const path of KV_MOUNTS) {
    if (mounts[path]) {
      report.skip(`kv-v2 secrets engine ${path} already enabled`);
    } else {
      await vault.enableKv2(path, "BTP platform secrets (managed by btp-aws)");
      changed(`enabled kv-v2 secrets engine at ${path}`);
    }
  }
}

const AUTH_METHODS = [
  { path: "kubernetes/", type: "kubernetes" },
  { path: "approle/", type: "approle" },
] as const;

async function ensureAuthMethods(vault: ConfigurableVault, report: Reporter, changed: (line: string) => void): Promise<void> {
  const methods = await vault.authMethods();
  const drift = AUTH_METHODS.filter(({ path, type }) => methods[path] && methods[path].type !== type);
  if (drift.length > 0) {
    throw new BtpAwsError(`Vault has ${drift.map(({ path }) => `a ${methods[path]!.type} auth method at ${path}`).join(", ")}: btp-aws needs ${drift.map(({ path, type }) => `${type} at ${path}`).join(", ")} and does not replace an auth method`, {
      hint: "disable it (`vault auth disable <path>`; its roles and logins are lost), then run the same command again",
    });
  }
  for (const { path, type } of AUTH_METHODS) {
    if (methods[path]) {
      report.skip(`${type} auth method already enabled at ${path}`);
    } else {
      await vault.enableAuth(type, path, "managed by btp-aws");
      changed(`enabled ${type} auth method at ${path}`);
    }
  }
}

async function ensureKubernetesConfig(vault: ConfigurableVault, options: ConfigureOptions, changed: (line: string) => void): Promise<void> {
  // Vault in a pod uses its own service account token and CA unless a CA is given.
  const desired: KubernetesAuthConfig = { kubernetes_host: options.kubernetesHost, kubernetes_ca_cert: options.kubernetesCaCert ?? "", disable_local_ca_jwt: false };
  const actual = await vault.kubernetesAuthConfig();
  const differences = actual && kubernetesConfigDifferences(actual, desired);
  if (differences && differences.length === 0) {
    options.report.skip(`Kubernetes auth already configured for ${desired.kubernetes_host}`);
    return;
  }
  await vault.putKubernetesAuthConfig(desired);
  changed(actual ? `repaired the Kubernetes auth config: ${differences!.join("; ")}` : `configured Kubernetes auth for ${desired.kubernetes_host}`);
}

async function ensurePolicy(vault: ConfigurableVault, options: ConfigureOptions, changed: (line: string) => void): Promise<void> {
  const file = options.policyFile ?? PLATFORM_POLICY_FILE;
  const wanted = await readFile(file, "utf8");
  const actual = await vault.policy(POLICY_NAME);
  if (actual !== undefined && samePolicy(actual, wanted)) {
    options.report.skip(`policy ${POLICY_NAME} already up to date`);
    return;
  }
  await vault.putPolicy(POLICY_NAME, wanted);
  changed(actual === undefined ? `created policy ${POLICY_NAME}` : `restored policy ${POLICY_NAME}: Vault's copy differed from templates/vault/platform-policy.hcl`);
}

async function ensureRole(vault: ConfigurableVault, report: Reporter, changed: (line: string) => void): Promise<void> {
  const actual = await vault.appRole(ROLE_NAME);
  const differences = actual && roleDifferences(actual, PLATFORM_ROLE);
  if (differences && differences.length === 0) {
    report.skip(`AppRole role ${ROLE_NAME} already configured`);
    return;
  }
  await vault.putAppRole(ROLE_NAME, PLATFORM_ROLE);
  changed(actual ? `repaired AppRole role ${ROLE_NAME}: ${differences!.join("; ")}` : `created AppRole role ${ROLE_NAME} (token_ttl 1h, token_max_ttl 4h, secret_id_ttl 0)`);
}

async function ensureSecretId(vault: ConfigurableVault, options: ConfigureOptions, changed: (line: string) => void): Promise<{ secretId: string; created: boolean }> {
  const stored = options.storedSecretId;
  if (stored) {
    options.redact?.(stored);
    const info = await vault.lookupSecretId(ROLE_NAME, stored);
    const now = (options.now ?? (() => new Date()))().getTime();
    if (info && (info.expiresAt === undefined || info.expiresAt.getTime() - now > MIN_REMAINING_MS)) {
      options.report.skip(`the secret-id stored in the platform secret is still valid for ${ROLE_NAME}: reusing it`);
      return { secretId: stored, created: false };
    }
    options.report.warn(info ? `the stored secret-id for ${ROLE_NAME} expires ${info.expiresAt!.toISOString()}: replacing it` : `Vault no longer knows the stored secret-id for ${ROLE_NAME} (destroyed, or the role was recreated): replacing it`);
  }
  const { secretId } = await vault.createSecretId(ROLE_NAME);
  options.redact?.(secretId);
  changed(`created a secret-id for ${ROLE_NAME}`);
  return { secretId, created: true };
}
