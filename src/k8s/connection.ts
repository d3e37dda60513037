/**
 * How btp-aws reaches a cluster. Either the EKS cluster infra built, described by EKS and
 * authenticated with a fresh STS-presigned token (nothing on disk, no aws CLI), or a context of
 * the user's own kubeconfig (`--kubeconfig` / `--context`): their cluster, their credentials.
 */
import { join } from "node:path";
import type { AwsClients } from "../aws/clients.js";
import { awsErrorCode, describeAwsError } from "../aws/errors.js";
import { BtpAwsError } from "../errors.js";
import { eksToken } from "./eks-token.js";
import { loadKubeconfigFiles, type KubeconfigFile } from "./kube-config.js";
import { createTokenSource, type TokenSource } from "./token-source.js";
import { loadSdk } from "../aws/sdk.js";

export interface EksConnection {
  readonly kind: "eks";
  readonly clusterName: string;
  readonly region: string;
  /** The AWS profile the credentials came from, so helm's exec plugin signs as the same principal. */
  readonly profile: string | undefined;
  /** https://…eks.amazonaws.com */
  readonly server: string;
  /** The cluster CA as EKS reports it: base64 of the PEM (kubeconfig's certificate-authority-data). */
  readonly caData: string;
  /** A bearer token, refreshed before it expires. A credential: never log it. */
  readonly token: TokenSource;
}

export interface KubeconfigConnection {
  readonly kind: "kubeconfig";
  /** The kubeconfig files, merged the way kubectl merges KUBECONFIG (the first to name an entry wins). */
  readonly files: readonly string[];
  /** --kubeconfig when given: helm gets the same flag; otherwise helm reads KUBECONFIG itself. */
  readonly explicitFile: string | undefined;
  /** Always resolved (--context or the current context), so nothing changes under a long run. */
  readonly context: string;
  readonly server: string;
}

export type ClusterConnection = EksConnection | KubeconfigConnection;

export interface EksConnectionOptions {
  profile?: string | undefined;
  /** Signing clock for tokens; tests pass a fixed one. */
  now?: () => Date;
}

/** The connection to the EKS cluster `clusterName`, from eks:DescribeCluster. */
export async function eksConnection(aws: Pick<AwsClients, "eks" | "sts" | "endpoint">, clusterName: string, region: string, options: EksConnectionOptions = {}): Promise<EksConnection> {
  const { DescribeClusterCommand } = await loadSdk("@aws-sdk/client-eks");
  const action = `read EKS cluster ${clusterName} (eks:DescribeCluster)`;
  let cluster;
  try {
    ({ cluster } = await (await aws.eks(region)).send(new DescribeClusterCommand({ name: clusterName })));
  } catch (error) {
    if (awsErrorCode(error) === "ResourceNotFoundException") throw clusterMissing(clusterName, region);
    throw describeAwsError(error, action, { endpoint: aws.endpoint, region });
  }
  if (cluster === undefined) throw clusterMissing(clusterName, region);
  if (cluster.status !== "ACTIVE") {
    throw new BtpAwsError(`EKS cluster ${clusterName} in ${region} is ${cluster.status ?? "in an unknown state"}, not ACTIVE: its API cannot be used yet`, {
      hint: "run `btp-aws install --only infra` to finish or repair it, then run the command again",
    });
  }
  const server = cluster.endpoint;
  const caData = cluster.certificateAuthority?.data;
  if (!server || !caData) throw new BtpAwsError(`${action}: EKS reports no API endpoint or certificate authority for ${clusterName}`);
  // The STS client's credentials are the same chain every AWS call uses (profile, SSO, env, role).
  const credentials = (await aws.sts(region)).config.credentials;
  const now = options.now;
  const mint = async () => {
    try {
      return await eksToken({ clusterName, region, credentials, ...(now ? { now } : {}) });
    } catch (error) {
      throw describeAwsError(error, `sign a Kubernetes token for EKS cluster ${clusterName} (sts:GetCallerIdentity)`, { region });
    }
  };
  return {
    kind: "eks",
    clusterName,
    region,
    profile: options.profile,
    server,
    caData,
    token: createTokenSource(mint, now ? () => now().getTime() : Date.now),
  };
}

function clusterMissing(clusterName: string, region: string): BtpAwsError {
  return new BtpAwsError(`EKS cluster ${clusterName} not found in ${region}`, {
    hint: "create it with `btp-aws install --only prepare,infra`, or pass --kubeconfig/--context to use a cluster you already have",
  });
}

export interface ExistingConnectionOptions {
  /** --kubeconfig */
  kubeconfig?: string | undefined;
  /** --context */
  context?: string | undefined;
  /** The KUBECONFIG environment variable, read by the CLI. */
  kubeconfigEnv?: string | undefined;
  /** The home directory, for ~/.kube/config. */
  home?: string | undefined;
  /** Path separator of KUBECONFIG (":" on POSIX, ";" on Windows). */
  delimiter?: string;
}

/** The kubeconfig files kubectl would read, in order: --kubeconfig, else KUBECONFIG, else ~/.kube/config. */
export function kubeconfigFiles(options: ExistingConnectionOptions): KubeconfigFile[] {
  if (options.kubeconfig) return [{ path: options.kubeconfig, required: true }];
  const fromEnv = (options.kubeconfigEnv ?? "").split(options.delimiter ?? ":").filter((p) => p !== "");
  // kubectl skips KUBECONFIG entries that do not exist; only an explicit file must.
  if (fromEnv.length > 0) return fromEnv.map((path) => ({ path, required: false }));
  if (!options.home) throw new BtpAwsError("no kubeconfig: --kubeconfig not given, KUBECONFIG not set and no home directory", { hint: "pass --kubeconfig <file>" });
  return [{ path: join(options.home, ".kube", "config"), required: true }];
}

/** A context of the user's own kubeconfig, checked now so a typo fails before any work starts. */
export async function existingConnection(options: ExistingConnectionOptions): Promise<KubeconfigConnection> {
  const files = kubeconfigFiles(options);
  const k8s = await import("@kubernetes/client-node");
  const { config, read } = loadKubeconfigFiles(k8s, files);
  const where = read.length > 0 ? read.join(", ") : files.map((f) => f.path).join(", ");
  const context = options.context ?? (config.getCurrentContext() || undefined);
  if (context === undefined) {
    throw new BtpAwsError(`no current context in ${where}`, { hint: `pass --context <name>; contexts: ${config.getContexts().map((c) => c.name).join(", ") || "none"}` });
  }
  const entry = config.getContextObject(context);
  if (entry === null) {
    throw new BtpAwsError(`context ${context} not found in ${where}`, { hint: `choose one of: ${config.getContexts().map((c) => c.name).join(", ") || "(none)"}` });
  }
  const cluster = config.getCluster(entry.cluster);
  if (cluster === null) throw new BtpAwsError(`context ${context} in ${where} names cluster ${entry.cluster}, which the kubeconfig does not define`);
  return { kind: "kubeconfig", files: read, explicitFile: options.kubeconfig, context, server: cluster.server };
}
