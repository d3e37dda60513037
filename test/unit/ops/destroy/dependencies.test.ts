/**
 * destroy and the in-cluster dependencies: their releases are uninstalled with the others, their
 * data (volume claims, VolumeSnapshots, and after the cluster the EBS volumes) deleted only with
 * --delete-data and otherwise kept and listed with the command that deletes it.
 */
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DeleteVolumeCommand, DescribeVolumesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeClusterCommand, EKSClient, ResourceNotFoundException } from "@aws-sdk/client-eks";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../../../../src/k8s/kube.js";
import { clusterStage } from "../../../../src/ops/destroy/eks.js";
import { clusterAddonsStage } from "../../../../src/ops/destroy/k8s-addons.js";
import { dependencyReleasesStage, KEPT_CLAIM_REASON, KEPT_SNAPSHOT_REASON } from "../../../../src/ops/destroy/k8s-dependencies.js";
import { DESTROY_STAGES } from "../../../../src/ops/destroy/stages.js";
import { fakeKube, type FakeKube } from "../../../fakes/kube.js";
import { recordingReporter } from "../../../support/reporter.js";
import { destroyContext, fakeHelm } from "./fakes.js";

const NS = "btp-dependencies";
const RELEASES = [`${NS}/postgresql`, `${NS}/redis`, `${NS}/minio`];

function claim(name: string, namespace = NS): KubeObject {
  return { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name, namespace } };
}

function world(): FakeKube {
  const kube = fakeKube();
  kube.seed(claim("data-postgresql-0"));
  kube.seed(claim("redis-data-redis-master-0"));
  kube.seed(claim("data-vault-0", "vault"));
  kube.seed({ apiVersion: "snapshot.storage.k8s.io/v1", kind: "VolumeSnapshot", metadata: { name: "dr-20261128t031500-data-postgresql-0", namespace: NS }, spec: {} });
  // The bound volumes, as the EBS CSI driver made them.
  for (const [name, namespace] of [["pvc-pg", NS], ["pvc-redis", NS], ["pvc-vault", "vault"]] as const) {
    kube.seed({ apiVersion: "v1", kind: "PersistentVolume", metadata: { name }, spec: { csi: { driver: "ebs.csi.aws.com", volumeHandle: `vol-${name}` }, claimRef: { namespace } } });
  }
  return kube;
}

describe("destroy/dependency-releases", () => {
  it("runs after the platform's release and before the add-ons (their claims are kept apart)", () => {
    const ids = DESTROY_STAGES.map((s) => s.id);
    expect(ids.indexOf("destroy/dependency-releases")).toBeGreaterThan(ids.indexOf("destroy/btp-release"));
    expect(ids.indexOf("destroy/dependency-releases")).toBeLessThan(ids.indexOf("destroy/cluster-addons"));
  });

  it("without --delete-data: uninstalls the three releases, keeps every claim and VolumeSnapshot, and lists them with the command", async () => {
    const kube = world();
    const helm = fakeHelm(RELEASES);
    const context = destroyContext({}, { cluster: { state: "reachable", handles: { kube, helm } } });
    expect(await dependencyReleasesStage.survey(context)).toEqual([
      { resource: `helm release postgresql in namespace ${NS} (deployed, revision 3)` },
      { resource: `helm release redis in namespace ${NS} (deployed, revision 3)` },
      { resource: `helm release minio in namespace ${NS} (deployed, revision 3)` },
      { resource: `PersistentVolumeClaim ${NS}/data-postgresql-0 and its EBS volume`, kept: KEPT_CLAIM_REASON },
      { resource: `PersistentVolumeClaim ${NS}/redis-data-redis-master-0 and its EBS volume`, kept: KEPT_CLAIM_REASON },
      { resource: `VolumeSnapshot ${NS}/dr-20261128t031500-data-postgresql-0 and its EBS snapshot`, kept: KEPT_SNAPSHOT_REASON },
    ]);
    const report = recordingReporter();
    await dependencyReleasesStage.run(context, report);
    expect(helm.uninstalled).toEqual(RELEASES);
    expect(kube.deleted).toEqual([]);
    expect(context.ledger.kept.map((k) => k.resource)).toEqual([
      `PersistentVolumeClaim ${NS}/data-postgresql-0 and its EBS volume`,
      `PersistentVolumeClaim ${NS}/redis-data-redis-master-0 and its EBS volume`,
      `VolumeSnapshot ${NS}/dr-20261128t031500-data-postgresql-0 and its EBS snapshot`,
    ]);
    expect(KEPT_CLAIM_REASON).toContain(`\`kubectl -n ${NS} delete pvc --all\``);
    expect(report.warnings).toEqual([`kept 2 volume claims and 1 VolumeSnapshot in ${NS}: pass --delete-data to delete the in-cluster data`]);

    // The add-ons stage then deletes Vault's claim only, and waits for Vault's volume only.
    const addons = recordingReporter();
    await clusterAddonsStage.run(context, addons);
    expect(kube.deleted).toEqual(["PersistentVolumeClaim vault/data-vault-0"]);
    expect(addons.infos).toContain("deleted 1 PersistentVolumeClaim: vault/data-vault-0");
    expect(addons.warnings).toEqual(["EBS volumes are still bound (pvc-vault): they are deleted after the cluster"]);
  });

  it("with --delete-data: deletes the VolumeSnapshots first (their EBS snapshots go with them), then the claims", async () => {
    const kube = world();
    const context = destroyContext({}, { deleteData: true, cluster: { state: "reachable", handles: { kube, helm: fakeHelm(RELEASES) } } });
    expect((await dependencyReleasesStage.survey(context)).filter((i) => i.kept !== undefined)).toEqual([]);
    const report = recordingReporter();
    await dependencyReleasesStage.run(context, report);
    expect(kube.deleted).toEqual([
      `VolumeSnapshot ${NS}/dr-20261128t031500-data-postgresql-0`,
      `PersistentVolumeClaim ${NS}/data-postgresql-0`,
      `PersistentVolumeClaim ${NS}/redis-data-redis-master-0`,
    ]);
    expect(report.infos).toContain(`deleted 2 volume claims and 1 VolumeSnapshot in ${NS} (--delete-data)`);
    expect(context.ledger.kept).toEqual([]);
  });

  it("nothing to do for a platform without in-cluster dependencies (external or aws): a skip, nothing touched", async () => {
    const kube = fakeKube();
    const helm = fakeHelm([]);
    const context = destroyContext({}, { cluster: { state: "reachable", handles: { kube, helm } } });
    expect(await dependencyReleasesStage.survey(context)).toEqual([]);
    const report = recordingReporter();
    await dependencyReleasesStage.run(context, report);
    expect(report.skipped).toEqual([`no in-cluster dependency release or data in ${NS}`]);
    expect([helm.uninstalled, kube.deleted]).toEqual([[], []]);
  });
});

