/**
 * The one kubelet endpoint the Kube adapter reaches through a real kube-apiserver: port-forward.
 * kube-apiserver proxies a port-forward WebSocket (v4.channel.k8s.io) to the pod's node at
 * https://<node address>:<kubeletEndpoint port>/portForward/<namespace>/<pod>?port=<n>, without
 * verifying the kubelet's certificate when it was given no kubelet CA. This server answers there
 * like the kubelet: each channel opens with the port number, then data flows on channel 0 to
 * whatever local port `target` names for the pod's port.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { connect, type AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { acceptWebSocket } from "../../unit/k8s/support/websocket.js";

const TLS_DIR = new URL("../../unit/k8s/support/tls/", import.meta.url);

export interface FakeKubelet {
  readonly port: number;
  /** "<namespace>/<pod>:<port>" of every forward the API server opened. */
  readonly forwards: string[];
  close(): Promise<void>;
}

export async function startFakeKubelet(target: (namespace: string, pod: string, port: number) => number | undefined): Promise<FakeKubelet> {
  const forwards: string[] = [];
  const open = new Set<Duplex>();
  const server: Server = createServer({ key: readFileSync(new URL("server-key.pem", TLS_DIR)), cert: readFileSync(new URL("server-cert.pem", TLS_DIR)) }, (_request, response) => {
    response.writeHead(404).end();
  });
  server.on("upgrade", (request, socket: Duplex) => {
    open.add(socket);
    socket.once("close", () => open.delete(socket));
    const url = new URL(request.url ?? "/", "https://127.0.0.1");
    const match = /^\/portForward\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    const port = Number(url.searchParams.get("port") ?? url.searchParams.get("ports"));
    const offered = (request.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
    if (match === null || !port || !offered.includes("v4.channel.k8s.io")) {
      socket.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    const [, namespace, pod] = match as unknown as [string, string, string];
    forwards.push(`${namespace}/${pod}:${port}`);
    const ws = acceptWebSocket(request, socket, "v4.channel.k8s.io");
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16LE(port);
    ws.send(Buffer.concat([Buffer.from([0]), prefix]));
    ws.send(Buffer.concat([Buffer.from([1]), prefix]));
    const targetPort = target(namespace, pod, port);
    if (targetPort === undefined) {
      ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(`an error occurred forwarding ${port} -> ${port}: connection refused`)]));
      ws.close();
      return;
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
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    forwards,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
