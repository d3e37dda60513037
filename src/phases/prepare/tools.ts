/** prepare/tools: the external programs btp-aws runs are present and new enough. */
import type { Step } from "../../plan/types.js";
import { helmNotFound } from "../../helm/errors.js";
import { checkHelmVersion, MINIMUM_HELM_VERSION } from "../../helm/version.js";
import type { PrepareServices } from "./services.js";

export const toolsStep: Step<PrepareServices> = {
  id: "prepare/tools",
  title: "Check tools (helm)",
  phase: "prepare",
  needs: [],
  describe: () => [`check that helm ${MINIMUM_HELM_VERSION.replace(/\.0$/, "")} or newer is installed (helm version)`],
  async run({ services }, report) {
    report.status("looking for helm");
    const helmPath = await services.helm.find();
    if (helmPath === undefined) throw helmNotFound();
    const helmVersion = checkHelmVersion(await services.helm.version(helmPath));
    report.info(`helm ${helmVersion} at ${helmPath}`);
    return { helmVersion, helmPath };
  },
};
