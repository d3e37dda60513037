/**
 * Endpoint checks: the platform as its users reach it, through public DNS and HTTPS. The probe
 * is shared by the three checks through `sharedProbe`, so the domain is resolved and fetched once.
 */
import { errorMessage } from "../../errors.js";
import type { HttpsAnswer, PublicProbe } from "../../phases/cluster/services.js";
import { daysBetween } from "./findings.js";
import { fail, ok, warn, type Check, type CheckOutcome, type DoctorContext } from "./types.js";

const HTTPS_TIMEOUT_MS = 10_000;
const CERTIFICATE_MIN_DAYS = 14;

/** One lookup per name and one GET per URL, whichever check asks first. */
export function sharedProbe(probe: PublicProbe): PublicProbe {
  const names = new Map<string, Promise<string[]>>();
  const pages = new Map<string, Promise<HttpsAnswer>>();
  return {
    resolve4(name) {
      if (!names.has(name)) names.set(name, probe.resolve4(name));
      return names.get(name)!;
    },
    https(url, timeoutMs) {
      if (!pages.has(url)) pages.set(url, probe.https(url, timeoutMs));
      return pages.get(url)!;
    },
  };
}

const NO_CONFIG: CheckOutcome = warn("the domain is unknown without a config", "pass --config <file> (or --state-dir where the platform's state lives)");

/** Before the btp phase there is nothing to reach: that is expected, not a failure. */
function notServing(ctx: Pick<DoctorContext, "state">, detail: string, fix: string): CheckOutcome {
  const due = ["btp/release", "verify/dns", "verify/https"].some((id) => ctx.state?.steps[id]?.status === "done");
  return due ? fail(detail, fix) : warn(`${detail}: the platform is not installed yet`, "run `btp-aws install`");
}

const dnsResolves: Check = {
  id: "endpoint/dns",
  title: "DNS resolves to the ALB",
  area: "endpoint",
  async run(ctx) {
    if (!ctx.config) return NO_CONFIG;
    const domain = ctx.config.dns.domain;
    const alb = await ctx.facts.loadBalancer();
    let addresses: string[];
    try {
      addresses = await ctx.probe.resolve4(domain);
    } catch (error) {
      return notServing(ctx, `${domain} does not resolve: ${errorMessage(error)}`, `check the alias records (aws/route53 above) and that the registrar delegates ${ctx.config.dns.hostedZoneName ?? "the zone"} to the hosted zone's name servers`);
    }
    if (!alb) return notServing(ctx, `${domain} resolves to ${addresses.join(", ")}, but the cluster has no ALB to compare with`, "look at the Ingress (kubernetes/ingress above)");
    const albAddresses = await ctx.probe.resolve4(alb.dnsName);
    if (addresses.some((a) => albAddresses.includes(a))) return ok(`${domain} → ${addresses.join(", ")} (the ALB ${alb.dnsName})`);
    return fail(`${domain} → ${addresses.join(", ")}, but the ALB ${alb.dnsName} is at ${albAddresses.join(", ")}`, "run `btp-aws install --from verify` to point the alias records at the ALB; if they are right, the registrar's name servers or a cache still serve old answers");
  },
};

async function fetchDomain(ctx: DoctorContext): Promise<{ answer: HttpsAnswer } | { error: string }> {
  try {
    return { answer: await ctx.probe.https(`https://${ctx.config!.dns.domain}`, HTTPS_TIMEOUT_MS) };
  } catch (error) {
    return { error: errorMessage(error) };
  }
}

const httpsAnswers: Check = {
  id: "endpoint/https",
  title: "HTTPS answers",
  area: "endpoint",
  async run(ctx) {
    if (!ctx.config) return NO_CONFIG;
    const url = `https://${ctx.config.dns.domain}`;
    const fetched = await fetchDomain(ctx);
    if ("error" in fetched) return notServing(ctx, `${url}: ${fetched.error}`, "see the DNS and certificate checks; the ALB must listen on 443 with the ACM certificate");
    if (fetched.answer.status >= 500) return fail(`${url} answered ${fetched.answer.status}`, "the platform's pods are not serving: see kubernetes/pods above and `kubectl -n settlemint get pods`");
    return ok(`${url} answered ${fetched.answer.status}`);
  },
};

/** "*.example.com" (or "DNS:*.example.com") covers "a.example.com" but not "example.com" nor "a.b.example.com". */
function covers(pattern: string, host: string): boolean {
  // Node reports subject alternative names as "DNS:example.com".
  const p = pattern.toLowerCase().replace(/^dns:/, "");
  const h = host.toLowerCase();
  if (!p.startsWith("*.")) return p === h;
  const rest = h.slice(h.indexOf(".") + 1);
  return h.includes(".") && rest === p.slice(2);
}

const servedCertificate: Check = {
  id: "endpoint/certificate",
  title: "Served certificate",
  area: "endpoint",
  async run(ctx) {
    if (!ctx.config) return NO_CONFIG;
    const domain = ctx.config.dns.domain;
    const fetched = await fetchDomain(ctx);
    if ("error" in fetched) return notServing(ctx, `no certificate: HTTPS to ${domain} failed (${fetched.error})`, "see endpoint/https above");
    const certificate = fetched.answer.certificate;
    if (!certificate) return fail(`${domain} answered without a certificate the probe could read`, "check the ALB's HTTPS listener certificate");
    if (!certificate.subjectAltNames.some((name) => covers(name, domain))) {
      return fail(`the certificate is for ${certificate.subjectAltNames.join(", ")}, not ${domain}`, "the ALB serves another certificate: check the Ingress's alb.ingress.kubernetes.io/certificate-arn (it must be the platform's ACM certificate)");
    }
    const days = daysBetween(ctx.now(), certificate.validTo);
    const detail = `valid for ${domain} until ${certificate.validTo.toISOString().slice(0, 10)} (${days} days)`;
    if (days < CERTIFICATE_MIN_DAYS) return fail(detail, "ACM has not renewed it: see aws/acm above");
    return ok(detail);
  },
};

export const endpointChecks: readonly Check[] = [dnsResolves, httpsAnswers, servedCertificate];
