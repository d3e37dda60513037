/**
 * moto's Service Quotas gap: it has no GetAWSDefaultServiceQuota (it answers HTTP 500 with an
 * HTML page, which the SDK retries after a back-off), and its GetServiceQuota knows only the
 * `vpc` service. AWS answers GetAWSDefaultServiceQuota for every quota. The proxy serves it
 * (test/reliability/proxy/gaps.ts) so that a CLI run through it, the benchmark's above all, takes
 * the path it takes on AWS: found by `npm run bench`, where the retried 500s put four round
 * trips and a back-off on the install's critical path. The in-process integration tests keep
 * moto's own answers, so prepare/quotas' "cannot answer here" path stays tested against moto.
 */
import { MotoGapError, type GapInput } from "./eks-moto-gaps.js";

/**
 * AWS's defaults for the quotas prepare/quotas asks about (quota-checks.ts). The benchmark needs
 * an answer, not a particular value; an account's applied values differ.
 */
export const AWS_DEFAULT_QUOTAS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  vpc: { "L-F678F1CE": 5, "L-FE5A380F": 5 },
  ec2: { "L-0263D0A3": 5, "L-1216C47A": 5 },
  rds: { "L-7B6409FD": 40 },
  elasticache: { "L-DFE45DF3": 300 },
};

/** The answer to a Service Quotas operation moto lacks, or undefined when moto should answer. */
export function serviceQuotasGapAnswer(operation: string, input: GapInput): object | undefined {
  if (operation !== "GetAWSDefaultServiceQuota") return undefined;
  const service = String(input.ServiceCode);
  const code = String(input.QuotaCode);
  const value = AWS_DEFAULT_QUOTAS[service]?.[code];
  if (value === undefined) throw new MotoGapError("NoSuchResourceException", 400, `The request failed because the specified quota ${code} of service ${service} does not exist.`);
  return { Quota: { ServiceCode: service, QuotaCode: code, Value: value, Adjustable: true, GlobalQuota: false } };
}
