/**
 * Every resource carries btp-aws:platform and btp-aws:managed-by plus the user's tags. Tags are
 * how a lost state file is rebuilt, how re-runs adopt what exists, and how destroy finds leaks.
 * Services spell tags differently; the converters below keep one source of truth.
 */
import type { Config } from "../config/schema.js";

export const PLATFORM_TAG = "btp-aws:platform";
export const MANAGED_BY_TAG = "btp-aws:managed-by";
export const MANAGED_BY = "btp-aws";

export type TagMap = Readonly<Record<string, string>>;

/** The tags for a resource of this platform; `extra` adds e.g. Name or kubernetes.io/role/elb. */
export function platformTags(config: Pick<Config, "platform" | "tags">, extra: TagMap = {}): TagMap {
  return { ...config.tags, ...extra, [PLATFORM_TAG]: config.platform, [MANAGED_BY_TAG]: MANAGED_BY };
}

/** [{ Key, Value }]: EC2, IAM, RDS, ElastiCache, ACM, Secrets Manager, SNS, CloudWatch, S3 TagSet. */
export function tagList(tags: TagMap): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** [{ TagKey, TagValue }]: KMS. */
export function kmsTagList(tags: TagMap): { TagKey: string; TagValue: string }[] {
  return Object.entries(tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
}

/** Reads any of the shapes above (or a plain map, as EKS uses) back into a map. */
export function tagMap(tags: readonly { Key?: string | undefined; Value?: string | undefined; TagKey?: string | undefined; TagValue?: string | undefined }[] | Record<string, string> | undefined): Record<string, string> {
  if (!tags) return {};
  if (!Array.isArray(tags)) return { ...(tags as Record<string, string>) };
  const map: Record<string, string> = {};
  for (const tag of tags as readonly { Key?: string; Value?: string; TagKey?: string; TagValue?: string }[]) {
    const key = tag.Key ?? tag.TagKey;
    if (key !== undefined) map[key] = tag.Value ?? tag.TagValue ?? "";
  }
  return map;
}

/** The tags of `wanted` that `actual` lacks or holds with another value: what a re-run must add. */
export function missingTags(actual: Record<string, string>, wanted: TagMap): TagMap {
  return Object.fromEntries(Object.entries(wanted).filter(([key, value]) => actual[key] !== value));
}

export function belongsTo(tags: Record<string, string>, platform: string): boolean {
  return tags[PLATFORM_TAG] === platform;
}
