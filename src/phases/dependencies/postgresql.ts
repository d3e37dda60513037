/** addons/postgresql: PostgreSQL in the cluster when database.mode is in-cluster (Bitnami chart, one primary). */
import { dependencyStep } from "./release-step.js";
import { IN_CLUSTER_DATABASE, PLATFORM_SECRET_KEYS } from "./names.js";
import { postgresqlValues } from "./values.js";

export const postgresqlStep = dependencyStep({
  id: "addons/postgresql",
  title: "PostgreSQL",
  chart: "postgresql",
  section: "database",
  secret: { name: IN_CLUSTER_DATABASE.secret, keys: { [IN_CLUSTER_DATABASE.passwordKey]: PLATFORM_SECRET_KEYS.database } },
  values: postgresqlValues,
  summary: (config) => `one PostgreSQL 17 primary, database ${IN_CLUSTER_DATABASE.database}, ${config.database.storageGiB} GiB encrypted gp3 volume`,
  // The image sets the password only when it initialises an empty data directory.
  changedSecretNote: "PostgreSQL keeps the password it was initialised with until it is changed in the database (ALTER USER postgres PASSWORD ...)",
});
