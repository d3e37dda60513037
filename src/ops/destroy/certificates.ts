/**
 * The platform's ACM certificates: the one the state recorded, and any other tagged for the
 * platform (a re-run after a failed issue can leave two). Without a config the certificate is also
 * how destroy learns the platform's domain.
 */
import { allCertificateArns } from "../../aws/acm-delete.js";
import { certificateTags, describeCertificate, type Certificate } from "../../aws/acm.js";
import { belongsTo, PLATFORM_TAG } from "../../aws/tags.js";
import { attempt, recorded } from "./context.js";
import type { DestroyContext } from "./types.js";

export async function platformCertificates(context: DestroyContext): Promise<Certificate[]> {
  const acm = await context.services.aws.acm();
  const { platform } = context.target;
  return attempt(context, "find the platform's certificates (acm:ListCertificates, acm:DescribeCertificate, acm:ListTagsForCertificate)", async () => {
    const found = new Map<string, Certificate>();
    const fromState = recorded(context, "infra/acm", "certificateArn");
    if (fromState !== undefined) {
      const certificate = await describeCertificate(acm, fromState);
      // Recorded by our own install: ours even if its tags were removed, not if another platform claims it.
      if (certificate) {
        const owner = (await certificateTags(acm, certificate.arn))[PLATFORM_TAG];
        if (owner === undefined || owner === platform) found.set(certificate.arn, certificate);
      }
    }
    for (const arn of await allCertificateArns(acm)) {
      if (found.has(arn) || !belongsTo(await certificateTags(acm, arn), platform)) continue;
      const certificate = await describeCertificate(acm, arn);
      if (certificate) found.set(arn, certificate);
    }
    return [...found.values()];
  });
}

/** The platform's domain and hosted zone as far as the config or state say; the certificate fills in the domain. */
export async function platformDomain(context: DestroyContext): Promise<string | undefined> {
  if (context.target.dns) return context.target.dns.domain;
  return (await platformCertificates(context))[0]?.domain;
}
