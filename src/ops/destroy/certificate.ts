/**
 * destroy/certificate: the platform's ACM certificates. ACM refuses to delete a certificate a
 * load balancer still uses (ResourceInUseException); the load balancers are gone by now, but ACM
 * learns it a little later, so destroy asks again until it accepts.
 */
import { deleteCertificate } from "../../aws/acm-delete.js";
import { awsErrorCode, describeAwsError } from "../../aws/errors.js";
import { waitFor } from "../../aws/wait.js";
import { platformCertificates } from "./certificates.js";
import { deleting, RESUME_HINT } from "./context.js";
import type { Stage } from "./types.js";

const IN_USE_WAIT = { timeoutMs: 15 * 60_000, intervalMs: 20_000 };

export const certificateStage: Stage = {
  id: "destroy/certificate",
  title: "Delete the ACM certificate",
  phase: "infra",
  async survey(context) {
    return deleting((await platformCertificates(context)).map((c) => `ACM certificate ${c.arn} for ${c.names.join(", ")} (${c.status})`));
  },
  async run(context, report) {
    const certificates = await platformCertificates(context);
    if (certificates.length === 0) return report.skip("no certificate of the platform is left");
    const acm = await context.services.aws.acm();
    for (const certificate of certificates) {
      await waitFor({
        what: `ACM to release certificate ${certificate.arn}`,
        observe: async () => {
          try {
            await deleteCertificate(acm, certificate.arn);
            return { state: "ready", value: undefined, status: "deleted" };
          } catch (error) {
            if (awsErrorCode(error) === "ResourceInUseException") return { state: "pending", status: "still in use by a load balancer" };
            throw describeAwsError(error, `delete certificate ${certificate.arn} (acm:DeleteCertificate)`, { endpoint: context.services.aws.endpoint, region: context.target.region });
          }
        },
        ...IN_USE_WAIT,
        settings: context.services.wait,
        onStatus: (text) => report.status(text),
        signal: context.signal,
        hint: `something outside btp-aws uses the certificate (see its "In use by" in the ACM console): remove that, then ${RESUME_HINT}`,
      });
    }
    report.info(`deleted certificate ${certificates.map((c) => `${c.arn} (${c.domain})`).join(", ")}`);
  },
};
