/**
 * An in-memory Kubernetes API with the rules of src/k8s/kube.ts, for phase tests:
 * - `apply` stores the object as applied (server-side apply by one field manager: the applied
 *   fields replace the stored ones; `status` and server-set metadata are kept) and bumps the
 *   resourceVersion only when something changed, so "unchanged" means the same as on a server;
 * - get/list/delete by apiVersion, kind, namespace and name; list understands label selectors;
 * - namespaced kinds need a namespace and cluster-scoped kinds refuse one, as discovery would say;
 * - `seed` plays the controllers (a Running pod, a Deployment's status) and `recordEvent` the event recorder;
 * - `portForward` needs a Running pod, like the real one, and connects to a configurable handler.
 *
 * What it does not model: several field managers sharing an object, admission, garbage
 * collection, finalizers (delete is immediate), watch.
 */
import { randomUUID } from "node:crypto";
import { connect, createServer, type Socket } from "node:net";
import { podNotFound, podNotRunning, namespaceNotAllowed, namespaceRequired, notServed } from "../../src/k8s/kube-errors.js";
import { describeObject, FIELD_MANAGER, type ApplyResult, type Kube, type KubeEvent, type KubeObject, type PortForward } from "../../src/k8s/kube.js";

/** Kinds that are cluster-scoped on a real API server (the ones the installer touches, and a few more). */
export const CLUSTER_SCOPED_KINDS = new Set([
  "Namespace", "Node", "PersistentVolume", "StorageClass", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding",
  "ClusterIssuer", "IngressClass", "PriorityClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService",
  "VolumeSnapshotClass", "VolumeSnapshotContent",
]);

/** Where connections to a forwarded pod port go: a local TCP port, or a function given each connection. */
export type ForwardTarget = number | ((socket: Socket) => void);

export interface FakeKubeOptions {
  /** Kinds the API "serves"; default: every kind. A kind outside it behaves as an uninstalled CRD. */
  served?: (apiVersion: string, kind: string) => boolean;
  /** The target of a port-forward; undefined: nothing listens there and connections are reset. */
  portForward?: (target: { namespace: string; pod: string; remotePort: number }) => ForwardTarget | undefined;
  now?: () => Date;
}

export interface FakeEvent {
  namespace: string;
  involvedObject: { kind: string; name: string };
  type?: string;
  reason: string;
  message: string;
  lastTimestamp?: string;
}

export interface FakeKube extends Kube {
  /** Every stored object, sorted by kind, namespace and name. */
  objects(): KubeObject[];
  /** Stores an object as a controller would: no apply rules, status included. Returns the stored copy. */
  seed(object: KubeObject): KubeObject;
  recordEvent(event: FakeEvent): void;
  /** Every apply, in order, with its outcome. */
  readonly applied: { object: KubeObject; fieldManager: string; result: ApplyResult }[];
  /** "Kind namespace/name" of every delete that removed something. */
  readonly deleted: string[];
  readonly forwards: { namespace: string; pod: string; remotePort: number; localPort: number; closed: boolean }[];
}

type Requirement = (labels: Record<string, string>) => boolean;

/** Kubernetes label selector syntax: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x)`. */
export function parseLabelSelector(selector: string): Requirement[] {
  const parts = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return parts.map((raw) => {
    const part = raw.trim();
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      const [, key, op, list] = m as unknown as [string, string, string, string];
      const values = list.split(",").map((v) => v.trim());
      return op === "in" ? (l) => key in l && values.includes(l[key]!) : (l) => !(key in l) || !values.includes(l[key]!);
    }
    if ((m = part.match(/^([\w./-]+)\s*!=\s*([\w./-]*)$/))) {
      const [, key, value] = m as unknown as [string, string, string];
      return (l) => l[key] !== value;
    }
    if ((m = part.match(/^([\w./-]+)\s*==?\s*([\w./-]*)$/))) {
      const [, key, value] = m as unknown as [string, string, string];
      return (l) => l[key] === value;
    }
    if ((m = part.match(/^!([\w./-]+)$/))) {
      const key = m[1]!;
      return (l) => !(key in l);
    }
    if ((m = part.match(/^([\w./-]+)$/))) {
      const key = m[1]!;
      return (l) => key in l;
    }
    throw new Error(`invalid label selector ${JSON.stringify(selector)}: cannot parse ${JSON.stringify(part)}`);
  });
}

const clone = <T>(value: T): T => structuredClone(value);

/** Server-set metadata: ignored when deciding whether an apply changed anything. */
const SERVER_METADATA = ["resourceVersion", "uid", "creationTimestamp", "generation", "managedFields"] as const;

