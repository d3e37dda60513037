/**
 * The in-cluster dependency releases (addons/postgresql, addons/redis, addons/minio) rendered by
 * the real helm v3 and v4 from the fixture charts, which read the value keys of the pinned
 * upstream charts (Bitnami postgresql 16.7.27 and redis 22.0.3, MinIO 5.4.0). The releases are
 * built exactly as the steps build them (addonRelease with `charts.*` pointing at the fixtures,
 * as a mirror would); every helm command line is recorded.
 */
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { createHelm, type Helm } from "../../../src/helm/release.js";
import { addonRelease } from "../../../src/phases/cluster/charts.js";
import { DEPENDENCIES_NAMESPACE } from "../../../src/phases/dependencies/names.js";
import { minioValues, postgresqlValues, redisValues } from "../../../src/phases/dependencies/values.js";
import { testConfig } from "../../support/config.js";
import { REPO_ROOT } from "../../support/paths.js";

const binaries = inject("helm");
const CHARTS = join(REPO_ROOT, "test", "fixtures", "charts");
const config = testConfig({
  database: { storageGiB: 150 },
  charts: { postgresql: { chart: join(CHARTS, "postgresql") }, redis: { chart: join(CHARTS, "redis") }, minio: { chart: join(CHARTS, "minio") } },
});

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  [key: string]: unknown;
}

