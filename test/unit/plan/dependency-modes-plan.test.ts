/**
 * The install plan of a development and a production config differ exactly as the dependency
 * modes say. The first test holds everything but the modes equal (the production example with
 * its three modes switched to in-cluster), so every step whose plan changes is one the modes
 * reach; the others compare the shipped examples and an external variant.
 */
import { describe, expect, it } from "vitest";
import { installSteps } from "../../../src/cli/steps.js";
import { readConfigFile } from "../../../src/config/file.js";
import { ConfigSchema, resolveEnvironmentDefaults, type Config } from "../../../src/config/schema.js";
import { planSteps, type PlannedStep } from "../../../src/plan/render.js";
import { DEVELOPMENT_EXAMPLE, PRODUCTION_EXAMPLE, exampleConfig } from "../cost/examples.js";

type Section = Record<string, unknown>;

async function productionWith(modes: { database: Section; cache: Section; storage: Section }): Promise<Config> {
  const input = (await readConfigFile(PRODUCTION_EXAMPLE)).values as Record<string, Section>;
  return resolveEnvironmentDefaults(ConfigSchema.parse({
    ...input,
    database: { ...input.database, ...modes.database },
    cache: { ...input.cache, ...modes.cache },
    storage: { ...input.storage, ...modes.storage },
  }));
}

const plan = (config: Config): Map<string, PlannedStep> => new Map(planSteps(installSteps(), config, undefined).map((s) => [s.id, s]));
const actions = (planned: Map<string, PlannedStep>, id: string): string[] => planned.get(id)?.actions ?? [`(no step ${id})`];

/** Steps whose plan the modes change, and the helper whose describe() says how. */
const MODE_STEPS = [
  "infra/s3", "infra/secrets", "infra/irsa", "infra/rds", "infra/elasticache", "infra/monitoring",
  // The quota check asks for RDS and ElastiCache room only in aws mode.
  "prepare/quotas",
  // Other steps the in-cluster modes reach: the snapshot controller, its class, the releases.
  "infra/eks-addons", "addons/volume-snapshot-class", "addons/postgresql", "addons/redis", "addons/minio",
];

