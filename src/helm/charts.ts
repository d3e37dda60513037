/**
 * The third-party charts btp-aws installs, pinned here and nowhere else. A pin is an exact
 * version, never a range: a re-run must install what the last run installed, and the skip rule
 * ("same chart version and same values") needs one version to compare. The BTP chart's reference
 * and version come from the config (`chart.reference`, `chart.version`), not from here.
 *
 * Versions were chosen from public release records, November 2026 (`evidence` says which).
 */

export type ChartKey = "aws-load-balancer-controller" | "vault" | "cert-manager" | "cluster-autoscaler" | "postgresql" | "redis" | "minio";

/** Where helm finds a chart: what `upgrade`, `template` and `show` take. */
export interface ChartSource {
  /** A chart name in `repo`, an oci:// reference, or a local path. */
  chart: string;
  /** An HTTP chart repository (`helm --repo <url>`), for charts not published as OCI. */
  repo?: string | undefined;
  /** Exact chart version, as the chart spells it ("v1.21.2" keeps its v). */
  version: string;
}

export interface ChartPin extends ChartSource {
  /** The release name and namespace btp-aws uses (the IRSA trust policies pin the namespace). */
  release: string;
  namespace: string;
  /** Why this version: the public record it was taken from. */
  evidence: string;
}

export const CHART_PINS: Readonly<Record<ChartKey, Readonly<ChartPin>>> = Object.freeze({
  "aws-load-balancer-controller": Object.freeze({
    chart: "aws-load-balancer-controller",
    repo: "https://aws.github.io/eks-charts",
    // From controller v3.0.0 on, the chart version equals the controller version (before: 1.x for 2.x).
    version: "3.6.0",
    release: "aws-load-balancer-controller",
    namespace: "kube-system",
    evidence: "aws/eks-charts release v0.0.246 (2026-10-05): 'aws-load-balancer-controller v3.6.0 Automated Release' (PR #1377)",
  }),
  vault: Object.freeze({
    chart: "vault",
    repo: "https://helm.releases.hashicorp.com",
    version: "0.34.1",
    release: "vault",
    namespace: "vault",
    evidence: "hashicorp/vault-helm release v0.34.1 (2026-08-13, certified as openshift-helm-charts PR #3408); ships Vault 2.0.4",
  }),
  "cert-manager": Object.freeze({
    // cert-manager documents its OCI chart as the way to install (cert-manager/website PR #1732);
    // the HTTP repository https://charts.jetstack.io serves the same chart.
    chart: "oci://quay.io/jetstack/charts/cert-manager",
    version: "v1.21.2",
    release: "cert-manager",
    namespace: "cert-manager",
    evidence: "cert-manager v1.21.2 (release issue cert-manager/cert-manager#9237, published 2026-09-11)",
  }),
  "cluster-autoscaler": Object.freeze({
    chart: "cluster-autoscaler",
    repo: "https://kubernetes.github.io/autoscaler",
    // Cluster Autoscaler 1.35.0, matching the default Kubernetes 1.35 (the autoscaler's minor must match the cluster's).
    version: "9.59.0",
    release: "cluster-autoscaler",
    namespace: "kube-system",
    evidence: "kubernetes/autoscaler chart 9.59.0, appVersion 1.35.0 (kubermatic/kubermatic PR #16253, 2026-08-13; the chart defaults to CA 1.35.0 since kubernetes/autoscaler PR #9193)",
  }),
  // The in-cluster dependencies (database/cache/storage.mode: in-cluster), in the namespace
  // src/phases/dependencies/names.ts names (a test holds them equal). Bitnami stopped publishing
  // free versioned images in August 2025 (they moved to docker.io/bitnamilegacy, frozen); its
  // charts stay on the OCI registry, so the values point the charts at the bitnamilegacy images.
  postgresql: Object.freeze({
    chart: "oci://registry-1.docker.io/bitnamicharts/postgresql",
    version: "16.7.27",
    release: "postgresql",
    namespace: "btp-dependencies",
    evidence: "bitnami/charts postgresql 16.7.27 (PostgreSQL 17.6.0, image 17.6.0-debian-12-r4, present as docker.io/bitnamilegacy/postgresql:17.6.0-debian-12-r4); pinned by many public projects after the August 2025 catalogue change",
  }),
  redis: Object.freeze({
    chart: "oci://registry-1.docker.io/bitnamicharts/redis",
    version: "22.0.3",
    release: "redis",
    namespace: "btp-dependencies",
    evidence: "bitnami/charts redis 22.0.3 (Redis 8.2 line; image docker.io/bitnamilegacy/redis:8.2.1-debian-12-r0 seen pulled in public deployments, 2025-2026)",
  }),
  minio: Object.freeze({
    chart: "minio",
    repo: "https://charts.min.io/",
    // MinIO's community chart; its default images stay on quay.io/minio (MinIO stopped publishing new community images in late 2025).
    version: "5.4.0",
    release: "minio",
    namespace: "btp-dependencies",
    evidence: "minio/minio helm/minio chart 5.4.0 (appVersion RELEASE.2024-12-18T13-15-44Z), the last release on https://charts.min.io as far as public records show",
  }),
});

/**
 * A pin with the user's override on top (config, later). Overriding the chart without the
 * repository drops the pinned repository: an oci:// or local chart needs none.
 */
export function resolveChart(key: ChartKey, override: Partial<ChartSource> = {}): ChartSource {
  const pin = CHART_PINS[key];
  const chart = override.chart ?? pin.chart;
  const repo = override.repo ?? (override.chart === undefined ? pin.repo : undefined);
  return { chart, version: override.version ?? pin.version, ...(repo === undefined ? {} : { repo }) };
}
