/**
 * verify/dependencies with the fake kube. No Job controller or kubelet runs in the fake, so the
 * test plays them between polls (through the wait's sleep): it marks each Job Complete or Failed
 * and writes its pod with the termination message the container's output would become.
 */
import { describe, expect, it } from "vitest";
import { BtpAwsError } from "../../../../src/errors.js";
import type { KubeObject } from "../../../../src/k8s/kube.js";
import { DEPENDENCIES_NAMESPACE } from "../../../../src/phases/dependencies/names.js";
import { dependenciesStep } from "../../../../src/phases/verify/dependencies.js";
import { podReport, REACH_IMAGE } from "../../../../src/phases/verify/dependencies-job.js";
import { reachTargets } from "../../../../src/phases/verify/dependencies-targets.js";
import { testConfig } from "../../../support/config.js";
import { runStep } from "../../../support/infra.js";
import { OUTPUTS, testServices, type TestServices } from "../cluster/services.js";

const external = testConfig({
  database: { mode: "external", external: { host: "db.example.com" } },
  cache: { mode: "external", external: { host: "redis.example.com", port: 6380 } },
  storage: { mode: "external", external: { bucket: "acme-btp-state" } },
});

type Verdict = { job: "Complete" } | { job: "Failed"; output: string } | { pod: Record<string, unknown> };

