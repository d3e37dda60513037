/**
 * prepare/regions: the platform's region and its disaster-recovery region exist and are enabled
 * for the account. Opt-in regions (e.g. ap-east-1, me-south-1) are off until someone enables
 * them; every call there would fail with a confusing credentials error much later.
 */
import { listRegions, type RegionStatus } from "../../aws/ec2-regions.js";
import { describeAwsError } from "../../aws/errors.js";
import { BtpAwsError } from "../../errors.js";
import { stringOutput } from "../../plan/outputs.js";
import type { Step } from "../../plan/types.js";
import type { PrepareServices } from "./services.js";

const DESCRIBE_REGIONS = "list the regions enabled for the account (ec2:DescribeRegions)";

/** The config fields that name each region, for messages: "aws.region", "aws.drRegion". */
function wanted(config: { aws: { region: string; drRegion: string } }): { region: string; field: string }[] {
  const list = [{ region: config.aws.region, field: "aws.region" }];
  if (config.aws.drRegion !== config.aws.region) list.push({ region: config.aws.drRegion, field: "aws.drRegion" });
  return list;
}

/** The error for the first region that cannot be used, or undefined when all can. */
export function regionProblem(regions: readonly RegionStatus[], want: { region: string; field: string }[], account: string): BtpAwsError | undefined {
  for (const { region, field } of want) {
    const found = regions.find((r) => r.name === region);
    if (found === undefined) {
      return new BtpAwsError(`region ${region} is not available to account ${account}: EC2 does not list it`, {
        hint: `choose a region this account's partition offers for ${field} (aws ec2 describe-regions --all-regions)`,
      });
    }
    if (found.optInStatus === "not-opted-in") {
      return new BtpAwsError(`region ${region} is not enabled for account ${account}`, {
        hint: `enable it in the AWS console (Account → AWS Regions; it takes a few minutes), or choose another ${field}, then run again`,
      });
    }
  }
  return undefined;
}

export const regionsStep: Step<PrepareServices> = {
  id: "prepare/regions",
  title: "Check regions",
  phase: "prepare",
  needs: ["prepare/credentials"],
  describe(config) {
    const regions = wanted(config).map((w) => w.region);
    return [`check that ${regions.join(" and ")} ${regions.length > 1 ? "are" : "is"} enabled for the account (ec2:DescribeRegions)`];
  },
  async run({ config, outputs, services }, report) {
    const account = stringOutput(outputs, "prepare/credentials", "account");
    report.status("calling ec2:DescribeRegions");
    let regions: RegionStatus[];
    try {
      // Asked in the platform's own region: the credentials already work there (prepare/credentials
      // called STS there), while a fixed region such as us-east-1 may be denied by an SCP.
      regions = await listRegions(await services.aws.ec2(config.aws.region));
    } catch (error) {
      throw describeAwsError(error, DESCRIBE_REGIONS, { endpoint: services.aws.endpoint, region: config.aws.region });
    }
    const want = wanted(config);
    const problem = regionProblem(regions, want, account);
    if (problem) throw problem;
    const optedIn = (region: string) => (regions.find((r) => r.name === region)?.optInStatus === "opted-in" ? " (opted in)" : "");
    const { region, drRegion } = config.aws;
    report.info(region === drRegion
      ? `region ${region}${optedIn(region)} (also the DR region) is enabled for account ${account}`
      : `region ${region}${optedIn(region)} and DR region ${drRegion}${optedIn(drRegion)} are enabled for account ${account}`);
    return { regions: [config.aws.region, config.aws.drRegion] };
  },
};
