/** The btp phase repeats names other phases decided (phases do not import each other); these must agree. */
import { describe, expect, it } from "vitest";
import { BTP_NAMESPACE, BTP_SERVICE_ACCOUNT, DATABASE_USER, SECRET_KEYS, STORAGE_CLASS } from "../../../../src/phases/btp/names.js";
import { IRSA_SERVICE_ACCOUNTS } from "../../../../src/phases/infra/irsa-policies.js";
import { MASTER_USERNAME } from "../../../../src/phases/infra/rds-spec.js";
import { STORAGE_CLASS as ADDONS_STORAGE_CLASS } from "../../../../src/phases/addons/storage-class.js";
import { SECRET_ID_KEY } from "../../../../src/phases/vault/configure.js";
import { generateSecrets, generatedKeys } from "../../../../src/secrets/generate.js";
import { PLATFORM_SECRET_KEYS } from "../../../../src/phases/dependencies/names.js";
import { WORKLOAD_NAMESPACES } from "../../../../src/phases/verify/workloads.js";
import { PLATFORM_NAMESPACE } from "../../../../src/phases/verify/dns.js";
import { VAULT_NAMESPACE } from "../../../../src/phases/vault/values.js";

describe("names shared with other phases", () => {
  it("deploys into the namespace and service account the btp IRSA role trusts", () => {
    expect(IRSA_SERVICE_ACCOUNTS.btp).toEqual({ namespace: BTP_NAMESPACE, name: BTP_SERVICE_ACCOUNT });
  });

  it("connects as the RDS master user infra creates", () => {
    expect(DATABASE_USER).toBe(MASTER_USERNAME);
  });

  it("reads every generated secret and the Vault secret-id under the keys their writers use", () => {
    // Every key any mode generates (in-cluster storage adds the MinIO keys to the aws set).
    const keys = generatedKeys({ database: { mode: "aws" }, cache: { mode: "aws" }, storage: { mode: "in-cluster" } });
    expect(Object.keys(generateSecrets(keys)).sort()).toEqual([...keys].sort());
    expect(keys.every((key) => Object.values(SECRET_KEYS).includes(key as never))).toBe(true);
    // The in-cluster releases read the same keys of the platform secret.
    expect(Object.values(PLATFORM_SECRET_KEYS).every((key) => keys.includes(key))).toBe(true);
    expect(SECRET_KEYS.vaultSecretId).toBe(SECRET_ID_KEY);
  });

  it("targets the StorageClass addons makes", () => {
    expect(STORAGE_CLASS).toBe(ADDONS_STORAGE_CLASS);
  });

  it("verify watches the namespaces the phases install into", () => {
    expect(WORKLOAD_NAMESPACES).toEqual([BTP_NAMESPACE, VAULT_NAMESPACE, IRSA_SERVICE_ACCOUNTS["cert-manager"].namespace]);
    expect(PLATFORM_NAMESPACE).toBe(BTP_NAMESPACE);
  });
});
