/**
 * The two ClusterIssuers the platform's services use: Let's Encrypt staging (for trying things
 * without its rate limits) and production, both solving DNS-01 in the platform's hosted zone with
 * the IRSA role cert-manager's service account carries (ambient credentials: no keys in the cluster).
 */
import type { Config } from "../../config/schema.js";
import type { KubeObject } from "../../k8s/kube.js";

export const ISSUERS = {
  "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
  "letsencrypt-prod": "https://acme-v02.api.letsencrypt.org/directory",
} as const;

export type IssuerName = keyof typeof ISSUERS;

export function clusterIssuer(name: IssuerName, config: Pick<Config, "aws" | "dns">): KubeObject {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: { name, labels: { "app.kubernetes.io/managed-by": "btp-aws" } },
    spec: {
      acme: {
        server: ISSUERS[name],
        email: config.dns.acmeEmail,
        privateKeySecretRef: { name: `${name}-account-key` },
        solvers: [
          {
            selector: { dnsZones: [config.dns.domain] },
            dns01: { route53: { region: config.aws.region, hostedZoneID: config.dns.hostedZoneId } },
          },
        ],
      },
    },
  };
}