/** Plays the Job controller and kubelet: each new Job gets the verdict for its dependency. */
function controller(services: TestServices, verdicts: Record<string, Verdict>, seen: KubeObject[]): () => Promise<void> {
  return async () => {
    for (const job of await services.kube.list("batch/v1", "Job", { namespace: DEPENDENCIES_NAMESPACE })) {
      if (!seen.some((s) => s.metadata.name === job.metadata.name)) seen.push(job);
      if (job.status !== undefined) continue;
      const verdict = verdicts[job.metadata.labels?.["btp-aws/dependency"] ?? ""]!;
      const pod = (status: Record<string, unknown>) => services.kube.seed({ apiVersion: "v1", kind: "Pod", metadata: { name: `${job.metadata.name}-x7k2p`, namespace: DEPENDENCIES_NAMESPACE, labels: { "job-name": job.metadata.name } }, status });
      if ("pod" in verdict) {
        pod(verdict.pod);
        continue;
      }
      const failed = verdict.job === "Failed";
      pod({ phase: failed ? "Failed" : "Succeeded", containerStatuses: [{ state: { terminated: { exitCode: failed ? 1 : 0, reason: failed ? "Error" : "Completed", message: failed ? verdict.output : "reachable\n" } } }] });
      services.kube.seed({ ...job, status: { conditions: [failed ? { type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" } : { type: "Complete", status: "True" }] } });
    }
  };
}

function servicesWith(verdicts: Record<string, Verdict>) {
  const services = testServices();
  const seen: KubeObject[] = [];
  let now = 0;
  const play = controller(services, verdicts, seen);
  services.wait = { scale: 1, now: () => now, sleep: async (ms) => { now += ms; await play(); } };
  return { services, seen };
}

describe("reachTargets", () => {
  it("lists only external dependencies; a bucket without endpoint is S3's regional endpoint, an endpoint its URL's port", () => {
    expect(reachTargets(testConfig()).map((t) => t.label)).toEqual([]);
    expect(reachTargets(external).map((t) => t.label)).toEqual(["database db.example.com:5432", "cache redis.example.com:6380", "storage s3.eu-west-1.amazonaws.com:443"]);
    const minio = testConfig({ storage: { mode: "external", external: { bucket: "acme-btp-state", endpoint: "https://minio.example.com:9443", region: "us-east-1" } } });
    expect(reachTargets(minio).map((t) => t.label)).toEqual(["storage minio.example.com:9443"]);
    const s3 = testConfig({ storage: { mode: "external", external: { bucket: "acme-btp-state", region: "us-east-1" } } });
    expect(reachTargets(s3).map((t) => t.label)).toEqual(["storage s3.us-east-1.amazonaws.com:443"]);
  });
});

describe("verify/dependencies", () => {
  it("does nothing, and never connects to the cluster, when no dependency is external", async () => {
    const services = testServices();
    services.cluster = { ...services.cluster, kube: () => Promise.reject(new Error("must not connect")) };
    const { report, outputs } = await runStep(dependenciesStep, testConfig({ environment: "production" }), services, OUTPUTS);
    expect(report.skipped).toEqual(["no dependency in external mode: nothing to check"]);
    expect(outputs).toEqual({ checked: [] });
    expect(dependenciesStep.describe(testConfig())).toEqual(["no dependency in external mode: nothing to check"]);
  });

  it("runs one Job per endpoint, reports each reachable, and deletes the Jobs", async () => {
    const { services, seen } = servicesWith({ database: { job: "Complete" }, cache: { job: "Complete" }, storage: { job: "Complete" } });
    const { report, outputs } = await runStep(dependenciesStep, external, services, OUTPUTS);
    expect(report.infos).toEqual(["database db.example.com:5432 reachable from the cluster", "cache redis.example.com:6380 reachable from the cluster", "storage s3.eu-west-1.amazonaws.com:443 reachable from the cluster"]);
    expect(outputs).toEqual({ checked: ["database db.example.com:5432", "cache redis.example.com:6380", "storage s3.eu-west-1.amazonaws.com:443"] });
    // The API lists by name: cache, database, storage.
    expect(seen.map((j) => j.metadata.name)).toEqual([expect.stringMatching(/^reach-cache-[0-9a-f]{6}$/), expect.stringMatching(/^reach-database-[0-9a-f]{6}$/), expect.stringMatching(/^reach-storage-[0-9a-f]{6}$/)]);
    expect(await services.kube.list("batch/v1", "Job", { namespace: DEPENDENCIES_NAMESPACE })).toEqual([]);
    const spec = seen.find((j) => j.metadata.name.startsWith("reach-database-"))!.spec as { backoffLimit: number; ttlSecondsAfterFinished: number; template: { spec: { restartPolicy: string; containers: { image: string; command: string[]; env: unknown; terminationMessagePolicy: string }[] } } };
    expect(spec.backoffLimit).toBe(0);
    expect(spec.ttlSecondsAfterFinished).toBe(600);
    const container = spec.template.spec.containers[0]!;
    expect(spec.template.spec.restartPolicy).toBe("Never");
    expect(container.image).toBe(REACH_IMAGE);
    expect(container.terminationMessagePolicy).toBe("FallbackToLogsOnError");
    expect(container.env).toEqual([{ name: "TARGET_HOST", value: "db.example.com" }, { name: "TARGET_PORT", value: "5432" }]);
    // The host reaches the shell only as a quoted variable.
    expect(container.command[2]).toContain('nc -z -w 5 "$TARGET_HOST" "$TARGET_PORT"');
    expect(await services.kube.get("v1", "Namespace", DEPENDENCIES_NAMESPACE)).toBeDefined();
  });

  it("fails with the pod's own output for an unreachable endpoint, after checking the others", async () => {
    const output = "connecting to db.example.com:5432\nnc: bad address 'db.example.com'\nno TCP connection within 5 s\n";
    const { services } = servicesWith({ database: { job: "Failed", output }, cache: { job: "Complete" }, storage: { job: "Complete" } });
    const error = await runStep(dependenciesStep, external, services, OUTPUTS).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(BtpAwsError);
    const lines = (error as BtpAwsError).message.split("\n");
    expect(lines[0]).toBe("1 of 3 external dependencies cannot be reached from the cluster:");
    expect(lines[1]).toMatch(/^database db\.example\.com:5432: not reachable from the cluster \(Job reach-database-[0-9a-f]{6}: BackoffLimitExceeded: Job has reached the specified backoff limit\)$/);
    expect(lines.slice(2)).toEqual([
      expect.stringMatching(/^pod reach-database-[0-9a-f]{6}-x7k2p: Failed$/),
      "  exit code 1 (Error)",
      "  | connecting to db.example.com:5432",
      "  | nc: bad address 'db.example.com'",
      "  | no TCP connection within 5 s",
    ]);
    expect((error as BtpAwsError).hint).toMatch(/security group.*then run `btp-aws install --from verify`$/);
    expect(await services.kube.list("batch/v1", "Job", { namespace: DEPENDENCIES_NAMESPACE })).toEqual([]);
  });

  it("gives up after three minutes with why the pod never ran (image pull), and still deletes the Job", async () => {
    const pending = { phase: "Pending", containerStatuses: [{ state: { waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "public.ecr.aws/docker/library/busybox:1.37"' } } }] };
    const config = testConfig({ cache: { mode: "external", external: { host: "redis.example.com" } } });
    const { services } = servicesWith({ cache: { pod: pending } });
    const error = await runStep(dependenciesStep, config, services, OUTPUTS).then(() => undefined, (e: unknown) => e as BtpAwsError);
    const lines = error!.message.split("\n");
    expect(lines[1]).toMatch(/^cache redis\.example\.com:6379: timed out waiting for the connection check to cache redis\.example\.com:6379: still checking cache redis\.example\.com:6379 after 3m00s$/);
    expect(lines[3]).toBe('  waiting: ImagePullBackOff: Back-off pulling image "public.ecr.aws/docker/library/busybox:1.37"');
    expect(await services.kube.list("batch/v1", "Job", { namespace: DEPENDENCIES_NAMESPACE })).toEqual([]);
  });

  it("removes a Job an interrupted run left behind before starting its own", async () => {
    const config = testConfig({ database: { mode: "external", external: { host: "db.example.com" } } });
    const { services, seen } = servicesWith({ database: { job: "Complete" } });
    await services.kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: DEPENDENCIES_NAMESPACE } });
    await services.kube.apply({ apiVersion: "batch/v1", kind: "Job", metadata: { name: "reach-database-0ld0ld", namespace: DEPENDENCIES_NAMESPACE, labels: { "btp-aws/check": "reachability", "btp-aws/dependency": "database" } }, spec: {} });
    await runStep(dependenciesStep, config, services, OUTPUTS);
    expect(services.kube.deleted[0]).toBe(`Job ${DEPENDENCIES_NAMESPACE}/reach-database-0ld0ld`);
    expect(seen.map((j) => j.metadata.name)).not.toContain("reach-database-0ld0ld");
  });

  it("describes the checks for plan", () => {
    expect(dependenciesStep.describe(external)).toEqual([`from a pod in ${DEPENDENCIES_NAMESPACE}, a TCP connection to database db.example.com:5432, cache redis.example.com:6380, storage s3.eu-west-1.amazonaws.com:443`]);
  });
});

describe("podReport", () => {
  it("says why a pod never ran when nothing can schedule it", () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "reach-cache-abc123-x" }, status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/3 nodes are available: 3 Insufficient memory." }] } };
    expect(podReport([pod])).toEqual(["pod reach-cache-abc123-x: Pending", "  not scheduled: Unschedulable: 0/3 nodes are available: 3 Insufficient memory."]);
  });
});
