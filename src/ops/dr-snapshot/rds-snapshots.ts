/** The RDS snapshot calls of dr-snapshot: a manual snapshot, and its copy into the DR region. */
import type { RDSClient } from "@aws-sdk/client-rds";
import { awsErrorCode } from "../../aws/errors.js";
import { snapshotOf, type DbSnapshot } from "../../aws/rds-delete.js";
import { tagList, type TagMap } from "../../aws/tags.js";
import { loadSdk } from "../../aws/sdk.js";

export async function describeDbSnapshot(rds: RDSClient, id: string): Promise<DbSnapshot | undefined> {
  const { DescribeDBSnapshotsCommand } = await loadSdk("@aws-sdk/client-rds");
  try {
    const { DBSnapshots } = await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id }));
    const found = DBSnapshots?.[0];
    return found ? snapshotOf(found) : undefined;
  } catch (error) {
    if (["DBSnapshotNotFoundFault", "DBSnapshotNotFound"].includes(awsErrorCode(error) ?? "")) return undefined;
    throw error;
  }
}

export async function createDbSnapshot(rds: RDSClient, instanceId: string, snapshotId: string, tags: TagMap): Promise<void> {
  const { CreateDBSnapshotCommand } = await loadSdk("@aws-sdk/client-rds");
  await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: instanceId, DBSnapshotIdentifier: snapshotId, Tags: tagList(tags) }));
}

/**
 * Copies a snapshot into the region of `target` (the DR region's client), re-encrypted with a key
 * of that region: an encrypted snapshot cannot cross regions with its source key (FACTS.md). The
 * source is named by ARN: from the ARN's region the SDK signs the pre-signed URL RDS needs.
 */
export async function copyDbSnapshot(target: RDSClient, spec: { sourceArn: string; id: string; kmsKeyId: string; tags: TagMap }): Promise<void> {
  const { CopyDBSnapshotCommand } = await loadSdk("@aws-sdk/client-rds");
  await target.send(new CopyDBSnapshotCommand({
    SourceDBSnapshotIdentifier: spec.sourceArn,
    TargetDBSnapshotIdentifier: spec.id,
    KmsKeyId: spec.kmsKeyId,
    Tags: tagList(spec.tags),
  }));
}
