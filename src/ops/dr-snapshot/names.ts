/**
 * Where a snapshot set lives. One DR bucket per platform and DR region, holding a mirror of the
 * platform bucket (objects/, versioned: each set's manifest names the versions it captured) and
 * one prefix per set (sets/<id>/: manifest, Kubernetes export, Vault snapshot). RDS snapshots
 * are `btp-<platform>-<id>`, the same id in both regions.
 */
import { UsageError } from "../../errors.js";

export const MIRROR_PREFIX = "objects/";
export const SETS_PREFIX = "sets/";

export function drBucketName(platform: string, account: string, drRegion: string): string {
  return `btp-${platform}-dr-${account}-${drRegion}`;
}

export function drKeyAlias(platform: string): string {
  return `alias/btp-${platform}-dr`;
}

export function dbSnapshotId(platform: string, setId: string): string {
  return `btp-${platform}-${setId}`;
}

export function setPrefix(setId: string): string {
  return `${SETS_PREFIX}${setId}/`;
}

export function manifestKey(setId: string): string {
  return `${setPrefix(setId)}manifest.json`;
}

/** "20261128t031500": sorts by time, and is valid in an RDS snapshot identifier. */
export function newSetId(now: Date): string {
  return now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").toLowerCase();
}

/**
 * A set id from --id: it becomes part of an RDS snapshot identifier (letters, digits, single
 * hyphens, no trailing hyphen) and of an S3 prefix. "final…" is destroy's final snapshot.
 */
export function checkSetId(id: string): string {
  if (!/^[a-z0-9](?:[a-z0-9]|-(?!-)){0,38}[a-z0-9]$/.test(id) || id.startsWith("final")) {
    throw new UsageError(`--id ${JSON.stringify(id)}: must be 2-40 lowercase letters, digits and single hyphens, not starting with "final"`, [], "use the id dr-snapshot printed (e.g. 20261128t031500) to resume that set, or leave --id out for a new one");
  }
  return id;
}
