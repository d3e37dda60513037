/**
 * Helm values of the in-cluster dependencies. Each chart reads its password from a Kubernetes
 * Secret the step writes first (existingSecret), so no credential is in helm's release values,
 * `btp-aws values` output or the values hash. Volumes use the platform's gp3 StorageClass, which
 * is encrypted with the platform KMS key (addons/storage-class).
 *
 * Images: Bitnami's charts default to docker.io/bitnami images that were withdrawn in August 2025;
 * the same builds live on as docker.io/bitnamilegacy (frozen: no more security fixes), which the
 * charts accept only with global.security.allowInsecureImages. Development mode only: production
 * uses the managed services.
 */
import type { Config } from "../../config/schema.js";
import { STORAGE_CLASS } from "../addons/storage-class.js";
import { IN_CLUSTER_CACHE, IN_CLUSTER_DATABASE, IN_CLUSTER_STORAGE } from "./names.js";

export const DEPENDENCY_IMAGES = {
  postgresql: { registry: "docker.io", repository: "bitnamilegacy/postgresql", tag: "17.6.0-debian-12-r4" },
  redis: { registry: "docker.io", repository: "bitnamilegacy/redis", tag: "8.2.1-debian-12-r0" },
} as const;

/** Redis holds sessions and queues, not data: 8 GiB is its chart's own default. */
export const REDIS_VOLUME_GIB = 8;
/** MinIO holds the deployment engine's state (small files); 100 GiB leaves years of room and gp3 grows online. */
export const MINIO_VOLUME_GIB = 100;

/** Bitnami's images are only accepted from repositories the chart knows, unless this is set. */
const ALLOW_LEGACY_IMAGES = { security: { allowInsecureImages: true } };

export function postgresqlValues(config: Pick<Config, "database">): Record<string, unknown> {
  return {
    global: ALLOW_LEGACY_IMAGES,
    image: { ...DEPENDENCY_IMAGES.postgresql },
    architecture: "standalone",
    auth: {
      enablePostgresUser: true,
      database: IN_CLUSTER_DATABASE.database,
      existingSecret: IN_CLUSTER_DATABASE.secret,
      secretKeys: { adminPasswordKey: IN_CLUSTER_DATABASE.passwordKey },
    },
    primary: {
      persistence: { enabled: true, storageClass: STORAGE_CLASS, size: `${config.database.storageGiB}Gi` },
      // The chart's "nano" preset (128 MiB) is too small for the platform's connection pool.
      resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "2Gi" } },
    },
  };
}

export function redisValues(): Record<string, unknown> {
  return {
    global: ALLOW_LEGACY_IMAGES,
    image: { ...DEPENDENCY_IMAGES.redis },
    architecture: "standalone",
    auth: { enabled: true, sentinel: false, existingSecret: IN_CLUSTER_CACHE.secret, existingSecretPasswordKey: IN_CLUSTER_CACHE.passwordKey },
    // AOF, fsync every second: a restart loses at most a second of writes. RDB snapshots off.
    commonConfiguration: 'appendonly yes\nappendfsync everysec\nsave ""',
    master: {
      persistence: { enabled: true, storageClass: STORAGE_CLASS, size: `${REDIS_VOLUME_GIB}Gi` },
      resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
    },
  };
}

export function minioValues(): Record<string, unknown> {
  return {
    mode: "standalone",
    replicas: 1,
    existingSecret: IN_CLUSTER_STORAGE.secret,
    persistence: { enabled: true, storageClass: STORAGE_CLASS, size: `${MINIO_VOLUME_GIB}Gi`, accessMode: "ReadWriteOnce" },
    // The chart asks for 16 GiB by default, more than a development node has to spare.
    resources: { requests: { memory: "1Gi" } },
    // The chart's default list creates a user console/console123: none here.
    users: [],
    buckets: [{ name: IN_CLUSTER_STORAGE.bucket, policy: "none", purge: false, versioning: true, objectlocking: false }],
  };
}
