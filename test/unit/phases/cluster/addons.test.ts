import { describe, expect, it } from "vitest";
import { BtpAwsError } from "../../../../src/errors.js";
import { CLUSTER_AUTOSCALER_SERVICE_ACCOUNT } from "../../../../src/phases/addons/autoscaler-values.js";
import { clusterAutoscalerStep } from "../../../../src/phases/addons/cluster-autoscaler.js";
import { loadBalancerControllerStep } from "../../../../src/phases/addons/load-balancer-controller.js";
import { DEFAULT_CLASS_ANNOTATION, storageClassStep } from "../../../../src/phases/addons/storage-class.js";
import { IRSA_SERVICE_ACCOUNTS } from "../../../../src/phases/infra/irsa-policies.js";
import { LB_CONTROLLER_SERVICE_ACCOUNT } from "../../../../src/phases/addons/values.js";
import { CERT_MANAGER_SERVICE_ACCOUNT } from "../../../../src/phases/cert-manager/values.js";
import { VAULT_NAMESPACE, VAULT_SERVICE_ACCOUNT } from "../../../../src/phases/vault/values.js";
import { CHART_PINS } from "../../../../src/helm/charts.js";
import { testConfig } from "../../../support/config.js";
import { runStep } from "../../../support/infra.js";
import { KEY_ARN, OUTPUTS, role, testServices } from "./services.js";

const config = testConfig();

describe("service accounts: the charts install exactly what the IRSA trust policies name", () => {
  it("matches infra's table for every release", () => {
    expect({ namespace: CHART_PINS["aws-load-balancer-controller"].namespace, name: LB_CONTROLLER_SERVICE_ACCOUNT }).toEqual(IRSA_SERVICE_ACCOUNTS["aws-load-balancer-controller"]);
    expect({ namespace: CHART_PINS["cert-manager"].namespace, name: CERT_MANAGER_SERVICE_ACCOUNT }).toEqual(IRSA_SERVICE_ACCOUNTS["cert-manager"]);
    expect({ namespace: VAULT_NAMESPACE, name: VAULT_SERVICE_ACCOUNT }).toEqual(IRSA_SERVICE_ACCOUNTS.vault);
  });
});

describe("addons/load-balancer-controller", () => {
  it("installs the pinned chart with the IRSA role, then skips when nothing changed", async () => {
    const services = testServices();
    const first = await runStep(loadBalancerControllerStep, config, services, OUTPUTS);
    const release = services.fakeHelm.upgrades[0]!;
    expect(release).toMatchObject({ name: "aws-load-balancer-controller", namespace: "kube-system", chart: "aws-load-balancer-controller", repo: "https://aws.github.io/eks-charts", version: "3.6.0", wait: true });
    expect(release.values).toMatchObject({ clusterName: "btp-test", region: "eu-west-1", vpcId: "vpc-0a1b2c3d4e5f67890", defaultTargetType: "ip" });
    expect(release.values.serviceAccount).toEqual({ create: true, name: "aws-load-balancer-controller", annotations: { "eks.amazonaws.com/role-arn": role("aws-load-balancer-controller") } });
    expect(first.outputs).toEqual({ release: "aws-load-balancer-controller", namespace: "kube-system", chartVersion: "3.6.0", revision: 1 });
    const second = await runStep(loadBalancerControllerStep, config, services, OUTPUTS);
    expect(second.report.skipped).toEqual(["release aws-load-balancer-controller already deployed with these values"]);
  });

  it("takes the chart from the config's override", async () => {
    const services = testServices();
    await runStep(loadBalancerControllerStep, testConfig({ charts: { loadBalancerController: { chart: "oci://mirror.example.com/eks/aws-load-balancer-controller", version: "3.6.1" } } }), services, OUTPUTS);
    expect(services.fakeHelm.upgrades[0]).toMatchObject({ chart: "oci://mirror.example.com/eks/aws-load-balancer-controller", version: "3.6.1" });
    expect(services.fakeHelm.upgrades[0]!.repo).toBeUndefined();
  });

  it("adds the namespace's warning events to helm's error", async () => {
    const services = testServices();
    services.fakeHelm.answer = () => Promise.reject(new BtpAwsError("helm upgrade aws-load-balancer-controller failed: context deadline exceeded", { hint: "fix it" }));
    services.kube.recordEvent({ namespace: "kube-system", involvedObject: { kind: "Pod", name: "aws-load-balancer-controller-5d8f" }, type: "Warning", reason: "FailedScheduling", message: "0/3 nodes are available" });
    services.kube.recordEvent({ namespace: "kube-system", involvedObject: { kind: "Pod", name: "coredns-1" }, type: "Normal", reason: "Pulled", message: "ok" });
    const error = await runStep(loadBalancerControllerStep, config, services, OUTPUTS).then(() => undefined, (e: unknown) => e as BtpAwsError);
    expect(error?.message).toBe("helm upgrade aws-load-balancer-controller failed: context deadline exceeded\nWarning events in namespace kube-system:\n  Pod/aws-load-balancer-controller-5d8f: FailedScheduling: 0/3 nodes are available");
    expect(error?.hint).toBe("fix it");
  });
});

