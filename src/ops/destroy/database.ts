/**
 * destroy/database: the RDS instance, with a final snapshot unless --skip-final-snapshot (the
 * snapshot is kept and listed), then its subnet and parameter groups. Deletion protection, on in
 * production, is turned off first: the user has confirmed the platform's destruction.
 */
import type { RDSClient } from "@aws-sdk/client-rds";
import { findDbInstance, findDbParameterGroup, findDbSubnetGroup, modifyDbInstance, rdsTags, type DbInstanceInfo } from "../../aws/rds.js";
import { deleteDbInstance, deleteDbParameterGroup, deleteDbSubnetGroup, manualSnapshots } from "../../aws/rds-delete.js";
import { belongsTo, PLATFORM_TAG } from "../../aws/tags.js";
import { waitFor } from "../../aws/wait.js";
import type { Reporter } from "../../plan/types.js";
import { attempt, deleting, names, recorded, RESUME_HINT } from "./context.js";
import type { DestroyContext, Stage } from "./types.js";

/** Deleting takes minutes, a final snapshot of a large database longer. */
const DELETE_WAIT = { timeoutMs: 90 * 60_000, intervalMs: 30_000 };

/** "btp-acme-final-20261128T021500": RDS ids allow letters, digits and single hyphens. */
export function finalSnapshotId(platform: string, now: Date): string {
  return `btp-${platform}-final-${now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").toLowerCase()}`;
}

function instanceId(context: DestroyContext): string {
  return recorded(context, "infra/rds", "dbInstanceId") ?? names(context).database;
}

/** The instance when it is ours (tagged, or untagged and recorded by our state). */
async function ourInstance(context: DestroyContext, rds: RDSClient, report?: Reporter): Promise<DbInstanceInfo | undefined> {
  const id = instanceId(context);
  const instance = await attempt(context, `read RDS instance ${id} (rds:DescribeDBInstances)`, () => findDbInstance(rds, id));
  if (!instance) return undefined;
  const owner = instance.tags[PLATFORM_TAG];
  if (owner === context.target.platform || (owner === undefined && recorded(context, "infra/rds", "dbInstanceId") === id)) return instance;
  report?.warn(`left RDS instance ${id} alone: it is ${owner === undefined ? "not tagged" : `tagged for platform ${owner}`}, btp-aws did not create it for this platform`);
  return undefined;
}

/** Snapshots of the platform that destroy keeps: final ones and dr-snapshot sets. */
export async function keptSnapshots(context: DestroyContext, rds: RDSClient): Promise<string[]> {
  const snapshots = await attempt(context, "list the platform's DB snapshots (rds:DescribeDBSnapshots)", () => manualSnapshots(rds, `btp-${context.target.platform}-`));
  return snapshots.map((s) => s.id);
}

export const databaseStage: Stage = {
  id: "destroy/database",
  title: "Delete the database",
  phase: "infra",
  async survey(context) {
    const rds = await context.services.aws.rds();
    const instance = await ourInstance(context, rds);
    if (!instance) return [];
    const snapshot = context.options.skipFinalSnapshot ? "no final snapshot (--skip-final-snapshot)" : `final snapshot ${finalSnapshotId(context.target.platform, context.options.now())} kept`;
    return deleting([`RDS instance ${instance.id} (${instance.status}${instance.deletionProtection ? ", deletion protection on: turned off first" : ""}); ${snapshot}`, `DB subnet group ${names(context).databaseSubnetGroup}, parameter group ${names(context).databaseParameterGroup}`]);
  },
  async run(context, report) {
    const rds = await context.services.aws.rds();
    const n = names(context);
    const done: string[] = [];
    const instance = await ourInstance(context, rds, report);
    if (instance) {
      if (instance.status !== "deleting") {
        if (instance.deletionProtection) {
          await attempt(context, `turn off deletion protection of ${instance.id} (rds:ModifyDBInstance)`, () => modifyDbInstance(rds, instance.id, { deletionProtection: false }));
          report.info(`turned off deletion protection of ${instance.id}`);
        }
        const snapshot = context.options.skipFinalSnapshot ? undefined : finalSnapshotId(context.target.platform, context.options.now());
        report.status(snapshot ? `deleting ${instance.id}, final snapshot ${snapshot}` : `deleting ${instance.id} without a final snapshot`);
        await attempt(context, `delete RDS instance ${instance.id} (rds:DeleteDBInstance${snapshot ? ", rds:CreateDBSnapshot" : ""})`, () => deleteDbInstance(rds, instance.id, snapshot));
        done.push(snapshot ? `deleted RDS instance ${instance.id} after final snapshot ${snapshot}` : `deleted RDS instance ${instance.id} (no final snapshot)`);
      } else {
        done.push(`RDS instance ${instance.id} was already being deleted`);
      }
      await waitFor({
        what: `RDS instance ${instance.id} to be deleted`,
        observe: async () => {
          const seen = await attempt(context, `read RDS instance ${instance.id} (rds:DescribeDBInstances)`, () => findDbInstance(rds, instance.id));
          return seen ? { state: "pending", status: seen.status } : { state: "ready", value: undefined, status: "deleted" };
        },
        ...DELETE_WAIT,
        settings: context.services.wait,
        onStatus: (text) => report.status(text),
        signal: context.signal,
        hint: `RDS may still finish: run \`btp-aws destroy\` again to keep waiting; ${RESUME_HINT}`,
      });
    }
    // The groups are ours by tag; the instance that used them is gone, so they delete cleanly.
    const subnetGroup = await attempt(context, `read DB subnet group ${n.databaseSubnetGroup} (rds:DescribeDBSubnetGroups)`, () => findDbSubnetGroup(rds, n.databaseSubnetGroup));
    if (subnetGroup && belongsTo(await attempt(context, "read its tags (rds:ListTagsForResource)", () => rdsTags(rds, subnetGroup.arn)), context.target.platform)) {
      await attempt(context, `delete DB subnet group ${n.databaseSubnetGroup} (rds:DeleteDBSubnetGroup)`, () => deleteDbSubnetGroup(rds, n.databaseSubnetGroup));
      done.push(`deleted DB subnet group ${n.databaseSubnetGroup}`);
    }
    const parameterGroup = await attempt(context, `read DB parameter group ${n.databaseParameterGroup} (rds:DescribeDBParameterGroups)`, () => findDbParameterGroup(rds, n.databaseParameterGroup));
    if (parameterGroup && belongsTo(await attempt(context, "read its tags (rds:ListTagsForResource)", () => rdsTags(rds, parameterGroup.arn)), context.target.platform)) {
      await attempt(context, `delete DB parameter group ${n.databaseParameterGroup} (rds:DeleteDBParameterGroup)`, () => deleteDbParameterGroup(rds, n.databaseParameterGroup));
      done.push(`deleted DB parameter group ${n.databaseParameterGroup}`);
    }
    for (const id of await keptSnapshots(context, rds)) context.ledger.kept.push({ resource: `DB snapshot ${id}`, reason: "database snapshots are backups: destroy never deletes them" });
    if (done.length === 0) return report.skip(`no RDS instance ${instanceId(context)} or DB group of the platform is left`);
    report.info(done.join("; "));
  },
};
