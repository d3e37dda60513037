/**
 * The real PublicProbe against local servers: an HTTPS server with a certificate made by openssl
 * for this run, a TCP server that never answers, and a small UDP DNS server. A child process
 * proves the probe leaves nothing behind that keeps node running.
 */
import { execFile, spawn } from "node:child_process";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicProbe } from "../../../../src/phases/verify/probe.js";
import { REPO_ROOT } from "../../../support/paths.js";

let scratch: string;
let ca: string;
let https: HttpsServer;
let httpsPort: number;
let silent: TcpServer;
let silentPort: number;
const silentSockets = new Set<Socket>();
let dns: UdpSocket;
let dnsPort: number;

/** Answers A queries for btp.test with two addresses; NXDOMAIN for every other name. */
function dnsAnswer(query: Buffer): Buffer {
  let offset = 12;
  const labels: string[] = [];
  while (query[offset]! !== 0) {
    const length = query[offset]!;
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString());
    offset += length + 1;
  }
  const questionEnd = offset + 5; // zero byte, QTYPE, QCLASS
  const known = labels.join(".").toLowerCase() === "btp.test";
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // id
  header.writeUInt16BE(known ? 0x8180 : 0x8183, 2); // response, recursion available; rcode 3 = NXDOMAIN
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(known ? 2 : 0, 6);
  const answers = known
    ? ["203.0.113.10", "203.0.113.11"].map((ip) => {
        const record = Buffer.alloc(16);
        record.writeUInt16BE(0xc00c, 0); // pointer to the question's name
        record.writeUInt16BE(1, 2); // A
        record.writeUInt16BE(1, 4); // IN
        record.writeUInt32BE(60, 6);
        record.writeUInt16BE(4, 10);
        ip.split(".").forEach((part, i) => record.writeUInt8(Number(part), 12 + i));
        return record;
      })
    : [];
  return Buffer.concat([header, query.subarray(12, questionEnd), ...answers]);
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "btp-aws-probe-"));
  await promisify(execFile)("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(scratch, "key.pem"), "-out", join(scratch, "cert.pem"),
    "-days", "30", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,DNS:*.btp.localhost",
  ]);
  ca = await readFile(join(scratch, "cert.pem"), "utf8");
  https = createHttpsServer({ key: await readFile(join(scratch, "key.pem")), cert: ca }, (_req, res) => {
    res.statusCode = 503;
    res.end("no healthy targets");
  });
  await new Promise<void>((resolve) => https.listen(0, "127.0.0.1", resolve));
  httpsPort = (https.address() as { port: number }).port;
  silent = createTcpServer((socket) => void silentSockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  silentPort = (silent.address() as { port: number }).port;
  dns = createSocket("udp4");
  dns.on("message", (message, remote) => dns.send(dnsAnswer(message), remote.port, remote.address));
  await new Promise<void>((resolve) => dns.bind(0, "127.0.0.1", resolve));
  dnsPort = dns.address().port;
});

afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await Promise.all([new Promise((r) => https.close(r)), new Promise((r) => silent.close(r)), new Promise<void>((r) => dns.close(() => r()))]);
  await rm(scratch, { recursive: true, force: true });
});

describe("the real PublicProbe", () => {
  it("returns the status and the served certificate's names and expiry", async () => {
    const answer = await createPublicProbe({ ca }).https(`https://localhost:${httpsPort}/`, 5000);
    expect(answer.status).toBe(503);
    expect(answer.certificate?.subjectAltNames).toEqual(["DNS:localhost", "DNS:*.btp.localhost"]);
    const days = ((answer.certificate?.validTo.getTime() ?? 0) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThanOrEqual(30);
  });

  it("verifies the certificate against the system's roots: a self-signed one is refused", async () => {
    await expect(createPublicProbe().https(`https://localhost:${httpsPort}/`, 5000)).rejects.toThrow(/^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN): /);
  });

  it("refuses a certificate for another name", async () => {
    await expect(createPublicProbe({ ca }).https(`https://127.0.0.1:${httpsPort}/`, 5000)).rejects.toThrow(/^ERR_TLS_CERT_ALTNAME_INVALID: /);
  });

  it("gives up at its deadline when the server never answers", async () => {
    const started = Date.now();
    await expect(createPublicProbe({ ca }).https(`https://localhost:${silentPort}/`, 300)).rejects.toThrow(`no answer from https://localhost:${silentPort}/ within 300 ms`);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("resolves A records, and rejects for a name with none", async () => {
    const probe = createPublicProbe({ dnsServers: [`127.0.0.1:${dnsPort}`], dnsTimeoutMs: 1000 });
    expect(await probe.resolve4("btp.test")).toEqual(["203.0.113.10", "203.0.113.11"]);
    await expect(probe.resolve4("missing.test")).rejects.toThrow(/^queryA ENOTFOUND missing\.test$/);
  });

  it("leaves nothing that keeps the process alive", async () => {
    // Node 24 runs the TypeScript file directly: it imports only node built-ins and types.
    const probeFile = join(REPO_ROOT, "src", "phases", "verify", "probe.ts");
    const script = `
      const { createPublicProbe } = await import(${JSON.stringify(probeFile)});
      const probe = createPublicProbe({ ca: ${JSON.stringify(ca)}, dnsServers: ["127.0.0.1:${dnsPort}"] });
      const addresses = await probe.resolve4("btp.test");
      const answer = await probe.https("https://localhost:${httpsPort}/", 5000);
      console.log(JSON.stringify({ addresses, status: answer.status }));
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let printedAt = 0;
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      printedAt ||= Date.now();
    });
    child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      child.on("exit", (exitCode) => {
        clearTimeout(killer);
        resolve(exitCode);
      });
    });
    expect(stderr.replace(/.*ExperimentalWarning.*\n?|.*--trace-warnings.*\n?/g, "")).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ addresses: ["203.0.113.10", "203.0.113.11"], status: 503 });
    // Exits right after its last line, not after a keep-alive or resolver timeout.
    expect(Date.now() - printedAt).toBeLessThan(1000);
  });
});
