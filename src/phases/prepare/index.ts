/** The prepare phase: checks that change nothing, run before any other phase. */
import type { Step } from "../../plan/types.js";
import { credentialsStep } from "./credentials.js";
import type { PrepareServices } from "./services.js";
import { toolsStep } from "./tools.js";

export type { PrepareServices } from "./services.js";
export { credentialsStep, accountMismatch } from "./credentials.js";
export { toolsStep } from "./tools.js";

export const prepareSteps: readonly Step<PrepareServices>[] = [toolsStep, credentialsStep];
