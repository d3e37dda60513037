/**
 * The deletion waits moto cannot show (it deletes everything at once): node groups, add-ons and
 * the cluster going through DELETING, a node group that fails to delete, RDS `deleting` with its
 * final snapshot and deletion protection, and ACM refusing while a load balancer lets go.
 */
import { ACMClient, DeleteCertificateCommand, DescribeCertificateCommand, ListCertificatesCommand, ListTagsForCertificateCommand, ResourceInUseException } from "@aws-sdk/client-acm";
import { DescribeLaunchTemplatesCommand, EC2Client, DescribeVolumesCommand } from "@aws-sdk/client-ec2";
import {
  DeleteAddonCommand, DeleteClusterCommand, DeleteNodegroupCommand, DescribeClusterCommand, DescribeNodegroupCommand, EKSClient, ListAddonsCommand, ListNodegroupsCommand,
  ResourceNotFoundException, type ClusterStatus, type NodegroupIssueCode, type NodegroupStatus,
} from "@aws-sdk/client-eks";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  DBInstanceNotFoundFault, DeleteDBInstanceCommand, DescribeDBInstancesCommand, DescribeDBParameterGroupsCommand, DescribeDBSnapshotsCommand, DescribeDBSubnetGroupsCommand,
  ModifyDBInstanceCommand, RDSClient,
} from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { certificateStage } from "../../../../src/ops/destroy/certificate.js";
import { databaseStage, finalSnapshotId } from "../../../../src/ops/destroy/database.js";
import { clusterStage, eksAddonsStage, nodegroupStage } from "../../../../src/ops/destroy/eks.js";
import { recordingReporter } from "../../../support/reporter.js";
import { destroyContext } from "./fakes.js";

const credentials = { accessKeyId: "a", secretAccessKey: "b" };
const eks = new EKSClient({ region: "eu-west-1", credentials });
const ec2 = new EC2Client({ region: "eu-west-1", credentials });
const logs = new CloudWatchLogsClient({ region: "eu-west-1", credentials });
const rds = new RDSClient({ region: "eu-west-1", credentials });
const acm = new ACMClient({ region: "eu-west-1", credentials });
const m = { eks: mockClient(eks), ec2: mockClient(ec2), logs: mockClient(logs), rds: mockClient(rds), acm: mockClient(acm) };
const notFound = () => new ResourceNotFoundException({ message: "not found", $metadata: {} });
const cluster = (status: ClusterStatus) => ({ cluster: { name: "btp-acme", arn: "arn:aws:eks:eu-west-1:123456789012:cluster/btp-acme", status, version: "1.34", tags: { "btp-aws:platform": "acme" } } });
const nodegroup = (status: NodegroupStatus, issues: { code: NodegroupIssueCode; message: string }[] = []) => ({ nodegroup: { nodegroupName: "btp-acme-nodes", nodegroupArn: "arn:ng", status, health: { issues } } });

beforeEach(() => {
  for (const mock of Object.values(m)) mock.reset();
  m.ec2.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [] });
  m.ec2.on(DescribeVolumesCommand).resolves({ Volumes: [] });
  m.logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
});

