/**
 * The in-cluster dependency steps and verify/dependencies against a real kube-apiserver:
 * - addons/postgresql, addons/redis, addons/minio run for real (namespace and Secret by
 *   server-side apply, the release through real helm from the fixture charts, `charts.*`
 *   pointing at them as a mirror would). No kubelet runs, so helm is not asked to --wait, and the
 *   test plays the Job controller for MinIO's post-install hook, which helm always waits for.
 *   A re-run changes nothing. The platform secret is aws-sdk-client-mock'ed Secrets Manager.
 * - verify/dependencies' Job is created by the real API server; the test plays the Job controller
 *   and the kubelet (a pod with the job-name label, terminated with the container's output).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createHelm, type Helm } from "../../src/helm/release.js";
import { existingConnection } from "../../src/k8s/connection.js";
import { createKube, type Kube } from "../../src/k8s/kube.js";
import { minioStep } from "../../src/phases/dependencies/minio.js";
import { DEPENDENCIES_NAMESPACE } from "../../src/phases/dependencies/names.js";
import { postgresqlStep } from "../../src/phases/dependencies/postgresql.js";
import { redisStep } from "../../src/phases/dependencies/redis.js";
import { dependenciesStep } from "../../src/phases/verify/dependencies.js";
import { testConfig } from "../support/config.js";
import { runStep } from "../support/infra.js";
import { apiRequest, KUBECONFIG_CONTEXT, patchStatus, startKubeApiServer, type KubeApiServer } from "../support/kube-apiserver.js";
import { REPO_ROOT } from "../support/paths.js";
import { OUTPUTS, testServices, type TestServices } from "../unit/phases/cluster/services.js";

const servers = inject("servers");
const helmBinaries = inject("helm");
const CHARTS = join(REPO_ROOT, "test", "fixtures", "charts");
const STORED = {
  databasePassword: "db-real-Qm7vX2kLp9",
  redisAuthToken: "redis-real-Hd82JsQk3vPzL0aa",
  objectStorageAccessKey: "minio-real-K2j8",
  objectStorageSecretKey: "minio-real-Zr4Qe9Tt1uYy",
};
const config = testConfig({
  charts: { postgresql: { chart: join(CHARTS, "postgresql") }, redis: { chart: join(CHARTS, "redis") }, minio: { chart: join(CHARTS, "minio") } },
});
const JOBS = `/apis/batch/v1/namespaces/${DEPENDENCIES_NAMESPACE}/jobs`;

interface Cluster {
  api: KubeApiServer;
  kube: Kube;
  services: TestServices;
  argvs: string[][];
}

/** An API server of its own, helm of the given major bound to it, the mocked platform secret. */
async function cluster(major: "v3" | "v4"): Promise<Cluster> {
  const api = await startKubeApiServer(servers);
  const kube = await createKube(await existingConnection({ kubeconfig: api.kubeconfigPath, context: KUBECONFIG_CONTEXT }));
  const argvs: string[][] = [];
  const helm = createHelm({ binary: helmBinaries[major].path, kubeconfig: api.kubeconfigPath, kubeContext: KUBECONFIG_CONTEXT, onArgv: (argv) => argvs.push(argv) });
  const services = testServices(STORED);
  // No kubelet: pods never become ready, so helm installs without --wait.
  const noWait: Helm = { ...helm, upgradeInstall: (release) => helm.upgradeInstall({ ...release, wait: false }) };
  services.cluster = { kube: () => Promise.resolve(kube), helm: () => Promise.resolve(noWait), localHelm: () => Promise.resolve(helm) };
  return { api, kube, services, argvs };
}

