/** What verify requires of the platform's HTTPS answer: a working server and a certificate worth keeping. */
import type { HttpsAnswer } from "../cluster/services.js";

/** ACM renews 60 days ahead; less than two weeks left means renewal is failing. */
export const MIN_VALID_DAYS = 14;
const DAY_MS = 24 * 3600 * 1000;

/** `pattern` from a certificate ("*.btp.example.com") covers `host`: a wildcard stands for exactly one left-most label. */
export function nameMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, "");
  const h = host.toLowerCase().replace(/\.$/, "");
  if (!p.startsWith("*.")) return p === h;
  const dot = h.indexOf(".");
  return dot > 0 && h.slice(dot + 1) === p.slice(2);
}

/** The DNS names of a subjectaltname list ("DNS:a, DNS:*.a" or ["DNS:a", "*.a"]). */
export function dnsNames(subjectAltNames: readonly string[]): string[] {
  return subjectAltNames
    .flatMap((entry) => entry.split(","))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "" && (entry.startsWith("DNS:") || !entry.includes(":")))
    .map((entry) => entry.replace(/^DNS:/, ""));
}

/** Why `answer` is not good enough for `host`, or undefined when it is. */
export function httpsProblem(answer: HttpsAnswer, host: string, now: Date): string | undefined {
  if (answer.status >= 500) return `it answers HTTP ${answer.status} (the platform behind the load balancer is not serving yet)`;
  const certificate = answer.certificate;
  if (certificate === undefined) return "the TLS handshake gave no certificate to check";
  const names = dnsNames(certificate.subjectAltNames);
  if (!names.some((name) => nameMatches(name, host))) return `its certificate is for ${names.join(", ") || "no DNS name"}, not ${host}`;
  const left = certificate.validTo.getTime() - now.getTime();
  const until = certificate.validTo.toISOString().slice(0, 10);
  if (left <= 0) return `its certificate expired on ${until}`;
  if (left < MIN_VALID_DAYS * DAY_MS) return `its certificate expires on ${until}, in ${Math.floor(left / DAY_MS)} days (at least ${MIN_VALID_DAYS} are required: renewal is failing)`;
  return undefined;
}
