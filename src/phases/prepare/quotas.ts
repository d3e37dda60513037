/**
 * prepare/quotas: compares what the plan needs with what Service Quotas allows minus what is in
 * use, and warns with the quota code when an install would run out halfway (a VpcLimitExceeded
 * after twenty minutes of work). Advisory only: where the API or a usage count does not answer,
 * it says so and moves on; it never fails the install for that.
 */
import { failureReason, quotaValue, type QuotaAnswer } from "../../aws/service-quotas.js";
import type { Config } from "../../config/schema.js";
import { allSettledOrThrow } from "../../all-settled.js";
import { BtpAwsError } from "../../errors.js";
import type { Reporter, Step } from "../../plan/types.js";
import { ADOPTED_CLUSTER, natGatewayCount, plural, quotaChecks, type Measurement, type QuotaCheck } from "./quota-checks.js";
import type { PrepareServices } from "./services.js";

export interface QuotaOutcome {
  code: string;
  /** enough: quota minus usage covers the need; covered: nothing more is needed; short: warn. */
  kind: "enough" | "covered" | "short" | "unknown";
  line: string;
}

/** "need 1, quota 5 with 4 in use in eu-west-1a": the comparison every answered check reports. */
function comparison(m: Measurement, quota: string): string {
  return `need ${m.needText ?? m.need}, quota ${quota} with ${m.used} in use${m.where === undefined ? "" : ` in ${m.where}`}`;
}

export function shortLine(check: QuotaCheck, m: Measurement, quota: number, region: string): string {
  return `${check.what}: ${comparison(m, String(quota))} (service-quotas ${check.service} ${check.code}); ` +
    `request an increase: aws service-quotas request-service-quota-increase --service-code ${check.service} --quota-code ${check.code} --desired-value ${m.used + m.need} --region ${region}`;
}

/**
 * Runs one check; only a BtpAwsError (a config problem such as an unknown instance type) escapes.
 * `eager`: ask for the quota while usage is counted instead of after. Every infra step waits for
 * this check, so on a first install (nothing of the platform exists, each check needs its quota)
 * the round trip saved is saved on the whole install. A re-run is mostly "nothing more needed"
 * and asks only where something is: no wasted reads.
 */
export async function evaluate(check: QuotaCheck, aws: Pick<PrepareServices["aws"], "serviceQuotas">, region: string, eager = false): Promise<QuotaOutcome> {
  const { code, what } = check;
  const ask = async (): Promise<QuotaAnswer> => {
    try {
      return await quotaValue(await aws.serviceQuotas(region), check.service, code);
    } catch (error) {
      // quotaValue turns AWS errors into reasons; this is the client module failing to load.
      return { answered: false, reason: failureReason(error) };
    }
  };
  const early = eager && check.notDrawnOn === undefined ? ask() : undefined;
  let m: Measurement;
  try {
    m = await check.measure();
  } catch (error) {
    await early; // never leave a call running behind a failed check
    if (error instanceof BtpAwsError) throw error;
    return { code, kind: "unknown", line: `${what}: could not count what is in use (${check.reads}: ${failureReason(error)}); not checked` };
  }
  // Nothing to add means no quota to ask about.
  if (m.need <= 0) {
    await early;
    return { code, kind: "covered", line: `${what}: nothing more needed (${m.covered ?? "already in place"})` };
  }
  const answer = await (early ?? ask());
  if (!answer.answered) return { code, kind: "unknown", line: `${what}: Service Quotas cannot answer here (${answer.reason}); not checked` };
  if (m.need > answer.value - m.used) return { code, kind: "short", line: shortLine(check, m, answer.value, region) };
  const quota = `${answer.value}${answer.source === "default" ? " (AWS default)" : ""}`;
  return { code, kind: "enough", line: `${what}: ${comparison(m, quota)}: enough` };
}

function plannedSummary(config: Config): string {
  const nats = natGatewayCount(config);
  // An adopted cluster brings its own VPC, NAT gateways and nodes (quota-checks.ts needs 0 of them).
  const cluster = config.cluster.mode === "existing"
    ? [`no VPC, NAT gateway or node vCPUs (${ADOPTED_CLUSTER})`]
    : ["1 VPC", `${plural(nats, "NAT gateway")} and ${plural(nats, "Elastic IP")}`, `vCPUs for ${config.cluster.maxNodes} × ${config.cluster.instanceTypes.join("/")}`];
  return [
    ...cluster,
    ...(config.database.mode === "aws" ? ["1 RDS instance"] : []),
    ...(config.cache.mode === "aws" ? [plural(config.cache.replicas + 1, "ElastiCache node")] : []),
  ].join(", ");
}

function reportOutcome(outcome: QuotaOutcome, report: Reporter): void {
  if (outcome.kind === "short") report.warn(outcome.line);
  else report.info(outcome.line);
}

export const quotasStep: Step<PrepareServices> = {
  id: "prepare/quotas",
  title: "Check service quotas",
  phase: "prepare",
  needs: ["prepare/credentials"],
  describe: (config) => [`compare service quotas in ${config.aws.region} with what the plan needs: ${plannedSummary(config)} (servicequotas:GetServiceQuota)`],
  async run(context, report) {
    const { config, services } = context;
    const region = config.aws.region;
    report.status(`reading quotas and usage in ${region}`);
    // Independent reads: run together, report in a fixed order. All settle before a config
    // error is thrown, so no check is still calling AWS when the step ends.
    const eager = context.previous === undefined; // never completed: a first install
    const outcomes = await allSettledOrThrow(quotaChecks(config, services.aws).map((check) => evaluate(check, services.aws, region, eager)));
    for (const outcome of outcomes) reportOutcome(outcome, report);
    return {
      checked: outcomes.filter((o) => o.kind !== "unknown").map((o) => o.code),
      unknown: outcomes.filter((o) => o.kind === "unknown").map((o) => o.code),
    };
  },
};
