/** The helm problems a user can fix, worded once so the step, the CLI and the tests agree. */
import { BtpAwsError } from "../errors.js";

const INSTALL_URL = "https://helm.sh/docs/intro/install/";

export function helmNotFound(): BtpAwsError {
  return new BtpAwsError("helm not found on PATH: btp-aws runs helm to install charts", {
    hint: `install helm 3.8 or newer (${INSTALL_URL}) or pass --helm <path>`,
  });
}

/** An explicit --helm / BTP_AWS_HELM that points nowhere is a mistake to report, not to work around. */
export function helmNotAtPath(path: string): BtpAwsError {
  return new BtpAwsError(`helm not found at ${path}: no executable file there`, {
    hint: "pass --helm the path of a helm 3.8+ binary, or leave it out to use helm from PATH",
  });
}

export function helmTooOld(version: string, minimum: string): BtpAwsError {
  return new BtpAwsError(`helm ${version} is too old: OCI charts need ${minimum} or newer`, {
    hint: `upgrade helm (${INSTALL_URL}) or pass --helm <path> to a newer one`,
  });
}

export function helmUnusable(binary: string, why: string): BtpAwsError {
  return new BtpAwsError(`could not run ${binary} version: ${why}`, {
    hint: "pass --helm the path of a working helm 3.8+ binary",
  });
}
