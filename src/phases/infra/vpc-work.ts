/** What the parts of infra/vpc share while they run: clients, names, tags, and a change log. */
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { Subnet } from "../../aws/ec2.js";
import { platformTags, type TagMap } from "../../aws/tags.js";
import type { WaitSettings } from "../../aws/wait.js";
import type { Config } from "../../config/schema.js";
import type { Reporter } from "../../plan/types.js";
import { infraNames, type InfraNames } from "./names.js";
import { awsCall, type AwsCall } from "./vpc-errors.js";

/** What the NAT gateways and routes need to know of a subnet. */
export type SubnetRef = Pick<Subnet, "subnetId" | "zone">;

export interface VpcWork {
  readonly config: Config;
  readonly names: InfraNames;
  readonly ec2: EC2Client;
  readonly call: AwsCall;
  readonly report: Reporter;
  readonly wait: WaitSettings;
  readonly signal: AbortSignal;
  /** What this run changed, in words ("created NAT gateway nat-1 in eu-west-1a"): the step's report. */
  readonly changes: string[];
  /** The platform tags plus a Name and any extra tags. */
  tags(name: string, extra?: TagMap): TagMap;
}

export function vpcWork(spec: { config: Config; ec2: EC2Client; endpoint: string | undefined; report: Reporter; wait: WaitSettings; signal: AbortSignal }): VpcWork {
  const { config } = spec;
  return {
    config,
    names: infraNames(config),
    ec2: spec.ec2,
    call: awsCall({ endpoint: spec.endpoint, region: config.aws.region }),
    report: spec.report,
    wait: spec.wait,
    signal: spec.signal,
    changes: [],
    tags: (name, extra = {}) => platformTags(config, { ...extra, Name: name }),
  };
}

/**
 * Runs `each` on every item at once (the network's parts are independent calls; in sequence their
 * round trips add up on the install's critical path). Each gets its own change log, appended in
 * item order, so the step's report does not depend on which call answered first. Every call
 * settles before a failure is thrown: nothing is left running when the step ends.
 */
export async function concurrently<W extends { readonly changes: string[] }, T, R>(work: W, items: readonly T[], each: (part: W, item: T, index: number) => Promise<R>): Promise<R[]> {
  const parts = items.map((): W => ({ ...work, changes: [] }));
  const settled = await Promise.allSettled(items.map((item, i) => each(parts[i]!, item, i)));
  for (const part of parts) work.changes.push(...part.changes);
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
}
