/**
 * The helm releases and namespaces the Kubernetes phases install, by the names those phases use
 * (the namespaces are the IRSA roles' trusted service-account namespaces, so they cannot drift).
 */
import { BTP_NAMESPACE, IRSA_SERVICE_ACCOUNTS } from "../../phases/infra/irsa-policies.js";

export interface ReleaseRef {
  name: string;
  namespace: string;
}

export const BTP_RELEASE: ReleaseRef = { name: "settlemint", namespace: BTP_NAMESPACE };

export const VAULT_RELEASE: ReleaseRef = { name: "vault", namespace: IRSA_SERVICE_ACCOUNTS.vault.namespace };
export const CERT_MANAGER_RELEASE: ReleaseRef = { name: "cert-manager", namespace: IRSA_SERVICE_ACCOUNTS["cert-manager"].namespace };
export const CONTROLLER_RELEASE: ReleaseRef = { name: "aws-load-balancer-controller", namespace: IRSA_SERVICE_ACCOUNTS["aws-load-balancer-controller"].namespace };

/** In the order destroy removes them: the controller last, after its load balancers are gone. */
export const ADDON_RELEASES: readonly ReleaseRef[] = [VAULT_RELEASE, CERT_MANAGER_RELEASE, CONTROLLER_RELEASE];

/** The namespaces that hold the platform's own objects: exported by dr-snapshot. */
export const PLATFORM_NAMESPACES: readonly string[] = [BTP_NAMESPACE, IRSA_SERVICE_ACCOUNTS.vault.namespace, IRSA_SERVICE_ACCOUNTS["cert-manager"].namespace];

/** helm uninstall --wait: long enough for StatefulSets with volumes to stop. */
export const UNINSTALL_TIMEOUT_SECONDS = 600;
