/** addons/redis: Redis in the cluster when cache.mode is in-cluster (Bitnami chart, standalone, AOF on). */
import { dependencyStep } from "./release-step.js";
import { IN_CLUSTER_CACHE, PLATFORM_SECRET_KEYS } from "./names.js";
import { REDIS_VOLUME_GIB, redisValues } from "./values.js";

export const redisStep = dependencyStep({
  id: "addons/redis",
  title: "Redis",
  chart: "redis",
  section: "cache",
  secret: { name: IN_CLUSTER_CACHE.secret, keys: { [IN_CLUSTER_CACHE.passwordKey]: PLATFORM_SECRET_KEYS.cache } },
  values: redisValues,
  summary: () => `one Redis 8 primary with AUTH and append-only persistence, ${REDIS_VOLUME_GIB} GiB encrypted gp3 volume`,
  changedSecretNote: "Redis reads its password when it starts: restart it (kubectl -n btp-dependencies rollout restart statefulset redis-master)",
});