function comparable(object: KubeObject): string {
  const metadata: Record<string, unknown> = { ...object.metadata };
  for (const key of SERVER_METADATA) delete metadata[key];
  return stableJson({ ...object, metadata });
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function fakeKube(options: FakeKubeOptions = {}): FakeKube {
  const store = new Map<string, KubeObject>();
  const events: FakeEvent[] = [];
  const applied: FakeKube["applied"] = [];
  const deleted: string[] = [];
  const forwards: FakeKube["forwards"] = [];
  let version = 1000;
  const now = options.now ?? (() => new Date());
  const served = options.served ?? (() => true);

  const key = (apiVersion: string, kind: string, namespace: string | undefined, name: string) => `${apiVersion}|${kind}|${namespace ?? ""}|${name}`;

  function checkScope(action: string, kind: string, namespace: string | undefined): void {
    const clusterScoped = CLUSTER_SCOPED_KINDS.has(kind);
    if (!clusterScoped && !namespace) throw namespaceRequired(action, kind);
    if (clusterScoped && namespace) throw namespaceNotAllowed(action, kind);
  }

  function store_(object: KubeObject, existing: KubeObject | undefined): KubeObject {
    version += 1;
    const stored: KubeObject = {
      ...clone(object),
      metadata: {
        ...clone(object.metadata),
        uid: existing?.metadata.uid ?? randomUUID(),
        creationTimestamp: existing?.metadata.creationTimestamp ?? now().toISOString().replace(/\.\d{3}Z$/, "Z"),
        resourceVersion: String(version),
      },
    };
    store.set(key(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name), stored);
    return stored;
  }

  async function get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubeObject | undefined> {
    checkScope(`read ${describeObject(kind, name, namespace)}`, kind, namespace);
    if (!served(apiVersion, kind)) return undefined;
    const found = store.get(key(apiVersion, kind, namespace, name));
    return Promise.resolve(found === undefined ? undefined : clone(found));
  }

  return {
    applied,
    deleted,
    forwards,
    get,

    objects: () => [...store.values()].map(clone).sort((a, b) => `${a.kind}|${a.metadata.namespace ?? ""}|${a.metadata.name}`.localeCompare(`${b.kind}|${b.metadata.namespace ?? ""}|${b.metadata.name}`)),

    seed(object) {
      const existing = store.get(key(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name));
      return clone(store_(object, existing));
    },

    recordEvent(event) {
      events.push(clone(event));
    },

    async apply(object, fieldManager = FIELD_MANAGER) {
      const { apiVersion, kind } = object;
      const { name, namespace } = object.metadata;
      const action = `apply ${describeObject(kind, name, namespace)}`;
      if (!served(apiVersion, kind)) throw notServed(action, apiVersion, kind);
      checkScope(action, kind, namespace);
      const existing = store.get(key(apiVersion, kind, namespace, name));
      const { managedFields: _ignored, resourceVersion: _rv, ...metadata } = clone(object.metadata);
      // Apply to the main resource never writes status: the stored status survives.
      const { status: _status, ...applied_ } = clone(object);
      const next: KubeObject = { ...applied_, metadata, ...(existing?.status !== undefined ? { status: existing.status } : {}) };
      let result: ApplyResult;
      if (existing === undefined) {
        store_(next, undefined);
        result = "created";
      } else if (comparable(next) === comparable(existing)) {
        result = "unchanged";
      } else {
        store_(next, existing);
        result = "changed";
      }
      applied.push({ object: clone(object), fieldManager, result });
      return Promise.resolve(result);
    },

    async list(apiVersion, kind, listOptions = {}) {
      const { namespace, labelSelector } = listOptions;
      if (namespace && CLUSTER_SCOPED_KINDS.has(kind)) throw namespaceNotAllowed(`list ${kind} in ${namespace}`, kind);
      if (!served(apiVersion, kind)) return [];
      const requirements = labelSelector ? parseLabelSelector(labelSelector) : [];
      const found = [...store.values()].filter(
        (o) => o.apiVersion === apiVersion && o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace) && requirements.every((r) => r(o.metadata.labels ?? {})),
      );
      // The API server returns lists ordered by namespace, then name.
      return Promise.resolve(found.map(clone).sort((a, b) => `${a.metadata.namespace ?? ""}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ""}/${b.metadata.name}`)));
    },

    async delete(apiVersion, kind, name, namespace) {
      checkScope(`delete ${describeObject(kind, name, namespace)}`, kind, namespace);
      const removed = store.delete(key(apiVersion, kind, namespace, name));
      if (removed) deleted.push(describeObject(kind, name, namespace));
      return Promise.resolve(removed);
    },

    async events(namespace, involvedObjectName) {
      const found = events
        .filter((e) => e.namespace === namespace && (involvedObjectName === undefined || e.involvedObject.name === involvedObjectName))
        .map((e): KubeEvent => ({
          type: e.type ?? "Normal",
          reason: e.reason,
          message: e.message,
          involvedObject: `${e.involvedObject.kind}/${e.involvedObject.name}`,
          ...(e.lastTimestamp ? { lastTimestamp: e.lastTimestamp } : {}),
        }));
      return Promise.resolve(found.sort((a, b) => (a.lastTimestamp ?? "").localeCompare(b.lastTimestamp ?? "")));
    },

    async portForward(namespace, pod, remotePort): Promise<PortForward> {
      const found = await get("v1", "Pod", pod, namespace);
      if (found === undefined) throw podNotFound(namespace, pod);
      const phase = (found.status as { phase?: string } | undefined)?.phase ?? "Unknown";
      if (phase !== "Running") throw podNotRunning(namespace, pod, phase);
      const target = options.portForward?.({ namespace, pod, remotePort });
      const open = new Set<Socket>();
      const server = createServer((socket) => {
        open.add(socket);
        socket.once("close", () => open.delete(socket));
        socket.on("error", () => socket.destroy());
        if (target === undefined) return socket.destroy();
        if (typeof target === "function") return target(socket);
        const upstream = connect(target, "127.0.0.1");
        upstream.on("error", () => socket.destroy());
        socket.once("close", () => upstream.destroy());
        socket.pipe(upstream).pipe(socket);
      });
      const localPort = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
      const record = { namespace, pod, remotePort, localPort, closed: false };
      forwards.push(record);
      return {
        localPort,
        close: () =>
          new Promise<void>((resolve) => {
            record.closed = true;
            for (const socket of open) socket.destroy();
            server.close(() => resolve());
          }),
      };
    },
  };
}