/** The Job controller's part: every Job in the namespace without a verdict gets `verdict(job)`. */
function playJobController(api: KubeApiServer, verdict: (name: string) => "Complete" | "Failed" | undefined, onJob?: (name: string) => Promise<void>): () => void {
  const done = new Set<string>();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      const listed = JSON.parse((await apiRequest(api, "GET", JOBS)).body) as { items?: { metadata: { name: string } }[] };
      for (const { metadata: { name } } of listed.items ?? []) {
        const outcome = verdict(name);
        if (outcome === undefined || done.has(name)) continue;
        done.add(name);
        await onJob?.(name);
        const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
        // The API server insists on the conditions a real controller sets on the way.
        const conditions = outcome === "Complete"
          ? [{ type: "SuccessCriteriaMet", status: "True", lastTransitionTime: now }, { type: "Complete", status: "True", lastTransitionTime: now }]
          : [{ type: "FailureTarget", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit", lastTransitionTime: now }, { type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit", lastTransitionTime: now }];
        await patchStatus(api, `${JOBS}/${name}`, { startTime: now, ...(outcome === "Complete" ? { completionTime: now, succeeded: 1 } : { failed: 1 }), conditions });
      }
    })().catch(() => undefined).finally(() => (busy = false));
  }, 100);
  return () => clearInterval(timer);
}

describe.each(["v3", "v4"] as const)("addons/postgresql, addons/redis, addons/minio on a real API server with helm %s", (major) => {
  let c: Cluster;
  beforeAll(async () => {
    c = await cluster(major);
  });
  afterAll(async () => {
    await c?.api.stop();
  });

  it("writes each credentials Secret and installs the fixture chart that reads it; a re-run changes nothing", async () => {
    const { api, kube, services, argvs } = c;
    const stop = playJobController(api, (name) => (name === "minio-post-job" ? "Complete" : undefined));
    try {
      for (const step of [postgresqlStep, redisStep, minioStep]) {
        const { outputs } = await runStep(step, config, services, OUTPUTS);
        expect(outputs).toMatchObject({ namespace: DEPENDENCIES_NAMESPACE, revision: 1, mode: "in-cluster" });
      }
    } finally {
      stop();
    }
    const secret = await kube.get("v1", "Secret", "postgresql-credentials", DEPENDENCIES_NAMESPACE);
    expect(Buffer.from((secret?.data as Record<string, string>)["postgres-password"]!, "base64").toString("utf8")).toBe(STORED.databasePassword);
    const minioSecret = await kube.get("v1", "Secret", "minio-credentials", DEPENDENCIES_NAMESPACE);
    expect(Object.keys(minioSecret?.data as object).sort()).toEqual(["rootPassword", "rootUser"]);

    const postgres = await kube.get("apps/v1", "StatefulSet", "postgresql", DEPENDENCIES_NAMESPACE);
    const claim = (postgres?.spec as { volumeClaimTemplates: { spec: { storageClassName: string; resources: { requests: { storage: string } } } }[] }).volumeClaimTemplates[0]!.spec;
    expect([claim.storageClassName, claim.resources.requests.storage]).toEqual(["gp3", "100Gi"]);
    const env = (postgres?.spec as { template: { spec: { containers: { env: { name: string; valueFrom?: unknown }[] }[] } } }).template.spec.containers[0]!.env;
    expect(env.find((e) => e.name === "POSTGRES_POSTGRES_PASSWORD")?.valueFrom).toEqual({ secretKeyRef: { name: "postgresql-credentials", key: "postgres-password" } });
    expect(await kube.get("v1", "Service", "redis-master", DEPENDENCIES_NAMESPACE)).toBeDefined();
    const pvc = await kube.get("v1", "PersistentVolumeClaim", "minio", DEPENDENCIES_NAMESPACE);
    expect((pvc?.spec as { storageClassName: string }).storageClassName).toBe("gp3");
    // The charts made no Secret of their own: only ours exist.
    expect((await kube.list("v1", "Secret", { namespace: DEPENDENCIES_NAMESPACE })).map((s) => s.metadata.name).filter((n) => !n.startsWith("sh.helm.release")).sort())
      .toEqual(["minio-credentials", "postgresql-credentials", "redis-credentials"]);
    // helm deleted the hook Job once it succeeded (hook-delete-policy hook-succeeded).
    expect(await kube.get("batch/v1", "Job", "minio-post-job", DEPENDENCIES_NAMESPACE)).toBeUndefined();

    for (const step of [postgresqlStep, redisStep, minioStep]) {
      const { report } = await runStep(step, config, services, OUTPUTS);
      expect(report.infos).toEqual([]);
      expect(report.warnings).toEqual([]);
      expect(report.skipped).toEqual([expect.stringMatching(new RegExp(`^${step.id.slice("addons/".length)} \\S+ already deployed with the same values$`))]);
    }
    for (const argv of argvs) for (const value of Object.values(STORED)) expect(argv.join(" ")).not.toContain(value);
  });
});