describe("EKS deletion waits", () => {
  it("deletes the node groups and waits through DELETING", async () => {
    m.eks.on(DescribeClusterCommand).resolves(cluster("ACTIVE"));
    m.eks.on(ListNodegroupsCommand).resolves({ nodegroups: ["btp-acme-nodes"] });
    m.eks.on(DeleteNodegroupCommand).resolves({});
    m.eks.on(DescribeNodegroupCommand).resolvesOnce(nodegroup("DELETING")).resolvesOnce(nodegroup("DELETING")).rejects(notFound());
    const context = destroyContext({ eks, ec2 });
    const report = recordingReporter();
    await nodegroupStage.run(context, report);
    expect(report.statuses).toEqual(["deleting node group btp-acme-nodes", "btp-acme-nodes DELETING, 0s", "btp-acme-nodes DELETING, 20s"]);
    expect(report.infos).toEqual(["deleted node group btp-acme-nodes"]);
  });

  it("stops with EKS's issues when a node group fails to delete", async () => {
    m.eks.on(DescribeClusterCommand).resolves(cluster("ACTIVE"));
    m.eks.on(ListNodegroupsCommand).resolves({ nodegroups: ["btp-acme-nodes"] });
    m.eks.on(DeleteNodegroupCommand).resolves({});
    m.eks.on(DescribeNodegroupCommand).resolves(nodegroup("DELETE_FAILED", [{ code: "Ec2SecurityGroupDeletionFailure", message: "DependencyViolation - resource has a dependent object" }]));
    const error = await nodegroupStage.run(destroyContext({ eks, ec2 }), recordingReporter()).catch((e: unknown) => e as Error);
    expect(error?.message).toBe("node groups btp-acme-nodes to be deleted: it is DELETE_FAILED: Ec2SecurityGroupDeletionFailure: DependencyViolation - resource has a dependent object");
  });

  it("deletes every add-on (an API moto lacks) and waits until none is listed", async () => {
    m.eks.on(DescribeClusterCommand).resolves(cluster("ACTIVE"));
    m.eks.on(ListAddonsCommand).resolvesOnce({ addons: ["vpc-cni", "aws-ebs-csi-driver"] }).resolvesOnce({ addons: ["aws-ebs-csi-driver"] }).resolves({ addons: [] });
    m.eks.on(DeleteAddonCommand).resolves({});
    const context = destroyContext({ eks });
    const report = recordingReporter();
    await eksAddonsStage.run(context, report);
    expect(m.eks.commandCalls(DeleteAddonCommand).map((c) => c.args[0].input)).toEqual([{ clusterName: "btp-acme", addonName: "vpc-cni" }, { clusterName: "btp-acme", addonName: "aws-ebs-csi-driver" }]);
    expect(report.statuses).toEqual(["aws-ebs-csi-driver deleting, 0s"]);
    expect(report.infos).toEqual(["deleted 2 add-ons: vpc-cni, aws-ebs-csi-driver"]);
  });

  it("deletes the cluster and waits through DELETING; a cluster of another platform is refused", async () => {
    m.eks.on(DescribeClusterCommand).resolvesOnce(cluster("ACTIVE")).resolvesOnce(cluster("DELETING")).rejects(notFound());
    m.eks.on(DeleteClusterCommand).resolves({});
    const context = destroyContext({ eks, ec2, logs });
    const report = recordingReporter();
    await clusterStage.run(context, report);
    expect(report.statuses).toEqual(["deleting cluster btp-acme", "DELETING, 0s"]);
    expect(context.slept()).toBe(20_000);

    m.eks.reset();
    m.eks.on(DescribeClusterCommand).resolves({ cluster: { ...cluster("ACTIVE").cluster, tags: { "btp-aws:platform": "other" } } });
    const error = await clusterStage.run(destroyContext({ eks, ec2, logs }), recordingReporter()).catch((e: unknown) => e as Error & { hint?: string });
    expect(error?.message).toBe("EKS cluster btp-acme is not tagged btp-aws:platform=acme: btp-aws did not create it and will not delete it");
    expect(m.eks.commandCalls(DeleteClusterCommand)).toEqual([]);
  });
});

