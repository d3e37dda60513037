/**
 * A forwarding endpoint that makes AWS slow: each request waits `delayMs` (and, while the proxy
 * is held, until it is released) before it goes on to the real backend (moto). Every request is
 * recorded with the access key that signed it, so a test can tell which run called.
 */
import { createServer, request as forward } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { readBody } from "./recording-endpoint.js";

export interface ProxiedRequest {
  readonly method: string;
  readonly url: string;
  readonly accessKeyId: string;
  readonly receivedAt: number;
}

export interface DelayingProxy {
  readonly url: string;
  readonly requests: readonly ProxiedRequest[];
  /** Requests received but not yet forwarded (delayed or held). */
  readonly pending: number;
  /** Keeps every request, new or waiting, from being forwarded until `release()`. */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

export async function startDelayingProxy(target: string, options: { delayMs: number }): Promise<DelayingProxy> {
  const requests: ProxiedRequest[] = [];
  const backend = new URL(target);
  let pending = 0;
  let gate: { promise: Promise<void>; open: () => void } | undefined;

  const server = createServer((incoming, outgoing) => {
    void (async () => {
      const body = await readBody(incoming);
      const accessKeyId = /Credential=([^/]+)\//.exec(incoming.headers.authorization ?? "")?.[1] ?? "";
      requests.push({ method: incoming.method ?? "", url: incoming.url ?? "", accessKeyId, receivedAt: Date.now() });
      pending++;
      try {
        await sleep(options.delayMs);
        while (gate) await gate.promise;
      } finally {
        pending--;
      }
      // The caller may have been killed while its request waited; there is nobody to answer then.
      if (outgoing.socket?.destroyed !== false) return;
      const upstream = forward({ host: backend.hostname, port: backend.port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      });
      upstream.on("error", () => outgoing.destroy());
      upstream.end(body);
    })().catch(() => outgoing.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const release = () => {
    const current = gate;
    gate = undefined;
    current?.open();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get pending() {
      return pending;
    },
    hold() {
      if (gate) return;
      let open = () => {};
      const promise = new Promise<void>((resolve) => (open = resolve));
      gate = { promise, open };
    },
    release,
    close() {
      release();
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
