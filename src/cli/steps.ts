/** The whole install plan, in phase order. The CLI is the one place that knows every phase. */
import { addonsSteps } from "../phases/addons/index.js";
import { btpSteps } from "../phases/btp/index.js";
import { certManagerSteps } from "../phases/cert-manager/steps.js";
import type { KubernetesServices } from "../phases/cluster/services.js";
import { infraSteps } from "../phases/infra/index.js";
import { prepareGates, prepareSteps, type PrepareServices } from "../phases/prepare/index.js";
import { vaultSteps } from "../phases/vault/steps.js";
import { verifySteps } from "../phases/verify/index.js";
import type { Step } from "../plan/types.js";

/** Everything any install step may use; each phase declares the narrow part it needs. */
export type InstallServices = PrepareServices & KubernetesServices;

export function installSteps(): Step<InstallServices>[] {
  return [...prepareSteps, ...infraSteps(prepareGates), ...addonsSteps, ...vaultSteps, ...certManagerSteps, ...btpSteps(), ...verifySteps()];
}
