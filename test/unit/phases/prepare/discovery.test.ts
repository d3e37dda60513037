import { afterEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient, ResourceGroupsTaggingAPIServiceException } from "@aws-sdk/client-resource-groups-tagging-api";
import { discoveryStep } from "../../../../src/phases/prepare/index.js";
import { groupByType, parseArn } from "../../../../src/phases/prepare/discovery.js";
import { testConfig } from "../../../support/config.js";
import { failure, run } from "./helpers.js";

const tagging = mockClient(ResourceGroupsTaggingAPIClient);
afterEach(() => tagging.reset());

const VPC = "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0abc";
const KEY_1 = "arn:aws:kms:eu-west-1:123456789012:key/1111-aaaa";
const KEY_2 = "arn:aws:kms:eu-west-1:123456789012:key/2222-bbbb";
const DB = "arn:aws:rds:eu-west-1:123456789012:db:btp-btp-test-db";
const BUCKET = "arn:aws:s3:::btp-btp-test-123456789012-eu-west-1";
const mapping = (arns: string[]) => arns.map((ResourceARN) => ({ ResourceARN, Tags: [{ Key: "btp-aws:platform", Value: "btp-test" }] }));

describe("prepare/discovery", () => {
  it("describes the search", () => {
    expect(discoveryStep.describe(testConfig())).toEqual(["list resources tagged btp-aws:platform=btp-test in eu-west-1 (tag:GetResources)"]);
  });

  it("lists what is tagged for the platform, over every page, grouped by type", async () => {
    tagging.on(GetResourcesCommand)
      .resolvesOnce({ ResourceTagMappingList: mapping([VPC, KEY_1]), PaginationToken: "page-2" })
      .resolvesOnce({ ResourceTagMappingList: mapping([DB, KEY_2, BUCKET]), PaginationToken: "" });
    const { outputs, report } = await run(discoveryStep, testConfig());
    expect(report.infos).toEqual([
      "found 5 resources tagged for platform btp-test in eu-west-1: ec2:vpc: vpc-0abc; kms:key: 1111-aaaa, 2222-bbbb; rds:db: btp-btp-test-db; s3: btp-btp-test-123456789012-eu-west-1",
    ]);
    expect(outputs).toEqual({ resourceCount: 5, resourceArns: [VPC, KEY_1, DB, KEY_2, BUCKET] });
    // The paginator reuses one input object, so only the last call's token is visible.
    const calls = tagging.commandCalls(GetResourcesCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual({ TagFilters: [{ Key: "btp-aws:platform", Values: ["btp-test"] }], ResourcesPerPage: 100, PaginationToken: "page-2" });
  });

  it("says when nothing is tagged yet", async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [], PaginationToken: "" });
    const { outputs, report } = await run(discoveryStep, testConfig());
    expect(report.infos).toEqual(["nothing tagged for platform btp-test yet in eu-west-1"]);
    expect(outputs).toEqual({ resourceCount: 0, resourceArns: [] });
  });

  it("records at most 200 ARNs but counts them all", async () => {
    const many = Array.from({ length: 250 }, (_, i) => `arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-${i}`);
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: mapping(many) });
    const { outputs, report } = await run(discoveryStep, testConfig());
    expect(outputs.resourceCount).toBe(250);
    expect(outputs.resourceArns).toEqual(many.slice(0, 200));
    expect(report.infos[0]).toMatch(/^found 250 resources tagged for platform btp-test in eu-west-1: ec2:subnet: subnet-0, .*, subnet-9 and 240 more$/);
  });

  it("names the IAM action when the tagging API is denied", async () => {
    tagging.on(GetResourcesCommand).rejects(new ResourceGroupsTaggingAPIServiceException({ name: "AccessDeniedException", $fault: "client", $metadata: { httpStatusCode: 400 }, message: "not authorized to perform: tag:GetResources" }));
    const error = await failure(run(discoveryStep, testConfig()));
    expect(error.message).toBe("not allowed to list resources tagged for platform btp-test (tag:GetResources): AccessDeniedException: not authorized to perform: tag:GetResources");
  });
});

describe("parseArn and groupByType", () => {
  it.each([
    ["arn:aws:ec2:eu-west-1:1:vpc/vpc-1", "ec2:vpc", "vpc-1"],
    ["arn:aws:kms:eu-west-1:1:key/k-1", "kms:key", "k-1"],
    ["arn:aws:rds:eu-west-1:1:db:name", "rds:db", "name"],
    ["arn:aws:elasticache:eu-west-1:1:replicationgroup:btp-redis", "elasticache:replicationgroup", "btp-redis"],
    ["arn:aws:eks:eu-west-1:1:nodegroup/cluster/nodes/uuid", "eks:nodegroup", "cluster/nodes/uuid"],
    ["arn:aws:logs:eu-west-1:1:log-group:/btp-aws/x/vpc-flow-logs", "logs:log-group", "/btp-aws/x/vpc-flow-logs"],
    ["arn:aws:s3:::bucket", "s3", "bucket"],
    ["arn:aws:sns:eu-west-1:1:btp-alarms", "sns", "btp-alarms"],
  ])("%s is %s %s", (arn, type, id) => {
    expect(parseArn(arn)).toEqual({ type, id });
  });

  it("sorts types and keeps ids in the order found", () => {
    expect(groupByType(["arn:aws:kms:r:1:key/b", "arn:aws:ec2:r:1:vpc/v", "arn:aws:kms:r:1:key/a"])).toBe("ec2:vpc: v; kms:key: b, a");
  });
});
