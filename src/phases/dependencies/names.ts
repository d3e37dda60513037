/**
 * Where the in-cluster dependencies (database.mode, cache.mode, storage.mode: in-cluster) live:
 * shared by the helm releases that install them, the btp values that point at them, doctor,
 * dr-snapshot and destroy, so the names cannot drift apart.
 */
export const DEPENDENCIES_NAMESPACE = "btp-dependencies";

export const IN_CLUSTER_DATABASE = {
  release: "postgresql",
  // Bitnami's chart names its Service after the release when the release name contains "postgresql".
  host: `postgresql.${DEPENDENCIES_NAMESPACE}.svc.cluster.local`,
  port: 5432,
  // The superuser, as RDS's master user is for the aws mode; its password is databasePassword.
  user: "postgres",
  database: "btp",
  /** The Kubernetes Secret addons/postgresql writes, and the key the chart reads the password from. */
  secret: "postgresql-credentials",
  passwordKey: "postgres-password",
} as const;

export const IN_CLUSTER_CACHE = {
  release: "redis",
  // A standalone Redis release serves its primary as <release>-master.
  host: `redis-master.${DEPENDENCIES_NAMESPACE}.svc.cluster.local`,
  port: 6379,
  /** The Secret addons/redis writes (password: redisAuthToken) and its key. */
  secret: "redis-credentials",
  passwordKey: "redis-password",
} as const;

export const IN_CLUSTER_STORAGE = {
  release: "minio",
  endpoint: `http://minio.${DEPENDENCIES_NAMESPACE}.svc.cluster.local:9000`,
  // The one bucket the deployment engine keeps its state in.
  bucket: "btp-state",
  /** The Secret addons/minio writes; MinIO's chart reads exactly these two keys from it. */
  secret: "minio-credentials",
  accessKeyKey: "rootUser",
  secretKeyKey: "rootPassword",
} as const;

/** Keys of the platform secret (Secrets Manager) the in-cluster credentials come from. */
export const PLATFORM_SECRET_KEYS = {
  database: "databasePassword",
  cache: "redisAuthToken",
  storageAccessKey: "objectStorageAccessKey",
  storageSecretKey: "objectStorageSecretKey",
} as const;