describe("destroy/cluster and the dependency volumes the cluster leaves", () => {
  const ec2 = mockClient(EC2Client);
  const eks = mockClient(EKSClient);
  const logs = mockClient(CloudWatchLogsClient);
  afterEach(() => {
    ec2.reset();
    eks.reset();
    logs.reset();
  });

  function leftovers(): void {
    eks.on(DescribeClusterCommand).rejects(new ResourceNotFoundException({ message: "No cluster found for name: btp-acme.", $metadata: {} }));
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
    const claimTags = (namespace: string, name: string) => [{ Key: "kubernetes.io/created-for/pvc/namespace", Value: namespace }, { Key: "kubernetes.io/created-for/pvc/name", Value: name }, { Key: "kubernetes.io/cluster/btp-acme", Value: "owned" }];
    ec2.on(DescribeVolumesCommand).resolves({ Volumes: [
      { VolumeId: "vol-pg", Size: 100, State: "available", Tags: claimTags(NS, "data-postgresql-0") },
      { VolumeId: "vol-vault", Size: 10, State: "available", Tags: claimTags("vault", "data-vault-0") },
    ] });
    ec2.on(DeleteVolumeCommand).resolves({});
  }

  it("keeps the dependency volume without --delete-data, with the command that deletes it", async () => {
    leftovers();
    const context = destroyContext({ ec2: new EC2Client({ region: "eu-west-1" }), eks: new EKSClient({ region: "eu-west-1" }), logs: new CloudWatchLogsClient({ region: "eu-west-1" }) });
    const kept = { resource: `EBS volume vol-pg (100 GiB) of claim ${NS}/data-postgresql-0`, kept: "in-cluster dependency data, kept without --delete-data: `aws ec2 delete-volume --volume-id vol-pg` deletes it" };
    expect(await clusterStage.survey(context)).toEqual([{ resource: "EBS volume vol-vault (10 GiB) left by the cluster" }, kept]);
    await clusterStage.run(context, recordingReporter());
    expect(ec2.commandCalls(DeleteVolumeCommand).map((c) => c.args[0].input.VolumeId)).toEqual(["vol-vault"]);
    expect(context.ledger.kept).toEqual([{ resource: kept.resource, reason: kept.kept }]);
  });

  it("deletes it too with --delete-data", async () => {
    leftovers();
    const context = destroyContext({ ec2: new EC2Client({ region: "eu-west-1" }), eks: new EKSClient({ region: "eu-west-1" }), logs: new CloudWatchLogsClient({ region: "eu-west-1" }) }, { deleteData: true });
    await clusterStage.run(context, recordingReporter());
    expect(ec2.commandCalls(DeleteVolumeCommand).map((c) => c.args[0].input.VolumeId)).toEqual(["vol-pg", "vol-vault"]);
    expect(context.ledger.kept).toEqual([]);
  });
});
