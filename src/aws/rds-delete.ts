/** The RDS calls destroy makes: the instance (with its final snapshot), its groups, and snapshot listings. */
import type { DBSnapshot, RDSClient } from "@aws-sdk/client-rds";
import { deleteUnlessGone } from "./idempotent-delete.js";
import { tagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

/**
 * Deletes the instance. With a snapshot id RDS takes a final snapshot first (minutes); without
 * one nothing of the data remains. Automated backups go with the instance (the API's default).
 */
export async function deleteDbInstance(rds: RDSClient, id: string, finalSnapshotId: string | undefined): Promise<boolean> {
  const { DeleteDBInstanceCommand } = await loadSdk("@aws-sdk/client-rds");
  return deleteUnlessGone(["DBInstanceNotFoundFault", "DBInstanceNotFound"], () => rds.send(new DeleteDBInstanceCommand({
    DBInstanceIdentifier: id,
    ...(finalSnapshotId === undefined ? { SkipFinalSnapshot: true } : { SkipFinalSnapshot: false, FinalDBSnapshotIdentifier: finalSnapshotId }),
  })));
}

export async function deleteDbSubnetGroup(rds: RDSClient, name: string): Promise<boolean> {
  const { DeleteDBSubnetGroupCommand } = await loadSdk("@aws-sdk/client-rds");
  return deleteUnlessGone(["DBSubnetGroupNotFoundFault", "DBSubnetGroupNotFound"], () => rds.send(new DeleteDBSubnetGroupCommand({ DBSubnetGroupName: name })));
}

export async function deleteDbParameterGroup(rds: RDSClient, name: string): Promise<boolean> {
  const { DeleteDBParameterGroupCommand } = await loadSdk("@aws-sdk/client-rds");
  return deleteUnlessGone(["DBParameterGroupNotFoundFault", "DBParameterGroupNotFound"], () => rds.send(new DeleteDBParameterGroupCommand({ DBParameterGroupName: name })));
}

export interface DbSnapshot {
  id: string;
  arn: string;
  /** creating | available | copying | deleting … */
  status: string;
  instanceId: string;
  createdAt: Date | undefined;
  kmsKeyId: string | undefined;
  encrypted: boolean;
  sizeGiB: number;
  tags: Record<string, string>;
}

export function snapshotOf(s: DBSnapshot): DbSnapshot | undefined {
  if (!s.DBSnapshotIdentifier || !s.DBSnapshotArn) return undefined;
  return {
    id: s.DBSnapshotIdentifier,
    arn: s.DBSnapshotArn,
    status: s.Status ?? "unknown",
    instanceId: s.DBInstanceIdentifier ?? "",
    createdAt: s.SnapshotCreateTime,
    kmsKeyId: s.KmsKeyId,
    encrypted: s.Encrypted === true,
    sizeGiB: s.AllocatedStorage ?? 0,
    tags: tagMap(s.TagList),
  };
}

/** Manual snapshots whose identifier starts with `prefix` ("btp-acme-"), in this client's region. */
export async function manualSnapshots(rds: RDSClient, prefix: string): Promise<DbSnapshot[]> {
  const { paginateDescribeDBSnapshots } = await loadSdk("@aws-sdk/client-rds");
  const found: DbSnapshot[] = [];
  for await (const page of paginateDescribeDBSnapshots({ client: rds }, { SnapshotType: "manual" })) {
    for (const s of page.DBSnapshots ?? []) {
      const snapshot = snapshotOf(s);
      if (snapshot?.id.startsWith(prefix)) found.push(snapshot);
    }
  }
  return found;
}

/** Deletes a manual snapshot (dr-snapshot --keep prunes old sets with it). */
export async function deleteDbSnapshot(rds: RDSClient, id: string): Promise<boolean> {
  const { DeleteDBSnapshotCommand } = await loadSdk("@aws-sdk/client-rds");
  return deleteUnlessGone(["DBSnapshotNotFoundFault", "DBSnapshotNotFound"], () => rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: id })));
}
