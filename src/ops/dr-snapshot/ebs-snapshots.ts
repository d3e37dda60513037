/**
 * The EC2 calls behind the in-cluster volumes' DR copies: the EBS snapshot a VolumeSnapshotContent
 * names (its snapshotHandle) copied into the DR region, re-encrypted under the DR key. Copies are
 * found again by the tags they carry (the set and the source snapshot), so a resumed run never
 * copies twice. The SDK fills in CopySnapshot's PresignedUrl from SourceRegion.
 */
import type { EC2Client, Snapshot } from "@aws-sdk/client-ec2";
import { awsErrorCode } from "../../aws/errors.js";
import { tagList, type TagMap } from "../../aws/tags.js";
import { loadSdk } from "../../aws/sdk.js";

export const SOURCE_SNAPSHOT_TAG = "btp-aws:source-snapshot";

export interface EbsSnapshot {
  id: string;
  /** pending, completed, error, recoverable, recovering. */
  state: string;
  sizeGiB: number;
  encrypted: boolean;
  kmsKeyId: string | undefined;
  progress: string | undefined;
  stateMessage: string | undefined;
}

function snapshotOf(s: Snapshot): EbsSnapshot {
  return { id: s.SnapshotId ?? "", state: s.State ?? "unknown", sizeGiB: s.VolumeSize ?? 0, encrypted: s.Encrypted === true, kmsKeyId: s.KmsKeyId, progress: s.Progress, stateMessage: s.StateMessage };
}

export async function describeEbsSnapshot(ec2: EC2Client, id: string): Promise<EbsSnapshot | undefined> {
  const { DescribeSnapshotsCommand } = await loadSdk("@aws-sdk/client-ec2");
  try {
    const { Snapshots } = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [id] }));
    return Snapshots?.[0] ? snapshotOf(Snapshots[0]) : undefined;
  } catch (error) {
    if (awsErrorCode(error) === "InvalidSnapshot.NotFound") return undefined;
    throw error;
  }
}

/** The copy of `sourceId` that an earlier run of the same set made, if any. */
export async function findEbsCopy(ec2: EC2Client, setTag: { key: string; value: string }, sourceId: string): Promise<EbsSnapshot | undefined> {
  const { DescribeSnapshotsCommand } = await loadSdk("@aws-sdk/client-ec2");
  const { Snapshots } = await ec2.send(new DescribeSnapshotsCommand({
    OwnerIds: ["self"],
    Filters: [{ Name: `tag:${setTag.key}`, Values: [setTag.value] }, { Name: `tag:${SOURCE_SNAPSHOT_TAG}`, Values: [sourceId] }],
  }));
  const found = (Snapshots ?? []).map(snapshotOf).filter((s) => s.state !== "error");
  return found[0];
}

/** Copies into the region of `target` (the DR region's client); returns the new snapshot's id. */
export async function copyEbsSnapshot(target: EC2Client, spec: { sourceRegion: string; sourceId: string; kmsKeyId: string; description: string; tags: TagMap }): Promise<string> {
  const { CopySnapshotCommand } = await loadSdk("@aws-sdk/client-ec2");
  const { SnapshotId } = await target.send(new CopySnapshotCommand({
    SourceRegion: spec.sourceRegion,
    SourceSnapshotId: spec.sourceId,
    Encrypted: true,
    KmsKeyId: spec.kmsKeyId,
    Description: spec.description,
    TagSpecifications: [{ ResourceType: "snapshot", Tags: tagList(spec.tags) }],
  }));
  if (!SnapshotId) throw new Error(`CopySnapshot of ${spec.sourceId} returned no snapshot id`);
  return SnapshotId;
}

/** true when something was deleted; a snapshot already gone is not an error. */
export async function deleteEbsSnapshot(ec2: EC2Client, id: string): Promise<boolean> {
  const { DeleteSnapshotCommand } = await loadSdk("@aws-sdk/client-ec2");
  try {
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: id }));
    return true;
  } catch (error) {
    if (awsErrorCode(error) === "InvalidSnapshot.NotFound") return false;
    throw error;
  }
}
