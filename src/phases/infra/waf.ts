/**
 * infra/waf: a regional WAFv2 web ACL for the platform's ALB, as the guide's production setup has:
 * the AWS managed Common and Known-bad-inputs rule groups and a per-IP rate rule, with CloudWatch
 * metrics. The load balancer controller associates it with the ALB through the ingress annotation
 * the btp values set from this step's webAclArn. Off (no ACL, no output) when waf.enabled is false.
 */
import type { ManagedRuleGroupStatement, Rule } from "@aws-sdk/client-wafv2";
import { describeAwsError } from "../../aws/errors.js";
import { belongsTo, platformTags } from "../../aws/tags.js";
import { createWebAcl, findWebAcl, updateWebAcl, webAclRules, webAclTags, type WebAclSpec } from "../../aws/wafv2.js";
import type { Config } from "../../config/schema.js";
import { BtpAwsError } from "../../errors.js";
import type { Step, StepOutputs } from "../../plan/types.js";
import type { InfraServices } from "./services.js";

export function webAclName(config: Pick<Config, "platform">): string {
  return `btp-${config.platform}`;
}

function managedGroup(name: string, priority: number, metric: string, overrides: Partial<ManagedRuleGroupStatement> = {}): Rule {
  return {
    Name: name,
    Priority: priority,
    Statement: { ManagedRuleGroupStatement: { VendorName: "AWS", Name: name, ...overrides } },
    OverrideAction: { None: {} },
    VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: metric },
  };
}

export function webAclRulesFor(config: Pick<Config, "platform" | "waf">): Rule[] {
  const metric = (suffix: string) => `btp-${config.platform}-${suffix}`;
  return [
    // The common set blocks request bodies over 8 KB; the platform uploads contracts and files,
    // so that one rule counts instead of blocking.
    managedGroup("AWSManagedRulesCommonRuleSet", 0, metric("common"), { RuleActionOverrides: [{ Name: "SizeRestrictions_BODY", ActionToUse: { Count: {} } }] }),
    managedGroup("AWSManagedRulesKnownBadInputsRuleSet", 1, metric("known-bad-inputs")),
    {
      Name: "rate-limit-per-ip",
      Priority: 2,
      Statement: { RateBasedStatement: { Limit: config.waf.rateLimit, AggregateKeyType: "IP" } },
      Action: { Block: {} },
      VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: metric("rate-limit") },
    },
  ];
}

/** The parts of a rule btp-aws decides; AWS may add defaults to the rest. */
function ruleShape(rule: Rule): string {
  const group = rule.Statement?.ManagedRuleGroupStatement;
  const rate = rule.Statement?.RateBasedStatement;
  const overrides = (group?.RuleActionOverrides ?? []).map((o) => `${o.Name}:${Object.keys(o.ActionToUse ?? {}).join("")}`).join(",");
  return `${rule.Priority}:${rule.Name}:${group ? `${group.VendorName}/${group.Name}[${overrides}]` : ""}${rate ? `rate ${rate.Limit}/${rate.AggregateKeyType}` : ""}:${Object.keys(rule.Action ?? rule.OverrideAction ?? {}).join("")}`;
}

export function sameRules(actual: readonly Rule[], wanted: readonly Rule[]): boolean {
  const shapes = (rules: readonly Rule[]) => rules.map(ruleShape).sort().join("\n");
  return shapes(actual) === shapes(wanted);
}

export const wafStep: Step<Pick<InfraServices, "aws">> = {
  id: "infra/waf",
  title: "WAF web ACL",
  phase: "infra",
  needs: ["prepare/credentials"],
  describe: (config) => config.waf.enabled
    ? [`regional WAFv2 web ACL ${webAclName(config)}: AWS managed Common and Known-bad-inputs rules, block above ${config.waf.rateLimit} requests per IP per 5 min; metrics on`]
    : ["waf.enabled is false: no web ACL"],
  async run({ config, services }, report): Promise<StepOutputs> {
    if (!config.waf.enabled) {
      report.skip("waf.enabled is false: no web ACL in front of the ALB");
      return {};
    }
    const name = webAclName(config);
    const spec: WebAclSpec = { name, description: `btp-aws platform ${config.platform}`, rules: webAclRulesFor(config), metricName: name, tags: platformTags(config, { Name: name }) };
    try {
      const waf = await services.aws.wafv2();
      report.status(`looking for web ACL ${name}`);
      const found = await findWebAcl(waf, name);
      if (!found) {
        const created = await createWebAcl(waf, spec);
        report.info(`created web ACL ${name}: ${spec.rules.map((r) => r.Name).join(", ")}`);
        return { webAclArn: created.arn, webAclName: name };
      }
      if (!belongsTo(await webAclTags(waf, found.arn), config.platform)) {
        throw new BtpAwsError(`web ACL ${name} exists but is not managed by btp-aws for platform ${config.platform} (no btp-aws:platform tag)`, {
          hint: "choose another platform name, or set waf.enabled to false to leave that ACL alone, then run again",
        });
      }
      const current = await webAclRules(waf, found);
      if (sameRules(current.rules, spec.rules)) {
        report.skip(`web ACL ${name} already has the platform's rules`);
      } else {
        await updateWebAcl(waf, { ...found, lockToken: current.lockToken ?? found.lockToken }, spec);
        report.info(`restored the rules of web ACL ${name}: they differed from the platform's`);
      }
      return { webAclArn: found.arn, webAclName: name };
    } catch (error) {
      if (error instanceof BtpAwsError) throw error;
      throw describeAwsError(error, `set up web ACL ${name} (wafv2)`, { endpoint: services.aws.endpoint, region: config.aws.region });
    }
  },
};
