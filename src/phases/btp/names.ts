/**
 * Names the btp phase shares with the rest of the installation. Phases do not import each other,
 * so the ones infra decided (namespace and service account in the IRSA trust policy, the RDS
 * master user, the platform secret's keys) are repeated here and held equal by
 * test/unit/phases/btp/names.test.ts.
 */

/** The release, its namespace and service account: infra's IRSA trust policy names exactly these. */
export const BTP_RELEASE = "settlemint";
export const BTP_NAMESPACE = "settlemint";
export const BTP_SERVICE_ACCOUNT = "settlemint";

/** infra/rds creates the instance with this master user and no DBName, so only `postgres` exists. */
export const DATABASE_USER = "btp_admin";
export const DATABASE_NAME = "postgres";

/** Vault as the vault phase installs it: release vault in namespace vault, plain HTTP in-cluster. */
export const VAULT_ADDRESS = "http://vault.vault.svc.cluster.local:8200";

/**
 * Where the platform's images live. SettleMint's docs and Terraform both pull from Harbor, even
 * when the chart itself comes from registry.settlemint.com; a mirror is set in the overrides file.
 */
export const IMAGE_REGISTRY = "harbor.settlemint.com";

/** The default StorageClass the addons phase makes, and the ingress class of the ALB controller. */
export const STORAGE_CLASS = "gp3";
export const INGRESS_CLASS = "alb";

/** Namespace the deployment engine puts the services users deploy (blockchain nodes, IPFS, …). */
export const DEPLOYMENTS_NAMESPACE = "deployments";

/** Keys of the platform secret (infra's GeneratedSecrets, and what vault/configure adds). */
export const SECRET_KEYS = {
  databasePassword: "databasePassword",
  redisAuthToken: "redisAuthToken",
  objectStorageAccessKey: "objectStorageAccessKey",
  objectStorageSecretKey: "objectStorageSecretKey",
  jwtSigningKey: "jwtSigningKey",
  stateEncryptionKey: "stateEncryptionKey",
  ipfsClusterSecret: "ipfsClusterSecret",
  vaultRoleId: "vaultRoleId",
  vaultSecretId: "vaultSecretId",
} as const;

/** How long helm may wait for the release to become ready (SettleMint's Terraform uses 900 s too). */
export const RELEASE_TIMEOUT_SECONDS = 900;
