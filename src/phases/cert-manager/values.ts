/**
 * Values for the jetstack/cert-manager chart: CRDs installed (and kept on uninstall: deleting them
 * would delete every Certificate), the service account carrying the IRSA role that may change
 * the platform's hosted zone, and public resolvers for the DNS-01 self-check so a private zone
 * of the same name inside the VPC cannot hide the challenge record.
 */
import { stringOutput } from "../../plan/outputs.js";
import type { StepOutputs } from "../../plan/types.js";

/** Must equal infra's IRSA_SERVICE_ACCOUNTS["cert-manager"] (a test holds them together). */
export const CERT_MANAGER_SERVICE_ACCOUNT = "cert-manager";

export function certManagerValues(outputs: Readonly<Record<string, StepOutputs>>): Record<string, unknown> {
  return {
    crds: { enabled: true, keep: true },
    serviceAccount: {
      create: true,
      name: CERT_MANAGER_SERVICE_ACCOUNT,
      annotations: { "eks.amazonaws.com/role-arn": stringOutput(outputs, "infra/irsa", "certManagerRoleArn") },
    },
    // The chart's defaults, plus fsGroup so the projected IRSA token is readable by the non-root user.
    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, fsGroup: 1001 },
    // Ingresses that ask for TLS (kubernetes.io/tls-acme) get the production issuer. Namespaced
    // Issuers get no ambient credentials: only the two ClusterIssuers may use the IRSA role.
    ingressShim: { defaultIssuerName: "letsencrypt-prod", defaultIssuerKind: "ClusterIssuer", defaultIssuerGroup: "cert-manager.io" },
    dns01RecursiveNameservers: "8.8.8.8:53,1.1.1.1:53",
    dns01RecursiveNameserversOnly: true,
  };
}
