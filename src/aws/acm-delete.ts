/** ACM for destroy: every certificate of the account (to find ours by tag without a domain), and deletion. */
import type { ACMClient } from "@aws-sdk/client-acm";
import { deleteUnlessGone } from "./idempotent-delete.js";
import { loadSdk } from "./sdk.js";

/** ARNs of every certificate in the region, whatever its status. */
export async function allCertificateArns(acm: ACMClient): Promise<string[]> {
  const { paginateListCertificates } = await loadSdk("@aws-sdk/client-acm");
  const statuses = ["PENDING_VALIDATION", "ISSUED", "INACTIVE", "EXPIRED", "VALIDATION_TIMED_OUT", "REVOKED", "FAILED"] as const;
  const arns: string[] = [];
  for await (const page of paginateListCertificates({ client: acm }, { CertificateStatuses: [...statuses] })) {
    for (const summary of page.CertificateSummaryList ?? []) if (summary.CertificateArn) arns.push(summary.CertificateArn);
  }
  return arns;
}

/** Fails with ResourceInUseException while a load balancer still uses the certificate. */
export async function deleteCertificate(acm: ACMClient, arn: string): Promise<boolean> {
  const { DeleteCertificateCommand } = await loadSdk("@aws-sdk/client-acm");
  return deleteUnlessGone(["ResourceNotFoundException"], () => acm.send(new DeleteCertificateCommand({ CertificateArn: arn })));
}
