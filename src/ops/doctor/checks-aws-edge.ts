/** AWS checks at the edge and around it: certificate, DNS records, alarms and the budget. */
import { describeBudget } from "../../aws/budgets.js";
import { findRecordSet } from "../../aws/route53.js";
import { alarmStates } from "./aws-reads.js";
import { daysBetween, finding, outcome, REPAIR_INFRA, type Finding } from "./findings.js";
import { fail, ok, warn, type Check, type DoctorContext } from "./types.js";

/** ACM renews DNS-validated certificates in use from 60 days before expiry; under 30, it is stuck. */
const CERTIFICATE_WARN_DAYS = 30;
const CERTIFICATE_FAIL_DAYS = 14;

const certificate: Check = {
  id: "aws/acm",
  title: "ACM certificate",
  area: "aws",
  async run({ facts, config, now }) {
    const found = await facts.certificate();
    if (!found) return fail(`no ACM certificate ${config ? `for ${config.dns.domain}` : "tagged for the platform"}`, `request it with ${REPAIR_INFRA}`);
    const subject = `${found.domain} (${found.arn.split("/").pop() ?? found.arn})`;
    if (found.status !== "ISSUED") {
      const reason = found.failureReason ? ` (${found.failureReason})` : "";
      if (found.status === "PENDING_VALIDATION") return warn(`${subject} is waiting for DNS validation`, `check that the validation CNAME records are in the hosted zone and public DNS delegates the domain to it; ${REPAIR_INFRA} writes them`);
      return fail(`${subject} is ${found.status}${reason}`, `request a new one: ${REPAIR_INFRA}`);
    }
    if (!found.notAfter) return warn(`${subject} is ISSUED but ACM reports no expiry date`, `aws acm describe-certificate --certificate-arn ${found.arn}`);
    const days = daysBetween(now(), found.notAfter);
    const detail = `${subject} ISSUED, expires ${found.notAfter.toISOString().slice(0, 10)} (${days} days)`;
    const renew = `ACM renews a DNS-validated certificate that is in use by itself: check its RenewalSummary (aws acm describe-certificate --certificate-arn ${found.arn}) and that the validation CNAME records are still in the hosted zone`;
    if (days < CERTIFICATE_FAIL_DAYS) return fail(detail, renew);
    if (days < CERTIFICATE_WARN_DAYS) return warn(detail, renew);
    return ok(detail);
  },
};

/** Steps after which the platform must have its ALB and DNS records. */
const INGRESS_STEPS = ["btp/release", "verify/dns"];

function dnsIsDue(ctx: Pick<DoctorContext, "state">): boolean {
  return INGRESS_STEPS.some((id) => ctx.state?.steps[id]?.status === "done");
}

const stripDualstack = (name: string) => name.replace(/^dualstack\./, "");

const dnsRecords: Check = {
  id: "aws/route53",
  title: "Route 53 records",
  area: "aws",
  async run(ctx) {
    const { config, facts, aws } = ctx;
    if (!config) return warn("the domain and hosted zone are unknown without a config", "pass --config <file> (or --state-dir where the platform's state lives)");
    const alb = await facts.loadBalancer();
    const repoint = "run `btp-aws install --from verify`: verify/dns points the alias records at the current ALB";
    if (!alb) {
      const detail = `no ALB for cluster ${facts.clusterName} (the AWS Load Balancer Controller makes it for the platform's Ingress)`;
      return dnsIsDue(ctx) ? fail(detail, "look at the Ingress's events (kubectl -n settlemint describe ingress) and the controller's logs") : warn(`${detail}: the platform is not installed yet`, "run `btp-aws install` to install it");
    }
    const route53 = await aws.route53();
    const findings: Finding[] = [];
    for (const name of [config.dns.domain, `*.${config.dns.domain}`]) {
      const record = await findRecordSet(route53, config.dns.hostedZoneId, name, "A");
      if (!record) findings.push(finding("fail", `no A record ${name}`, repoint));
      else if (!record.aliasDnsName) findings.push(finding("fail", `${name} is a plain A record (${record.values.join(", ")}), not an alias of the ALB`, repoint));
      else if (stripDualstack(record.aliasDnsName) !== stripDualstack(alb.dnsName)) findings.push(finding("fail", `${name} points at ${record.aliasDnsName}, not the current ALB`, repoint));
    }
    return outcome(`ALB ${alb.dnsName}`, findings, `${config.dns.domain} and *.${config.dns.domain} alias the ALB ${alb.dnsName}`);
  },
};

/** What to do about each of the platform's alarms (see src/phases/infra/monitoring-alarms.ts). */
function alarmFix(name: string): string {
  if (name.endsWith("-db-free-storage")) return `the database is running out of space: raise database.storageGiB and run ${REPAIR_INFRA}`;
  if (name.endsWith("-db-connections")) return "too many database connections: look for a connection leak or a pool sized too large in the platform's services";
  if (name.endsWith("-node-cpu")) return `the nodes are CPU-bound: raise cluster.desiredNodes/maxNodes or use a larger instance type, then run ${REPAIR_INFRA}`;
  if (name.includes("-cache-cpu")) return "the cache is CPU-bound: choose a larger cache.nodeType (the replication group must be scaled: aws elasticache modify-replication-group --cache-node-type)";
  if (name.includes("-cache-memory")) return "the cache is running out of memory: choose a larger cache.nodeType (aws elasticache modify-replication-group --cache-node-type)";
  return `investigate: aws cloudwatch describe-alarm-history --alarm-name ${name}`;
}

const alarms: Check = {
  id: "aws/alarms",
  title: "CloudWatch alarms",
  area: "aws",
  async run({ aws, platform }) {
    const prefix = `btp-${platform}-`;
    const found = await alarmStates(await aws.cloudwatch(), prefix);
    if (found.length === 0) return warn(`no CloudWatch alarms ${prefix}*`, `create them with ${REPAIR_INFRA}`);
    const firing = found.filter((a) => a.state === "ALARM");
    if (firing.length > 0) {
      return fail(`in ALARM: ${firing.map((a) => `${a.name}${a.reason ? ` (${a.reason})` : ""}`).join("; ")}`, alarmFix(firing[0]!.name));
    }
    const noData = found.filter((a) => a.state === "INSUFFICIENT_DATA").length;
    return ok(`${found.length} alarms, none in ALARM${noData > 0 ? ` (${noData} without data yet)` : ""}`);
  },
};

const budget: Check = {
  id: "aws/budget",
  title: "Monthly budget",
  area: "aws",
  async run({ config, facts, aws, outputs }) {
    if (!config) return warn("unknown whether a budget is configured without a config", "pass --config <file>");
    const wanted = config.monitoring.monthlyBudgetUsd;
    if (wanted === undefined) return ok("no budget configured (monitoring.monthlyBudgetUsd)");
    const recordedName = outputs["infra/monitoring"]?.budgetName;
    const name = typeof recordedName === "string" && recordedName !== "" ? recordedName : facts.names.budget;
    const found = await describeBudget(await aws.budgets(), await facts.account(), name);
    if (!found) return fail(`budget ${name} not found`, `create it with ${REPAIR_INFRA}`);
    if (found.amount !== wanted) return warn(`budget ${name} is ${found.amount} ${found.unit} a month, the config asks for ${wanted} USD`, `run ${REPAIR_INFRA} to set it`);
    return ok(`budget ${name}: ${found.amount} ${found.unit} a month`);
  },
};

export const awsEdgeChecks: readonly Check[] = [certificate, dnsRecords, alarms, budget];