const manifests = (rendered: string): Manifest[] => parseAllDocuments(rendered).map((d) => d.toJS() as Manifest | null).filter((m): m is Manifest => m !== null);
const kinds = (all: Manifest[]) => all.map((m) => `${m.kind}/${m.metadata.name}`).sort();
function find(all: Manifest[], kind: string, name: string): Manifest {
  const found = all.find((m) => m.kind === kind && m.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} in ${kinds(all).join(", ")}`);
  return found;
}
const at = (value: unknown, ...path: (string | number)[]): unknown => path.reduce<unknown>((v, key) => (v as Record<string | number, unknown> | undefined)?.[key], value);
const container = (workload: Manifest) => at(workload, "spec", "template", "spec", "containers", 0) as { image: string; env: { name: string; value?: string; valueFrom?: unknown }[]; resources?: unknown };
const env = (workload: Manifest, name: string) => container(workload).env.find((e) => e.name === name);

let scratch: string;
let valuesTmp: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "btp-aws-deps-values-"));
  valuesTmp = join(scratch, "values-tmp");
  await mkdir(valuesTmp);
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe.each(["v3", "v4"] as const)("in-cluster dependencies through helm %s and the fixture charts", (major) => {
  const argvs: string[][] = [];
  let helm: Helm;
  beforeAll(() => {
    helm = createHelm({ binary: binaries[major].path, tmpDir: valuesTmp, onArgv: (argv) => argvs.push(argv) });
  });
  const settings = (values: Record<string, unknown>) => ({ values, wait: true, timeoutSeconds: 900 });

  it("postgresql: one primary on a 150 GiB gp3 claim, password from Secret postgresql-credentials, no Secret of the chart's own", async () => {
    const release = addonRelease("postgresql", config, settings(postgresqlValues(config)));
    expect(release).toMatchObject({ name: "postgresql", namespace: DEPENDENCIES_NAMESPACE, chart: join(CHARTS, "postgresql"), version: "16.7.27" });
    const all = manifests(await helm.template(release));
    expect(kinds(all)).toEqual(["Service/postgresql", "StatefulSet/postgresql"]);
    const statefulSet = find(all, "StatefulSet", "postgresql");
    expect(at(statefulSet, "metadata", "namespace")).toBe(DEPENDENCIES_NAMESPACE);
    expect(container(statefulSet).image).toBe("docker.io/bitnamilegacy/postgresql:17.6.0-debian-12-r4");
    expect(env(statefulSet, "POSTGRES_POSTGRES_PASSWORD")?.valueFrom).toEqual({ secretKeyRef: { name: "postgresql-credentials", key: "postgres-password" } });
    expect(env(statefulSet, "POSTGRES_DATABASE")?.value).toBe("btp");
    expect(at(statefulSet, "spec", "volumeClaimTemplates", 0, "spec")).toEqual({ accessModes: ["ReadWriteOnce"], storageClassName: "gp3", resources: { requests: { storage: "150Gi" } } });
    expect(container(statefulSet).resources).toEqual({ requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "2Gi" } });
    // The Service btp's values point at: postgresql.btp-dependencies.svc.cluster.local:5432.
    expect(at(find(all, "Service", "postgresql"), "spec", "ports", 0, "port")).toBe(5432);
  });

  it("redis: a standalone primary on an 8 GiB gp3 claim with AUTH from Secret redis-credentials and AOF on", async () => {
    const all = manifests(await helm.template(addonRelease("redis", config, settings(redisValues()))));
    expect(kinds(all)).toEqual(["ConfigMap/redis-configuration", "Service/redis-master", "StatefulSet/redis-master"]);
    const master = find(all, "StatefulSet", "redis-master");
    expect(container(master).image).toBe("docker.io/bitnamilegacy/redis:8.2.1-debian-12-r0");
    expect(env(master, "REDIS_PASSWORD")?.valueFrom).toEqual({ secretKeyRef: { name: "redis-credentials", key: "redis-password" } });
    expect(env(master, "ALLOW_EMPTY_PASSWORD")?.value).toBe("no");
    expect(at(master, "spec", "volumeClaimTemplates", 0, "spec")).toEqual({ accessModes: ["ReadWriteOnce"], storageClassName: "gp3", resources: { requests: { storage: "8Gi" } } });
    const conf = at(find(all, "ConfigMap", "redis-configuration"), "data", "redis.conf") as string;
    expect(conf.split("\n")).toEqual(expect.arrayContaining(["appendonly yes", "appendfsync everysec", 'save ""']));
    expect(at(find(all, "Service", "redis-master"), "spec", "ports", 0, "port")).toBe(6379);
  });

  it("minio: standalone on a 100 GiB gp3 claim, root credentials from Secret minio-credentials, bucket btp-state, no console user", async () => {
    const all = manifests(await helm.template(addonRelease("minio", config, settings(minioValues()))));
    expect(kinds(all)).toEqual(["ConfigMap/minio", "Deployment/minio", "Job/minio-post-job", "PersistentVolumeClaim/minio", "Service/minio", "Service/minio-console"]);
    expect(at(find(all, "PersistentVolumeClaim", "minio"), "spec")).toEqual({ accessModes: ["ReadWriteOnce"], storageClassName: "gp3", resources: { requests: { storage: "100Gi" } } });
    const deployment = find(all, "Deployment", "minio");
    expect(env(deployment, "MINIO_ROOT_USER")?.valueFrom).toEqual({ secretKeyRef: { name: "minio-credentials", key: "rootUser" } });
    expect(env(deployment, "MINIO_ROOT_PASSWORD")?.valueFrom).toEqual({ secretKeyRef: { name: "minio-credentials", key: "rootPassword" } });
    expect(container(deployment).resources).toEqual({ requests: { memory: "1Gi" } });
    const scripts = at(find(all, "ConfigMap", "minio"), "data") as Record<string, string>;
    expect(scripts.initialize).toContain("createBucket btp-state none false true false");
    // The chart's default user console/console123 is gone.
    expect(scripts["add-user"]).toBe("");
    expect(find(all, "Job", "minio-post-job").metadata.annotations?.["helm.sh/hook"]).toBe("post-install,post-upgrade");
    expect(at(find(all, "Service", "minio"), "spec", "ports", 0, "port")).toBe(9000);
  });

  it("the fixtures behave as the charts they stand for: defaults are not what btp-aws wants", async () => {
    const bare = (key: "postgresql" | "redis" | "minio", values: Record<string, unknown>) => helm.template(addonRelease(key, config, settings(values)));
    // Bitnami refuses the bitnamilegacy images without the global opt-in the values set.
    const { global: _g, ...withoutOptIn } = postgresqlValues(config);
    await expect(bare("postgresql", withoutOptIn)).rejects.toThrow(/Original containers have been substituted for unrecognized ones/);
    const { global: _r, ...redisWithout } = redisValues();
    await expect(bare("redis", redisWithout)).rejects.toThrow(/global\.security\.allowInsecureImages/);
    // Without existingSecret each chart makes its own credentials Secret; MinIO adds its console user.
    expect(kinds(manifests(await bare("postgresql", {})))).toContain("Secret/postgresql");
    expect(kinds(manifests(await bare("redis", {})))).toEqual(expect.arrayContaining(["Secret/redis", "StatefulSet/redis-replicas"]));
    const minioDefaults = manifests(await bare("minio", { mode: "standalone" }));
    expect(kinds(minioDefaults)).toContain("Secret/minio");
    expect((at(find(minioDefaults, "ConfigMap", "minio"), "data", "add-user") as string).trim()).toBe("createUser console console123 consoleAdmin");
    expect(at(find(minioDefaults, "PersistentVolumeClaim", "minio"), "spec", "resources", "requests", "storage")).toBe("500Gi");
  });

  it("passed every values file through a private temporary file, removed afterwards, never on argv", async () => {
    expect(argvs.length).toBeGreaterThan(0);
    for (const argv of argvs) {
      expect(argv.filter((a) => a.startsWith("--set"))).toEqual([]);
      expect(argv.join(" ")).not.toMatch(/password|secretKey/i);
    }
    expect(await readdir(valuesTmp)).toEqual([]);
  });
});
