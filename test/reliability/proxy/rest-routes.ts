/**
 * Operation names of REST requests (EKS, Route 53, S3), where the operation is only implied by
 * the method, the path and the query. The routes are read from the SDK's own operation schemas
 * (`XxxCommand`'s `Xxx$` export: `[9, namespace, name, { http: [method, uri, code] }, input]`),
 * so every operation the installed SDK can send is recognised without a hand-kept table.
 */
import * as eksSdk from "@aws-sdk/client-eks";
import * as route53Sdk from "@aws-sdk/client-route-53";
import * as s3Sdk from "@aws-sdk/client-s3";

type Segment = { literal: string } | { label: string; greedy: boolean };

export interface Route {
  operation: string;
  method: string;
  segments: Segment[];
  /** Query keys the URI template fixes ("?versioning", "?x-id=GetObject"); value undefined = any. */
  query: [string, string | undefined][];
  /** Input member name per query key, from the input schema's httpQuery traits. */
  queryMembers: Record<string, string>;
}

export interface RouteMatch {
  route: Route;
  /** Decoded path labels by member name. */
  labels: Record<string, string>;
}

function parseTemplate(operation: string, method: string, uri: string, queryMembers: Record<string, string>): Route {
  const [path = "", query = ""] = uri.split("?");
  const segments = path.split("/").filter((s) => s !== "").map((s): Segment => {
    const label = /^\{([^}+]+)(\+?)\}$/.exec(s);
    return label ? { label: label[1]!, greedy: label[2] === "+" } : { literal: s };
  });
  const fixed = query === "" ? [] : query.split("&").map((pair): [string, string | undefined] => {
    const [key = "", value] = pair.split("=");
    return [key, value];
  });
  return { operation, method, segments, query: fixed, queryMembers };
}

/** httpQuery traits of an input structure schema `[3, ns, name, traits, members, memberSchemas]`. */
function queryMembersOf(input: unknown): Record<string, string> {
  const schema = typeof input === "function" ? (input as () => unknown)() : input;
  if (!Array.isArray(schema) || schema[0] !== 3) return {};
  const names = schema[4] as unknown;
  const members = schema[5] as unknown;
  if (!Array.isArray(names) || !Array.isArray(members)) return {};
  const out: Record<string, string> = {};
  members.forEach((member: unknown, i) => {
    const traits: unknown = Array.isArray(member) ? member[1] : undefined;
    if (typeof traits === "object" && traits !== null && "httpQuery" in traits) out[String(traits.httpQuery)] = String(names[i]);
  });
  return out;
}

/** Every operation schema a client package exports, as routes. */
export function routesFromSdk(sdk: Record<string, unknown>): Route[] {
  const routes: Route[] = [];
  for (const [key, value] of Object.entries(sdk)) {
    if (!key.endsWith("$") || !Array.isArray(value) || value[0] !== 9) continue;
    const traits: unknown = value[3];
    if (typeof traits !== "object" || traits === null || !("http" in traits) || !Array.isArray(traits.http)) continue;
    const [method, uri] = traits.http as [string, string];
    routes.push(parseTemplate(String(value[2]), method, uri, queryMembersOf(value[4])));
  }
  return routes;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if ("literal" in segment) {
      if (parts[i] !== segment.literal) return undefined;
    } else if (segment.greedy) {
      if (i >= parts.length) return undefined;
      labels[segment.label] = parts.slice(i).map(decode).join("/");
      return labels;
    } else {
      if (parts[i] === undefined || parts[i] === "") return undefined;
      labels[segment.label] = decode(parts[i]!);
    }
  }
  return parts.length === segments.length ? labels : undefined;
}

/** Literal segments and fixed query keys make a route more specific than its labelled siblings. */
function specificity(route: Route): number {
  const literals = route.segments.filter((s) => "literal" in s).length;
  const greedy = route.segments.some((s) => "label" in s && s.greedy) ? 1 : 0;
  return literals * 100 + route.query.length * 10 - greedy;
}

export function matchRoute(routes: readonly Route[], method: string, path: string, query: URLSearchParams): RouteMatch | undefined {
  const parts = path.split("/").slice(1);
  if (parts.at(-1) === "") parts.pop();
  let best: RouteMatch | undefined;
  for (const route of routes) {
    if (route.method !== method) continue;
    if (!route.query.every(([key, value]) => (value === undefined ? query.has(key) : query.get(key) === value))) continue;
    const labels = matchSegments(route.segments, parts);
    if (labels && (!best || specificity(route) > specificity(best.route))) best = { route, labels };
  }
  return best;
}

export const EKS_ROUTES = routesFromSdk(eksSdk);
export const ROUTE53_ROUTES = routesFromSdk(route53Sdk);
export const S3_ROUTES = routesFromSdk(s3Sdk);

/**
 * S3 with path-style addressing (forced when an endpoint is overridden): the first segment is
 * the bucket, and the SDK's templates are relative to it.
 */
export function matchS3(method: string, path: string, query: URLSearchParams): RouteMatch | undefined {
  const [, bucket = "", ...key] = path.split("/");
  if (bucket === "") return matchRoute(S3_ROUTES, method, "/", query);
  const found = matchRoute(S3_ROUTES, method, `/${key.join("/")}`, query);
  return found && { ...found, labels: { Bucket: decode(bucket), ...found.labels } };
}
