/**
 * The leak report that ends every destroy: what is still there, found two independent ways.
 * - Every stage surveys again (per-service listing by name and by the ids the state recorded:
 *   IAM roles, the OIDC provider, Route 53 records, clusters, load balancers, volumes …): a
 *   resource a stage would still delete is a leak; one it keeps on purpose is listed as kept.
 * - A sweep of the Resource Groups Tagging API for the btp-aws:platform tag, which also finds
 *   what no stage knows about. Secrets and keys waiting out their deletion window, database
 *   snapshots, and everything in the DR region are expected; anything else is a leak.
 */
import { describeKey } from "../../aws/kms.js";
import { headBucket } from "../../aws/s3.js";
import { findNatGateways } from "../../aws/ec2.js";
import { describeSecret } from "../../aws/secrets-manager.js";
import { describeAwsError } from "../../aws/errors.js";
import { findTaggedResourceArns } from "../../aws/tagging.js";
import { PLATFORM_TAG } from "../../aws/tags.js";
import { attempt } from "./context.js";
import { surveyStages } from "./run-stages.js";
import type { DestroyContext, Kept, Stage } from "./types.js";

export interface Leak {
  resource: string;
  /** Which check found it: a stage id, or "tag sweep". */
  foundBy: string;
}

export interface LeakReport {
  leaked: Leak[];
  kept: Kept[];
  scheduled: Kept[];
}

function addUnique(list: Kept[], item: Kept): void {
  if (!list.some((k) => k.resource === item.resource)) list.push(item);
}

/** The id at the end of an ARN: "key/1234" → "1234", "snapshot:btp-x-1" → "btp-x-1". */
function arnId(arn: string): string {
  return arn.split(/[:/]/).at(-1) ?? arn;
}

type Verdict = { kind: "leak" } | { kind: "kept" | "scheduled"; item: Kept } | { kind: "gone" };

