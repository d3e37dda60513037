/**
 * The server side of RFC 6455, just enough for the fake API server's port-forward: the
 * handshake with subprotocol choice, unmasked binary frames out, masked frames in, close and ping.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const OP = { text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface ServerWebSocket {
  readonly protocol: string;
  send(data: Buffer): void;
  onMessage(listener: (data: Buffer) => void): void;
  onClose(listener: () => void): void;
  close(): void;
}

function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? Buffer.from([0x80 | opcode, length]) : length < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (length >= 126 && length < 65536) {
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else if (length >= 65536) {
    header[0] = 0x80 | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** Completes the upgrade choosing `protocol` (which the client must have offered) and returns the connection. */
export function acceptWebSocket(request: IncomingMessage, socket: Duplex, protocol: string): ServerWebSocket {
  const key = request.headers["sec-websocket-key"] ?? "";
  const accept = createHash("sha1").update(`${key}${GUID}`).digest("base64");
  socket.write(["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade", `Sec-WebSocket-Accept: ${accept}`, `Sec-WebSocket-Protocol: ${protocol}`, "", ""].join("\r\n"));

  const messageListeners: ((data: Buffer) => void)[] = [];
  const closeListeners: (() => void)[] = [];
  let closed = false;
  const finish = () => {
    if (closed) return;
    closed = true;
    for (const listener of closeListeners) listener();
  };
  let pending = Buffer.alloc(0);

  socket.on("data", (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      if (pending.length < 2) return;
      const opcode = pending[0]! & 0x0f;
      const masked = (pending[1]! & 0x80) !== 0;
      let length = pending[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (pending.length < 4) return;
        length = pending.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (pending.length < 10) return;
        length = Number(pending.readBigUInt64BE(2));
        offset = 10;
      }
      const maskLength = masked ? 4 : 0;
      if (pending.length < offset + maskLength + length) return;
      const mask = pending.subarray(offset, offset + maskLength);
      const payload = Buffer.from(pending.subarray(offset + maskLength, offset + maskLength + length));
      if (masked) for (let i = 0; i < payload.length; i += 1) payload[i]! ^= mask[i % 4]!;
      pending = pending.subarray(offset + maskLength + length);
      if (opcode === OP.close) {
        if (!closed) socket.end(frame(OP.close, Buffer.alloc(0)));
        finish();
        return;
      }
      if (opcode === OP.ping) socket.write(frame(OP.pong, payload));
      else if (opcode === OP.binary || opcode === OP.text) for (const listener of messageListeners) listener(payload);
    }
  });
  socket.on("close", finish);
  socket.on("error", finish);

  return {
    protocol,
    send: (data) => {
      if (!closed) socket.write(frame(OP.binary, data));
    },
    onMessage: (listener) => void messageListeners.push(listener),
    onClose: (listener) => void closeListeners.push(listener),
    close: () => {
      if (closed) return;
      socket.end(frame(OP.close, Buffer.alloc(0)));
      finish();
    },
  };
}
