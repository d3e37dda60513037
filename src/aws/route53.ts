/**
 * Route 53 record sets: look up, upsert, wait until the change reached every name server.
 * (Hosted zone lookups for prepare live in route53-zones.ts.)
 */
import type { RRType, Route53Client } from "@aws-sdk/client-route-53";
import { waitFor, type WaitSettings } from "./wait.js";
import { loadSdk } from "./sdk.js";

export interface RecordSet {
  name: string;
  type: string;
  ttl: number | undefined;
  values: string[];
  /** An alias record's target, lower-case without the trailing dot. */
  aliasDnsName?: string;
}

export interface RecordToWrite {
  name: string;
  type: RRType;
  ttl: number;
  values: string[];
}

/**
 * Route 53 answers names lower-case, with the trailing dot, and with `*` as `\052`; this makes
 * names from ACM, from the config and from Route 53 comparable.
 */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase().replace(/\\052/g, "*");
  return lower.endsWith(".") ? lower : `${lower}.`;
}

/** The record set with exactly this name and type, or undefined. */
export async function findRecordSet(route53: Route53Client, zoneId: string, name: string, type: RRType): Promise<RecordSet | undefined> {
  const { ListResourceRecordSetsCommand } = await loadSdk("@aws-sdk/client-route-53");
  // Record sets are sorted by name then type, so the first one from here is ours if it exists.
  const { ResourceRecordSets } = await route53.send(new ListResourceRecordSetsCommand({
    HostedZoneId: zoneId,
    StartRecordName: name,
    StartRecordType: type,
    MaxItems: 1,
  }));
  const found = ResourceRecordSets?.[0];
  if (!found?.Name || normalizeName(found.Name) !== normalizeName(name) || found.Type !== type) return undefined;
  return {
    name: normalizeName(found.Name),
    type: found.Type,
    ttl: found.TTL,
    values: (found.ResourceRecords ?? []).map((r) => r.Value ?? ""),
    ...(found.AliasTarget?.DNSName ? { aliasDnsName: found.AliasTarget.DNSName.toLowerCase().replace(/\.$/, "") } : {}),
  };
}

/** UPSERTs the records in one change batch; returns the change id to wait on. */
export async function upsertRecords(route53: Route53Client, zoneId: string, records: readonly RecordToWrite[], comment: string): Promise<string> {
  const { ChangeResourceRecordSetsCommand } = await loadSdk("@aws-sdk/client-route-53");
  const { ChangeInfo } = await route53.send(new ChangeResourceRecordSetsCommand({
    HostedZoneId: zoneId,
    ChangeBatch: {
      Comment: comment,
      Changes: records.map((r) => ({
        Action: "UPSERT",
        ResourceRecordSet: { Name: r.name, Type: r.type, TTL: r.ttl, ResourceRecords: r.values.map((Value) => ({ Value })) },
      })),
    },
  }));
  if (!ChangeInfo?.Id) throw new Error("route53:ChangeResourceRecordSets returned no change id");
  return ChangeInfo.Id;
}

/** PENDING or INSYNC. */
export async function changeStatus(route53: Route53Client, changeId: string): Promise<string> {
  const { GetChangeCommand } = await loadSdk("@aws-sdk/client-route-53");
  const { ChangeInfo } = await route53.send(new GetChangeCommand({ Id: changeId }));
  return ChangeInfo?.Status ?? "PENDING";
}

export interface WaitControl {
  settings: WaitSettings;
  onStatus?: (text: string) => void;
  signal?: AbortSignal;
}

// Route 53 propagates to its name servers within 60 s; 10 minutes means something is wrong.
const CHANGE_TIMEOUT_MS = 10 * 60_000;
const CHANGE_POLL_MS = 10_000;

/** Waits until every Route 53 name server answers with the change. */
export async function waitForChange(route53: Route53Client, changeId: string, control: WaitControl): Promise<void> {
  await waitFor({
    what: `Route 53 change ${changeId} to reach every name server (INSYNC)`,
    observe: async () => {
      const status = await changeStatus(route53, changeId);
      return status === "INSYNC" ? { state: "ready", value: undefined, status } : { state: "pending", status };
    },
    timeoutMs: CHANGE_TIMEOUT_MS,
    intervalMs: CHANGE_POLL_MS,
    settings: control.settings,
    ...(control.onStatus ? { onStatus: control.onStatus } : {}),
    ...(control.signal ? { signal: control.signal } : {}),
  });
}
