/**
 * Is the hosted zone the one the internet asks? Route 53 answers only for zones whose name
 * servers the registrar (or the parent zone) delegates to. When it does not, every record btp-aws
 * writes is invisible: ACM and Let's Encrypt never see their validation records and wait forever.
 */
import { normaliseDnsName } from "../../aws/route53-zones.js";

export type PublicAnswer = { servers: string[] } | { error: string };

export function sameNameServers(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a.map(normaliseDnsName));
  const right = new Set(b.map(normaliseDnsName));
  return left.size === right.size && [...left].every((name) => right.has(name));
}

/** The warning, with the records to set one per line so they can be copied. */
export function delegationWarning(zone: { id: string; name: string }, expected: readonly string[], answer: PublicAnswer): string {
  const found = "servers" in answer
    ? `public DNS answers other name servers for ${zone.name} than hosted zone ${zone.id} holds: ${answer.servers.map(normaliseDnsName).sort().join(", ")}`
    : `public DNS did not answer the NS records of ${zone.name} (${answer.error})`;
  return [
    found,
    `set these NS records for ${zone.name} at its registrar (or in the parent zone, if ${zone.name} is a subdomain), one per line:`,
    ...expected,
    "until public DNS answers them, certificate validation (ACM, cert-manager DNS-01) would hang: nobody outside sees the records btp-aws writes into this zone",
  ].join("\n");
}
