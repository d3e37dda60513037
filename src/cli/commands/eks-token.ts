/**
 * `btp-aws eks-token --cluster <name> --region <region> [--profile <p>]` (hidden): the exec
 * credential plugin named in the kubeconfigs btp-aws writes. Like `aws eks get-token`, its
 * contract is to print a bearer token on stdout, as an ExecCredential, for helm or kubectl to
 * read; nothing else is printed there and the token is never written anywhere else.
 */
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { createAwsClients } from "../../aws/clients.js";
import { describeAwsError } from "../../aws/errors.js";
import { ExitCode, UsageError } from "../../errors.js";
import { eksToken, execCredential } from "../../k8s/eks-token.js";
import type { GlobalFlags } from "../main.js";
import { createUi, type Ui } from "../output.js";
import { VERSION } from "../version.js";

export interface EksTokenOverrides {
  ui?: Ui;
  /** Tests pass fixed credentials; the CLI uses the standard chain (and --profile). */
  credentials?: AwsCredentialIdentityProvider;
  now?: () => Date;
}

const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);

export async function eksTokenCommand(flags: GlobalFlags, _args: string[], overrides: EksTokenOverrides = {}): Promise<number> {
  const cluster = text(flags.cluster);
  const region = text(flags.region);
  const profile = text(flags.profile);
  const missing = [...(cluster ? [] : ["--cluster: required"]), ...(region ? [] : ["--region: required"])];
  if (cluster === undefined || region === undefined) throw new UsageError("eks-token needs the cluster and its region", missing, "btp-aws eks-token --cluster <name> --region <region> [--profile <profile>]");
  // Deliberately not the shared command context: this runs once per helm invocation, so it loads
  // no config machinery, and it must never prompt (helm owns the terminal).
  const ui = overrides.ui ?? createUi({ env: {}, stdinTty: false });
  const aws = overrides.credentials ? undefined : createAwsClients({ region, ...(profile ? { profile } : {}), userAgentSuffix: `btp-aws/${VERSION}` });
  try {
    const credentials = overrides.credentials ?? (await aws!.sts()).config.credentials;
    const token = await eksToken({ clusterName: cluster, region, credentials, ...(overrides.now ? { now: overrides.now } : {}) });
    ui.data(JSON.stringify(execCredential(token)));
    return ExitCode.ok;
  } catch (error) {
    throw describeAwsError(error, `sign a Kubernetes token for EKS cluster ${cluster} (sts:GetCallerIdentity)`, { region });
  } finally {
    aws?.destroy();
  }
}