describe("destroy/database", () => {
  const instance = (status: string, deletionProtection = false) => ({ DBInstances: [{ DBInstanceIdentifier: "btp-acme-db", DBInstanceArn: "arn:db", DBInstanceStatus: status, DeletionProtection: deletionProtection, TagList: [{ Key: "btp-aws:platform", Value: "acme" }] }] });
  beforeEach(() => {
    m.rds.on(DescribeDBSubnetGroupsCommand).resolves({ DBSubnetGroups: [] });
    m.rds.on(DescribeDBParameterGroupsCommand).resolves({ DBParameterGroups: [] });
    m.rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [{ DBSnapshotIdentifier: "btp-acme-final-20261128t021500", DBSnapshotArn: "arn:snap", Status: "available" }] });
  });

  it("names the final snapshot after the platform and the time", () => {
    expect(finalSnapshotId("acme", new Date("2026-11-28T02:15:00.123Z"))).toBe("btp-acme-final-20261128t021500");
  });

  it("turns deletion protection off, deletes with a final snapshot, waits through `deleting`, and lists the snapshot as kept", async () => {
    m.rds.on(DescribeDBInstancesCommand).resolvesOnce(instance("available", true)).resolvesOnce(instance("deleting")).resolvesOnce(instance("deleting")).rejects(new DBInstanceNotFoundFault({ message: "not found", $metadata: {} }));
    m.rds.on(ModifyDBInstanceCommand).resolves({});
    m.rds.on(DeleteDBInstanceCommand).resolves({});
    const context = destroyContext({ rds });
    const report = recordingReporter();
    await databaseStage.run(context, report);
    expect(m.rds.commandCalls(ModifyDBInstanceCommand)[0]?.args[0].input).toMatchObject({ DBInstanceIdentifier: "btp-acme-db", DeletionProtection: false, ApplyImmediately: true });
    expect(m.rds.commandCalls(DeleteDBInstanceCommand).map((c) => c.args[0].input)).toEqual([{ DBInstanceIdentifier: "btp-acme-db", SkipFinalSnapshot: false, FinalDBSnapshotIdentifier: "btp-acme-final-20261128t021500" }]);
    expect(report.statuses).toEqual(["deleting btp-acme-db, final snapshot btp-acme-final-20261128t021500", "deleting, 0s", "deleting, 30s"]);
    expect(context.ledger.kept).toEqual([{ resource: "DB snapshot btp-acme-final-20261128t021500", reason: "database snapshots are backups: destroy never deletes them" }]);
  });

  it("with --skip-final-snapshot deletes without one; an instance already deleting is only waited for", async () => {
    m.rds.on(DescribeDBInstancesCommand).resolvesOnce(instance("available")).rejects(new DBInstanceNotFoundFault({ message: "not found", $metadata: {} }));
    m.rds.on(DeleteDBInstanceCommand).resolves({});
    await databaseStage.run(destroyContext({ rds }, { skipFinalSnapshot: true }), recordingReporter());
    expect(m.rds.commandCalls(DeleteDBInstanceCommand).map((c) => c.args[0].input)).toEqual([{ DBInstanceIdentifier: "btp-acme-db", SkipFinalSnapshot: true }]);

    m.rds.resetHistory();
    m.rds.on(DescribeDBInstancesCommand).resolvesOnce(instance("deleting")).rejects(new DBInstanceNotFoundFault({ message: "not found", $metadata: {} }));
    const report = recordingReporter();
    await databaseStage.run(destroyContext({ rds }), report);
    expect(m.rds.commandCalls(DeleteDBInstanceCommand)).toEqual([]);
    expect(report.infos[0]).toBe("RDS instance btp-acme-db was already being deleted");
  });
});

describe("destroy/certificate", () => {
  it("asks again while ACM still sees the certificate in use by a load balancer", async () => {
    const arn = "arn:aws:acm:eu-west-1:123456789012:certificate/1";
    m.acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [{ CertificateArn: arn, DomainName: "btp.example.com" }] });
    m.acm.on(ListTagsForCertificateCommand).resolves({ Tags: [{ Key: "btp-aws:platform", Value: "acme" }] });
    m.acm.on(DescribeCertificateCommand).resolves({ Certificate: { CertificateArn: arn, DomainName: "btp.example.com", Status: "ISSUED" } });
    m.acm.on(DeleteCertificateCommand).rejectsOnce(new ResourceInUseException({ message: "in use", $metadata: {} })).resolves({});
    const context = destroyContext({ acm });
    const report = recordingReporter();
    await certificateStage.run(context, report);
    expect(m.acm.commandCalls(DeleteCertificateCommand)).toHaveLength(2);
    expect(report.statuses).toEqual(["still in use by a load balancer, 0s"]);
    expect(report.infos).toEqual([`deleted certificate ${arn} (btp.example.com)`]);
  });
});
