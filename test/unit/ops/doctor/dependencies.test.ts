/**
 * doctor follows the dependency modes: the managed-service checks only for mode aws, the
 * in-cluster releases' StatefulSets and volume claims read from the Kubernetes fake, and one
 * line (no probe, no call) for an external endpoint.
 */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../../src/k8s/kube.js";
import { dependencyChecks } from "../../../../src/ops/doctor/checks-dependencies.js";
import { recordedModes } from "../../../../src/ops/doctor/dependency-modes.js";
import { doctorChecks } from "../../../../src/ops/doctor/index.js";
import { runChecks } from "../../../../src/ops/doctor/runner.js";
import type { Check, CheckResult, DoctorContext } from "../../../../src/ops/doctor/types.js";
import { testConfig } from "../../../support/config.js";
import { fakeKube, type FakeKube } from "../../../fakes/kube.js";
import { stateWith, stubFacts, testContext } from "./helpers.js";

const NS = "btp-dependencies";
const inCluster = testConfig(); // development: every dependency in-cluster
const production = testConfig({ environment: "production" });
const external = testConfig({
  environment: "production",
  database: { mode: "external", external: { host: "db.corp.example", port: 5433 } },
  cache: { mode: "external", external: { host: "redis.corp.example" } },
  storage: { mode: "external", external: { bucket: "corp-btp-state", endpoint: "https://s3.corp.example" } },
});

async function run(check: Check, ctx: DoctorContext): Promise<CheckResult> {
  const { signal: _signal, ...rest } = ctx;
  const [result] = await runChecks([check], rest, { timeoutMs: 10_000 });
  return result!;
}

function statefulSet(name: string, release: string, replicas: number, ready: number): KubeObject {
  return { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name, namespace: NS, labels: { "app.kubernetes.io/instance": release } }, spec: { replicas }, status: { replicas, readyReplicas: ready } };
}

function claim(name: string, release: string, phase: string, storageClassName = "gp3"): KubeObject {
  return { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name, namespace: NS, labels: { "app.kubernetes.io/instance": release } }, spec: { storageClassName, resources: { requests: { storage: "8Gi" } } }, status: { phase } };
}

function healthy(kube: FakeKube): void {
  kube.seed(statefulSet("postgresql", "postgresql", 1, 1));
  kube.seed(claim("data-postgresql-0", "postgresql", "Bound"));
  kube.seed(statefulSet("redis-master", "redis", 1, 1));
  kube.seed(claim("redis-data-redis-master-0", "redis", "Bound"));
  kube.seed(statefulSet("minio", "minio", 1, 1));
  kube.seed(claim("data-minio-0", "minio", "Bound"));
}

const ids = (checks: readonly Check[]) => checks.map((c) => c.id);

describe("which checks doctor runs per mode", () => {
  it("production (aws): RDS, ElastiCache and S3 checks, no dependency checks", () => {
    const list = ids(doctorChecks(production));
    expect(list).toEqual(expect.arrayContaining(["aws/rds", "aws/rds-storage", "aws/elasticache", "aws/s3"]));
    expect(list.filter((id) => /^(kubernetes|endpoint)\/(database|cache|storage)$/.test(id))).toEqual([]);
  });

  it("development (in-cluster): no managed-service check; one Kubernetes check per dependency", () => {
    const list = ids(doctorChecks(inCluster));
    for (const id of ["aws/rds", "aws/rds-storage", "aws/elasticache", "aws/s3"]) expect(list).not.toContain(id);
    expect(list).toEqual(expect.arrayContaining(["kubernetes/database", "kubernetes/cache", "kubernetes/storage", "aws/kms", "aws/secret"]));
  });

  it("mixed: only the aws dependency keeps its AWS check", () => {
    const list = ids(doctorChecks(testConfig({ environment: "production", cache: { mode: "in-cluster" }, storage: { mode: "in-cluster" } })));
    expect(list).toEqual(expect.arrayContaining(["aws/rds", "aws/rds-storage", "kubernetes/cache", "kubernetes/storage"]));
    expect(list).not.toContain("aws/elasticache");
    expect(list).not.toContain("aws/s3");
  });

  it("no config at all: the managed-service checks, as before the modes existed", () => {
    expect(ids(doctorChecks(undefined))).toEqual(expect.arrayContaining(["aws/rds", "aws/elasticache", "aws/s3"]));
  });
});