describe("install plan by dependency mode", () => {
  it("switching the production example to in-cluster changes exactly the mode-dependent steps, and the DAG not at all", async () => {
    const aws = plan(await exampleConfig(PRODUCTION_EXAMPLE));
    const inCluster = plan(await productionWith({ database: { mode: "in-cluster" }, cache: { mode: "in-cluster" }, storage: { mode: "in-cluster" } }));
    expect([...inCluster.keys()]).toEqual([...aws.keys()]);
    for (const [id, step] of aws) expect(inCluster.get(id)?.needs, id).toEqual(step.needs);
    const changed = [...aws.keys()].filter((id) => JSON.stringify(actions(aws, id)) !== JSON.stringify(actions(inCluster, id)));
    expect(changed.sort()).toEqual([...MODE_STEPS].sort());

    expect(actions(aws, "infra/rds")[0]).toMatch(/^create or adopt RDS PostgreSQL 16 btp-acme-prod-db: db\.r6g\.large, 100 GiB gp3/);
    expect(actions(inCluster, "infra/rds")).toEqual(["database.mode is in-cluster: no RDS instance; PostgreSQL runs in the cluster on an encrypted gp3 volume (addons/postgresql)"]);
    expect(actions(aws, "infra/elasticache")[0]).toMatch(/^create or adopt ElastiCache redis 7\.1 replication group btp-acme-prod-redis/);
    expect(actions(inCluster, "infra/elasticache")).toEqual(["cache.mode is in-cluster: no ElastiCache replication group; Redis runs in the cluster on an encrypted gp3 volume (addons/redis)"]);
    expect(actions(aws, "infra/s3")[0]).toMatch(/^create or adopt bucket btp-acme-prod-<account>-eu-west-1/);
    expect(actions(inCluster, "infra/s3")).toEqual(["storage.mode is in-cluster: no S3 bucket; MinIO runs in the cluster on an encrypted gp3 volume (addons/minio)"]);
    expect(actions(aws, "infra/secrets")[0]).toMatch(/credentials: databasePassword, redisAuthToken, jwtSigningKey, stateEncryptionKey, ipfsClusterSecret$/);
    expect(actions(inCluster, "infra/secrets")[0]).toMatch(/credentials: databasePassword, redisAuthToken, jwtSigningKey, stateEncryptionKey, ipfsClusterSecret, objectStorageAccessKey, objectStorageSecretKey$/);
    // The bucket role is the only IRSA difference.
    const roles = (p: Map<string, PlannedStep>) => actions(p, "infra/irsa").filter((a) => !a.includes("irsa-btp"));
    expect(roles(inCluster)).toEqual(roles(aws));
    expect(actions(aws, "infra/irsa")).toContain("create or adopt role btp-acme-prod-irsa-btp, assumable only by settlemint/settlemint");
    expect(actions(inCluster, "infra/irsa")).toContain("no role btp-acme-prod-irsa-btp: storage.mode is in-cluster, the platform reaches no AWS bucket");
    expect(actions(inCluster, "infra/monitoring").slice(1, 3)).toEqual(["CloudWatch alarms btp-acme-prod-*: node CPU > 80%", "CloudWatch dashboard btp-acme-prod: node widgets"]);
    for (const release of ["postgresql", "redis", "minio"]) {
      expect(actions(inCluster, `addons/${release}`)[0]).toMatch(new RegExp(`^helm release ${release} `));
      expect(actions(aws, `addons/${release}`)[0]).not.toMatch(/^helm release/);
    }
  });

  it("the shipped examples: development plans the in-cluster dependencies, production the managed services", async () => {
    const development = plan(await exampleConfig(DEVELOPMENT_EXAMPLE));
    const production = plan(await exampleConfig(PRODUCTION_EXAMPLE));
    expect([...development.keys()]).toEqual([...production.keys()]);
    expect([actions(development, "infra/rds"), actions(development, "infra/elasticache"), actions(development, "infra/s3")].map((a) => a[0]!.split(":")[0])).toEqual([
      "database.mode is in-cluster", "cache.mode is in-cluster", "storage.mode is in-cluster",
    ]);
    expect([actions(production, "infra/rds"), actions(production, "infra/elasticache"), actions(production, "infra/s3")].map((a) => a[0]!.split(" ").slice(0, 4).join(" "))).toEqual([
      "create or adopt RDS", "create or adopt ElastiCache", "create or adopt bucket",
    ]);
    expect(actions(development, "addons/postgresql")[0]).toMatch(/^helm release postgresql .*20 GiB encrypted gp3 volume/);
  });

  it("external: no managed service, no generated password for it, the endpoints named in the plan", async () => {
    const external = plan(await productionWith({
      database: { mode: "external", external: { host: "pg.acme.internal", user: "btp" } },
      cache: { mode: "external", external: { host: "redis.acme.internal" } },
      storage: { mode: "external", external: { bucket: "acme-btp-state" } },
    }));
    expect(actions(external, "infra/rds")).toEqual(["database.mode is external: no RDS instance; the platform uses your database at pg.acme.internal:5432"]);
    expect(actions(external, "infra/elasticache")).toEqual(["cache.mode is external: no ElastiCache replication group; the platform uses your Redis at redis.acme.internal:6379 over TLS"]);
    expect(actions(external, "infra/s3")).toEqual(["storage.mode is external: no S3 bucket; the platform uses your bucket acme-btp-state on Amazon S3"]);
    expect(actions(external, "infra/secrets")[0]).toMatch(/credentials: jwtSigningKey, stateEncryptionKey, ipfsClusterSecret$/);
    for (const release of ["postgresql", "redis", "minio"]) expect(actions(external, `addons/${release}`)[0]).not.toMatch(/^helm release/);
  });
});