describe("verify/dependencies on a real API server", () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await cluster("v4");
  });
  afterAll(async () => {
    await c?.api.stop();
  });
  const external = testConfig({
    database: { mode: "external", external: { host: "db.example.com" } },
    cache: { mode: "external", external: { host: "redis.example.com" } },
  });

  /** The kubelet's part: the Job's pod, bound and terminated with the container's output. */
  async function terminatedPod(job: string, exitCode: number, message: string): Promise<void> {
    const { api, kube } = c;
    const name = `${job}-x7k2p`;
    await kube.apply({
      apiVersion: "v1", kind: "Pod",
      metadata: { name, namespace: DEPENDENCIES_NAMESPACE, labels: { "job-name": job, "batch.kubernetes.io/job-name": job } },
      spec: { restartPolicy: "Never", containers: [{ name: "reach", image: "public.ecr.aws/docker/library/busybox:1.37" }] },
    }, "kubelet-stand-in");
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    await patchStatus(api, `/api/v1/namespaces/${DEPENDENCIES_NAMESPACE}/pods/${name}`, {
      phase: exitCode === 0 ? "Succeeded" : "Failed",
      containerStatuses: [{ name: "reach", image: "public.ecr.aws/docker/library/busybox:1.37", imageID: "", ready: false, restartCount: 0, state: { terminated: { exitCode, reason: exitCode === 0 ? "Completed" : "Error", message, startedAt: now, finishedAt: now } } }],
    });
  }

  it("passes when every Job completes, fails with the failing pod's output otherwise; deletes its Jobs", async () => {
    const { api, kube, services } = c;
    services.wait = { scale: 1, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 100))) };
    let stop = playJobController(api, () => "Complete", (job) => terminatedPod(job, 0, "connecting\nreachable\n"));
    try {
      const { report } = await runStep(dependenciesStep, external, services, OUTPUTS);
      expect(report.infos).toEqual(["database db.example.com:5432 reachable from the cluster", "cache redis.example.com:6379 reachable from the cluster"]);
    } finally {
      stop();
    }
    expect(await kube.list("batch/v1", "Job", { namespace: DEPENDENCIES_NAMESPACE })).toEqual([]);

    const output = "connecting to db.example.com:5432\nnc: db.example.com (10.0.9.9:5432): Connection timed out\nno TCP connection within 5 s\n";
    stop = playJobController(api, (name) => (name.startsWith("reach-database-") ? "Failed" : "Complete"), (job) => terminatedPod(job, job.startsWith("reach-database-") ? 1 : 0, job.startsWith("reach-database-") ? output : "reachable\n"));
    try {
      const error = await runStep(dependenciesStep, external, services, OUTPUTS).then(() => undefined, (e: unknown) => e as Error);
      const lines = error!.message.split("\n");
      expect(lines[0]).toBe("1 of 2 external dependencies cannot be reached from the cluster:");
      expect(lines[1]).toMatch(/^database db\.example\.com:5432: not reachable from the cluster \(Job reach-database-[0-9a-f]{6}: BackoffLimitExceeded: Job has reached the specified backoff limit\)$/);
      expect(lines.slice(3)).toEqual(["  exit code 1 (Error)", "  | connecting to db.example.com:5432", "  | nc: db.example.com (10.0.9.9:5432): Connection timed out", "  | no TCP connection within 5 s"]);
    } finally {
      stop();
    }
    expect(await kube.list("batch/v1", "Job", { namespace: DEPENDENCIES_NAMESPACE })).toEqual([]);
  });
});
