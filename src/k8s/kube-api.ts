/**
 * Plain JSON requests to the API server through @kubernetes/client-node: its KubeConfig supplies
 * TLS (the cluster CA, client certificates, proxies) and credentials (our token, exec plugins),
 * its fetch sends. We do not use its typed serializer: it drops fields its models do not know
 * and turns timestamps into Dates, and applied objects must reach the server exactly as built.
 */
import type * as ClientNode from "@kubernetes/client-node";
import { BtpAwsError } from "../errors.js";
import { KubeApiError, notServed, unreachable, type KubeStatus } from "./kube-errors.js";

export interface ApiRequest {
  method: "GET" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string>;
  body?: string;
  contentType?: string;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

export type Transport = (request: ApiRequest) => Promise<ApiResponse>;

/** A request that hangs (black-holed endpoint, stuck proxy) fails after this long instead. */
const REQUEST_TIMEOUT_MS = 60_000;

export interface TransportOptions {
  /**
   * Reuse the first request's connection pool. client-node builds a new one (a new TLS handshake)
   * per request; that is only needed when TLS material can change between requests (client
   * certificates from an exec plugin), never for EKS, where only the bearer token changes.
   */
  reuseConnections: boolean;
}

export function clientNodeTransport(k8s: typeof ClientNode, config: ClientNode.KubeConfig, server: string, options: TransportOptions): Transport {
  const http = new k8s.IsomorphicFetchHttpLibrary();
  const base = server.replace(/\/+$/, "");
  let pool: ReturnType<ClientNode.RequestContext["getDispatcher"]>;
  return async (request) => {
    const context = new k8s.RequestContext(`${base}${request.path}`, request.method);
    for (const [key, value] of Object.entries(request.query ?? {})) context.setQueryParam(key, value);
    context.setHeaderParam("Accept", "application/json");
    if (request.body !== undefined) {
      context.setHeaderParam("Content-Type", request.contentType ?? "application/json");
      context.setBody(request.body);
    }
    context.setSignal(AbortSignal.timeout(REQUEST_TIMEOUT_MS));
    // TLS options and the Authorization header, exactly as client-node's own API classes get them.
    await config.applySecurityAuthentication(context);
    if (options.reuseConnections) {
      pool ??= context.getDispatcher();
      if (pool !== undefined) context.setDispatcher(pool);
    }
    const response = await http.send(context).toPromise();
    const text = await response.body.text();
    let body: unknown;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch {
      body = { message: text.slice(0, 300) } satisfies KubeStatus;
    }
    return { status: response.httpStatusCode, body };
  };
}

/** "/api/v1" for the core group, "/apis/apps/v1" for the others. */
export function apiPrefix(apiVersion: string): string {
  return apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

export interface ResourceInfo {
  /** The plural resource name in URLs ("configmaps"). */
  name: string;
  namespaced: boolean;
}

export function resourcePath(apiVersion: string, resource: ResourceInfo, namespace?: string, name?: string): string {
  const parts = [apiPrefix(apiVersion)];
  if (resource.namespaced && namespace) parts.push("namespaces", encodeURIComponent(namespace));
  parts.push(resource.name);
  if (name !== undefined) parts.push(encodeURIComponent(name));
  return parts.join("/");
}

interface ApiResourceList {
  resources?: { name?: string; kind?: string; namespaced?: boolean }[];
}

/**
 * Which URL serves a kind, from the API server's discovery documents, cached per apiVersion.
 * A kind missing from the cached list is looked up again once: a chart may just have installed
 * its CustomResourceDefinitions.
 */
export class Discovery {
  readonly #cache = new Map<string, ApiResourceList | undefined>();

  constructor(
    private readonly send: Transport,
    private readonly server: string,
  ) {}

  async resource(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    const cached = this.#cache.get(apiVersion);
    const known = cached === undefined ? undefined : find(cached, kind);
    if (known) return known;
    const fresh = await this.#fetch(apiVersion);
    this.#cache.set(apiVersion, fresh);
    return fresh === undefined ? undefined : find(fresh, kind);
  }

  /** The same, for writes: a kind the server does not serve is an error that says so. */
  async required(action: string, apiVersion: string, kind: string): Promise<ResourceInfo> {
    const found = await this.resource(apiVersion, kind);
    if (found === undefined) throw notServed(action, apiVersion, kind);
    return found;
  }

  async #fetch(apiVersion: string): Promise<ApiResourceList | undefined> {
    const action = `discover the resources of ${apiVersion}`;
    const response = await call(this.send, { method: "GET", path: apiPrefix(apiVersion) }, action, this.server);
    if (response.status === 404) return undefined; // the group/version is not served (yet)
    if (response.status !== 200) throw new KubeApiError(action, response.status, response.body as KubeStatus, this.server);
    return response.body as ApiResourceList;
  }
}

function find(list: ApiResourceList, kind: string): ResourceInfo | undefined {
  // Subresources ("pods/status") share their parent's kind; the parent is the one without a slash.
  const entry = list.resources?.find((r) => r.kind === kind && typeof r.name === "string" && !r.name.includes("/"));
  return entry?.name ? { name: entry.name, namespaced: entry.namespaced === true } : undefined;
}

/** Sends a request; a network or TLS failure becomes an error naming the server. */
export async function call(send: Transport, request: ApiRequest, action: string, server: string): Promise<ApiResponse> {
  try {
    return await send(request);
  } catch (error) {
    if (error instanceof BtpAwsError) throw error;
    throw unreachable(action, server, error);
  }
}
