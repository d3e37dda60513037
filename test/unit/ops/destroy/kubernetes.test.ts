/**
 * The Kubernetes stages of destroy with the in-memory cluster (test/fakes/kube.ts) and a fake
 * helm: what is uninstalled and deleted, in which order, the wait for the EBS CSI driver, and
 * the skip when the cluster is gone.
 */
import { DescribeSecurityGroupsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DeleteLoadBalancerCommand, DescribeLoadBalancersCommand, DescribeTagsCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { clusterAddonsStage } from "../../../../src/ops/destroy/k8s-addons.js";
import { ingressesStage } from "../../../../src/ops/destroy/k8s-ingresses.js";
import { btpReleaseStage } from "../../../../src/ops/destroy/k8s-release.js";
import { fakeKube, type FakeKube } from "../../../fakes/kube.js";
import { recordingReporter } from "../../../support/reporter.js";
import { destroyContext, fakeHelm } from "./fakes.js";

function ebsVolume(kube: FakeKube, name: string): void {
  kube.seed({ apiVersion: "v1", kind: "PersistentVolume", metadata: { name }, spec: { csi: { driver: "ebs.csi.aws.com", volumeHandle: "vol-1" } } });
}

describe("destroy/btp-release", () => {
  it("uninstalls the settlemint release and lists it in the dry run", async () => {
    const helm = fakeHelm(["settlemint/settlemint"]);
    const context = destroyContext({}, { cluster: { state: "reachable", handles: { kube: fakeKube(), helm } } });
    expect(await btpReleaseStage.survey(context)).toEqual([{ resource: "helm release settlemint in namespace settlemint (deployed, revision 3)" }]);
    const report = recordingReporter();
    await btpReleaseStage.run(context, report);
    expect(helm.uninstalled).toEqual(["settlemint/settlemint"]);
    expect(report.infos).toEqual(["uninstalled helm release settlemint from namespace settlemint"]);
  });

  it("skips with the reason when the cluster is gone", async () => {
    const report = recordingReporter();
    await btpReleaseStage.run(destroyContext({}), report);
    expect(report.skipped).toEqual(["EKS cluster btp-acme does not exist"]);
  });
});

describe("destroy/cluster-addons", () => {
  it("uninstalls vault and cert-manager, deletes every claim, waits for the driver to delete the volumes, then removes the controller", async () => {
    const kube = fakeKube();
    const helm = fakeHelm(["vault/vault", "cert-manager/cert-manager", "kube-system/aws-load-balancer-controller"]);
    for (const i of [0, 1, 2]) kube.seed({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: `data-vault-${i}`, namespace: "vault" } });
    ebsVolume(kube, "pvc-1");
    const context = destroyContext({}, { cluster: { state: "reachable", handles: { kube, helm } } });
    // The driver: the volume is gone by the second poll.
    const sleep = context.services.wait.sleep!;
    (context.services as { wait: { sleep: typeof sleep } }).wait.sleep = async (ms, signal) => {
      await sleep(ms, signal);
      await kube.delete("v1", "PersistentVolume", "pvc-1");
    };
    const report = recordingReporter();
    await clusterAddonsStage.run(context, report);
    expect(helm.uninstalled).toEqual(["vault/vault", "cert-manager/cert-manager", "kube-system/aws-load-balancer-controller"]);
    expect(kube.deleted).toEqual(["PersistentVolumeClaim vault/data-vault-0", "PersistentVolumeClaim vault/data-vault-1", "PersistentVolumeClaim vault/data-vault-2", "PersistentVolume pvc-1"]);
    expect(report.statuses).toContain("1 EBS volume left: pvc-1, 0s");
    expect(report.infos).toContain("deleted 3 PersistentVolumeClaims: vault/data-vault-0, vault/data-vault-1, vault/data-vault-2");
    expect(report.warnings).toEqual([]);
  });

  it("goes on with a warning when the driver does not delete the volumes in 5 minutes: the cluster stage deletes them", async () => {
    const kube = fakeKube();
    ebsVolume(kube, "pvc-stuck");
    const context = destroyContext({}, { cluster: { state: "reachable", handles: { kube, helm: fakeHelm([]) } } });
    const report = recordingReporter();
    await clusterAddonsStage.run(context, report);
    expect(report.warnings).toEqual(["EBS volumes are still bound (pvc-stuck): they are deleted after the cluster"]);
    expect(context.slept()).toBeGreaterThanOrEqual(5 * 60_000 - 10_000);
  });
});

describe("destroy/ingresses", () => {
  it("deletes Ingresses and LoadBalancer Services, and skips the wait when the controller left nothing", async () => {
    const kube = fakeKube();
    kube.seed({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "settlemint", namespace: "settlemint" } });
    kube.seed({ apiVersion: "v1", kind: "Service", metadata: { name: "rpc", namespace: "deployments" }, spec: { type: "LoadBalancer" } });
    kube.seed({ apiVersion: "v1", kind: "Service", metadata: { name: "api", namespace: "settlemint" }, spec: { type: "ClusterIP" } });
    const elbv2 = new ElasticLoadBalancingV2Client({ region: "eu-west-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
    const ec2 = new EC2Client({ region: "eu-west-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
    mockClient(elbv2).on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [] }).on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [] });
    mockClient(ec2).on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    const context = destroyContext({ elbv2, ec2 }, { cluster: { state: "reachable", handles: { kube, helm: fakeHelm([]) } } });
    const report = recordingReporter();
    await ingressesStage.run(context, report);
    expect(kube.deleted).toEqual(["Ingress settlemint/settlemint", "Service deployments/rpc"]);
    expect(report.infos).toEqual(["deleted 2 Ingresses and LoadBalancer Services"]);
    expect(context.slept()).toBe(0);
  });

  it("deletes the controller's load balancer at once when the controller is not running to do it", async () => {
    const elbv2 = new ElasticLoadBalancingV2Client({ region: "eu-west-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
    const ec2 = new EC2Client({ region: "eu-west-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
    const lb = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/k8s-settlemint-abc/1";
    const elbv2Mock = mockClient(elbv2);
    elbv2Mock.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [{ LoadBalancerArn: lb, LoadBalancerName: "k8s-settlemint-abc", VpcId: "vpc-1" }] })
      .on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [] })
      .on(DescribeTagsCommand).resolves({ TagDescriptions: [{ ResourceArn: lb, Tags: [{ Key: "elbv2.k8s.aws/cluster", Value: "btp-acme" }] }] })
      .on(DeleteLoadBalancerCommand).resolves({});
    mockClient(ec2).on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    const context = destroyContext({ elbv2, ec2 }, { cluster: { state: "reachable", handles: { kube: fakeKube(), helm: fakeHelm([]) } } });
    const report = recordingReporter();
    await ingressesStage.run(context, report);
    expect(elbv2Mock.commandCalls(DeleteLoadBalancerCommand).map((c) => c.args[0].input)).toEqual([{ LoadBalancerArn: lb }]);
    expect(report.infos).toEqual(["the load balancer controller is not running: deleting what it left directly", "deleted what the load balancer controller left: load balancer k8s-settlemint-abc"]);
    expect(context.slept()).toBe(0);
  });
});
