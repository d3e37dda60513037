/**
 * The CSI snapshot objects on a real kube-apiserver, with the snapshot controller's CRDs from a
 * fixture (test/fixtures/crds/snapshot-controller.yaml): the addons/volume-snapshot-class step
 * waiting until the CRDs are served (they arrive mid-wait, as the EKS add-on installs them), then
 * applying once; and dr-snapshot's VolumeSnapshots of a claim, read back as the controller
 * (played by the test, writing status subresources) binds them to a VolumeSnapshotContent.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { existingConnection } from "../../src/k8s/connection.js";
import { createKube, type Kube, type KubeObject } from "../../src/k8s/kube.js";
import { setSnapshots, snapshotHandle, snapshotProgress, volumeSnapshot } from "../../src/ops/dr-snapshot/volume-snapshots.js";
import { SNAPSHOT_API, VOLUME_SNAPSHOT_CLASS, volumeSnapshotClassStep } from "../../src/phases/addons/volume-snapshot-class.js";
import type { KubernetesServices } from "../../src/phases/cluster/services.js";
import { Redactor } from "../../src/secrets/redact.js";
import { NO_PROBE } from "../support/context.js";
import { testConfig } from "../support/config.js";
import { runStep } from "../support/infra.js";
import { apiRequest, KUBECONFIG_CONTEXT, patchStatus, startKubeApiServer, type KubeApiServer } from "../support/kube-apiserver.js";
import { REPO_ROOT } from "../support/paths.js";

const servers = inject("servers");
const CRDS = join(REPO_ROOT, "test", "fixtures", "crds", "snapshot-controller.yaml");
const OUTPUTS = { "infra/eks": { clusterName: "btp-test" } };
const NS = "btp-dependencies";

let api: KubeApiServer;
let kube: Kube;
/** Called at every poll of a wait: the test plays whoever acts in the cluster meanwhile. */
let onPoll: () => Promise<void> = () => Promise.resolve();
let polls = 0;
let services: KubernetesServices;

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What the snapshot-controller add-on does first: its CRDs, established and discoverable. */
async function installCrds(): Promise<void> {
  const documents = parseAllDocuments(await readFile(CRDS, "utf8")).map((d) => d.toJS() as KubeObject);
  for (const crd of documents) await kube.apply(crd, "eks");
  await until("the snapshot CRDs to be served", async () => (await apiRequest(api, "GET", "/apis/snapshot.storage.k8s.io/v1")).status === 200);
}

beforeAll(async () => {
  api = await startKubeApiServer(servers);
  kube = await createKube(await existingConnection({ kubeconfig: api.kubeconfigPath, context: KUBECONFIG_CONTEXT }));
  let now = 0;
  services = {
    aws: undefined as never,
    wait: { scale: 1, now: () => now, sleep: async (ms: number) => {
      polls += 1;
      now += ms;
      await onPoll();
    } },
    secrets: new Redactor(),
    cluster: { kube: () => Promise.resolve(kube), helm: () => Promise.reject(new Error("no helm here")), localHelm: () => Promise.reject(new Error("no helm here")) },
    probe: NO_PROBE,
    userSecrets: {},
  };
});
afterAll(async () => {
  await api?.stop();
});

describe("addons/volume-snapshot-class on a real API server", () => {
  it("does nothing when no dependency is in-cluster (production): no object, no wait", async () => {
    const { report } = await runStep(volumeSnapshotClassStep, testConfig({ environment: "production" }), services, OUTPUTS);
    expect(report.skipped).toEqual(["no dependency is in-cluster: no VolumeSnapshotClass needed"]);
    expect(polls).toBe(0);
  });

  it("waits while snapshot.storage.k8s.io/v1 is not served, applies the class once the CRDs arrive, and skips on a re-run", async () => {
    const config = testConfig(); // development: every dependency in-cluster
    onPoll = async () => {
      if (polls === 2) await installCrds(); // the add-on's CRDs land during the wait
    };
    const first = await runStep(volumeSnapshotClassStep, config, services, OUTPUTS);
    onPoll = () => Promise.resolve();
    expect(first.report.statuses[0]).toMatch(/^snapshot\.storage\.k8s\.io\/v1 not served yet, /);
    expect(first.report.infos).toEqual(["created VolumeSnapshotClass btp-ebs (driver ebs.csi.aws.com)"]);
    expect(first.outputs).toEqual({ volumeSnapshotClass: VOLUME_SNAPSHOT_CLASS });
    const stored = await kube.get(SNAPSHOT_API, "VolumeSnapshotClass", VOLUME_SNAPSHOT_CLASS);
    expect(stored).toMatchObject({ driver: "ebs.csi.aws.com", deletionPolicy: "Delete", parameters: { tagSpecification_1: "btp-aws:platform=btp-test", tagSpecification_2: "btp-aws:managed-by=btp-aws" } });

    const before = polls;
    const second = await runStep(volumeSnapshotClassStep, config, services, OUTPUTS);
    expect(second.report.skipped).toEqual(["VolumeSnapshotClass btp-ebs already configured"]);
    expect(polls).toBe(before);
  });
});

