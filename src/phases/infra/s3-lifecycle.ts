/**
 * The bucket's lifecycle rule: the guide's storage tiers (Standard-IA, Glacier, Deep Archive),
 * the same for noncurrent versions (versioning keeps every overwrite, which would otherwise stay
 * in Standard forever), and cleanup of abandoned multipart uploads.
 *
 * S3 stores all rules as one document, so ours is identified by its ID and the user's own rules
 * are kept as they are.
 */
import type { LifecycleRule } from "../../aws/s3.js";
import type { Config } from "../../config/schema.js";

export const LIFECYCLE_RULE_ID = "btp-aws-storage-tiers";
const ABORT_MULTIPART_AFTER_DAYS = 7;

export function desiredLifecycleRule(storage: Config["storage"]): LifecycleRule {
  const tiers = [
    { days: storage.infrequentAccessDays, storageClass: "STANDARD_IA" },
    { days: storage.glacierDays, storageClass: "GLACIER" },
    { days: storage.deepArchiveDays, storageClass: "DEEP_ARCHIVE" },
  ] as const;
  return {
    ID: LIFECYCLE_RULE_ID,
    Status: "Enabled",
    Filter: { Prefix: "" },
    Transitions: tiers.map((t) => ({ Days: t.days, StorageClass: t.storageClass })),
    NoncurrentVersionTransitions: tiers.map((t) => ({ NoncurrentDays: t.days, StorageClass: t.storageClass })),
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_MULTIPART_AFTER_DAYS },
  };
}

/** A rule reduced to what we set, in a canonical order, so two renderings compare as text. */
function canonical(rule: LifecycleRule): string {
  const filter = rule.Filter;
  // S3 answers an empty filter as { Prefix: "" } or {}; any other filter narrows the rule.
  const wholeBucket = (filter?.Prefix ?? rule.Prefix ?? "") === "" && !filter?.And && !filter?.Tag && filter?.ObjectSizeGreaterThan === undefined && filter?.ObjectSizeLessThan === undefined;
  return JSON.stringify({
    status: rule.Status,
    wholeBucket,
    transitions: (rule.Transitions ?? []).map((t) => `${String(t.Days)}:${String(t.StorageClass)}:${t.Date ? "date" : ""}`).sort(),
    noncurrent: (rule.NoncurrentVersionTransitions ?? []).map((t) => `${String(t.NoncurrentDays)}:${String(t.StorageClass)}:${String(t.NewerNoncurrentVersions ?? "")}`).sort(),
    abortDays: rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation,
    expiration: rule.Expiration ?? null,
    noncurrentExpiration: rule.NoncurrentVersionExpiration ?? null,
  });
}

/**
 * The rules to write, or undefined when ours is already there as wanted. Other rules are kept
 * in their order; ours replaces its earlier version in place or is appended.
 */
export function lifecycleRulesToWrite(current: readonly LifecycleRule[], desired: LifecycleRule): LifecycleRule[] | undefined {
  const index = current.findIndex((rule) => rule.ID === desired.ID);
  if (index >= 0 && canonical(current[index]!) === canonical(desired)) return undefined;
  if (index < 0) return [...current, desired];
  return current.map((rule, i) => (i === index ? desired : rule));
}
