/** The chart's monitoring values: the guide's keys, gp3 volumes and retention, Alertmanager → SNS through IRSA. */
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { BtpAwsError } from "../../../../src/errors.js";
import { btpValues } from "../../../../src/phases/btp/values.js";
import { ALERTMANAGER_SERVICE_ACCOUNT, MONITORING_VOLUMES, PROMETHEUS_RETENTION, monitoringValues } from "../../../../src/phases/btp/monitoring-values.js";
import { BTP_NAMESPACE, STORAGE_CLASS } from "../../../../src/phases/btp/names.js";
import { IRSA_SERVICE_ACCOUNTS, alarmTopicArn } from "../../../../src/phases/infra/irsa-policies.js";
import { infraNames } from "../../../../src/phases/infra/names.js";
import { testConfig } from "../../../support/config.js";
import { ALARM_TOPIC_ARN, ALERTMANAGER_ROLE_ARN, INFRA_OUTPUTS, TEST_SECRETS } from "./fixtures.js";

const config = testConfig();

describe("monitoringValues", () => {
  it("turns on the guide's four keys and puts every volume on the platform's gp3 StorageClass", () => {
    const { monitoring } = monitoringValues(config, INFRA_OUTPUTS) as { monitoring: Record<string, Record<string, unknown>> };
    // Guide, "Deploy BTP platform": monitoring.{enabled, grafana.enabled, prometheus.enabled, alertmanager.enabled}.
    expect(monitoring.enabled).toBe(true);
    for (const part of ["grafana", "prometheus", "alertmanager"]) expect(monitoring[part]!.enabled).toBe(true);
    expect(monitoring.grafana!.persistence).toEqual({ enabled: true, storageClass: "gp3", size: "10Gi" });
    expect(monitoring.prometheus).toEqual({ enabled: true, retention: "15d", retentionSize: "45GB", persistence: { enabled: true, storageClass: "gp3", size: "50Gi" } });
    expect(monitoring.alertmanager!.persistence).toEqual({ enabled: true, storageClass: STORAGE_CLASS, size: "2Gi" });
    // The size cap must leave room on the volume for the write-ahead log.
    expect(Number.parseInt(PROMETHEUS_RETENTION.size, 10)).toBeLessThan(MONITORING_VOLUMES.prometheusGiB);
  });

  it("routes every alert to the alarm topic over SigV4 in the platform's region, dropping Watchdog and InfoInhibitor", () => {
    const { monitoring } = monitoringValues(config, INFRA_OUTPUTS) as { monitoring: { alertmanager: Record<string, unknown> } };
    expect(monitoring.alertmanager.serviceAccount).toEqual({ create: true, name: "settlemint-alertmanager", annotations: { "eks.amazonaws.com/role-arn": ALERTMANAGER_ROLE_ARN } });
    expect(monitoring.alertmanager.config).toEqual({
      route: {
        receiver: "sns",
        group_by: ["alertname", "namespace"],
        group_wait: "30s",
        group_interval: "5m",
        repeat_interval: "4h",
        routes: [{ receiver: "null", matchers: ['alertname =~ "Watchdog|InfoInhibitor"'] }],
      },
      receivers: [
        { name: "null" },
        { name: "sns", sns_configs: [{ topic_arn: ALARM_TOPIC_ARN, sigv4: { region: "eu-west-1" }, send_resolved: true, attributes: { platform: "btp-test" } }] },
      ],
    });
  });

  it("never asks Alertmanager for keys: no access_key or secret_key anywhere, and no Go template a chart's tpl would expand", () => {
    const yaml = stringify(monitoringValues(config, INFRA_OUTPUTS));
    expect(yaml).not.toMatch(/access_key|secret_key|role_arn:/);
    expect(yaml).not.toContain("{{");
  });

  it("uses the service account the IRSA role trusts, and the topic ARN infra/irsa wrote into the role's policy", () => {
    expect(IRSA_SERVICE_ACCOUNTS.alertmanager).toEqual({ namespace: BTP_NAMESPACE, name: ALERTMANAGER_SERVICE_ACCOUNT });
    const keyArn = String(INFRA_OUTPUTS["infra/kms"]!.keyArn);
    expect(alarmTopicArn(keyArn, config.aws.region, infraNames(config).alarmTopic)).toBe(ALARM_TOPIC_ARN);
  });

  it("turns the whole stack off explicitly when monitoring.prometheusStack is false, needing no output", () => {
    const off = testConfig({ monitoring: { prometheusStack: false } });
    expect(monitoringValues(off, {})).toEqual({
      monitoring: { enabled: false, grafana: { enabled: false }, prometheus: { enabled: false }, alertmanager: { enabled: false } },
    });
  });

  it("names the missing output when infra/monitoring or the Alertmanager role has not been recorded", () => {
    const { "infra/monitoring": _topic, ...withoutTopic } = INFRA_OUTPUTS;
    expect(() => monitoringValues(config, withoutTopic)).toThrow(BtpAwsError);
    expect(() => monitoringValues(config, withoutTopic)).toThrow("output topicArn of step infra/monitoring is missing from the state");
    const noRole = { ...INFRA_OUTPUTS, "infra/irsa": { btpRoleArn: "arn:aws:iam::123456789012:role/x" } };
    expect(() => monitoringValues(config, noRole)).toThrow("output alertmanagerRoleArn of step infra/irsa is missing from the state");
  });

  it("is part of the chart values btp/release installs", () => {
    const values = btpValues(testConfig({ environment: "production" }), INFRA_OUTPUTS, TEST_SECRETS);
    expect(values.monitoring).toEqual(monitoringValues(config, INFRA_OUTPUTS).monitoring);
  });
});
