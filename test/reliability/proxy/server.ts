/**
 * The fault and latency proxy: an HTTP server between the AWS SDK and moto. It forwards every
 * request unchanged (method, path, query, headers, body: SigV4 signatures stay valid) and returns
 * moto's answer, except that it can
 * - answer a seeded share of calls with the protocol's throttling error, a 5xx, or a dropped
 *   connection (faults.ts, wire.ts);
 * - make created resources report a provisioning state for a scaled real-world time (latency.ts);
 * - answer the EKS and Budgets operations moto lacks (gaps.ts).
 * Every request is logged with what was done to it (log.ts). Point a client, or a child-process
 * CLI through AWS_ENDPOINT_URL, at `endpoint`.
 */
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { detectCall, UNKNOWN, type Call, type ProxyRequest } from "./detect.js";
import { FaultPlan, type Fault, type Faults } from "./faults.js";
import { GapServer } from "./gaps.js";
import { LatencyModel, type LatencySettings } from "./latency.js";
import { ProxyLog, type Injection } from "./log.js";
import { faultResponse, type WireResponse } from "./wire.js";

export interface FaultProxyOptions {
  /** The moto endpoint, http://127.0.0.1:<port>. */
  target: string;
  /** Seed of the fault draws (default 1). */
  seed?: number;
  faults?: Faults;
  latency?: LatencySettings;
  /** The latency model's clock (default Date.now): tests pass a manual one to step over waits. */
  now?: () => number;
}

export interface FaultProxy {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly log: ProxyLog;
  /** The in-memory state behind the gap answers (EKS per region, Budgets). */
  readonly gaps: GapServer;
  readonly latency: LatencyModel;
  /** Replaces the fault settings; `{}` turns faults off. Draws restart from each call's first ordinal. */
  setFaults(faults: Faults): void;
  /** Turns the latency model on, or off with undefined (resources created while it is off are ready at once). */
  setLatency(latency: LatencySettings | undefined): void;
  stop(): Promise<void>;
}

/** Headers about this connection, not the message; never forwarded. `expect` and these are unsigned in SigV4. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "expect"]);

function endToEnd(headers: Readonly<Record<string, string | string[] | undefined>>): OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name, value]) => !HOP_BY_HOP.has(name) && value !== undefined));
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const FAULT_ANSWER: Record<Exclude<Fault, "drop" | "lost-response">, Injection> = { throttle: "throttle", internal: "5xx", unavailable: "5xx" };

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: true });
  const log = new ProxyLog();
  const plan = new FaultPlan(options.seed ?? 1);
  const now = options.now ?? Date.now;
  const latency = new LatencyModel();
  const gaps = new GapServer();
  plan.set(options.faults ?? {});
  latency.set(options.latency);

  function forward(request: ProxyRequest): Promise<Upstream> {
    return new Promise((resolve, reject) => {
      const headers = endToEnd(request.headers);
      if (request.body.length > 0 || request.headers["content-length"] !== undefined) headers["content-length"] = String(request.body.length);
      const upstream = httpRequest({ hostname: target.hostname, port: target.port, method: request.method, path: request.url, headers, agent }, (response) => {
        readBody(response).then((body) => resolve({ status: response.statusCode ?? 502, headers: response.headers, body }), reject);
      });
      upstream.on("error", reject);
      upstream.end(request.body);
    });
  }

  function send(res: ServerResponse, method: string, status: number, headers: OutgoingHttpHeaders, body: Buffer): void {
    // A HEAD answer keeps the upstream's content-length (the size a GET would have sent).
    if (method !== "HEAD") headers["content-length"] = String(body.length);
    res.writeHead(status, headers);
    res.end(method === "HEAD" ? undefined : body);
  }

  const sendWire = (res: ServerResponse, method: string, wire: WireResponse) => send(res, method, wire.status, { ...wire.headers }, Buffer.from(wire.body, "utf8"));

  /**
   * Rewrites a successful answer for the latency model; marks it when it did. `arrived`: when the
   * call reached the proxy. A resource's provisioning time counts from its create call's arrival,
   * as on AWS, whose own handling of the call is part of the ten minutes a cluster takes; moto
   * took 90–110 ms to answer CreateCluster and CreateNodegroup, which counting from its answer
   * added to the modelled time (found by `npm run bench`).
   */
  function provisioning(call: Call, status: number, body: Buffer, arrived: number): Buffer | undefined {
    if (!latency.active || status < 200 || status > 299) return undefined;
    const rewritten = latency.observe(call, body.toString("utf8"), arrived);
    return rewritten === undefined ? undefined : Buffer.from(rewritten, "utf8");
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const arrived = now();
    const request: ProxyRequest = { method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers, body: await readBody(req) };
    const call = detectCall(request);
    const record = (status: number | undefined, injected: Injection | undefined, forwarded: boolean) =>
      log.add({ at, method: request.method, url: request.url, service: call.service, region: call.region, operation: call.operation, status, ...(injected ? { injected } : {}), forwarded, ms: Date.now() - at });

    // Unsigned requests are moto's own control API (/moto-api/reset): never faulted.
    const fault = call.service === UNKNOWN ? undefined : plan.next(call);
    if (fault === "drop") {
      record(undefined, "drop", false);
      req.socket.destroy();
      return;
    }
    if (fault === "throttle" || fault === "internal" || fault === "unavailable") {
      const wire = faultResponse(call, fault);
      record(wire.status, FAULT_ANSWER[fault], false);
      sendWire(res, request.method, wire);
      return;
    }

    const gap = call.service === UNKNOWN ? undefined : gaps.answer(call, request);
    if (gap) {
      const body = Buffer.from(gap.body, "utf8");
      const rewritten = provisioning(call, gap.status, body, arrived);
      // One label per entry: a provisioning status on a served answer says more than "gap".
      record(gap.status, rewritten ? "latency" : "gap", false);
      send(res, request.method, gap.status, { ...gap.headers }, rewritten ?? body);
      return;
    }

    let upstream: Upstream;
    try {
      upstream = await forward(request);
    } catch (error) {
      const message = `proxy: ${options.target} did not answer: ${error instanceof Error ? error.message : String(error)}`;
      record(502, undefined, false);
      send(res, request.method, 502, { "content-type": "text/plain" }, Buffer.from(message));
      return;
    }
    if (upstream.status >= 200 && upstream.status <= 299 && call.service !== UNKNOWN) gaps.observe(call, request);
    const rewritten = call.service === UNKNOWN ? undefined : provisioning(call, upstream.status, upstream.body, arrived);
    if (fault === "lost-response") {
      record(undefined, "drop", true);
      req.socket.destroy();
      return;
    }
    // Logged before the answer leaves, so a caller that got it always finds it in the log.
    record(upstream.status, rewritten ? "latency" : undefined, true);
    send(res, request.method, upstream.status, endToEnd(upstream.headers), rewritten ?? upstream.body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug in the proxy must show up in the test, not hang the client.
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`proxy error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    });
  });
  // Longer than the SDK's idle sockets live, so a reused connection is not closed under a request.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    log,
    gaps,
    latency,
    setFaults: (faults) => plan.set(faults),
    setLatency: (settings) => latency.set(settings),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
