/**
 * Route 53 alias A records for the platform's names, pointing at the ALB. Alias, never CNAME: a
 * CNAME is invalid at a zone apex, and an alias answers with the ALB's current addresses at no
 * query cost. The guide's CNAME at the same name is replaced in the same change batch (Route 53
 * refuses an A record beside a CNAME), but only when it points at this ALB: a CNAME pointing
 * elsewhere is the user's, and stops the step.
 */
import type { Change, ResourceRecordSet, Route53Client } from "@aws-sdk/client-route-53";
import { normalizeName } from "../../aws/route53.js";
import { BtpAwsError } from "../../errors.js";
import { loadSdk } from "../../aws/sdk.js";

export interface AliasTargetRef {
  /** The ALB's DNS name. */
  dnsName: string;
  /** The ALB's CanonicalHostedZoneId (not the platform's zone). */
  hostedZoneId: string;
}

/** "dualstack." is an equivalent spelling of the same ALB target. */
function target(name: string): string {
  return normalizeName(name).replace(/^dualstack\./, "");
}

/** Every record set with exactly this name (any type), without routing-policy variants. */
export async function recordSetsNamed(route53: Route53Client, zoneId: string, name: string): Promise<ResourceRecordSet[]> {
  const { ListResourceRecordSetsCommand } = await loadSdk("@aws-sdk/client-route-53");
  // Sorted by name, then type: the sets with this name come first from here.
  const { ResourceRecordSets } = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: name, MaxItems: 20 }));
  return (ResourceRecordSets ?? []).filter((r) => r.Name !== undefined && normalizeName(r.Name) === normalizeName(name) && r.SetIdentifier === undefined);
}

export function isWantedAlias(record: ResourceRecordSet | undefined, alias: AliasTargetRef): boolean {
  const t = record?.AliasTarget;
  return t?.DNSName !== undefined && target(t.DNSName) === target(alias.dnsName) && t.HostedZoneId === alias.hostedZoneId && t.EvaluateTargetHealth === true;
}

/**
 * The changes that make `name` an alias A record of the ALB, given its current record sets:
 * none when it already is one.
 */
export function aliasChanges(name: string, existing: readonly ResourceRecordSet[], alias: AliasTargetRef): Change[] {
  if (isWantedAlias(existing.find((r) => r.Type === "A"), alias)) return [];
  const changes: Change[] = [];
  const cname = existing.find((r) => r.Type === "CNAME");
  if (cname) {
    const points = (cname.ResourceRecords ?? []).map((r) => r.Value ?? "");
    if (!points.every((value) => target(value) === target(alias.dnsName))) {
      throw new BtpAwsError(`a CNAME record ${name} → ${points.join(", ")} exists: an alias A record for the platform cannot sit beside it`, {
        hint: `delete that CNAME (it points elsewhere, so btp-aws leaves it alone), then run \`btp-aws install\` again`,
      });
    }
    changes.push({ Action: "DELETE", ResourceRecordSet: cname });
  }
  changes.push({
    Action: "UPSERT",
    ResourceRecordSet: { Name: name, Type: "A", AliasTarget: { DNSName: alias.dnsName, HostedZoneId: alias.hostedZoneId, EvaluateTargetHealth: true } },
  });
  return changes;
}

/** Applies the changes in one batch (all or nothing); returns the change id to wait on. */
export async function changeRecords(route53: Route53Client, zoneId: string, changes: Change[], comment: string): Promise<string> {
  const { ChangeResourceRecordSetsCommand } = await loadSdk("@aws-sdk/client-route-53");
  const { ChangeInfo } = await route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Comment: comment, Changes: changes } }));
  if (!ChangeInfo?.Id) throw new Error("route53:ChangeResourceRecordSets returned no change id");
  return ChangeInfo.Id;
}
