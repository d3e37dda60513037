/**
 * The Kubernetes part of a snapshot set: the objects of the platform, vault and cert-manager
 * namespaces, and the cluster-scoped objects the installer creates (the namespaces themselves,
 * StorageClasses, IngressClasses, cert-manager ClusterIssuers), as YAML that `kubectl apply -f`
 * takes back. Server-set fields (uid, resourceVersion, managedFields, status …) are left out.
 * Secrets go into a separate document, only with --include-secrets, and are then encrypted.
 */
import { stringify } from "yaml";
import type { Kube, KubeObject } from "../../k8s/kube.js";
import { PLATFORM_NAMESPACES } from "../destroy/releases.js";

type Kind = readonly [apiVersion: string, kind: string];

/** What the installer's releases create in a namespace (kinds whose CRD is absent list as empty). */
export const NAMESPACED_KINDS: readonly Kind[] = [
  ["v1", "ConfigMap"], ["v1", "Service"], ["v1", "ServiceAccount"], ["v1", "PersistentVolumeClaim"],
  ["apps/v1", "Deployment"], ["apps/v1", "StatefulSet"], ["apps/v1", "DaemonSet"],
  ["batch/v1", "Job"], ["batch/v1", "CronJob"],
  ["networking.k8s.io/v1", "Ingress"], ["networking.k8s.io/v1", "NetworkPolicy"],
  ["rbac.authorization.k8s.io/v1", "Role"], ["rbac.authorization.k8s.io/v1", "RoleBinding"],
  ["policy/v1", "PodDisruptionBudget"],
  ["cert-manager.io/v1", "Certificate"], ["cert-manager.io/v1", "Issuer"],
];
export const CLUSTER_KINDS: readonly Kind[] = [["storage.k8s.io/v1", "StorageClass"], ["networking.k8s.io/v1", "IngressClass"], ["cert-manager.io/v1", "ClusterIssuer"]];
const SECRET: Kind = ["v1", "Secret"];

const SERVER_METADATA = ["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"];

/** The object as one would apply it again. */
export function portable(object: KubeObject): KubeObject {
  const { status: _status, ...rest } = object;
  const metadata: Record<string, unknown> = { ...object.metadata };
  for (const key of SERVER_METADATA) delete metadata[key];
  const annotations = { ...(object.metadata.annotations ?? {}) };
  delete annotations["kubectl.kubernetes.io/last-applied-configuration"];
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  return { ...rest, metadata } as KubeObject;
}

export interface ExportedDocument {
  /** File name in the set: "settlemint.yaml", "cluster.yaml", "secrets.yaml". */
  name: string;
  yaml: string;
  objects: number;
}

function yamlOf(objects: readonly KubeObject[]): string {
  return objects.map((o) => stringify(portable(o), { lineWidth: 0 })).join("---\n");
}

export async function exportKubernetes(kube: Kube, includeSecrets: boolean): Promise<ExportedDocument[]> {
  const documents: ExportedDocument[] = [];
  for (const namespace of PLATFORM_NAMESPACES) {
    const objects: KubeObject[] = [];
    for (const [apiVersion, kind] of NAMESPACED_KINDS) objects.push(...(await kube.list(apiVersion, kind, { namespace })));
    documents.push({ name: `${namespace}.yaml`, yaml: yamlOf(objects), objects: objects.length });
  }
  const cluster: KubeObject[] = [];
  for (const namespace of PLATFORM_NAMESPACES) {
    const found = await kube.get("v1", "Namespace", namespace);
    if (found) cluster.push(found);
  }
  for (const [apiVersion, kind] of CLUSTER_KINDS) cluster.push(...(await kube.list(apiVersion, kind)));
  documents.push({ name: "cluster.yaml", yaml: yamlOf(cluster), objects: cluster.length });
  if (includeSecrets) {
    const secrets: KubeObject[] = [];
    for (const namespace of PLATFORM_NAMESPACES) secrets.push(...(await kube.list(SECRET[0], SECRET[1], { namespace })));
    documents.push({ name: "secrets.yaml", yaml: yamlOf(secrets), objects: secrets.length });
  }
  return documents;
}
