/**
 * The BTP chart's monitoring stack (Grafana, Prometheus, Alertmanager) as the guide turns it on
 * (`monitoring.{enabled, grafana.enabled, prometheus.enabled, alertmanager.enabled}`), plus what
 * the guide leaves to the reader: volumes on the platform's encrypted gp3 StorageClass, a bounded
 * Prometheus retention, and Alertmanager sending every alert to the platform's SNS alarm topic,
 * the one CloudWatch alarms and the budget already use (and its email subscription).
 *
 * The chart's values.yaml is not public, so only the four `enabled` keys come from a source. The
 * keys below them follow the prometheus-community charts' shapes (`persistence`, `retention`,
 * `serviceAccount`, `config`); btp/release compares every key with `helm show values` and warns
 * about the ones this chart version does not know, and `chart.valuesFile` can rename them.
 *
 * Alertmanager publishes through its `sns_configs` with SigV4 and no keys: the AWS SDK's default
 * chain finds the web identity token EKS mounts for the annotated service account (IRSA), whose
 * role (infra/irsa) may publish to this topic only.
 */
import type { Config } from "../../config/schema.js";
import { stringOutput } from "../../plan/outputs.js";
import type { StepOutputs } from "../../plan/types.js";
import { STORAGE_CLASS } from "./names.js";

/** Must equal infra's IRSA_SERVICE_ACCOUNTS.alertmanager (a test holds them together). */
export const ALERTMANAGER_SERVICE_ACCOUNT = "settlemint-alertmanager";

/**
 * Sizes and retention. 15 days is Prometheus's own default; the size cap keeps the TSDB from
 * filling its volume (Prometheus stops ingesting when the disk is full) with ~10% headroom for
 * the write-ahead log and compaction.
 */
export const MONITORING_VOLUMES = { prometheusGiB: 50, grafanaGiB: 10, alertmanagerGiB: 2 } as const;
export const PROMETHEUS_RETENTION = { time: "15d", size: "45GB" } as const;

/** The name of the receiver that drops alerts meant only for in-cluster use. */
const DROP = "null";

type Outputs = Readonly<Record<string, StepOutputs>>;

function volume(gib: number): Record<string, unknown> {
  return { enabled: true, storageClass: STORAGE_CLASS, size: `${gib}Gi` };
}

/**
 * Alertmanager's own configuration. Watchdog fires all the time by design (it proves the pipeline
 * is alive to an external dead-man's switch) and InfoInhibitor only silences info alerts: sent to
 * SNS they would mail the on-call address every repeat interval, so they go nowhere.
 */
export function alertmanagerConfig(config: Config, topicArn: string): Record<string, unknown> {
  return {
    route: {
      receiver: "sns",
      group_by: ["alertname", "namespace"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
      routes: [{ receiver: DROP, matchers: ['alertname =~ "Watchdog|InfoInhibitor"'] }],
    },
    receivers: [
      { name: DROP },
      {
        name: "sns",
        sns_configs: [{
          topic_arn: topicArn,
          // No access keys: the SDK's default chain, i.e. the IRSA web identity token.
          sigv4: { region: config.aws.region },
          send_resolved: true,
          attributes: { platform: config.platform },
        }],
      },
    ],
  };
}

/** The chart's `monitoring` section; the whole stack explicitly off when monitoring.prometheusStack is false. */
export function monitoringValues(config: Config, outputs: Outputs): { monitoring: Record<string, unknown> } {
  if (!config.monitoring.prometheusStack) {
    // Off means off, whatever the chart's own defaults are.
    return { monitoring: { enabled: false, grafana: { enabled: false }, prometheus: { enabled: false }, alertmanager: { enabled: false } } };
  }
  const topicArn = stringOutput(outputs, "infra/monitoring", "topicArn");
  const roleArn = stringOutput(outputs, "infra/irsa", "alertmanagerRoleArn");
  return {
    monitoring: {
      enabled: true,
      grafana: { enabled: true, persistence: volume(MONITORING_VOLUMES.grafanaGiB) },
      prometheus: {
        enabled: true,
        retention: PROMETHEUS_RETENTION.time,
        retentionSize: PROMETHEUS_RETENTION.size,
        persistence: volume(MONITORING_VOLUMES.prometheusGiB),
      },
      alertmanager: {
        enabled: true,
        serviceAccount: { create: true, name: ALERTMANAGER_SERVICE_ACCOUNT, annotations: { "eks.amazonaws.com/role-arn": roleArn } },
        persistence: volume(MONITORING_VOLUMES.alertmanagerGiB),
        config: alertmanagerConfig(config, topicArn),
      },
    },
  };
}
