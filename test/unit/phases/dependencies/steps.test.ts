/**
 * addons/postgresql, addons/redis, addons/minio with the fake kube and a recording helm: skipped
 * unless their mode is in-cluster; otherwise the namespace, a Secret holding the password from the
 * platform secret, then the pinned chart with values that carry no credential at all.
 */
import { describe, expect, it } from "vitest";
import { BtpAwsError } from "../../../../src/errors.js";
import type { KubeObject } from "../../../../src/k8s/kube.js";
import { CHART_PINS } from "../../../../src/helm/charts.js";
import { addonsSteps } from "../../../../src/phases/addons/index.js";
import { STORAGE_CLASS } from "../../../../src/phases/addons/storage-class.js";
import { btpReleaseStep } from "../../../../src/phases/btp/release.js";
import { minioStep } from "../../../../src/phases/dependencies/minio.js";
import { DEPENDENCIES_NAMESPACE, IN_CLUSTER_CACHE, IN_CLUSTER_DATABASE, IN_CLUSTER_STORAGE } from "../../../../src/phases/dependencies/names.js";
import { postgresqlStep } from "../../../../src/phases/dependencies/postgresql.js";
import { redisStep } from "../../../../src/phases/dependencies/redis.js";
import { DEPENDENCY_STEP_IDS } from "../../../../src/phases/dependencies/index.js";
import { testConfig } from "../../../support/config.js";
import { runStep } from "../../../support/infra.js";
import { OUTPUTS, SECRET_ARN, testServices } from "../cluster/services.js";

const STORED = {
  databasePassword: "db-pass-Qm7vX2kLp9",
  redisAuthToken: "redis-token-Hd82JsQk3vPzL0aa",
  objectStorageAccessKey: "minio-access-K2j8",
  objectStorageSecretKey: "minio-secret-Zr4Qe9Tt1uYy",
  jwtSigningKey: "not-for-these-steps",
};
const development = testConfig();
const production = testConfig({ environment: "production" });

