/** addons/minio: MinIO in the cluster when storage.mode is in-cluster (standalone, the state bucket versioned). */
import { dependencyStep } from "./release-step.js";
import { IN_CLUSTER_STORAGE, PLATFORM_SECRET_KEYS } from "./names.js";
import { MINIO_VOLUME_GIB, minioValues } from "./values.js";

export const minioStep = dependencyStep({
  id: "addons/minio",
  title: "MinIO",
  chart: "minio",
  section: "storage",
  secret: {
    name: IN_CLUSTER_STORAGE.secret,
    keys: { [IN_CLUSTER_STORAGE.accessKeyKey]: PLATFORM_SECRET_KEYS.storageAccessKey, [IN_CLUSTER_STORAGE.secretKeyKey]: PLATFORM_SECRET_KEYS.storageSecretKey },
  },
  values: () => minioValues(),
  summary: () => `standalone MinIO with bucket ${IN_CLUSTER_STORAGE.bucket} (versioned), ${MINIO_VOLUME_GIB} GiB encrypted gp3 volume`,
  changedSecretNote: "MinIO reads its root credentials when it starts: restart it (kubectl -n btp-dependencies rollout restart deployment minio)",
});
