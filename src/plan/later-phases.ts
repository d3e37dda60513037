/**
 * The btp and verify steps, declared with their dependencies so `plan` shows the whole DAG and
 * its critical path until their implementations land.
 */
import { declaredStep } from "./declared.js";
import type { Step } from "./types.js";

export function kubernetesSteps(): Step[] {
  return [
    declaredStep({ id: "btp/registry-login", title: "Chart registry login", phase: "btp", needs: ["prepare/tools"], describe: (c) => [`helm registry login for ${c.chart.reference} as ${c.license.accountName} (token on stdin)`] }),
    declaredStep({
      id: "btp/release", title: "BTP release", phase: "btp", needs: ["btp/registry-login", "vault/configure", "cert-manager/issuers", "infra/rds", "infra/elasticache", "infra/acm", "addons/load-balancer-controller"],
      describe: (c) => [`helm upgrade --install settlemint ${c.chart.reference} --version ${c.chart.version}${c.chart.valuesFile ? `, overrides from ${c.chart.valuesFile}` : ""}`],
    }),
    declaredStep({ id: "verify/workloads", title: "Deployments available", phase: "verify", needs: ["btp/release"], describe: () => ["deployments in the platform, vault and cert-manager namespaces available"] }),
    declaredStep({ id: "verify/dns", title: "DNS alias records", phase: "verify", needs: ["verify/workloads"], describe: (c) => [`alias A records ${c.dns.domain} and *.${c.dns.domain} → the ALB, waited INSYNC`] }),
    declaredStep({ id: "verify/https", title: "HTTPS check", phase: "verify", needs: ["verify/dns"], describe: (c) => [`GET https://${c.dns.domain} with a valid certificate`] }),
  ];
}