const secretData = (object: KubeObject | undefined) =>
  Object.fromEntries(Object.entries((object?.data ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));

describe("names, pins and ordering agree", () => {
  it("installs each chart in the dependencies namespace under the release name the btp values point at", () => {
    expect([CHART_PINS.postgresql, CHART_PINS.redis, CHART_PINS.minio].map((p) => [p.release, p.namespace])).toEqual([
      [IN_CLUSTER_DATABASE.release, DEPENDENCIES_NAMESPACE],
      [IN_CLUSTER_CACHE.release, DEPENDENCIES_NAMESPACE],
      [IN_CLUSTER_STORAGE.release, DEPENDENCIES_NAMESPACE],
    ]);
  });

  it("are addons-phase steps after the StorageClass, and btp/release waits for all three", () => {
    expect(DEPENDENCY_STEP_IDS).toEqual(["addons/postgresql", "addons/redis", "addons/minio"]);
    for (const id of DEPENDENCY_STEP_IDS) {
      const step = addonsSteps.find((s) => s.id === id);
      expect(step?.phase).toBe("addons");
      expect(step?.needs).toContain("addons/storage-class");
      expect(step?.needs).toContain("infra/secrets");
    }
    expect(btpReleaseStep.needs).toEqual(expect.arrayContaining(DEPENDENCY_STEP_IDS));
  });
});

describe("in-cluster mode (the development default)", () => {
  it("addons/postgresql writes the password into a Secret and installs the pinned chart referencing it", async () => {
    const services = testServices(STORED);
    const first = await runStep(postgresqlStep, development, services, OUTPUTS);

    const namespace = await services.kube.get("v1", "Namespace", DEPENDENCIES_NAMESPACE);
    expect(namespace?.metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "btp-aws", "btp-aws/platform": "btp-test" });
    const secret = await services.kube.get("v1", "Secret", "postgresql-credentials", DEPENDENCIES_NAMESPACE);
    expect(secretData(secret)).toEqual({ "postgres-password": STORED.databasePassword });

    const release = services.fakeHelm.upgrades[0]!;
    expect(release).toMatchObject({ name: "postgresql", namespace: DEPENDENCIES_NAMESPACE, chart: "oci://registry-1.docker.io/bitnamicharts/postgresql", version: "16.7.27", wait: true, timeoutSeconds: 900 });
    expect(release.repo).toBeUndefined();
    expect(release.values).toMatchObject({
      global: { security: { allowInsecureImages: true } },
      image: { registry: "docker.io", repository: "bitnamilegacy/postgresql", tag: "17.6.0-debian-12-r4" },
      auth: { existingSecret: "postgresql-credentials", secretKeys: { adminPasswordKey: "postgres-password" }, database: "btp" },
      primary: { persistence: { enabled: true, storageClass: STORAGE_CLASS, size: "100Gi" } },
    });
    // The credential is in the Secret only: not in helm's values (nor, so, its argv or release history).
    expect(JSON.stringify(release.values)).not.toContain(STORED.databasePassword);
    expect(first.report.infos).toEqual(["created Secret postgresql-credentials", "installed release postgresql in namespace btp-dependencies: revision 1"]);
    expect(first.outputs).toEqual({ release: "postgresql", namespace: DEPENDENCIES_NAMESPACE, chartVersion: "16.7.27", revision: 1, mode: "in-cluster", secret: "postgresql-credentials" });
    // Every value read from the platform secret is redacted from then on.
    expect(services.redactor.redact(`x ${STORED.databasePassword} ${STORED.jwtSigningKey}`)).not.toMatch(/db-pass|not-for-these/);

    const second = await runStep(postgresqlStep, development, services, OUTPUTS);
    expect(second.report.infos).toEqual([]);
    expect(second.report.warnings).toEqual([]);
    expect(second.report.skipped).toEqual(["release postgresql already deployed with these values"]);
    expect(services.kube.applied.slice(2).map((a) => a.result)).toEqual(["unchanged", "unchanged"]);
  });

  it("sizes the PostgreSQL volume from database.storageGiB", async () => {
    const services = testServices(STORED);
    await runStep(postgresqlStep, testConfig({ database: { storageGiB: 250 } }), services, OUTPUTS);
    expect(services.fakeHelm.upgrades[0]!.values).toMatchObject({ primary: { persistence: { size: "250Gi" } } });
  });

  it("addons/redis: AUTH from its Secret, append-only persistence on an 8 GiB gp3 volume", async () => {
    const services = testServices(STORED);
    await runStep(redisStep, development, services, OUTPUTS);
    expect(secretData(await services.kube.get("v1", "Secret", "redis-credentials", DEPENDENCIES_NAMESPACE))).toEqual({ "redis-password": STORED.redisAuthToken });
    const release = services.fakeHelm.upgrades[0]!;
    expect(release).toMatchObject({ name: "redis", chart: "oci://registry-1.docker.io/bitnamicharts/redis", version: "22.0.3" });
    expect(release.values).toMatchObject({
      architecture: "standalone",
      auth: { enabled: true, existingSecret: "redis-credentials", existingSecretPasswordKey: "redis-password" },
      master: { persistence: { storageClass: STORAGE_CLASS, size: "8Gi" } },
    });
    expect(release.values.commonConfiguration).toMatch(/^appendonly yes$/m);
    expect(JSON.stringify(release.values)).not.toContain(STORED.redisAuthToken);
  });

  it("addons/minio: root credentials from its Secret, no default console user, the state bucket", async () => {
    const services = testServices(STORED);
    await runStep(minioStep, development, services, OUTPUTS);
    expect(secretData(await services.kube.get("v1", "Secret", "minio-credentials", DEPENDENCIES_NAMESPACE))).toEqual({ rootUser: STORED.objectStorageAccessKey, rootPassword: STORED.objectStorageSecretKey });
    const release = services.fakeHelm.upgrades[0]!;
    expect(release).toMatchObject({ name: "minio", chart: "minio", repo: "https://charts.min.io/", version: "5.4.0" });
    expect(release.values).toMatchObject({ mode: "standalone", existingSecret: "minio-credentials", users: [], persistence: { storageClass: STORAGE_CLASS, size: "100Gi" } });
    expect(release.values.buckets).toEqual([{ name: "btp-state", policy: "none", purge: false, versioning: true, objectlocking: false }]);
    const text = JSON.stringify(release.values);
    expect(text).not.toContain(STORED.objectStorageAccessKey);
    expect(text).not.toContain(STORED.objectStorageSecretKey);
  });

  it("takes the chart from the config's override (a mirror)", async () => {
    const services = testServices(STORED);
    await runStep(redisStep, testConfig({ charts: { redis: { chart: "oci://mirror.example.com/bitnamicharts/redis", version: "22.0.4" } } }), services, OUTPUTS);
    expect(services.fakeHelm.upgrades[0]).toMatchObject({ chart: "oci://mirror.example.com/bitnamicharts/redis", version: "22.0.4" });
  });

  it("warns when the Secret had to change: PostgreSQL keeps the password it was initialised with", async () => {
    const services = testServices(STORED);
    await services.kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: DEPENDENCIES_NAMESPACE } });
    await services.kube.apply({ apiVersion: "v1", kind: "Secret", metadata: { name: "postgresql-credentials", namespace: DEPENDENCIES_NAMESPACE, labels: { "app.kubernetes.io/managed-by": "btp-aws" } }, type: "Opaque", data: { "postgres-password": Buffer.from("old").toString("base64") } });
    const { report } = await runStep(postgresqlStep, development, services, OUTPUTS);
    expect(report.warnings).toEqual(["Secret postgresql-credentials changed to match the platform secret: PostgreSQL keeps the password it was initialised with until it is changed in the database (ALTER USER postgres PASSWORD ...)"]);
  });

  it("refuses a platform secret without the object storage keys, saying which step writes them", async () => {
    const { objectStorageAccessKey: _a, objectStorageSecretKey: _s, ...older } = STORED;
    const services = testServices(older);
    const error = await runStep(minioStep, development, services, OUTPUTS).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(BtpAwsError);
    expect((error as BtpAwsError).message).toBe(`the platform secret ${SECRET_ARN} has no objectStorageAccessKey`);
    expect((error as BtpAwsError).hint).toMatch(/run `btp-aws install --from infra`/);
    expect(services.kube.applied).toEqual([]);
    expect(services.fakeHelm.upgrades).toEqual([]);
  });
});

