/**
 * What the phases after infra need: the platform cluster's API and a helm bound to it, plus the
 * outside world verify looks at (public DNS, HTTPS). The CLI connects to the cluster infra built
 * (or the one --kubeconfig/--context names) on first use; tests pass fakes or real servers.
 */
import type { UserSecrets } from "../../config/schema.js";
import type { Helm } from "../../helm/release.js";
import type { Kube } from "../../k8s/kube.js";
import { stringOutput } from "../../plan/outputs.js";
import type { StepContext } from "../../plan/types.js";
import type { InfraServices } from "../infra/services.js";

/** Which cluster: infra/eks's outputs name it. Ignored when the user chose a kubeconfig context. */
export interface ClusterTarget {
  clusterName: string;
  region: string;
}

export interface ClusterAccess {
  /** The Kubernetes API, connected on first call and shared afterwards. */
  kube(target: ClusterTarget): Promise<Kube>;
  /** helm with a kubeconfig (0600, no token in it) for the same cluster. */
  helm(target: ClusterTarget): Promise<Helm>;
  /** helm for what needs no cluster (registry login): usable before the cluster exists. */
  localHelm(): Promise<Helm>;
}

/** An HTTPS GET as verify sees it: status and the served certificate, or why it failed. */
export interface HttpsAnswer {
  status: number;
  /** The leaf certificate's subject alternative names and expiry, when TLS completed. */
  certificate?: { validTo: Date; subjectAltNames: string[] };
}

export interface PublicProbe {
  /** A records of `name` as public DNS answers them; rejects when there are none. */
  resolve4(name: string): Promise<string[]>;
  /** GET `url`, verifying the certificate against the system's roots; rejects with the TLS or network error. */
  https(url: string, timeoutMs: number): Promise<HttpsAnswer>;
}

export interface KubernetesServices extends InfraServices {
  cluster: ClusterAccess;
  probe: PublicProbe;
  /** The license token and OAuth client secret, from the environment or a prompt; memory only. */
  userSecrets: UserSecrets;
}

export function clusterTarget(context: Pick<StepContext, "outputs" | "config">): ClusterTarget {
  return { clusterName: stringOutput(context.outputs, "infra/eks", "clusterName"), region: context.config.aws.region };
}
