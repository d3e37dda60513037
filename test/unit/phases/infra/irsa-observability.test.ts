/** The observability IRSA roles' pure parts: which config asks for them, and what they may do. */
import { describe, expect, it } from "vitest";
import {
  alarmTopicArn, alertmanagerPolicy, cloudWatchObservabilityManagedPolicy, cloudWatchObservabilityPolicy, irsaServiceWanted, IRSA_SERVICE_ACCOUNTS, type IrsaService,
} from "../../../../src/phases/infra/irsa-policies.js";
import { infraNames } from "../../../../src/phases/infra/names.js";
import { testConfig } from "../../../support/config.js";

const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/11112222-3333-4444-5555-666677778888";
const ALL = Object.keys(IRSA_SERVICE_ACCOUNTS) as IrsaService[];
const wanted = (monitoring: { prometheusStack?: boolean; containerInsights?: boolean }) =>
  ALL.filter((service) => irsaServiceWanted(service, testConfig({ environment: "production", monitoring })));

describe("irsaServiceWanted", () => {
  it("asks for the Alertmanager role by default and for the Container Insights role only when it is on", () => {
    expect(wanted({})).toContain("alertmanager");
    expect(wanted({})).not.toContain("cloudwatch-observability");
    expect(wanted({ containerInsights: true })).toEqual(expect.arrayContaining(["alertmanager", "cloudwatch-observability"]));
    expect(wanted({ prometheusStack: false })).not.toContain("alertmanager");
    // The other roles do not depend on the monitoring switches.
    expect(wanted({ prometheusStack: false, containerInsights: false })).toEqual(ALL.filter((s) => s !== "alertmanager" && s !== "cloudwatch-observability"));
  });

  it("names the service accounts the chart and the add-on run as", () => {
    expect(IRSA_SERVICE_ACCOUNTS.alertmanager).toEqual({ namespace: "settlemint", name: "settlemint-alertmanager" });
    expect(IRSA_SERVICE_ACCOUNTS["cloudwatch-observability"]).toEqual({ namespace: "amazon-cloudwatch", name: "cloudwatch-agent" });
  });

  it("keeps the longest role name within IAM's 64 characters for a 24-character platform", () => {
    const longest = infraNames({ platform: "a".repeat(24) }).irsaRole("cloudwatch-observability");
    expect(longest.length).toBeLessThanOrEqual(64);
  });
});

describe("alertmanagerPolicy", () => {
  it("publishes to the alarm topic only, and uses the platform key only through SNS in the region", () => {
    const topic = alarmTopicArn(KEY_ARN, "eu-west-1", "btp-acme-alarms");
    expect(topic).toBe("arn:aws:sns:eu-west-1:123456789012:btp-acme-alarms");
    expect(alertmanagerPolicy(topic, KEY_ARN, "eu-west-1")).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "PublishAlerts", Effect: "Allow", Action: "sns:Publish", Resource: topic },
        { Sid: "EncryptedTopic", Effect: "Allow", Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: KEY_ARN, Condition: { StringEquals: { "kms:ViaService": "sns.eu-west-1.amazonaws.com" } } },
      ],
    });
  });

  it("builds the topic ARN in the key's partition and account", () => {
    expect(alarmTopicArn("arn:aws-cn:kms:cn-north-1:210987654321:key/k", "cn-north-1", "btp-x-alarms")).toBe("arn:aws-cn:sns:cn-north-1:210987654321:btp-x-alarms");
  });
});

describe("the Container Insights role", () => {
  it("gets the CloudWatch agent's managed policy in the partition, and X-Ray writes inline", () => {
    expect(cloudWatchObservabilityManagedPolicy()).toBe("arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy");
    expect(cloudWatchObservabilityManagedPolicy("aws-us-gov")).toBe("arn:aws-us-gov:iam::aws:policy/CloudWatchAgentServerPolicy");
    const [statement, ...more] = cloudWatchObservabilityPolicy().Statement as { Action: string[]; Resource: string }[];
    expect(more).toEqual([]);
    expect(statement!.Action.every((a) => a.startsWith("xray:Put") || a.startsWith("xray:GetSampling"))).toBe(true);
    expect(statement!.Action).toHaveLength(5);
  });
});
