/**
 * The real PublicProbe: public DNS through node's resolver (c-ares, with its own timeout rather
 * than the system's minutes-long one) and an HTTPS GET that verifies the certificate against the
 * system's roots, like a browser would. Nothing outlives a call: no keep-alive agent, the socket
 * is destroyed once the status and certificate are read, the resolver's queries are cancelled,
 * so a finished install exits at once.
 *
 * Only node built-ins and type imports here: the test runs this file in a child process to prove
 * that process exits.
 */
import { Resolver } from "node:dns/promises";
import { request } from "node:https";
import type { TLSSocket } from "node:tls";
import type { HttpsAnswer, PublicProbe } from "../cluster/services.js";

export interface ProbeOptions {
  /** Per DNS query attempt (default 5 s, two tries). */
  dnsTimeoutMs?: number;
  /** DNS servers ("1.1.1.1", "127.0.0.1:5353"); default: the system's. */
  dnsServers?: string[];
  /** Extra trusted roots, for tests with a local server; default: the system's roots only. */
  ca?: string;
}

function describe(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && !error.message.includes(code) ? new Error(`${code}: ${error.message}`, { cause: error }) : error;
}

export function createPublicProbe(options: ProbeOptions = {}): PublicProbe {
  return {
    async resolve4(name) {
      const resolver = new Resolver({ timeout: options.dnsTimeoutMs ?? 5000, tries: 2 });
      if (options.dnsServers) resolver.setServers(options.dnsServers);
      try {
        const addresses = await resolver.resolve4(name);
        if (addresses.length === 0) throw new Error(`no A records for ${name}`);
        return addresses;
      } catch (error) {
        throw describe(error);
      } finally {
        resolver.cancel();
      }
    },

    https(url, timeoutMs) {
      return new Promise<HttpsAnswer>((resolve, reject) => {
        const req = request(url, { method: "GET", agent: false, headers: { "user-agent": "btp-aws verify" }, ...(options.ca ? { ca: options.ca } : {}) }, (res) => {
          const peer = (res.socket as TLSSocket).getPeerCertificate();
          const answer: HttpsAnswer = { status: res.statusCode ?? 0 };
          if (peer.valid_to) {
            answer.certificate = { validTo: new Date(peer.valid_to), subjectAltNames: (peer.subjectaltname ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "") };
          }
          clearTimeout(timer);
          // The body is not needed; destroying the request closes the socket now.
          req.destroy();
          resolve(answer);
        });
        // One deadline for lookup, connect, handshake and headers alike.
        const timer = setTimeout(() => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)), timeoutMs);
        req.on("error", (error) => {
          clearTimeout(timer);
          reject(describe(error));
        });
        req.end();
      });
    },
  };
}

/** What the CLI wires in: the probe with the system's DNS and roots. */
export function publicProbe(options: ProbeOptions = {}): Promise<PublicProbe> {
  return Promise.resolve(createPublicProbe(options));
}
