/**
 * btp/registry-login: `helm registry login` to the chart's OCI registry as the license's account,
 * the token on stdin. helm keeps the login in its registry config, which btp/release then uses
 * for `helm show values` and the upgrade. Logging in again is cheap and proves the token still
 * works, so a re-run always logs in.
 *
 * It needs no cluster (services.cluster.localHelm), so a full install logs in while infra is
 * still building: a wrong license token fails in the first minute, not after forty.
 */
import { registryHost } from "../../helm/registry.js";
import type { Step } from "../../plan/types.js";
import type { KubernetesServices } from "../cluster/services.js";
import { licenseToken } from "./secrets.js";

export const registryLoginStep: Step<KubernetesServices> = {
  id: "btp/registry-login",
  title: "Chart registry login",
  phase: "btp",
  needs: ["prepare/tools"],
  describe: (c) => [`helm registry login for ${c.chart.reference} as ${c.license.accountName} (token on stdin)`],
  async run(context, report) {
    const host = registryHost(context.config.chart.reference);
    const token = licenseToken(context);
    const helm = await context.services.cluster.localHelm();
    report.status(`helm registry login ${host} as ${context.config.license.accountName}`);
    await helm.registryLogin(host, context.config.license.accountName, token);
    report.info(`logged in to ${host} as ${context.config.license.accountName}`);
    return { registry: host, username: context.config.license.accountName };
  },
};
