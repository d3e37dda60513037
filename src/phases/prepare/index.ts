/** The prepare phase: checks that change nothing, run before any other phase. */
import type { Step } from "../../plan/types.js";
import { credentialsStep } from "./credentials.js";
import { discoveryStep } from "./discovery.js";
import { hostedZoneStep } from "./hosted-zone.js";
import { quotasStep } from "./quotas.js";
import { regionsStep } from "./regions.js";
import type { PrepareServices } from "./services.js";
import { toolsStep } from "./tools.js";

export type { PrepareServices } from "./services.js";
export { credentialsStep, accountMismatch } from "./credentials.js";
export { toolsStep } from "./tools.js";
export { regionsStep } from "./regions.js";
export { hostedZoneStep } from "./hosted-zone.js";
export { quotasStep } from "./quotas.js";
export { discoveryStep } from "./discovery.js";

export const prepareSteps: readonly Step<PrepareServices>[] = [toolsStep, credentialsStep, regionsStep, hostedZoneStep, quotasStep, discoveryStep];

/**
 * The checks infra waits for: a failed one stops the install before anything is made. Discovery
 * only reports what already carries the platform's tag (infra finds and adopts by name and tags
 * on its own), so it does not hold infra back: it runs beside it (found by test/bench: moto's
 * tagging API is slow, and every infra step waited for its answer).
 */
export const prepareGates: readonly string[] = prepareSteps.filter((s) => s !== discoveryStep).map((s) => s.id);