describe("in-cluster dependencies", () => {
  const check = (id: string) => dependencyChecks(inCluster).find((c) => c.id === id)!;

  it("ok when every replica is ready and every claim is Bound on gp3, with zero writes", async () => {
    const kube = fakeKube();
    healthy(kube);
    const results = await Promise.all(["kubernetes/database", "kubernetes/cache", "kubernetes/storage"].map((id) => run(check(id), testContext({ config: inCluster, kube: () => Promise.resolve(kube) }))));
    expect(results.map((r) => [r.status, r.detail])).toEqual([
      ["ok", "PostgreSQL (release btp-dependencies/postgresql): StatefulSet postgresql 1/1 ready; 1 volume claim Bound on gp3"],
      ["ok", "Redis (release btp-dependencies/redis): StatefulSet redis-master 1/1 ready; 1 volume claim Bound on gp3"],
      ["ok", "MinIO (release btp-dependencies/minio): StatefulSet minio 1/1 ready; 1 volume claim Bound on gp3"],
    ]);
    expect(kube.applied).toEqual([]);
    expect(kube.deleted).toEqual([]);
  });

  it("fails on a StatefulSet short of replicas and a Pending claim, with the commands that show why", async () => {
    const kube = fakeKube();
    kube.seed(statefulSet("postgresql", "postgresql", 1, 0));
    kube.seed(claim("data-postgresql-0", "postgresql", "Pending"));
    const result = await run(check("kubernetes/database"), testContext({ config: inCluster, kube: () => Promise.resolve(kube) }));
    expect(result.status).toBe("fail");
    expect(result.detail).toBe("PostgreSQL (release btp-dependencies/postgresql): StatefulSet postgresql 0/1 ready; volume claim data-postgresql-0 is Pending");
    expect(result.fix).toBe("`kubectl -n btp-dependencies describe statefulset postgresql` and its pods' events show why");
  });

  it("warns when a claim is on another storage class than the encrypted gp3", async () => {
    const kube = fakeKube();
    kube.seed(statefulSet("redis-master", "redis", 1, 1));
    kube.seed(claim("redis-data-redis-master-0", "redis", "Bound", "gp2"));
    const result = await run(check("kubernetes/cache"), testContext({ config: inCluster, kube: () => Promise.resolve(kube) }));
    expect(result.status).toBe("warn");
    expect(result.detail).toContain("volume claim redis-data-redis-master-0 uses storage class gp2, not the platform's encrypted gp3");
  });

  it("a missing release: a warning before install, a failure once its addons step is done", async () => {
    const kube = fakeKube();
    const before = await run(check("kubernetes/storage"), testContext({ config: inCluster, kube: () => Promise.resolve(kube) }));
    expect([before.status, before.detail]).toEqual(["warn", "MinIO (release btp-dependencies/minio): not installed yet"]);
    const after = await run(check("kubernetes/storage"), testContext({ config: inCluster, state: stateWith(["addons/minio"]), kube: () => Promise.resolve(kube) }));
    expect(after.status).toBe("fail");
    expect(after.fix).toContain("`btp-aws install --from addons` installs it again");
  });

  it("reads a standalone MinIO's Deployment when the release has no StatefulSet", async () => {
    const kube = fakeKube();
    kube.seed({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "minio", namespace: NS, labels: { "app.kubernetes.io/instance": "minio" } }, spec: { replicas: 1 }, status: { replicas: 1, readyReplicas: 1 } });
    kube.seed(claim("minio", "minio", "Bound"));
    const result = await run(check("kubernetes/storage"), testContext({ config: inCluster, kube: () => Promise.resolve(kube) }));
    expect(result.detail).toBe("MinIO (release btp-dependencies/minio): Deployment minio 1/1 ready; 1 volume claim Bound on gp3");
  });
});

describe("security/data-ingress", () => {
  it("has no security group to look at when neither database nor cache is mode aws", async () => {
    const check = doctorChecks(inCluster).find((c) => c.id === "security/data-ingress")!;
    // stubFacts (in testContext) rejects any security group lookup: none is made.
    const result = await run(check, testContext({ config: inCluster, facts: stubFacts({ modes: { database: "in-cluster", cache: "external", storage: "aws" } }) }));
    expect([result.status, result.detail]).toEqual(["ok", "no RDS or ElastiCache (database and cache are not mode aws): no security group to check"]);
  });
});

describe("external dependencies", () => {
  it("one line each naming the endpoint and saying verify checks it; nothing is called", async () => {
    const checks = dependencyChecks(external);
    expect(ids(checks)).toEqual(["endpoint/database", "endpoint/cache", "endpoint/storage"]);
    // testContext throws on any AWS, Kubernetes or network use.
    const results = await Promise.all(checks.map((c) => run(c, testContext({ config: external }))));
    expect(results.map((r) => [r.status, r.detail])).toEqual([
      ["ok", "external db.corp.example:5433: not probed from this machine; `btp-aws install --only verify` checks it from inside the cluster"],
      ["ok", "external redis.corp.example:6379 (TLS): not probed from this machine; `btp-aws install --only verify` checks it from inside the cluster"],
      ["ok", "external bucket corp-btp-state at https://s3.corp.example: not probed from this machine; `btp-aws install --only verify` checks it from inside the cluster"],
    ]);
    expect(ids(doctorChecks(external))).not.toContain("aws/rds");
  });
});

describe("recordedModes: the modes of the last install, from its step outputs", () => {
  it("reads { mode } where infra skipped the managed service, aws where it made one", () => {
    expect(recordedModes({
      "infra/rds": { mode: "in-cluster" },
      "infra/elasticache": { replicationGroupId: "btp-t1-redis" },
      "infra/s3": { mode: "external" },
    })).toEqual({ database: "in-cluster", cache: "aws", storage: "external" });
  });

  it("is unknown unless all three steps are recorded", () => {
    expect(recordedModes({ "infra/rds": { mode: "in-cluster" }, "infra/s3": { mode: "in-cluster" } })).toBeUndefined();
    expect(recordedModes({})).toBeUndefined();
  });
});
