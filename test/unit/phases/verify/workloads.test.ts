import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../../src/k8s/kube.js";
import { workloadState, workloadsStep } from "../../../../src/phases/verify/workloads.js";
import { testConfig } from "../../../support/config.js";
import { stepContext } from "../../../support/context.js";
import { recordingReporter } from "../../../support/reporter.js";
import { fakeKube, type FakeKube } from "../../../fakes/kube.js";
import { failure, kubernetesServices } from "../btp/helpers.js";
import { INFRA_OUTPUTS } from "../btp/fixtures.js";
import { instantTime } from "../vault/helpers.js";

function deployment(namespace: string, name: string, replicas: number, status: Record<string, unknown>, generation = 1): KubeObject {
  return { apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace, generation }, spec: { replicas }, status: { observedGeneration: generation, ...status } };
}

function statefulSet(namespace: string, name: string, replicas: number, readyReplicas: number): KubeObject {
  return { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name, namespace, generation: 1 }, spec: { replicas }, status: { observedGeneration: 1, readyReplicas } };
}

const ready = (replicas: number) => ({ availableReplicas: replicas, updatedReplicas: replicas, readyReplicas: replicas });

function healthyCluster(): FakeKube {
  const kube = fakeKube();
  kube.seed(deployment("settlemint", "settlemint-api", 2, ready(2)));
  kube.seed(deployment("settlemint", "settlemint-app", 1, ready(1)));
  kube.seed(statefulSet("vault", "vault", 3, 3));
  kube.seed(deployment("cert-manager", "cert-manager", 1, ready(1)));
  kube.seed(deployment("cert-manager", "cert-manager-webhook", 1, ready(1)));
  return kube;
}

describe("workloadState", () => {
  it("counts available and updated replicas of a Deployment, ready replicas of a StatefulSet", () => {
    expect(workloadState(deployment("a", "d", 3, { availableReplicas: 3, updatedReplicas: 2 }))).toMatchObject({ desired: 3, ready: 2 });
    expect(workloadState(statefulSet("a", "s", 3, 1))).toMatchObject({ desired: 3, ready: 1 });
  });

  it("counts nothing while the controller has not seen the latest spec", () => {
    expect(workloadState(deployment("a", "d", 1, { ...ready(1), observedGeneration: 1 }, 2))).toMatchObject({ desired: 1, ready: 0 });
  });

  it("takes a missing replicas field as 1, as the API does", () => {
    const object = deployment("a", "d", 1, ready(1));
    delete (object.spec as { replicas?: number }).replicas;
    expect(workloadState(object)).toMatchObject({ desired: 1, ready: 1 });
  });
});

describe("verify/workloads", () => {
  it("passes when every Deployment and StatefulSet is available", async () => {
    const report = recordingReporter();
    const outputs = await workloadsStep.run(stepContext(testConfig(), kubernetesServices({ kube: healthyCluster() }), INFRA_OUTPUTS), report);
    expect(outputs).toEqual({ workloads: 5 });
    expect(report.infos).toEqual(["5 workloads available in settlemint, vault, cert-manager"]);
  });

  it("waits while pods come up, saying which", async () => {
    const kube = healthyCluster();
    kube.seed(statefulSet("vault", "vault", 3, 1));
    const time = instantTime((n) => {
      if (n === 2) kube.seed(statefulSet("vault", "vault", 3, 3));
    });
    const report = recordingReporter();
    await workloadsStep.run(stepContext(testConfig(), kubernetesServices({ kube, wait: time }), INFRA_OUTPUTS), report);
    expect(report.statuses).toEqual(["4/5 ready; waiting for vault/vault 1/3, 0s", "4/5 ready; waiting for vault/vault 1/3, 10s"]);
  });

  it("on timeout lists what is not ready, with its conditions and its pods' warning events", async () => {
    const kube = healthyCluster();
    kube.seed(deployment("settlemint", "settlemint-api", 2, {
      availableReplicas: 0,
      updatedReplicas: 2,
      conditions: [
        { type: "Available", status: "False", reason: "MinimumReplicasUnavailable", message: "Deployment does not have minimum availability." },
        { type: "Progressing", status: "True", reason: "ReplicaSetUpdated" },
      ],
    }));
    // cert-manager was never installed.
    await kube.delete("apps/v1", "Deployment", "cert-manager", "cert-manager");
    await kube.delete("apps/v1", "Deployment", "cert-manager-webhook", "cert-manager");
    const event = (name: string, type: string, reason: string, message: string, second: number) =>
      kube.recordEvent({ namespace: "settlemint", involvedObject: { kind: "Pod", name }, type, reason, message, lastTimestamp: `2026-11-20T10:00:${String(second).padStart(2, "0")}Z` });
    event("settlemint-api-6d8f9-abcde", "Warning", "Failed", "Failed to pull image \"harbor.settlemint.com/settlemint/api:v7.32.10\": 401 Unauthorized", 1);
    event("settlemint-api-6d8f9-abcde", "Normal", "BackOff", "Back-off pulling image", 2);
    event("settlemint-app-5c4b3-zzzzz", "Warning", "Unhealthy", "Readiness probe failed", 3);
    event("settlemint-api-6d8f9-fghij", "Warning", "FailedScheduling", "0/3 nodes are available: 3 Insufficient cpu.", 4);

    const error = await failure(workloadsStep.run(stepContext(testConfig(), kubernetesServices({ kube, wait: instantTime() }), INFRA_OUTPUTS), recordingReporter()));
    expect(error.message).toBe([
      "timed out waiting for the workloads in namespaces settlemint, vault, cert-manager to be available: still 2/3 ready; waiting for settlemint/settlemint-api 0/2; nothing deployed in cert-manager after 15m00s",
      "namespace cert-manager: no Deployment or StatefulSet",
      "Deployment settlemint/settlemint-api: 0/2 ready",
      "  Available=False (MinimumReplicasUnavailable): Deployment does not have minimum availability.",
      "  Pod/settlemint-api-6d8f9-abcde: Failed: Failed to pull image \"harbor.settlemint.com/settlemint/api:v7.32.10\": 401 Unauthorized",
      "  Pod/settlemint-api-6d8f9-fghij: FailedScheduling: 0/3 nodes are available: 3 Insufficient cpu.",
    ].join("\n"));
    expect(error.hint).toBe("the conditions and events above say why (`kubectl -n <namespace> describe pod <pod>` shows more); fix the cause, then run `btp-aws install` again to keep waiting");
  });
});