describe("dr-snapshot's VolumeSnapshots on the real CRDs", () => {
  const SET = "20261128t061500";

  it("are accepted for a claim, pending until bound, then give the EBS snapshot id of their content", async () => {
    await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
    await kube.apply({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "data-postgresql-0", namespace: NS }, spec: { accessModes: ["ReadWriteOnce"], storageClassName: "gp3", resources: { requests: { storage: "8Gi" } } } }, "helm");
    const snapshot = volumeSnapshot(SET, { name: "data-postgresql-0", namespace: NS });
    expect(await kube.apply(snapshot)).toBe("created");
    expect(await kube.apply(snapshot)).toBe("unchanged");
    expect(await snapshotProgress(kube, NS, snapshot.metadata.name)).toEqual({ state: "pending", name: "dr-20261128t061500-data-postgresql-0", why: "no VolumeSnapshotContent bound yet" });

    // The snapshot controller: a content (cluster-scoped) with the EBS snapshot id, then both statuses.
    const content = `snapcontent-${SET}`;
    await kube.apply({
      apiVersion: SNAPSHOT_API, kind: "VolumeSnapshotContent", metadata: { name: content },
      spec: { deletionPolicy: "Delete", driver: "ebs.csi.aws.com", source: { volumeHandle: "vol-0abc" }, volumeSnapshotClassName: VOLUME_SNAPSHOT_CLASS, volumeSnapshotRef: { name: snapshot.metadata.name, namespace: NS } },
    }, "snapshot-controller");
    await patchStatus(api, `/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents/${content}`, { snapshotHandle: "snap-0123456789abcdef0", readyToUse: true, restoreSize: 8 * 1024 ** 3 });
    const path = `/apis/snapshot.storage.k8s.io/v1/namespaces/${NS}/volumesnapshots/${snapshot.metadata.name}`;
    await patchStatus(api, path, { boundVolumeSnapshotContentName: content, readyToUse: false });
    expect(await snapshotProgress(kube, NS, snapshot.metadata.name)).toMatchObject({ state: "pending", why: "not ready to use yet" });
    await patchStatus(api, path, { readyToUse: true, restoreSize: "8Gi" });
    expect(await snapshotProgress(kube, NS, snapshot.metadata.name)).toEqual({ state: "ready", name: snapshot.metadata.name, content, restoreSize: "8Gi" });
    expect(await snapshotHandle(kube, content)).toBe("snap-0123456789abcdef0");
    // Applying the spec again (a resumed set) leaves the controller's status alone.
    expect(await kube.apply(snapshot)).toBe("unchanged");
    expect((await setSnapshots(kube, NS, SET)).map((s) => s.metadata.name)).toEqual([snapshot.metadata.name]);
    expect(await setSnapshots(kube, NS, "20200101t000000")).toEqual([]);
  });

  it("report the controller's error as a failure", async () => {
    const snapshot = volumeSnapshot("20261128t062000", { name: "data-postgresql-0", namespace: NS });
    await kube.apply(snapshot);
    await patchStatus(api, `/apis/snapshot.storage.k8s.io/v1/namespaces/${NS}/volumesnapshots/${snapshot.metadata.name}`, { readyToUse: false, error: { message: "Failed to create snapshot: UnauthorizedOperation: ec2:CreateSnapshot", time: "2026-11-28T06:20:00Z" } });
    expect(await snapshotProgress(kube, NS, snapshot.metadata.name)).toEqual({ state: "failed", name: snapshot.metadata.name, reason: "Failed to create snapshot: UnauthorizedOperation: ec2:CreateSnapshot" });
  });
});