describe("other modes", () => {
  it.each([
    ["production (aws)", production, "aws"],
    ["external", testConfig({ database: { mode: "external", external: { host: "db.example.com" } }, cache: { mode: "external", external: { host: "redis.example.com" } }, storage: { mode: "external", external: { bucket: "btp-state-example" } } }), "external"],
  ])("%s: nothing in the cluster, no secret read", async (_name, config, mode) => {
    for (const [step, section] of [[postgresqlStep, "database"], [redisStep, "cache"], [minioStep, "storage"]] as const) {
      const services = testServices(STORED);
      const { report, outputs } = await runStep(step, config, services, OUTPUTS);
      expect(report.skipped).toEqual([`${section}.mode is ${mode}: no in-cluster ${step.title}`]);
      expect(outputs).toEqual({ mode });
      expect(services.kube.applied).toEqual([]);
      expect(services.fakeHelm.upgrades).toEqual([]);
      expect(step.describe(config)).toEqual([`${section}.mode is ${mode}: nothing installed in the cluster`]);
    }
  });

  it("describes the in-cluster releases for plan", () => {
    expect(postgresqlStep.describe(development)).toEqual([
      "helm release postgresql (oci://registry-1.docker.io/bitnamicharts/postgresql 16.7.27) in btp-dependencies: one PostgreSQL 17 primary, database btp, 100 GiB encrypted gp3 volume; credentials from the platform secret through Secret postgresql-credentials",
    ]);
    expect(minioStep.describe(development)[0]).toMatch(/^helm release minio \(minio 5\.4\.0\) in btp-dependencies: standalone MinIO with bucket btp-state \(versioned\), 100 GiB/);
  });
});
