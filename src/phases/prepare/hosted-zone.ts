/**
 * prepare/hosted-zone: the Route 53 zone in the config exists, is public, contains the
 * platform's domain, and is the zone public DNS actually delegates to. The last check only warns:
 * delegation may be in progress, and the lookup may fail behind a firewall.
 */
import { describeAwsError } from "../../aws/errors.js";
import { apexNameServers, getHostedZone, normaliseDnsName, type HostedZone } from "../../aws/route53-zones.js";
import { BtpAwsError } from "../../errors.js";
import { stringOutput } from "../../plan/outputs.js";
import type { Step } from "../../plan/types.js";
import { delegationWarning, sameNameServers, type PublicAnswer } from "./name-servers.js";
import type { PrepareServices } from "./services.js";

/** A resolver that has not answered by then will not: treat it as "no answer". */
export const DNS_LOOKUP_TIMEOUT_MS = 10_000;

export function domainInZone(domain: string, zoneName: string): boolean {
  const d = normaliseDnsName(domain);
  const z = normaliseDnsName(zoneName);
  return d === z || d.endsWith(`.${z}`);
}

/** The problem with a zone found under dns.hostedZoneId, or undefined when it fits the config. */
export function zoneProblem(zone: HostedZone, dns: { domain: string; hostedZoneName?: string | undefined }): BtpAwsError | undefined {
  if (zone.privateZone) {
    return new BtpAwsError(`hosted zone ${zone.id} (${zone.name}) is private: public DNS cannot see it, so certificates for ${dns.domain} cannot be validated`, {
      hint: `set dns.hostedZoneId to the public zone that contains ${dns.domain} (aws route53 list-hosted-zones)`,
    });
  }
  if (!domainInZone(dns.domain, zone.name)) {
    return new BtpAwsError(`dns.domain ${dns.domain} is not inside hosted zone ${zone.id} (${zone.name})`, {
      hint: `choose a domain under ${zone.name}, or set dns.hostedZoneId to the zone that contains ${dns.domain} (aws route53 list-hosted-zones)`,
    });
  }
  if (dns.hostedZoneName !== undefined && normaliseDnsName(dns.hostedZoneName) !== zone.name) {
    return new BtpAwsError(`dns.hostedZoneName is ${dns.hostedZoneName}, but hosted zone ${zone.id} is ${zone.name}`, {
      hint: `set dns.hostedZoneName to ${zone.name}, or remove it`,
    });
  }
  return undefined;
}

/** What public DNS answers for the zone's NS records, within DNS_LOOKUP_TIMEOUT_MS. */
export async function lookUpNameServers(dns: PrepareServices["dns"], name: string): Promise<PublicAnswer> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<PublicAnswer>((resolve) => {
    timer = setTimeout(() => resolve({ error: `no answer within ${DNS_LOOKUP_TIMEOUT_MS / 1000} s` }), DNS_LOOKUP_TIMEOUT_MS);
  });
  const lookup = dns.resolveNs(name).then(
    (servers): PublicAnswer => (servers.length > 0 ? { servers } : { error: "no NS records" }),
    (error: unknown): PublicAnswer => {
      // Resolver errors carry a DNS code (ENOTFOUND, ENODATA, ESERVFAIL); that is the useful part.
      const code = (error as { code?: unknown } | null)?.code;
      return { error: typeof code === "string" ? code : String(error) };
    },
  );
  try {
    return await Promise.race([lookup, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const hostedZoneStep: Step<PrepareServices> = {
  id: "prepare/hosted-zone",
  title: "Check the hosted zone",
  phase: "prepare",
  needs: ["prepare/credentials"],
  describe: (config) => [
    `check that hosted zone ${config.dns.hostedZoneId} is public and contains ${config.dns.domain} (route53:GetHostedZone)`,
    "compare its NS records with what public DNS answers (route53:ListResourceRecordSets, a DNS lookup)",
  ],
  async run({ config, outputs, services }, report) {
    const id = config.dns.hostedZoneId;
    const account = stringOutput(outputs, "prepare/credentials", "account");
    const target = { endpoint: services.aws.endpoint, region: config.aws.region };
    const route53 = await services.aws.route53();
    report.status(`reading hosted zone ${id}`);
    let zone: HostedZone | undefined;
    try {
      zone = await getHostedZone(route53, id);
    } catch (error) {
      throw describeAwsError(error, `read hosted zone ${id} (route53:GetHostedZone)`, target);
    }
    if (zone === undefined) {
      throw new BtpAwsError(`hosted zone ${id} (dns.hostedZoneId) does not exist in account ${account}`, {
        hint: `list the zones with \`aws route53 list-hosted-zones\` and set dns.hostedZoneId to the public zone that contains ${config.dns.domain}`,
      });
    }
    const problem = zoneProblem(zone, config.dns);
    if (problem) throw problem;

    let nameServers: string[];
    try {
      nameServers = await apexNameServers(route53, zone);
    } catch (error) {
      throw describeAwsError(error, `read the NS records of hosted zone ${id} (route53:ListResourceRecordSets)`, target);
    }
    // A zone always has an apex NS set; the delegation set is the same list, should it be missing.
    if (nameServers.length === 0) nameServers = zone.delegationNameServers;

    report.status(`looking up the NS records of ${zone.name} in public DNS`);
    const answer = await lookUpNameServers(services.dns, zone.name);
    if ("servers" in answer && sameNameServers(answer.servers, nameServers)) {
      report.info(`hosted zone ${id} (${zone.name}) is public, contains ${config.dns.domain}, and public DNS answers its ${nameServers.length} name servers`);
    } else {
      report.info(`hosted zone ${id} (${zone.name}) is public and contains ${config.dns.domain}`);
      report.warn(delegationWarning(zone, nameServers, answer));
    }
    return { hostedZoneName: zone.name, nameServers };
  },
};
