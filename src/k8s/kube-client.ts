/** The real Kube: generic verbs over the API server's REST paths (see kube-api.ts). */
import type * as ClientNode from "@kubernetes/client-node";
import { call, clientNodeTransport, Discovery, resourcePath, type ApiResponse, type ResourceInfo, type Transport, type TransportOptions } from "./kube-api.js";
import { KubeApiError, namespaceNotAllowed, namespaceRequired, podNotFound, podNotRunning, type KubeStatus } from "./kube-errors.js";
import { describeObject, FIELD_MANAGER, type ApplyResult, type Kube, type KubeEvent, type KubeObject, type PortForward } from "./kube.js";
import { startPortForward } from "./port-forward.js";

/** Server-side apply's content type; the body is JSON, which is YAML. */
const APPLY_PATCH = "application/apply-patch+yaml";
const PAGE_SIZE = "500";

interface KubeList {
  items?: Record<string, unknown>[];
  metadata?: { continue?: string };
}

interface CoreEvent {
  type?: string;
  reason?: string;
  message?: string;
  involvedObject?: { kind?: string; name?: string };
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { lastObservedTime?: string };
  firstTimestamp?: string | null;
  metadata?: { creationTimestamp?: string };
}

function resourceVersion(object: unknown): string | undefined {
  const rv = (object as { metadata?: { resourceVersion?: unknown } } | undefined)?.metadata?.resourceVersion;
  return typeof rv === "string" ? rv : undefined;
}

function failed(action: string, response: ApiResponse, server: string): KubeApiError {
  return new KubeApiError(action, response.status, response.body as KubeStatus | undefined, server);
}

export function clientNodeKube(k8s: typeof ClientNode, config: ClientNode.KubeConfig, server: string, options: TransportOptions): Kube {
  return transportKube(clientNodeTransport(k8s, config, server, options), server, (namespace, pod, port) => startPortForward(k8s, config, namespace, pod, port));
}

/** Opens a port-forward to a pod already known to be running. */
export type Forwarder = (namespace: string, pod: string, remotePort: number) => Promise<PortForward>;

/** The verbs over any transport: tests drive this with the real transport against a loopback API server. */
export function transportKube(send: Transport, server: string, forward: Forwarder): Kube {
  const discovery = new Discovery(send, server);
  const request = (action: string, r: Parameters<Transport>[0]) => call(send, r, action, server);

  /** Throws when the namespace does not fit the kind's scope: a bug in the caller, caught early. */
  function checkScope<R extends ResourceInfo | undefined>(resource: R, action: string, kind: string, namespace: string | undefined): R {
    if (resource?.namespaced && !namespace) throw namespaceRequired(action, kind);
    if (resource && !resource.namespaced && namespace) throw namespaceNotAllowed(action, kind);
    return resource;
  }

  async function get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubeObject | undefined> {
    const action = `read ${describeObject(kind, name, namespace)}`;
    const resource = checkScope(await discovery.resource(apiVersion, kind), action, kind, namespace);
    if (resource === undefined) return undefined; // its CRD is not installed: the object cannot exist
    const response = await request(action, { method: "GET", path: resourcePath(apiVersion, resource, namespace, name) });
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw failed(action, response, server);
    return response.body as KubeObject;
  }

  return {
    get,

    async apply(object, fieldManager = FIELD_MANAGER): Promise<ApplyResult> {
      const { apiVersion, kind } = object;
      const { name, namespace } = object.metadata;
      const action = `apply ${describeObject(kind, name, namespace)}`;
      const resource = checkScope(await discovery.required(action, apiVersion, kind), action, kind, namespace);
      const before = resourceVersion(await get(apiVersion, kind, name, namespace));
      // managedFields must be absent from an apply request; one read back from get() carries them.
      const { managedFields: _ignored, ...metadata } = object.metadata;
      const response = await request(action, {
        method: "PATCH",
        path: resourcePath(apiVersion, resource, namespace, name),
        query: { fieldManager, force: "true" },
        contentType: APPLY_PATCH,
        body: JSON.stringify({ ...object, metadata }),
      });
      if (response.status !== 200 && response.status !== 201) throw failed(action, response, server);
      if (before === undefined) return "created";
      return resourceVersion(response.body) === before ? "unchanged" : "changed";
    },

    async list(apiVersion, kind, options = {}) {
      const action = `list ${kind}${options.namespace ? ` in ${options.namespace}` : ""}`;
      const resource = await discovery.resource(apiVersion, kind);
      if (resource === undefined) return [];
      if (!resource.namespaced && options.namespace) throw namespaceNotAllowed(action, kind);
      const items: KubeObject[] = [];
      let next: string | undefined;
      do {
        const query: Record<string, string> = { limit: PAGE_SIZE };
        if (options.labelSelector) query.labelSelector = options.labelSelector;
        if (next) query.continue = next;
        const response = await request(action, { method: "GET", path: resourcePath(apiVersion, resource, options.namespace), query });
        if (response.status !== 200) throw failed(action, response, server);
        const list = response.body as KubeList;
        // Items of a list carry no apiVersion and kind; callers get complete objects.
        for (const item of list.items ?? []) items.push({ ...item, apiVersion, kind } as KubeObject);
        next = list.metadata?.continue || undefined;
      } while (next);
      return items;
    },

    async delete(apiVersion, kind, name, namespace) {
      const action = `delete ${describeObject(kind, name, namespace)}`;
      const resource = checkScope(await discovery.resource(apiVersion, kind), action, kind, namespace);
      if (resource === undefined) return false;
      const response = await request(action, { method: "DELETE", path: resourcePath(apiVersion, resource, namespace, name), query: { propagationPolicy: "Background" } });
      if (response.status === 404) return false;
      if (response.status !== 200 && response.status !== 202) throw failed(action, response, server);
      return true;
    },

    async events(namespace, involvedObjectName) {
      const action = `list events in ${namespace}`;
      const query: Record<string, string> = {};
      if (involvedObjectName) query.fieldSelector = `involvedObject.name=${involvedObjectName}`;
      const response = await request(action, { method: "GET", path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, query });
      if (response.status !== 200) throw failed(action, response, server);
      const events = ((response.body as { items?: CoreEvent[] }).items ?? []).map((e): KubeEvent => {
        // Events recorded through events.k8s.io/v1 leave lastTimestamp empty and set eventTime or series.
        const at = e.lastTimestamp || e.series?.lastObservedTime || e.eventTime || e.firstTimestamp || e.metadata?.creationTimestamp;
        return {
          type: e.type ?? "",
          reason: e.reason ?? "",
          message: e.message ?? "",
          involvedObject: `${e.involvedObject?.kind ?? ""}/${e.involvedObject?.name ?? ""}`,
          ...(at ? { lastTimestamp: at } : {}),
        };
      });
      return events.sort((a, b) => (a.lastTimestamp ?? "").localeCompare(b.lastTimestamp ?? ""));
    },

    async portForward(namespace, pod, remotePort) {
      const found = await get("v1", "Pod", pod, namespace);
      if (found === undefined) throw podNotFound(namespace, pod);
      const phase = (found.status as { phase?: string } | undefined)?.phase ?? "Unknown";
      if (phase !== "Running") throw podNotRunning(namespace, pod, phase);
      return forward(namespace, pod, remotePort);
    },
  };
}
