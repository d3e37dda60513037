/**
 * `kubectl port-forward` in-process: a TCP server on 127.0.0.1 whose every connection becomes a
 * WebSocket to the pod's port through the API server (client-node's PortForward). Vault is
 * initialised this way, so its recovery keys travel only over the API server's TLS connection.
 */
import { createServer, type Server, type Socket } from "node:net";
import { Writable } from "node:stream";
import type * as ClientNode from "@kubernetes/client-node";
import type { PortForward } from "./kube.js";

/** The part of the `ws` WebSocket client-node returns that we use (ws ships no types here). */
interface ForwardSocket {
  on(event: "close", listener: () => void): void;
  on(event: "error", listener: (error: Error) => void): void;
  close(): void;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

export async function startPortForward(k8s: typeof ClientNode, config: ClientNode.KubeConfig, namespace: string, pod: string, remotePort: number): Promise<PortForward> {
  const forwarder = new k8s.PortForward(config, true);
  const open = new Set<Socket>();

  const server = createServer((socket) => {
    open.add(socket);
    socket.once("close", () => open.delete(socket));
    socket.on("error", () => socket.destroy());
    // The kubelet reports a failure to reach the pod's port on the error stream; the local
    // connection is reset, as kubectl does, and the caller's client sees a connection error.
    const errors = new Writable({
      write(chunk: Buffer, _encoding, done) {
        // client-node also writes the (empty) remainder of the channel's port-number prefix here.
        if (chunk.length > 0) socket.destroy();
        done();
      },
    });
    forwarder.portForward(namespace, pod, [remotePort], socket, errors, socket).then(
      (returned) => {
        // Without retries client-node returns the WebSocket itself.
        const result = returned as ForwardSocket | (() => ForwardSocket | null);
        const ws = typeof result === "function" ? result() : result;
        if (ws === null) return socket.destroy();
        ws.on("close", () => socket.end());
        ws.on("error", () => socket.destroy());
        socket.once("close", () => ws.close());
      },
      () => socket.destroy(),
    );
  });

  const localPort = await listen(server);
  return {
    localPort,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
