/**
 * Route 53 for destroy: the record sets of a name (alias records included, which the installer's
 * record helpers do not read), their deletion, and the hosted zone of a domain when no config
 * names it.
 */
import type { ResourceRecordSet, Route53Client } from "@aws-sdk/client-route-53";
import { awsErrorCode } from "./errors.js";
import { normalizeName } from "./route53.js";
import { loadSdk } from "./sdk.js";

export interface RecordSetFull {
  name: string;
  type: string;
  values: string[];
  /** Set for alias records: where they point. */
  aliasDnsName: string | undefined;
  /** The set exactly as Route 53 holds it: a DELETE must repeat it field for field. */
  raw: ResourceRecordSet;
}

/** Every record set named exactly `name`, of any type. */
export async function recordSetsNamed(route53: Route53Client, zoneId: string, name: string): Promise<RecordSetFull[]> {
  const { ListResourceRecordSetsCommand } = await loadSdk("@aws-sdk/client-route-53");
  const wanted = normalizeName(name);
  const found: RecordSetFull[] = [];
  let start: { StartRecordName?: string; StartRecordType?: ResourceRecordSet["Type"]; StartRecordIdentifier?: string } = { StartRecordName: name };
  for (;;) {
    const page = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 100, ...start }));
    for (const set of page.ResourceRecordSets ?? []) {
      // Sets are sorted by name: the first other name ends the search.
      if (!set.Name || normalizeName(set.Name) !== wanted) return found;
      found.push({
        name: wanted,
        type: set.Type ?? "",
        values: (set.ResourceRecords ?? []).map((r) => r.Value ?? ""),
        aliasDnsName: set.AliasTarget?.DNSName ? normalizeName(set.AliasTarget.DNSName) : undefined,
        raw: set,
      });
    }
    if (page.IsTruncated !== true) return found;
    start = { StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType, StartRecordIdentifier: page.NextRecordIdentifier };
  }
}

/** Deletes one record set; undefined when it was already gone, else the change id to wait on. */
export async function deleteRecordSet(route53: Route53Client, zoneId: string, set: RecordSetFull, comment: string): Promise<string | undefined> {
  const { ChangeResourceRecordSetsCommand } = await loadSdk("@aws-sdk/client-route-53");
  try {
    const { ChangeInfo } = await route53.send(new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: { Comment: comment, Changes: [{ Action: "DELETE", ResourceRecordSet: set.raw }] },
    }));
    return ChangeInfo?.Id;
  } catch (error) {
    // "Tried to delete resource record set … but it was not found": deleted meanwhile.
    if (awsErrorCode(error) === "InvalidChangeBatch" && error instanceof Error && /not found/i.test(error.message)) return undefined;
    throw error;
  }
}

/** The public hosted zone whose name is the longest suffix of `domain`, if the account has one. */
export async function publicZoneFor(route53: Route53Client, domain: string): Promise<{ id: string; name: string } | undefined> {
  const { paginateListHostedZones } = await loadSdk("@aws-sdk/client-route-53");
  const target = normalizeName(domain);
  let best: { id: string; name: string } | undefined;
  for await (const page of paginateListHostedZones({ client: route53 }, {})) {
    for (const zone of page.HostedZones ?? []) {
      if (!zone.Id || !zone.Name || zone.Config?.PrivateZone === true) continue;
      const name = normalizeName(zone.Name);
      const inside = target === name || target.endsWith(`.${name}`);
      if (inside && name.length > (best?.name.length ?? 0)) best = { id: zone.Id.replace(/^\/hostedzone\//, ""), name };
    }
  }
  return best;
}
