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
