/**
 * The Kubernetes API as the phases use it: a handful of generic verbs on plain JSON objects,
 * server-side apply as the one way to write, "not found" as `undefined`. The real implementation
 * (kube-client.ts) speaks HTTP through @kubernetes/client-node, loaded only when a phase needs
 * the cluster; tests use the in-memory fake in test/fakes/kube.ts, which keeps the same rules.
 */
import type { ClusterConnection } from "./connection.js";

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
};

export interface KubeEvent {
  /** Normal or Warning. */
  type: string;
  reason: string;
  message: string;
  /** "Kind/name" of the object the event is about. */
  involvedObject: string;
  /** When it last happened (ISO 8601), if the API server says. */
  lastTimestamp?: string;
}

export interface PortForward {
  /** A port on 127.0.0.1 whose connections reach the pod's port. */
  readonly localPort: number;
  /** Stops listening and closes every forwarded connection. */
  close(): Promise<void>;
}

export type ApplyResult = "created" | "changed" | "unchanged";

/** The field manager btp-aws applies as; it forces conflicts, so it owns every field it sets. */
export const FIELD_MANAGER = "btp-aws";

export interface Kube {
  /** Server-side apply, forcing conflicts. "unchanged" when the resourceVersion stayed the same. */
  apply(object: KubeObject, fieldManager?: string): Promise<ApplyResult>;
  get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubeObject | undefined>;
  /** Without a namespace, a namespaced kind is listed across all namespaces. */
  list(apiVersion: string, kind: string, options?: { namespace?: string; labelSelector?: string }): Promise<KubeObject[]>;
  /** true when something was deleted (deletion may finish later: finalizers, namespaces). */
  delete(apiVersion: string, kind: string, name: string, namespace?: string): Promise<boolean>;
  /** Events in a namespace, oldest first; only those about `involvedObjectName` when given. */
  events(namespace: string, involvedObjectName?: string): Promise<KubeEvent[]>;
  /** Forwards a local port to a running pod's port, like `kubectl port-forward`. */
  portForward(namespace: string, pod: string, remotePort: number): Promise<PortForward>;
}

export async function createKube(connection: ClusterConnection): Promise<Kube> {
  const [k8s, { kubeConfigFor }, { clientNodeKube }] = await Promise.all([import("@kubernetes/client-node"), import("./kube-config.js"), import("./kube-client.js")]);
  return clientNodeKube(k8s, kubeConfigFor(k8s, connection), connection.server, { reuseConnections: connection.kind === "eks" });
}

/** "ConfigMap vault/vault-config", "Namespace vault": how objects are named in messages. */
export function describeObject(kind: string, name: string, namespace?: string): string {
  return `${kind} ${namespace ? `${namespace}/` : ""}${name}`;
}
