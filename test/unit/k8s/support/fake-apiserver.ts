/**
 * A stand-in Kubernetes API server on loopback HTTPS, for testing the real adapter's requests:
 * discovery documents, the REST paths of objects and collections, server-side apply as PATCH,
 * Status bodies for errors, bearer-token authentication and the port-forward WebSocket. Objects
 * live in the in-memory fake (test/fakes/kube.ts), so both obey the same rules. Every request is
 * recorded for exact assertions.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import { connect, type AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { fakeKube, type FakeKube, type FakeKubeOptions } from "../../../fakes/kube.js";
import type { KubeObject } from "../../../../src/k8s/kube.js";
import { acceptWebSocket } from "./websocket.js";

const TLS_DIR = new URL("./tls/", import.meta.url);
export const SERVER_CERT = readFileSync(new URL("server-cert.pem", TLS_DIR), "utf8");
const SERVER_KEY = readFileSync(new URL("server-key.pem", TLS_DIR), "utf8");
/** A certificate of another CA: a client trusting only it must refuse the server. */
export const OTHER_CERT = readFileSync(new URL("other-cert.pem", TLS_DIR), "utf8");

interface ResourceEntry {
  name: string;
  kind: string;
  namespaced: boolean;
}

/** What discovery answers, per apiVersion; tests add groups to play a chart installing its CRDs. */
export const DEFAULT_RESOURCES: Record<string, ResourceEntry[]> = {
  v1: [
    { name: "namespaces", kind: "Namespace", namespaced: false },
    { name: "pods", kind: "Pod", namespaced: true },
    { name: "pods/portforward", kind: "PodPortForwardOptions", namespaced: true },
    { name: "pods/status", kind: "Pod", namespaced: true },
    { name: "configmaps", kind: "ConfigMap", namespaced: true },
    { name: "secrets", kind: "Secret", namespaced: true },
    { name: "services", kind: "Service", namespaced: true },
    { name: "serviceaccounts", kind: "ServiceAccount", namespaced: true },
    { name: "events", kind: "Event", namespaced: true },
  ],
  "apps/v1": [
    { name: "deployments", kind: "Deployment", namespaced: true },
    { name: "statefulsets", kind: "StatefulSet", namespaced: true },
  ],
  "storage.k8s.io/v1": [{ name: "storageclasses", kind: "StorageClass", namespaced: false }],
};

export const CERT_MANAGER_RESOURCES: ResourceEntry[] = [{ name: "clusterissuers", kind: "ClusterIssuer", namespaced: false }];

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  authorization: string | undefined;
  body: unknown;
}

export interface FakeApiServer {
  readonly url: string;
  readonly kube: FakeKube;
  readonly requests: RecordedRequest[];
  /** Discovery's answers; mutate to add or remove API groups. */
  readonly resources: Record<string, ResourceEntry[]>;
  /** Answer every request after this with this status (401, 403, 500…) and a Status body. */
  failWith(status: number | undefined, reason?: string, message?: string): void;
  close(): Promise<void>;
}

export interface FakeApiServerOptions extends Pick<FakeKubeOptions, "now"> {
  /** Accepted bearer tokens; default: any token starting with "k8s-aws-v1.". */
  acceptToken?: (token: string) => boolean;
  /** The most items one list response holds, whatever `limit` asks (to exercise `continue`). */
  pageSize?: number;
  /** Where a pod port-forward connects: a local TCP port. */
  portTarget?: (namespace: string, pod: string, port: number) => number | undefined;
}

function status(code: number, reason: string, message: string) {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (text += chunk));
    request.on("end", () => resolve(text));
    request.on("error", reject);
  });
}

