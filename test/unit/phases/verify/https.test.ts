import { describe, expect, it } from "vitest";
import type { HttpsAnswer, PublicProbe } from "../../../../src/phases/cluster/services.js";
import { dnsNames, httpsProblem, nameMatches } from "../../../../src/phases/verify/certificate.js";
import { httpsStep, redirectUri } from "../../../../src/phases/verify/https.js";
import { testConfig } from "../../../support/config.js";
import { stepContext } from "../../../support/context.js";
import { recordingReporter } from "../../../support/reporter.js";
import { failure, kubernetesServices } from "../btp/helpers.js";
import { INFRA_OUTPUTS } from "../btp/fixtures.js";
import { instantTime } from "../vault/helpers.js";

const DAY = 24 * 3600 * 1000;
const DOMAIN = "btp.example.com";
const good = (): HttpsAnswer => ({ status: 200, certificate: { validTo: new Date(Date.now() + 300 * DAY), subjectAltNames: [`DNS:${DOMAIN}`, `DNS:*.${DOMAIN}`] } });

/** Answers in turn; the last answer repeats. Records what was asked. */
function probe(answers: (HttpsAnswer | Error | { dns: Error })[]): PublicProbe & { asked: string[] } {
  const asked: string[] = [];
  let i = 0;
  const next = () => answers[Math.min(i++, answers.length - 1)]!;
  let current: HttpsAnswer | Error | { dns: Error } = answers[0]!;
  return {
    asked,
    resolve4(name) {
      asked.push(`resolve4 ${name}`);
      current = next();
      return "dns" in current ? Promise.reject(current.dns) : Promise.resolve(["203.0.113.10"]);
    },
    https(url, timeoutMs) {
      asked.push(`https ${url} ${timeoutMs}`);
      return current instanceof Error ? Promise.reject(current) : Promise.resolve(current as HttpsAnswer);
    },
  };
}

async function run(p: PublicProbe, config = testConfig()) {
  const report = recordingReporter();
  const outputs = await httpsStep.run(stepContext(config, kubernetesServices({ probe: p, wait: instantTime() }), INFRA_OUTPUTS), report);
  return { outputs, report };
}

describe("certificate checks", () => {
  it("matches a wildcard against exactly one left-most label", () => {
    expect(nameMatches("*.btp.example.com", "api.btp.example.com")).toBe(true);
    expect(nameMatches("*.btp.example.com", "btp.example.com")).toBe(false);
    expect(nameMatches("*.btp.example.com", "a.b.btp.example.com")).toBe(false);
    expect(nameMatches("BTP.example.com.", "btp.example.com")).toBe(true);
  });

  it("reads node's subjectaltname forms", () => {
    expect(dnsNames(["DNS:a.example.com, DNS:*.a.example.com, IP Address:10.0.0.1"])).toEqual(["a.example.com", "*.a.example.com"]);
  });

  it("wants at least 14 days left", () => {
    const now = new Date("2026-11-20T00:00:00Z");
    const answer = (days: number): HttpsAnswer => ({ status: 200, certificate: { validTo: new Date(now.getTime() + days * DAY), subjectAltNames: [`DNS:${DOMAIN}`] } });
    expect(httpsProblem(answer(14), DOMAIN, now)).toBeUndefined();
    expect(httpsProblem(answer(13.5), DOMAIN, now)).toBe("its certificate expires on 2026-12-03, in 13 days (at least 14 are required: renewal is failing)");
  });
});

describe("verify/https", () => {
  it("passes on a 2xx-4xx answer with a certificate for the domain, and prints the URL, the redirect URI and next steps", async () => {
    const p = probe([{ status: 302, certificate: good().certificate! }]);
    const { outputs, report } = await run(p);
    expect(p.asked).toEqual([`resolve4 ${DOMAIN}`, `https https://${DOMAIN} 10000`]);
    expect(outputs).toEqual({ url: `https://${DOMAIN}`, redirectUri: `https://${DOMAIN}/api/auth/callback/google` });
    expect(report.infos).toEqual([
      `the platform is up: https://${DOMAIN}`,
      `register this OAuth redirect URI with Google (Google Cloud console → APIs & Services → Credentials → the OAuth client → Authorized redirect URIs): https://${DOMAIN}/api/auth/callback/google`,
      `next: sign in at https://${DOMAIN} with client client-id's users; \`btp-aws status\` shows every step and its outputs`,
    ]);
  });

  it("retries while DNS propagates and the targets turn healthy", async () => {
    const notFound = Object.assign(new Error(`queryA ENOTFOUND ${DOMAIN}`), { code: "ENOTFOUND" });
    const p = probe([{ dns: notFound }, { status: 503, certificate: good().certificate! }, good()]);
    const { report } = await run(p);
    expect(report.statuses).toEqual([
      `${DOMAIN} does not resolve yet: queryA ENOTFOUND ${DOMAIN}, 0s`,
      "it answers HTTP 503 (the platform behind the load balancer is not serving yet), 15s",
    ]);
  });

  const failures: [string, HttpsAnswer | Error | { dns: Error }, string][] = [
    ["a DNS failure", { dns: new Error(`queryA ENOTFOUND ${DOMAIN}`) }, `${DOMAIN} does not resolve yet: queryA ENOTFOUND ${DOMAIN}`],
    ["a 5xx", { status: 502, certificate: good().certificate! }, "it answers HTTP 502 (the platform behind the load balancer is not serving yet)"],
    ["an expired certificate", { status: 200, certificate: { validTo: new Date("2026-01-02T00:00:00Z"), subjectAltNames: [`DNS:${DOMAIN}`] } }, "its certificate expired on 2026-01-02"],
    ["a certificate for another name", { status: 200, certificate: { validTo: new Date(Date.now() + 300 * DAY), subjectAltNames: ["DNS:*.elb.amazonaws.com"] } }, `its certificate is for *.elb.amazonaws.com, not ${DOMAIN}`],
    ["a TLS error", Object.assign(new Error("CERT_HAS_EXPIRED: certificate has expired"), { code: "CERT_HAS_EXPIRED" }), `GET https://${DOMAIN} failed: CERT_HAS_EXPIRED: certificate has expired`],
  ];
  it.each(failures)("fails after the deadline on %s, saying what it saw last", async (_what, answer, problem) => {
    const error = await failure(run(probe([answer])));
    expect(error.message).toBe(`timed out waiting for https://${DOMAIN} to answer with a valid certificate: still ${problem} after 10m00s`);
    expect(error.hint).toBe(`check from here: \`curl -v https://${DOMAIN}\` and \`dig ${DOMAIN}\`; once the cause is fixed, run \`btp-aws install\` again`);
  });

  it.each([
    [{ provider: "google", clientId: "c" }, "google"],
    [{ provider: "microsoftEntraId", clientId: "c", tenantId: "t" }, "microsoft-entra-id"],
    [{ provider: "cognito", clientId: "c", issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC" }, "cognito"],
    [{ provider: "oidc", clientId: "c", issuer: "https://sso.example.com", name: "keycloak" }, "keycloak"],
  ] as const)("names the callback of %o as %s", (auth, id) => {
    expect(redirectUri(testConfig({ auth }))).toBe(`https://${DOMAIN}/api/auth/callback/${id}`);
  });
});
