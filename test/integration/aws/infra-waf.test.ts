/** infra/waf against moto: the web ACL created once, adopted with zero writes, its rules repaired; off when disabled. */
import { GetWebACLCommand, ListTagsForResourceCommand, ListWebACLsCommand, UpdateWebACLCommand } from "@aws-sdk/client-wafv2";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { webAclRulesFor, wafStep } from "../../../src/phases/infra/waf.js";
import { testConfig } from "../../support/config.js";
import { PREPARE_OUTPUTS, infraServices, runStep } from "../../support/infra.js";
import { motoControl } from "../../support/moto.js";

const moto = motoControl(inject("motoEndpoint"));
const config = testConfig({ environment: "production", waf: { rateLimit: 1500 } });

describe("infra/waf against moto", () => {
  beforeEach(() => moto.reset());

  it("creates the regional web ACL with the managed groups and the rate rule, then adopts it with no writes", async () => {
    const services = infraServices(moto.endpoint);
    const first = await runStep(wafStep, config, services, PREPARE_OUTPUTS);
    const waf = await services.aws.wafv2();
    const listed = (await waf.send(new ListWebACLsCommand({ Scope: "REGIONAL" }))).WebACLs ?? [];
    expect(listed.map((a) => a.Name)).toEqual(["btp-btp-test"]);
    expect(first.outputs).toEqual({ webAclArn: listed[0]!.ARN, webAclName: "btp-btp-test" });
    const acl = (await waf.send(new GetWebACLCommand({ Scope: "REGIONAL", Name: "btp-btp-test", Id: listed[0]!.Id }))).WebACL!;
    expect(acl.Rules?.map((r) => [r.Priority, r.Name])).toEqual([[0, "AWSManagedRulesCommonRuleSet"], [1, "AWSManagedRulesKnownBadInputsRuleSet"], [2, "rate-limit-per-ip"]]);
    expect(acl.Rules?.[2]?.Statement?.RateBasedStatement).toMatchObject({ Limit: 1500, AggregateKeyType: "IP" });
    expect(acl.VisibilityConfig).toMatchObject({ CloudWatchMetricsEnabled: true, MetricName: "btp-btp-test" });
    expect(acl.DefaultAction).toEqual({ Allow: {} });
    const tags = (await waf.send(new ListTagsForResourceCommand({ ResourceARN: listed[0]!.ARN }))).TagInfoForResource?.TagList ?? [];
    expect(tags).toEqual(expect.arrayContaining([{ Key: "btp-aws:platform", Value: "btp-test" }]));

    services.aws.counter.reset();
    const second = await runStep(wafStep, config, services, PREPARE_OUTPUTS, first.outputs);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    expect(second.report.skipped).toEqual(["web ACL btp-btp-test already has the platform's rules"]);
    services.aws.destroy();
  });

  it("restores rules changed out of band, and follows a new rate limit", async () => {
    const services = infraServices(moto.endpoint);
    await runStep(wafStep, config, services, PREPARE_OUTPUTS);
    const waf = await services.aws.wafv2();
    const [summary] = (await waf.send(new ListWebACLsCommand({ Scope: "REGIONAL" }))).WebACLs ?? [];
    // Someone removes the known-bad-inputs group in the console.
    await waf.send(new UpdateWebACLCommand({
      Scope: "REGIONAL", Name: summary!.Name, Id: summary!.Id, LockToken: summary!.LockToken, DefaultAction: { Allow: {} },
      Rules: webAclRulesFor(config).filter((r) => r.Priority !== 1),
      VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: "btp-btp-test" },
    }));
    const repaired = await runStep(wafStep, config, services, PREPARE_OUTPUTS);
    expect(repaired.report.infos).toEqual(["restored the rules of web ACL btp-btp-test: they differed from the platform's"]);
    const rules = async () => (await waf.send(new GetWebACLCommand({ Scope: "REGIONAL", Name: summary!.Name, Id: summary!.Id }))).WebACL?.Rules ?? [];
    expect((await rules()).map((r) => r.Name)).toContain("AWSManagedRulesKnownBadInputsRuleSet");

    await runStep(wafStep, testConfig({ environment: "production", waf: { rateLimit: 900 } }), services, PREPARE_OUTPUTS);
    expect((await rules()).find((r) => r.Name === "rate-limit-per-ip")?.Statement?.RateBasedStatement?.Limit).toBe(900);
    services.aws.destroy();
  });

  it("makes nothing when disabled (the development default)", async () => {
    const services = infraServices(moto.endpoint);
    const result = await runStep(wafStep, testConfig({ environment: "development" }), services, PREPARE_OUTPUTS);
    expect(result.outputs).toEqual({});
    expect(result.report.skipped).toEqual(["waf.enabled is false: no web ACL in front of the ALB"]);
    expect(services.aws.counter.snapshot().read + services.aws.counter.snapshot().mutating).toBe(0);
    services.aws.destroy();
  });
});
