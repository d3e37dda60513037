import { afterEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { DescribeRegionsCommand, EC2Client, EC2ServiceException } from "@aws-sdk/client-ec2";
import { regionsStep } from "../../../../src/phases/prepare/index.js";
import { testConfig } from "../../../support/config.js";
import { failure, run } from "./helpers.js";

const ec2 = mockClient(EC2Client);
afterEach(() => ec2.reset());

const regions = (extra: Record<string, string> = {}) => ({
  Regions: Object.entries({ "eu-west-1": "opt-in-not-required", "eu-central-1": "opt-in-not-required", "ap-east-1": "not-opted-in", "me-south-1": "opted-in", ...extra })
    .map(([RegionName, OptInStatus]) => ({ RegionName, OptInStatus, Endpoint: `ec2.${RegionName}.amazonaws.com` })),
});

describe("prepare/regions", () => {
  it("describes the regions it checks", () => {
    expect(regionsStep.describe(testConfig())).toEqual(["check that eu-west-1 and eu-central-1 are enabled for the account (ec2:DescribeRegions)"]);
    expect(regionsStep.describe(testConfig({ aws: { drRegion: "eu-west-1" } }))).toEqual(["check that eu-west-1 is enabled for the account (ec2:DescribeRegions)"]);
  });

  it("passes when both regions are enabled, asking for every region of the partition", async () => {
    ec2.on(DescribeRegionsCommand).resolves(regions());
    const { outputs, report } = await run(regionsStep, testConfig());
    expect(outputs).toEqual({ regions: ["eu-west-1", "eu-central-1"] });
    expect(report.infos).toEqual(["region eu-west-1 and DR region eu-central-1 are enabled for account 123456789012"]);
    expect(ec2.commandCalls(DescribeRegionsCommand).map((c) => c.args[0].input)).toEqual([{ AllRegions: true }]);
    expect(await (ec2.commandCalls(DescribeRegionsCommand)[0]!.thisValue as EC2Client).config.region()).toBe("eu-west-1");
  });

  it("says when a region was opted into, and when the DR region is the same region", async () => {
    ec2.on(DescribeRegionsCommand).resolves(regions());
    expect((await run(regionsStep, testConfig({ aws: { drRegion: "me-south-1" } }))).report.infos).toEqual([
      "region eu-west-1 and DR region me-south-1 (opted in) are enabled for account 123456789012",
    ]);
    const same = await run(regionsStep, testConfig({ aws: { drRegion: "eu-west-1" } }));
    expect(same.report.infos).toEqual(["region eu-west-1 (also the DR region) is enabled for account 123456789012"]);
    expect(same.outputs).toEqual({ regions: ["eu-west-1", "eu-west-1"] });
  });

  it("stops when the DR region is not enabled, naming the console page and the field", async () => {
    ec2.on(DescribeRegionsCommand).resolves(regions());
    const error = await failure(run(regionsStep, testConfig({ aws: { drRegion: "ap-east-1" } })));
    expect(error.message).toBe("region ap-east-1 is not enabled for account 123456789012");
    expect(error.hint).toBe("enable it in the AWS console (Account → AWS Regions; it takes a few minutes), or choose another aws.drRegion, then run again");
  });

  it("stops when the region itself is not enabled", async () => {
    ec2.on(DescribeRegionsCommand).resolves(regions());
    const error = await failure(run(regionsStep, testConfig({ aws: { region: "ap-east-1" } })));
    expect(error.message).toBe("region ap-east-1 is not enabled for account 123456789012");
    expect(error.hint).toContain("or choose another aws.region");
  });

  it("stops when EC2 does not list the region at all (another partition)", async () => {
    ec2.on(DescribeRegionsCommand).resolves(regions());
    const error = await failure(run(regionsStep, testConfig({ aws: { drRegion: "cn-north-1" } })));
    expect(error.message).toBe("region cn-north-1 is not available to account 123456789012: EC2 does not list it");
    expect(error.hint).toBe("choose a region this account's partition offers for aws.drRegion (aws ec2 describe-regions --all-regions)");
  });

  it("names the IAM action when DescribeRegions is denied", async () => {
    ec2.on(DescribeRegionsCommand).rejects(new EC2ServiceException({ name: "UnauthorizedOperation", $fault: "client", $metadata: { httpStatusCode: 403 }, message: "You are not authorized to perform this operation." }));
    const error = await failure(run(regionsStep, testConfig()));
    expect(error.message).toBe("not allowed to list the regions enabled for the account (ec2:DescribeRegions): UnauthorizedOperation: You are not authorized to perform this operation.");
  });
});
