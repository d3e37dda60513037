/**
 * `helm registry login` for the BTP chart's OCI registry. The token travels on stdin
 * (--password-stdin), never on the command line.
 */
import { BtpAwsError } from "../errors.js";
import { helmFailed, type HelmRunner } from "./run.js";

/** A registry host, optionally with a port: what `helm registry login` takes. */
const HOST = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?$/;

/** "oci://registry.settlemint.com/settlemint-platform/settlemint" → "registry.settlemint.com". */
export function registryHost(reference: string): string {
  const match = /^oci:\/\/([^/]+)(?:\/|$)/.exec(reference);
  if (match?.[1] === undefined || !HOST.test(match[1])) {
    throw new BtpAwsError(`not an OCI chart reference: ${reference}`, { hint: "use oci://<registry>/<path>/<chart>" });
  }
  return match[1];
}

export async function registryLogin(runner: HelmRunner, host: string, username: string, password: string): Promise<void> {
  // A host or user name starting with "-" would be read as a flag; refuse rather than quote.
  if (!HOST.test(host)) throw new BtpAwsError(`not a registry host: ${JSON.stringify(host)}`, { hint: "pass the host only, e.g. registry.settlemint.com" });
  if (username === "" || /[\r\n]/.test(username)) throw new BtpAwsError("the registry user name is empty or spans lines", { hint: "check the license's account name" });
  if (password === "") throw new BtpAwsError(`no token to log in to ${host} with`, { hint: "check the license token (BTP_AWS_LICENSE_TOKEN)" });
  const result = await runner.run(["registry", "login", host, `--username=${username}`, "--password-stdin"], { input: password });
  if (result.exitCode !== 0) {
    throw helmFailed(`helm registry login ${host} as ${username}`, result, "check the license's account name and token, and that this machine reaches the registry; then run btp-aws install again");
  }
}
