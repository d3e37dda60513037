/** The btp phase: log in to the chart registry, then install or upgrade the SettleMint release. */
import type { Step } from "../../plan/types.js";
import type { KubernetesServices } from "../cluster/services.js";
import { registryLoginStep } from "./registry-login.js";
import { btpReleaseStep } from "./release.js";

export { btpValues, BTP_SECRET_PLACEHOLDERS, type BtpSecretValues } from "./values.js";
export { mergeOverrides, readOverridesFile } from "./overrides.js";
export { unknownKeys } from "./unknown-keys.js";

export function btpSteps(): Step<KubernetesServices>[] {
  return [registryLoginStep, btpReleaseStep];
}