/** Whether `text` names `id` as a whole word ("key k-1", not "btp-acme-dr-1…" for "dr-1"). */
function mentionsId(text: string, id: string): boolean {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^A-Za-z0-9_.-])${escaped}($|[^A-Za-z0-9_.-])`).test(text);
}

/** Whether `arn` was already listed, as leaked, kept or scheduled. */
function mentioned(arn: string, report: LeakReport): boolean {
  const id = arnId(arn);
  return [...report.kept, ...report.scheduled, ...report.leaked].some((k) => k.resource === arn || mentionsId(k.resource, id));
}

/**
 * Bucket ARNs carry no region, and some backends list every bucket in every region's sweep: a
 * bucket counts in the sweep of the region it lives in.
 */
async function bucketElsewhere(context: DestroyContext, arn: string, region: string): Promise<boolean> {
  if (!/^arn:[^:]+:s3:::/.test(arn)) return false;
  const name = arn.replace(/^arn:[^:]+:s3:::/, "");
  const s3 = await context.services.aws.s3();
  try {
    const presence = await headBucket(s3, { name, owner: context.target.account });
    return presence.state !== "owned" || (presence.region !== undefined && presence.region !== region);
  } catch (error) {
    // S3 answers a HEAD for a bucket of another region with a 301 redirect.
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 301) return true;
    throw describeAwsError(error, `look for bucket ${name} (s3:ListBucket)`, { endpoint: context.services.aws.endpoint, region });
  }
}

/** What one ARN from the tag sweep is, looked at once more where the sweep may be stale. */
async function classify(context: DestroyContext, arn: string, report: LeakReport): Promise<Verdict> {
  const id = arnId(arn);
  if (mentioned(arn, report) || (await bucketElsewhere(context, arn, context.target.region))) return { kind: "gone" };
  if (/^arn:[^:]+:rds:[^:]*:\d*:snapshot:/.test(arn)) return { kind: "kept", item: { resource: `DB snapshot ${id}`, reason: "database snapshots are backups: destroy never deletes them" } };
  // dr-snapshot's VolumeSnapshotClass tags the EBS snapshots of in-cluster volumes with the platform.
  if (/^arn:[^:]+:ec2:[^:]*:\d*:snapshot\//.test(arn)) return { kind: "kept", item: { resource: `EBS snapshot ${id}`, reason: "a snapshot of an in-cluster volume (dr-snapshot): backups are never deleted by destroy; `aws ec2 delete-snapshot` deletes it" } };
  if (/^arn:[^:]+:kms:/.test(arn)) {
    const key = await attempt(context, `read key ${id} (kms:DescribeKey)`, async () => describeKey(await context.services.aws.kms(), arn));
    if (!key) return { kind: "gone" };
    if (key.state === "PendingDeletion") return { kind: "scheduled", item: { resource: `KMS key ${key.keyId}`, reason: "scheduled for deletion" } };
    return { kind: "leak" };
  }
  if (/^arn:[^:]+:secretsmanager:/.test(arn)) {
    const secret = await attempt(context, `read secret ${arn} (secretsmanager:DescribeSecret)`, async () => describeSecret(await context.services.aws.secretsManager(), arn));
    if (!secret) return { kind: "gone" };
    if (secret.deletedDate !== undefined) return { kind: "scheduled", item: { resource: `secret ${secret.name}`, reason: `deleted for good after ${secret.deletedDate.toISOString().slice(0, 10)}` } };
    return { kind: "leak" };
  }
  // EC2 lists a deleted NAT gateway (state "deleted") for about an hour, tags and all.
  if (/:natgateway\//.test(arn)) {
    const seen = await attempt(context, `read NAT gateway ${id} (ec2:DescribeNatGateways)`, async () => findNatGateways(await context.services.aws.ec2(), { ids: [id] }).catch(() => []));
    if (seen.every((n) => n.state === "deleted")) return { kind: "gone" };
  }
  return { kind: "leak" };
}

export async function leakReport(stages: readonly Stage[], context: DestroyContext): Promise<LeakReport> {
  const report: LeakReport = { leaked: [], kept: [], scheduled: [] };
  for (const item of context.ledger.kept) addUnique(report.kept, item);
  for (const item of context.ledger.scheduled) addUnique(report.scheduled, item);
  for (const { stage, items } of await surveyStages(stages, context)) {
    for (const item of items) {
      if (item.kept !== undefined) addUnique(report.kept, { resource: item.resource, reason: item.kept });
      else report.leaked.push({ resource: item.resource, foundBy: stage.id });
    }
  }

  const { platform, region, drRegion } = context.target;
  const tags = { [PLATFORM_TAG]: platform };
  const swept = await attempt(context, `sweep ${region} for resources tagged ${PLATFORM_TAG}=${platform} (tag:GetResources)`, async () => findTaggedResourceArns(await context.services.aws.tagging(), tags));
  for (const arn of swept) {
    const verdict = await classify(context, arn, report);
    if (verdict.kind === "kept") addUnique(report.kept, verdict.item);
    else if (verdict.kind === "scheduled") addUnique(report.scheduled, verdict.item);
    else if (verdict.kind === "leak") report.leaked.push({ resource: arn, foundBy: "tag sweep" });
  }
  if (drRegion !== undefined && drRegion !== region) {
    const copies = await attempt(context, `sweep ${drRegion} for resources tagged ${PLATFORM_TAG}=${platform} (tag:GetResources)`, async () => findTaggedResourceArns(await context.services.aws.tagging(drRegion), tags));
    for (const arn of copies) {
      if (mentioned(arn, report) || (await bucketElsewhere(context, arn, drRegion))) continue;
      addUnique(report.kept, { resource: arn, reason: `disaster-recovery copy in ${drRegion} (dr-snapshot): destroy never deletes it` });
    }
  }
  return report;
}

export function renderLeakReport(report: LeakReport): string {
  const lines: string[] = [];
  if (report.leaked.length === 0) lines.push("Leak report: nothing of the platform is left beyond what is listed below.");
  else {
    lines.push(`Leak report: ${report.leaked.length} resource(s) of the platform are still there:`);
    for (const leak of report.leaked) lines.push(`  ✘ ${leak.resource} (found by ${leak.foundBy})`);
  }
  for (const k of report.kept) lines.push(`  ■ kept: ${k.resource}: ${k.reason}`);
  for (const s of report.scheduled) lines.push(`  ◷ scheduled: ${s.resource}: ${s.reason}`);
  return lines.join("\n");
}