describe("addons/storage-class", () => {
  const gp2 = { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "gp2", annotations: { [DEFAULT_CLASS_ANNOTATION]: "true" } }, provisioner: "kubernetes.io/aws-ebs", parameters: { type: "gp2" } };

  it("creates the encrypted gp3 default and unsets EKS's gp2 default, then changes nothing", async () => {
    const services = testServices();
    services.kube.seed(gp2);
    const first = await runStep(storageClassStep, config, services, OUTPUTS);
    const gp3 = await services.kube.get("storage.k8s.io/v1", "StorageClass", "gp3");
    expect(gp3).toMatchObject({
      provisioner: "ebs.csi.aws.com",
      parameters: { type: "gp3", encrypted: "true", kmsKeyId: KEY_ARN },
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
      metadata: { annotations: { [DEFAULT_CLASS_ANNOTATION]: "true" } },
    });
    const old = await services.kube.get("storage.k8s.io/v1", "StorageClass", "gp2");
    expect(old?.metadata.annotations).toEqual({ [DEFAULT_CLASS_ANNOTATION]: "false" });
    // That the rest of gp2 survives the partial apply is server-side apply's field ownership,
    // which the fake does not model: test/real/ checks it against a real API server.
    expect(first.report.infos).toEqual([`created StorageClass gp3 (gp3, encrypted with ${KEY_ARN})`, "no longer default: gp2"]);

    const applies = services.kube.applied.length;
    const second = await runStep(storageClassStep, config, services, OUTPUTS);
    expect(second.report.skipped).toEqual(["StorageClass gp3 already the encrypted default"]);
    expect(services.kube.applied.slice(applies).map((a) => a.result)).toEqual(["unchanged"]);
  });

  it("sees the same parameters in another key order as unchanged (API servers sort map keys)", async () => {
    const services = testServices();
    services.kube.seed({
      apiVersion: "storage.k8s.io/v1", kind: "StorageClass",
      metadata: { name: "gp3", labels: { "app.kubernetes.io/managed-by": "btp-aws" }, annotations: { [DEFAULT_CLASS_ANNOTATION]: "true" } },
      provisioner: "ebs.csi.aws.com", parameters: { "csi.storage.k8s.io/fstype": "ext4", encrypted: "true", kmsKeyId: KEY_ARN, type: "gp3" },
      reclaimPolicy: "Delete", volumeBindingMode: "WaitForFirstConsumer", allowVolumeExpansion: true,
    });
    const result = await runStep(storageClassStep, config, services, OUTPUTS);
    expect(services.kube.deleted).toEqual([]);
    expect(result.report.infos.filter((line) => line.startsWith("recreating"))).toEqual([]);
  });

  it("recreates its own class when the key changed (parameters are immutable) and keeps someone else's", async () => {
    const services = testServices();
    await runStep(storageClassStep, config, services, OUTPUTS);
    const rotated = { ...OUTPUTS, "infra/kms": { keyArn: KEY_ARN.replace("1234abcd", "9999ffff") } };
    const mine = await runStep(storageClassStep, config, services, rotated);
    expect(mine.report.infos[0]).toBe("recreating StorageClass gp3: its parameters differ and cannot be changed in place");
    expect(services.kube.deleted).toEqual(["StorageClass gp3"]);

    const other = testServices();
    other.kube.seed({ apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "gp3" }, provisioner: "ebs.csi.aws.com", parameters: { type: "gp3" } });
    const theirs = await runStep(storageClassStep, config, other, OUTPUTS);
    expect(theirs.report.warnings).toEqual(["StorageClass gp3 exists with other parameters and was not made by btp-aws: kept; new volumes may not be encrypted with the platform key"]);
    expect(other.kube.deleted).toEqual([]);
  });
});

describe("addons/cluster-autoscaler", () => {
  const outputs = { ...OUTPUTS, "infra/irsa": { ...OUTPUTS["infra/irsa"], clusterAutoscalerRoleArn: role("cluster-autoscaler") } };

  it("installs the pinned chart, discovering this cluster's node groups, with the IRSA role", async () => {
    const services = testServices();
    await runStep(clusterAutoscalerStep, config, services, outputs);
    const release = services.fakeHelm.upgrades[0]!;
    expect(release).toMatchObject({ name: "cluster-autoscaler", namespace: "kube-system", chart: "cluster-autoscaler", repo: "https://kubernetes.github.io/autoscaler", version: "9.59.0", wait: true });
    expect(release.values).toMatchObject({ autoDiscovery: { clusterName: "btp-test" }, awsRegion: "eu-west-1", rbac: { serviceAccount: { name: "cluster-autoscaler", annotations: { "eks.amazonaws.com/role-arn": role("cluster-autoscaler") } } } });
    expect({ namespace: "kube-system", name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT }).toEqual(IRSA_SERVICE_ACCOUNTS["cluster-autoscaler"]);
    expect(clusterAutoscalerStep.describe(config)[0]).toMatch(/between 2 and 50 nodes/);
  });

  it("installs nothing when cluster.autoscaler is false", async () => {
    const services = testServices();
    const result = await runStep(clusterAutoscalerStep, testConfig({ cluster: { autoscaler: false } }), services, outputs);
    expect(services.fakeHelm.upgrades).toEqual([]);
    expect(result.report.skipped).toEqual(["cluster.autoscaler is false: no Cluster Autoscaler"]);
  });
});
