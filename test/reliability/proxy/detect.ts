/**
 * Which AWS service, region and operation an HTTP request is, from what the SDK puts on the wire:
 * the SigV4 credential scope names the service (its signing name) and the region; the protocol
 * names the operation (query `Action=`, JSON `X-Amz-Target`, REST method + path + query).
 */
import { EKS_ROUTES, ROUTE53_ROUTES, matchRoute, matchS3, type RouteMatch } from "./rest-routes.js";

/** The wire protocol, which decides how an error must be encoded. */
export type Protocol = "ec2" | "query" | "json" | "rest-json" | "rest-xml" | "s3";

export interface ProxyRequest {
  method: string;
  /** Path and query, as received: "/clusters/btp?x=1". */
  url: string;
  /** Lower-case names, as Node's http server gives them. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
}

export interface Call {
  /** The SigV4 signing name: "ec2", "eks", "monitoring" (CloudWatch), "budgets"; "Unknown" if unsigned. */
  service: string;
  region: string;
  operation: string;
  protocol: Protocol;
  /** The JSON protocol's content type ("application/x-amz-json-1.1"), echoed on error answers. */
  jsonContentType?: string;
  /** The matched REST route, for decoding the input of an operation the proxy answers itself. */
  route?: RouteMatch;
}

export const UNKNOWN = "Unknown";

export function header(request: Pick<ProxyRequest, "headers">, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const SCOPE = /Credential=[^/,\s]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;

/** Service and region from the Authorization header, or from a presigned URL's X-Amz-Credential. */
export function credentialScope(request: ProxyRequest, query: URLSearchParams): { service: string; region: string } {
  const authorization = header(request, "authorization") ?? "";
  const fromQuery = query.get("X-Amz-Credential");
  const scope = SCOPE.exec(authorization) ?? (fromQuery ? SCOPE.exec(`Credential=${fromQuery}`) : null);
  return scope ? { region: scope[1]!, service: scope[2]! } : { region: UNKNOWN, service: UNKNOWN };
}

/** REST services, by signing name: their routes, and how their errors look. */
const REST: Record<string, { protocol: Protocol; match: (method: string, path: string, query: URLSearchParams) => RouteMatch | undefined }> = {
  eks: { protocol: "rest-json", match: (m, p, q) => matchRoute(EKS_ROUTES, m, p, q) },
  route53: { protocol: "rest-xml", match: (m, p, q) => matchRoute(ROUTE53_ROUTES, m, p, q) },
  s3: { protocol: "s3", match: matchS3 },
};

export function detectCall(request: ProxyRequest): Call {
  const url = new URL(request.url, "http://proxy");
  const { service, region } = credentialScope(request, url.searchParams);
  const target = header(request, "x-amz-target");
  if (target !== undefined) {
    const contentType = header(request, "content-type") ?? "application/x-amz-json-1.1";
    return { service, region, operation: target.slice(target.lastIndexOf(".") + 1) || UNKNOWN, protocol: "json", jsonContentType: contentType };
  }
  const rest = REST[service];
  if (rest) {
    const route = rest.match(request.method, url.pathname, url.searchParams);
    return { service, region, operation: route?.route.operation ?? UNKNOWN, protocol: rest.protocol, ...(route ? { route } : {}) };
  }
  // Query protocol (EC2 has its own error shape): Action in the form body, or in the URL.
  const form = (header(request, "content-type") ?? "").startsWith("application/x-www-form-urlencoded") ? new URLSearchParams(request.body.toString("utf8")) : undefined;
  const action = form?.get("Action") ?? url.searchParams.get("Action");
  return { service, region, operation: action ?? UNKNOWN, protocol: service === "ec2" ? "ec2" : "query" };
}
