/**
 * The manifest of a snapshot set: what was captured, where it is, how big, its checksum and how
 * long each part took. It is written after every part (status "partial"), so a re-run with the
 * same --id knows what is done, and once more at the end ("complete"). Prune reads only complete ones.
 */
import { createHash } from "node:crypto";

export const MANIFEST_FORMAT = "btp-aws-dr-snapshot/v1";

export interface CapturedFile {
  /** Key in the DR bucket. */
  key: string;
  versionId: string | undefined;
  bytes: number;
  sha256: string;
}

export interface Skipped {
  skipped: string;
}

export interface RdsPart {
  instanceId: string;
  sourceSnapshotId: string;
  sourceSnapshotArn: string;
  copySnapshotId: string;
  copySnapshotArn: string;
  /** The DR key that encrypts the copy. */
  copyKmsKeyId: string;
  allocatedStorageGiB: number;
  durationMs: number;
}

export interface MirroredObject {
  key: string;
  sourceEtag: string;
  bytes: number;
  /** The version of objects/<key> in the DR bucket that holds this set's copy. */
  drVersionId: string | undefined;
  copied: boolean;
}

export interface S3Part {
  sourceBucket: string;
  drBucket: string;
  prefix: string;
  objects: MirroredObject[];
  copied: number;
  unchanged: number;
  bytesCopied: number;
  durationMs: number;
}

export interface KubernetesPart {
  namespaces: string[];
  files: (CapturedFile & { objects: number; encrypted: boolean })[];
  secretsIncluded: boolean;
  durationMs: number;
}

export interface VaultPart {
  file: CapturedFile;
  durationMs: number;
}

/** One in-cluster volume: its CSI VolumeSnapshot, the EBS snapshot behind it, and that snapshot's DR copy. */
export interface VolumeCapture {
  /** The VolumeSnapshot, in `namespace`. */
  name: string;
  namespace: string;
  pvc: string;
  /** As the VolumeSnapshot's status says (a quantity such as "8Gi"). */
  restoreSize: string | undefined;
  /** The VolumeSnapshotContent bound to it. */
  content: string;
  /** The EBS snapshot id in the platform's region (VolumeSnapshotContent status.snapshotHandle). */
  snapshotHandle: string;
  /** The copy in the DR region, encrypted with the DR key. */
  drCopy: { snapshotId: string; region: string; kmsKeyId: string } | undefined;
}

export interface VolumesPart {
  namespace: string;
  volumeSnapshotClass: string;
  /** Where the EBS snapshots the VolumeSnapshots name live: the platform's region, not the DR one. */
  snapshotRegion: string;
  note: string;
  volumes: VolumeCapture[];
  durationMs: number;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  id: string;
  status: "partial" | "complete";
  platform: string;
  account: string;
  sourceRegion: string;
  drRegion: string;
  drBucket: string;
  drKeyArn: string;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  rds?: RdsPart | Skipped;
  s3?: S3Part | Skipped;
  kubernetes?: KubernetesPart | Skipped;
  vault?: VaultPart | Skipped;
  volumes?: VolumesPart | Skipped;
  /** How each dependency was captured, by its mode ("not captured: external" for an external one). */
  dependencies?: Record<string, string>;
}

export function sha256(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

export function isSkipped(part: object | undefined): part is Skipped {
  return part !== undefined && "skipped" in part;
}

/** A manifest read back from the bucket, or undefined when it is not one of ours. */
export function parseManifest(text: string): Manifest | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<Manifest>;
    return parsed.format === MANIFEST_FORMAT && typeof parsed.id === "string" && typeof parsed.startedAt === "string" ? (parsed as Manifest) : undefined;
  } catch {
    return undefined;
  }
}
