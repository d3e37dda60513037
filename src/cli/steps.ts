/** The whole install plan, in phase order. The CLI is the one place that knows every phase. */
import { prepareSteps, type PrepareServices } from "../phases/prepare/index.js";
import type { InfraServices } from "../phases/infra/services.js";
import { infraSteps } from "../phases/infra/index.js";
import { kubernetesSteps } from "../plan/later-phases.js";
import type { Step } from "../plan/types.js";

/** Everything any install step may use; each phase declares the narrow part it needs. */
export type InstallServices = PrepareServices & InfraServices;

export function installSteps(): Step<InstallServices>[] {
  return [...prepareSteps, ...infraSteps(prepareSteps.map((s) => s.id)), ...kubernetesSteps()];
}
