/** What the parts of infra/vpc share while they run: clients, names, tags, and a change log. */
import type { EC2Client } from "@aws-sdk/client-ec2";
import { platformTags, type TagMap } from "../../aws/tags.js";
import type { WaitSettings } from "../../aws/wait.js";
import type { Config } from "../../config/schema.js";
import type { Reporter } from "../../plan/types.js";
import { infraNames, type InfraNames } from "./names.js";
import { awsCall, type AwsCall } from "./vpc-errors.js";

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
