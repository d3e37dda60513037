/**
 * The platform's ingress and the ALB hostname the AWS Load Balancer Controller writes into its
 * status once the ALB exists (a few minutes after the release). Without it nothing can point DNS
 * anywhere; the controller's events on the ingress say why it is missing (a missing subnet tag,
 * a certificate it cannot use, permissions).
 */
import { waitFor, type WaitSettings } from "../../aws/wait.js";
import { BtpAwsError } from "../../errors.js";
import type { Kube, KubeObject } from "../../k8s/kube.js";

const TIMEOUT_MS = 10 * 60_000;
const POLL_MS = 10_000;
const EVENTS_SHOWN = 10;

export interface IngressHostname {
  ingress: string;
  hostname: string;
}

interface IngressShape {
  spec?: { rules?: { host?: string }[]; tls?: { hosts?: string[] }[] };
  status?: { loadBalancer?: { ingress?: { hostname?: string; ip?: string }[] } };
}

export function ingressHostname(object: KubeObject): string | undefined {
  const hostname = (object as IngressShape).status?.loadBalancer?.ingress?.[0]?.hostname;
  return hostname === undefined || hostname === "" ? undefined : hostname;
}

function servesDomain(object: KubeObject, domain: string): boolean {
  const { spec } = object as IngressShape;
  return (spec?.rules ?? []).some((r) => r.host === domain) || (spec?.tls ?? []).some((t) => (t.hosts ?? []).includes(domain));
}

/** The ingress that serves the domain, else the first one: all of the platform's share one ALB. */
export function platformIngress(ingresses: readonly KubeObject[], domain: string): KubeObject | undefined {
  return ingresses.find((i) => servesDomain(i, domain)) ?? ingresses[0];
}

export async function waitForIngressHostname(
  kube: Kube,
  namespace: string,
  domain: string,
  wait: { settings: WaitSettings; onStatus: (text: string) => void; signal: AbortSignal },
): Promise<IngressHostname> {
  let seen: string[] = [];
  try {
    return await waitFor<IngressHostname>({
      what: `an ALB hostname in the status of the platform's ingress in namespace ${namespace}`,
      observe: async () => {
        const ingresses = await kube.list("networking.k8s.io/v1", "Ingress", { namespace });
        seen = ingresses.map((i) => i.metadata.name);
        const chosen = platformIngress(ingresses, domain);
        if (chosen === undefined) return { state: "pending", status: `no Ingress in namespace ${namespace}` };
        const hostname = ingressHostname(chosen);
        if (hostname === undefined) return { state: "pending", status: `Ingress ${chosen.metadata.name} has no load balancer yet` };
        return { state: "ready", value: { ingress: chosen.metadata.name, hostname }, status: hostname };
      },
      timeoutMs: TIMEOUT_MS,
      intervalMs: POLL_MS,
      ...wait,
    });
  } catch (error) {
    if (!(error instanceof BtpAwsError) || wait.signal.aborted) throw error;
    const events = (await kube.events(namespace).catch(() => [])).filter((e) => seen.some((name) => e.involvedObject === `Ingress/${name}`)).slice(-EVENTS_SHOWN);
    const lines = events.length > 0
      ? [`events of the ingress, most recent last:`, ...events.map((e) => `  ${e.involvedObject}: ${e.type} ${e.reason}: ${e.message}`)]
      : [seen.length === 0 ? `namespace ${namespace} has no Ingress: the chart did not create one (check ingress.enabled)` : "the ingress has no events: is the AWS Load Balancer Controller running (namespace kube-system)?"];
    throw new BtpAwsError(`${error.message}\n${lines.join("\n")}`, {
      cause: error,
      hint: "fix what the events say (subnet tags, the certificate, the controller's permissions), then run `btp-aws install` again to keep waiting",
    });
  }
}
