/** The in-cluster dependency releases, steps of the addons phase (each skipped unless its mode is in-cluster). */
import type { Step } from "../../plan/types.js";
import type { KubernetesServices } from "../cluster/services.js";
import { minioStep } from "./minio.js";
import { postgresqlStep } from "./postgresql.js";
import { redisStep } from "./redis.js";

export const dependencySteps: Step<KubernetesServices>[] = [postgresqlStep, redisStep, minioStep];
export const DEPENDENCY_STEP_IDS = dependencySteps.map((s) => s.id);
