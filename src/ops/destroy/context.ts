/** Small helpers every destroy stage uses: names, recorded outputs, and AWS errors that say what was attempted. */
import { describeAwsError } from "../../aws/errors.js";
import { infraNames, type InfraNames } from "../../phases/infra/names.js";
import type { DestroyContext, SurveyItem } from "./types.js";

export function names(context: Pick<DestroyContext, "target">): InfraNames {
  return infraNames({ platform: context.target.platform });
}

/** A string the state recorded for a step, or undefined (no state, or that step never finished). */
export function recorded(context: Pick<DestroyContext, "target">, step: string, key: string): string | undefined {
  const value = context.target.outputs[step]?.[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The cluster: as infra/eks recorded it, else by its name. */
export function clusterName(context: Pick<DestroyContext, "target">): string {
  return recorded(context, "infra/eks", "clusterName") ?? names(context).cluster;
}

/** Runs one AWS call; a failure becomes a BtpAwsError naming `action` (with its IAM permission). */
export async function attempt<T>(context: Pick<DestroyContext, "services" | "target">, action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw describeAwsError(error, action, { endpoint: context.services.aws.endpoint, region: context.target.region });
  }
}

/** "3 load balancers", "1 subnet". */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

export const RESUME_HINT = "fix the cause above, then run `btp-aws destroy` again: it resumes where it stopped";

/** Survey items for resources a stage deletes. */
export function deleting(resources: readonly string[]): SurveyItem[] {
  return resources.map((resource) => ({ resource }));
}
