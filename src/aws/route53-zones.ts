/**
 * Reading a hosted zone: its name, whether it is private, and the name servers Route 53 assigned
 * to it. Record changes live in route53.ts; this file never writes.
 */
import type { Route53Client } from "@aws-sdk/client-route-53";
import { awsErrorCode } from "./errors.js";
import { loadSdk } from "./sdk.js";

export interface HostedZone {
  id: string;
  /** Lowercase, without the trailing dot: "example.com". */
  name: string;
  privateZone: boolean;
  delegationNameServers: string[];
}

/** DNS names compare case-insensitively and with or without the root's trailing dot. */
export function normaliseDnsName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}

export async function getHostedZone(route53: Route53Client, id: string): Promise<HostedZone | undefined> {
  const { GetHostedZoneCommand } = await loadSdk("@aws-sdk/client-route-53");
  try {
    const { HostedZone: zone, DelegationSet } = await route53.send(new GetHostedZoneCommand({ Id: id }));
    if (!zone?.Id || zone.Name === undefined) return undefined;
    return {
      id: zone.Id.replace(/^\/hostedzone\//, ""),
      name: normaliseDnsName(zone.Name),
      privateZone: zone.Config?.PrivateZone === true,
      delegationNameServers: (DelegationSet?.NameServers ?? []).map(normaliseDnsName),
    };
  } catch (error) {
    if (awsErrorCode(error) === "NoSuchHostedZone") return undefined;
    throw error;
  }
}

/** The values of the NS record set at the zone's apex; empty when there is none. */
export async function apexNameServers(route53: Route53Client, zone: Pick<HostedZone, "id" | "name">): Promise<string[]> {
  const { ListResourceRecordSetsCommand } = await loadSdk("@aws-sdk/client-route-53");
  // Record sets are sorted by name then type, so the apex NS set is the first one from here.
  const { ResourceRecordSets } = await route53.send(new ListResourceRecordSetsCommand({
    HostedZoneId: zone.id, StartRecordName: zone.name, StartRecordType: "NS", MaxItems: 1,
  }));
  const apex = (ResourceRecordSets ?? []).find((r) => r.Type === "NS" && r.Name !== undefined && normaliseDnsName(r.Name) === zone.name);
  return (apex?.ResourceRecords ?? []).flatMap((r) => (r.Value ? [normaliseDnsName(r.Value)] : []));
}
