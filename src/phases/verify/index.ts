/** The verify phase: workloads available, DNS pointing at the ALB, HTTPS answering with a good certificate. */
import type { Step } from "../../plan/types.js";
import type { KubernetesServices } from "../cluster/services.js";
import { dependenciesStep } from "./dependencies.js";
import { dnsStep } from "./dns.js";
import { httpsStep } from "./https.js";
import { workloadsStep } from "./workloads.js";

export { createPublicProbe } from "./probe.js";
export { redirectUri } from "./https.js";

export function verifySteps(): Step<KubernetesServices>[] {
  return [dependenciesStep, workloadsStep, dnsStep, httpsStep];
}
