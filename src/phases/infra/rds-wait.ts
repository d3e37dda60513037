/**
 * Waiting for the database. Creation takes 10-20 minutes (Multi-AZ longer), a class change or a
 * Multi-AZ conversion about as long; the deadline leaves room for a slow day. A failed wait shows
 * the instance's recent RDS events, which is where AWS says why.
 */
import type { RDSClient } from "@aws-sdk/client-rds";
import { findDbInstance, recentDbEvents, type DbInstanceInfo } from "../../aws/rds.js";
import { waitFor, type Observation } from "../../aws/wait.js";
import type { Reporter, StepContext } from "../../plan/types.js";
import type { InfraServices } from "./services.js";

export const DB_WAIT_TIMEOUT_MS = 60 * 60_000;
export const DB_POLL_MS = 30_000;

/** Ready to serve. storage-optimization follows a storage change for hours and is fully usable. */
const READY = new Set(["available", "storage-optimization"]);
/** States the instance does not leave on its own; waiting longer would not help. */
const FAILED = new Set([
  "failed", "incompatible-parameters", "incompatible-network", "incompatible-option-group", "incompatible-restore", "incompatible-credentials",
  "inaccessible-encryption-credentials", "inaccessible-encryption-credentials-recoverable", "restore-error", "storage-full", "insufficient-capacity",
  "stopped", "deleting", "delete-precheck",
]);

export function isReady(status: string): boolean {
  return READY.has(status);
}

export function isFailed(status: string): boolean {
  return FAILED.has(status);
}

/** What to do about an instance in a state it will not leave by itself. */
export function failedHint(id: string, status: string, region: string): string {
  if (status === "stopped") return `start it (aws rds start-db-instance --db-instance-identifier ${id} --region ${region}), then run again`;
  if (status === "deleting" || status === "delete-precheck") return "wait until the deletion finishes, then run again to create it anew";
  return "fix the cause in the RDS events above (RDS console, Events), then run again";
}

async function reason(rds: RDSClient, id: string): Promise<string> {
  const events = await recentDbEvents(rds, id).catch(() => []);
  return events.length > 0 ? events.join("; ") : "RDS reported no events";
}

/** `typicalMs`: for a creation, polls come more often around the usual time (waitFor). */
export async function waitForInstance(context: StepContext<Pick<InfraServices, "wait">>, rds: RDSClient, id: string, report: Reporter, typicalMs?: number): Promise<DbInstanceInfo> {
  return waitFor<DbInstanceInfo>({
    what: `RDS instance ${id} to become available`,
    async observe(): Promise<Observation<DbInstanceInfo>> {
      const instance = await findDbInstance(rds, id);
      if (!instance) return { state: "failed", status: "gone", reason: "the instance was deleted while btp-aws waited for it" };
      if (isReady(instance.status)) return { state: "ready", value: instance, status: instance.status };
      if (isFailed(instance.status)) return { state: "failed", status: instance.status, reason: await reason(rds, id) };
      return { state: "pending", status: instance.status };
    },
    timeoutMs: DB_WAIT_TIMEOUT_MS,
    intervalMs: DB_POLL_MS,
    ...(typicalMs === undefined ? {} : { typicalMs }),
    settings: context.services.wait,
    onStatus: (text) => report.status(text),
    signal: context.signal,
  });
}
