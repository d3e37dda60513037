/**
 * verify/https: `https://<domain>` answers from the outside, with a certificate valid for the
 * domain for at least two more weeks. Retried until a deadline, because fresh alias records take
 * a while to reach public resolvers and the ALB's targets a while to turn healthy. Then it prints
 * what the user does next: the URL, and the OAuth redirect URI to register with the provider.
 */
import { waitFor } from "../../aws/wait.js";
import type { Config } from "../../config/schema.js";
import { errorMessage } from "../../errors.js";
import type { Step } from "../../plan/types.js";
import type { KubernetesServices, PublicProbe } from "../cluster/services.js";
import { httpsProblem } from "./certificate.js";

const TIMEOUT_MS = 10 * 60_000;
const POLL_MS = 15_000;
/** One GET; the deadline above covers the retries. */
const ATTEMPT_TIMEOUT_MS = 10_000;

/** The provider's id in the platform's sign-in routes (Auth.js ids: google, microsoft-entra-id, cognito; OIDC by its name). */
export function callbackProviderId(auth: Config["auth"]): string {
  switch (auth.provider) {
    case "google":
      return "google";
    case "microsoftEntraId":
      return "microsoft-entra-id";
    case "cognito":
      return "cognito";
    case "oidc":
      return auth.name;
  }
}

export function redirectUri(config: Pick<Config, "dns" | "auth">): string {
  return `https://${config.dns.domain}/api/auth/callback/${callbackProviderId(config.auth)}`;
}

const PROVIDER_NAMES: Record<Config["auth"]["provider"], string> = {
  google: "Google (Google Cloud console → APIs & Services → Credentials → the OAuth client → Authorized redirect URIs)",
  microsoftEntraId: "Microsoft Entra ID (App registrations → the app → Authentication → Web redirect URIs)",
  cognito: "Cognito (the user pool's app client → Allowed callback URLs)",
  oidc: "your OIDC provider (the client's allowed redirect URIs)",
};

/** One attempt: DNS first (a clearer reason while records propagate), then the GET. */
async function attempt(probe: PublicProbe, domain: string, url: string): Promise<string | undefined> {
  try {
    await probe.resolve4(domain);
  } catch (error) {
    return `${domain} does not resolve yet: ${errorMessage(error)}`;
  }
  try {
    // The real clock, not the wait's (tests speed up polling, certificates keep real dates).
    return httpsProblem(await probe.https(url, ATTEMPT_TIMEOUT_MS), domain, new Date());
  } catch (error) {
    return `GET ${url} failed: ${errorMessage(error)}`;
  }
}

export const httpsStep: Step<KubernetesServices> = {
  id: "verify/https",
  title: "HTTPS check",
  phase: "verify",
  needs: ["verify/dns"],
  describe: (c) => [`GET https://${c.dns.domain} with a valid certificate`],
  async run(context, report) {
    const { config, services } = context;
    const domain = config.dns.domain;
    const url = `https://${domain}`;
    await waitFor({
      what: `${url} to answer with a valid certificate`,
      observe: async () => {
        const problem = await attempt(services.probe, domain, url);
        return problem === undefined ? { state: "ready", value: undefined, status: "answering" } : { state: "pending", status: problem };
      },
      timeoutMs: TIMEOUT_MS,
      intervalMs: POLL_MS,
      settings: services.wait,
      onStatus: (text) => report.status(text),
      signal: context.signal,
      hint: `check from here: \`curl -v ${url}\` and \`dig ${domain}\`; once the cause is fixed, run \`btp-aws install\` again`,
    });
    const uri = redirectUri(config);
    report.info(`the platform is up: ${url}`);
    report.info(`register this OAuth redirect URI with ${PROVIDER_NAMES[config.auth.provider]}: ${uri}`);
    report.info(`next: sign in at ${url} with client ${config.auth.clientId}'s users; \`btp-aws status\` shows every step and its outputs`);
    return { url, redirectUri: uri };
  },
};
