/**
 * Quota values from Service Quotas. The API does not answer everywhere: some quotas have no
 * applied value (NoSuchResourceException: only the AWS default exists), some principals may not
 * read quotas, and stand-ins such as moto know only the `vpc` service. Callers treat a missing
 * answer as "not checked", never as a failure, so this adapter returns the reason as a value.
 */
import type { ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { awsErrorCode } from "./errors.js";
import { loadSdk } from "./sdk.js";

export type QuotaAnswer =
  | { answered: true; value: number; source: "applied" | "default" }
  | { answered: false; reason: string };

/**
 * A short reason for a failed call: the service's error code, or the HTTP status when the
 * answer could not be parsed at all (moto serves an HTML error page for actions it lacks).
 */
export function failureReason(error: unknown): string {
  const code = awsErrorCode(error);
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata?.httpStatusCode;
  if ((code === undefined || code === "SyntaxError") && typeof status === "number") return `HTTP ${status}`;
  return code ?? "unknown error";
}

export async function quotaValue(client: ServiceQuotasClient, serviceCode: string, quotaCode: string): Promise<QuotaAnswer> {
  const { GetServiceQuotaCommand, GetAWSDefaultServiceQuotaCommand } = await loadSdk("@aws-sdk/client-service-quotas");
  let applied: string;
  try {
    const { Quota } = await client.send(new GetServiceQuotaCommand({ ServiceCode: serviceCode, QuotaCode: quotaCode }));
    if (Quota?.Value !== undefined) return { answered: true, value: Quota.Value, source: "applied" };
    applied = "GetServiceQuota: no value";
  } catch (error) {
    const reason = failureReason(error);
    // Only "no such quota here" is worth a second question; AccessDenied or throttling would repeat.
    if (reason !== "NoSuchResourceException") return { answered: false, reason: `GetServiceQuota: ${reason}` };
    applied = `GetServiceQuota: ${reason}`;
  }
  try {
    const { Quota } = await client.send(new GetAWSDefaultServiceQuotaCommand({ ServiceCode: serviceCode, QuotaCode: quotaCode }));
    if (Quota?.Value !== undefined) return { answered: true, value: Quota.Value, source: "default" };
    return { answered: false, reason: `${applied}; GetAWSDefaultServiceQuota: no value` };
  } catch (error) {
    return { answered: false, reason: `${applied}; GetAWSDefaultServiceQuota: ${failureReason(error)}` };
  }
}