interface Route {
  apiVersion: string;
  entry: ResourceEntry;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

export async function startFakeApiServer(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  const kube = fakeKube({ ...(options.now ? { now: options.now } : {}) });
  const requests: RecordedRequest[] = [];
  const resources: Record<string, ResourceEntry[]> = structuredClone(DEFAULT_RESOURCES);
  const acceptToken = options.acceptToken ?? ((token: string) => token.startsWith("k8s-aws-v1."));
  let failure: { code: number; reason: string; message: string } | undefined;

  /** /api/v1/namespaces/ns/configmaps/name → the resource, namespace and name it addresses. */
  function route(path: string): Route | "discovery" | undefined {
    const segments = path.split("/").filter(Boolean).map(decodeURIComponent);
    let apiVersion: string;
    let rest: string[];
    if (segments[0] === "api" && segments.length >= 2) [apiVersion, rest] = [segments[1]!, segments.slice(2)];
    else if (segments[0] === "apis" && segments.length >= 3) [apiVersion, rest] = [`${segments[1]}/${segments[2]}`, segments.slice(3)];
    else return undefined;
    const known = resources[apiVersion];
    if (known === undefined) return undefined;
    if (rest.length === 0) return "discovery";
    let namespace: string | undefined;
    if (rest[0] === "namespaces" && rest.length >= 3) [namespace, rest] = [rest[1], rest.slice(2)];
    const entry = known.find((r) => r.name === rest[0]);
    if (entry === undefined) return undefined;
    if (!entry.namespaced && namespace !== undefined) return undefined;
    // A namespaced collection may be listed across namespaces; its objects live in one.
    if (entry.namespaced && namespace === undefined && rest.length > 1) return undefined;
    return { apiVersion, entry, namespace, name: rest[1], subresource: rest[2] };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "https://127.0.0.1");
    const text = await readBody(request);
    let body: unknown;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    requests.push({
      method: request.method ?? "",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType: request.headers["content-type"],
      authorization: request.headers.authorization,
      body,
    });
    const send = (code: number, payload: unknown) => {
      response.writeHead(code, { "content-type": "application/json" });
      response.end(JSON.stringify(payload));
    };
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
    if (token === undefined || !acceptToken(token)) return send(401, status(401, "Unauthorized", "Unauthorized"));
    if (failure) return send(failure.code, status(failure.code, failure.reason, failure.message));

    // What clients such as helm ask first.
    if (url.pathname === "/version") return send(200, { major: "1", minor: "33", gitVersion: "v1.33.0", platform: "linux/amd64" });
    const target = route(url.pathname);
    if (target === undefined || (target !== "discovery" && target.subresource !== undefined)) return send(404, status(404, "NotFound", "the server could not find the requested resource"));
    if (target === "discovery") {
      const apiVersion = url.pathname.replace(/^\/apis?\//, "");
      return send(200, { kind: "APIResourceList", apiVersion: "v1", groupVersion: apiVersion, resources: resources[apiVersion]!.map((r) => ({ ...r, singularName: "", verbs: ["get", "list", "patch", "delete"] })) });
    }
    const { apiVersion, entry, namespace, name } = target;
    const notFound = () => send(404, { ...status(404, "NotFound", `${entry.name} "${name}" not found`), details: { name, kind: entry.name } });

    if (request.method === "GET" && name === undefined) {
      if (entry.kind === "Event") {
        const about = url.searchParams.get("fieldSelector")?.replace(/^involvedObject\.name=/, "");
        const events = await kube.events(namespace!, about);
        return send(200, {
          kind: "EventList",
          apiVersion: "v1",
          metadata: { resourceVersion: "1" },
          items: events.map((e, i) => {
            const [kind, involved] = e.involvedObject.split("/");
            return { metadata: { name: `${involved}.${i}`, namespace }, involvedObject: { kind, name: involved, namespace }, type: e.type, reason: e.reason, message: e.message, lastTimestamp: e.lastTimestamp ?? null };
          }),
        });
      }
      const labelSelector = url.searchParams.get("labelSelector") ?? undefined;
      const all = await kube.list(apiVersion, entry.kind, { ...(namespace ? { namespace } : {}), ...(labelSelector ? { labelSelector } : {}) });
      // Paginate as the API server does, so the adapter's continue handling is exercised.
      const limit = Math.min(Number(url.searchParams.get("limit") ?? "0") || all.length, options.pageSize ?? Infinity);
      const start = Number(url.searchParams.get("continue") ?? "0");
      const page = all.slice(start, start + limit);
      const more = start + limit < all.length;
      return send(200, {
        kind: `${entry.kind}List`,
        apiVersion,
        metadata: { resourceVersion: "1", ...(more ? { continue: String(start + limit) } : {}) },
        // Items of a list carry no apiVersion and kind on a real server either.
        items: page.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
      });
    }
    if (request.method === "GET") {
      const found = await kube.get(apiVersion, entry.kind, name!, namespace);
      return found === undefined ? notFound() : send(200, found);
    }
    if (request.method === "PATCH") {
      if (request.headers["content-type"] !== "application/apply-patch+yaml") return send(415, status(415, "UnsupportedMediaType", `the body of the request was in an unknown format`));
      if (!url.searchParams.get("fieldManager")) return send(422, status(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"));
      const object = body as KubeObject;
      if (object.metadata?.name !== name) return send(400, status(400, "BadRequest", "the name of the object does not match the name on the URL"));
      if ("managedFields" in object.metadata) return send(400, status(400, "BadRequest", "metadata.managedFields must be nil"));
      const result = await kube.apply({ ...object, metadata: { ...object.metadata, ...(namespace ? { namespace } : {}) } }, url.searchParams.get("fieldManager")!);
      return send(result === "created" ? 201 : 200, await kube.get(apiVersion, entry.kind, name, namespace));
    }
    if (request.method === "DELETE") {
      const removed = await kube.delete(apiVersion, entry.kind, name!, namespace);
      return removed ? send(200, { kind: "Status", apiVersion: "v1", status: "Success", details: { name, kind: entry.name } }) : notFound();
    }
    return send(405, status(405, "MethodNotAllowed", "method not allowed"));
  }

  // Upgraded connections leave the HTTP server's bookkeeping; close() ends them itself.
  const upgraded = new Set<Duplex>();

  function upgrade(request: IncomingMessage, socket: Duplex): void {
    upgraded.add(socket);
    socket.once("close", () => upgraded.delete(socket));
    const url = new URL(request.url ?? "/", "https://127.0.0.1");
    requests.push({ method: "GET", path: url.pathname, query: Object.fromEntries(url.searchParams), contentType: undefined, authorization: request.headers.authorization, body: undefined });
    const reject = (line: string): void => void socket.end(`HTTP/1.1 ${line}\r\nContent-Length: 0\r\n\r\n`);
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
    if (token === undefined || !acceptToken(token)) return reject("401 Unauthorized");
    const match = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/.exec(url.pathname);
    const port = Number(url.searchParams.get("ports"));
    const offered = (request.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
    // The kubelet's port-forward speaks the v4 channel protocol over WebSockets.
    if (match === null || !port || !offered.includes("v4.channel.k8s.io")) return reject("400 Bad Request");
    const [, namespace, pod] = match as unknown as [string, string, string];
    const targetPort = options.portTarget?.(namespace, pod, port);
    void kube.get("v1", "Pod", pod, namespace).then((found) => {
      if (found === undefined) return reject("404 Not Found");
      const ws = acceptWebSocket(request, socket, "v4.channel.k8s.io");
      // Each channel opens with the port number, little-endian: data (0), then error (1).
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16LE(port);
      ws.send(Buffer.concat([Buffer.from([0]), prefix]));
      ws.send(Buffer.concat([Buffer.from([1]), prefix]));
      if (targetPort === undefined) {
        ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(`an error occurred forwarding ${port} -> ${port}: connection refused`)]));
        return ws.close();
      }
      const upstream = connect(targetPort, "127.0.0.1");
      upstream.on("data", (chunk: Buffer) => ws.send(Buffer.concat([Buffer.from([0]), chunk])));
      upstream.on("close", () => ws.close());
      upstream.on("error", () => ws.close());
      ws.onMessage((data) => {
        if (data[0] === 0 && data.length > 1) upstream.write(data.subarray(1));
      });
      ws.onClose(() => upstream.end());
    });
  }

  const server: Server = createServer({ key: SERVER_KEY, cert: SERVER_CERT }, (request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify(status(500, "InternalError", error instanceof Error ? error.message : String(error))));
    });
  });
  server.on("upgrade", upgrade);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `https://127.0.0.1:${port}`,
    kube,
    requests,
    resources,
    failWith(code, reason = "Failure", message = "failure") {
      failure = code === undefined ? undefined : { code, reason, message };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        for (const socket of upgraded) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
