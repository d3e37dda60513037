/**
 * destroy/dns: the Route 53 records btp-aws wrote, and only those: the alias A/AAAA records for
 * the domain and *.domain that point at a load balancer (verify/dns), and the certificate's DNS
 * validation CNAMEs (infra/acm). A validation record another certificate for the same domain
 * still relies on (ACM gives every certificate of an account the same CNAME) is kept.
 */
import { certificatesForDomain, certificateTags } from "../../aws/acm.js";
import { deleteRecordSet, publicZoneFor, recordSetsNamed, type RecordSetFull } from "../../aws/route53-delete.js";
import { normalizeName, waitForChange } from "../../aws/route53.js";
import { belongsTo } from "../../aws/tags.js";
import { validationRecords } from "../../phases/infra/acm-validation.js";
import type { Reporter } from "../../plan/types.js";
import { attempt, deleting } from "./context.js";
import { platformCertificates, platformDomain } from "./certificates.js";
import type { DestroyContext, Stage } from "./types.js";

const LOAD_BALANCER_HOST = /\.elb\.([a-z0-9-]+\.)?amazonaws\.com(\.cn)?\.$/;

interface Plan {
  zoneId: string | undefined;
  domain: string | undefined;
  records: RecordSetFull[];
  /** Validation records left in place, and why. */
  kept: { resource: string; reason: string }[];
  /** Why there is nothing to look at, when there is not. */
  why?: string;
}

async function plan(context: DestroyContext): Promise<Plan> {
  const domain = await platformDomain(context);
  if (domain === undefined) return { zoneId: undefined, domain, records: [], kept: [], why: "no domain: neither a config nor a certificate of the platform names one" };
  const route53 = await context.services.aws.route53();
  const zoneId = context.target.dns?.hostedZoneId ?? (await attempt(context, `find the hosted zone of ${domain} (route53:ListHostedZones)`, () => publicZoneFor(route53, domain)))?.id;
  if (zoneId === undefined) return { zoneId, domain, records: [], kept: [], why: `no public hosted zone in this account contains ${domain}` };
  const read = (name: string) => attempt(context, `read the records ${name} in zone ${zoneId} (route53:ListResourceRecordSets)`, () => recordSetsNamed(route53, zoneId, name));

  const records: RecordSetFull[] = [];
  for (const name of [domain, `*.${domain}`]) {
    for (const set of await read(name)) {
      if ((set.type === "A" || set.type === "AAAA") && set.aliasDnsName !== undefined && LOAD_BALANCER_HOST.test(set.aliasDnsName)) records.push(set);
    }
  }
  const kept: { resource: string; reason: string }[] = [];
  const certificates = await platformCertificates(context);
  const ours = new Set(certificates.map((c) => c.arn));
  const acm = await context.services.aws.acm();
  const others = await attempt(context, `list the certificates for ${domain} (acm:ListCertificates)`, async () => {
    const arns = (await certificatesForDomain(acm, domain, ["ISSUED", "PENDING_VALIDATION"])).filter((arn) => !ours.has(arn));
    const foreign: string[] = [];
    for (const arn of arns) if (!belongsTo(await certificateTags(acm, arn), context.target.platform)) foreign.push(arn);
    return foreign;
  });
  for (const record of certificates.flatMap((c) => validationRecords(c))) {
    if (others.length > 0) {
      kept.push({ resource: `CNAME record ${record.name}`, reason: `certificate ${others.join(", ")} for ${domain} also validates through it` });
      continue;
    }
    const match = (await read(record.name)).find((s) => s.type === "CNAME" && s.values.length === 1 && normalizeName(s.values[0]!) === record.value);
    if (match && !records.some((r) => r.name === match.name && r.type === match.type)) records.push(match);
  }
  return { zoneId, domain, records, kept };
}

function describe(set: RecordSetFull): string {
  return `${set.type} record ${set.name} → ${set.aliasDnsName ?? set.values.join(", ")}`;
}

export const dnsStage: Stage = {
  id: "destroy/dns",
  title: "Delete the Route 53 records btp-aws wrote",
  phase: "verify",
  async survey(context) {
    const found = await plan(context);
    return [...deleting(found.records.map((r) => `${describe(r)} in zone ${found.zoneId ?? ""}`)), ...found.kept.map((k) => ({ resource: k.resource, kept: k.reason }))];
  },
  async run(context: DestroyContext, report: Reporter) {
    const found = await plan(context);
    for (const k of found.kept) report.warn(`kept ${k.resource}: ${k.reason}`);
    const zoneId = found.zoneId;
    if (zoneId === undefined || found.records.length === 0) return report.skip(found.why ?? `no record btp-aws wrote is left in zone ${zoneId ?? "?"} for ${found.domain ?? "?"}`);
    const route53 = await context.services.aws.route53();
    const changes: string[] = [];
    for (const set of found.records) {
      report.status(`deleting ${describe(set)}`);
      const change = await attempt(context, `delete ${describe(set)} from zone ${zoneId} (route53:ChangeResourceRecordSets)`, () => deleteRecordSet(route53, zoneId, set, "btp-aws destroy"));
      if (change !== undefined) changes.push(change);
    }
    for (const change of changes) {
      await attempt(context, `wait for Route 53 change ${change} (route53:GetChange)`, () => waitForChange(route53, change, { settings: context.services.wait, onStatus: (t) => report.status(t), signal: context.signal }));
    }
    report.info(`deleted from zone ${zoneId}: ${found.records.map(describe).join("; ")}`);
  },
};
