/**
 * The real SDK's wire format without a server, for the proxy's unit tests: a request handler
 * that records the signed HTTP request a client would send, as the proxy would receive it, and
 * answers with a chosen WireResponse, which the client then parses like any AWS answer.
 */
import { Readable } from "node:stream";
import type { HttpRequest, HttpResponse } from "@smithy/types";
import type { ProxyRequest } from "./detect.js";
import type { WireResponse } from "./wire.js";

/** RFC 3986 escaping, as the SDK's query-string builder does it. */
const escape = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function toProxyRequest(request: HttpRequest): ProxyRequest {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(request.query ?? {})) {
    if (value === null || value === undefined) pairs.push(escape(key));
    else for (const v of Array.isArray(value) ? value : [value]) pairs.push(`${escape(key)}=${escape(v)}`);
  }
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const body: unknown = request.body;
  // JSON bodies are a Uint8Array subclass that warns when treated as a string: copy the bytes only.
  const bytes = typeof body === "string" ? Buffer.from(body) : body instanceof Uint8Array ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : Buffer.alloc(0);
  return { method: request.method, url: `${request.path}${pairs.length > 0 ? `?${pairs.join("&")}` : ""}`, headers, body: bytes };
}

export interface StubHandler {
  /** What the client sent, in order. */
  readonly requests: ProxyRequest[];
  handle(request: HttpRequest): Promise<{ response: HttpResponse }>;
}

/** A client `requestHandler` that answers every request with `answer(request)` (default: an empty 200). */
export function stubHandler(answer: (request: ProxyRequest) => WireResponse = () => ({ status: 200, headers: {}, body: "" })): StubHandler {
  const requests: ProxyRequest[] = [];
  return {
    requests,
    handle(request) {
      const seen = toProxyRequest(request);
      requests.push(seen);
      const wire = answer(seen);
      // HTTP sends no body with an answer to HEAD; the SDK must cope with the status alone.
      const body = seen.method === "HEAD" ? "" : wire.body;
      // A stream, as the SDK's node handler delivers bodies.
      return Promise.resolve({ response: { statusCode: wire.status, headers: wire.headers, body: Readable.from([Buffer.from(body)]) } });
    },
  };
}
