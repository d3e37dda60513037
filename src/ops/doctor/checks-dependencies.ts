/**
 * The database, cache and object storage when they are not the managed AWS services:
 * - in-cluster: the release's StatefulSet (or, for a standalone MinIO, Deployment) has every
 *   replica ready, and each of its volume claims is Bound on the platform's encrypted gp3 class;
 * - external: one line naming the endpoint. It is not probed from here: a database or Redis in a
 *   VPC is normally unreachable from the operator's machine, so a failed TCP connect would be a
 *   false alarm; `verify` checks it from inside the cluster, where the platform reaches it.
 */
import type { Config } from "../../config/schema.js";
import type { Kube, KubeObject } from "../../k8s/kube.js";
import { STORAGE_CLASS } from "../../phases/addons/storage-class.js";
import { dependencyModes, IN_CLUSTER_RELEASES, type Dependency } from "./dependency-modes.js";
import { finding, outcome, type Finding } from "./findings.js";
import { installed } from "./checks-kubernetes.js";
import { fail, ok, warn, type Check, type CheckOutcome, type DoctorContext } from "./types.js";

/** helm's standard label: every object a chart renders for a release carries it. */
export const INSTANCE_LABEL = "app.kubernetes.io/instance";
const ADDONS_STEP: Record<Dependency, string> = { database: "addons/postgresql", cache: "addons/redis", storage: "addons/minio" };
const VERIFY = "`btp-aws install --only verify`";

interface WorkloadStatus {
  replicas?: number;
  readyReplicas?: number;
}

/** The release's StatefulSets, else its Deployments: what runs the dependency's pods. */
async function workloads(kube: Kube, namespace: string, release: string): Promise<KubeObject[]> {
  const selector = { namespace, labelSelector: `${INSTANCE_LABEL}=${release}` };
  const sets = await kube.list("apps/v1", "StatefulSet", selector);
  return sets.length > 0 ? sets : kube.list("apps/v1", "Deployment", selector);
}

/** Claims of the release: labelled by helm, or (volumeClaimTemplates of older charts) named after it. */
export async function releaseClaims(kube: Kube, namespace: string, release: string): Promise<KubeObject[]> {
  const all = await kube.list("v1", "PersistentVolumeClaim", { namespace });
  return all.filter((c) => c.metadata.labels?.[INSTANCE_LABEL] === release || c.metadata.name.split("-").includes(release));
}

function replicaFindings(items: readonly KubeObject[], namespace: string): { findings: Finding[]; ready: string[] } {
  const findings: Finding[] = [];
  const ready: string[] = [];
  for (const item of items) {
    const wanted = (item.spec as { replicas?: number } | undefined)?.replicas ?? 1;
    const readyCount = (item.status as WorkloadStatus | undefined)?.readyReplicas ?? 0;
    const label = `${item.kind} ${item.metadata.name}`;
    if (readyCount >= wanted) ready.push(`${label} ${readyCount}/${wanted} ready`);
    else findings.push(finding("fail", `${label} ${readyCount}/${wanted} ready`, `\`kubectl -n ${namespace} describe ${item.kind.toLowerCase()} ${item.metadata.name}\` and its pods' events show why`));
  }
  return { findings, ready };
}

function claimFindings(claims: readonly KubeObject[], namespace: string): Finding[] {
  const findings: Finding[] = [];
  for (const claim of claims) {
    const name = claim.metadata.name;
    const phase = (claim.status as { phase?: string } | undefined)?.phase ?? "Pending";
    const storageClass = (claim.spec as { storageClassName?: string } | undefined)?.storageClassName;
    if (phase !== "Bound") {
      findings.push(finding("fail", `volume claim ${name} is ${phase}`, `\`kubectl -n ${namespace} describe pvc ${name}\` shows why (the EBS CSI driver add-on must run, and the class ${STORAGE_CLASS} exist: \`btp-aws install --from addons\`)`));
    }
    if (storageClass !== STORAGE_CLASS) {
      findings.push(finding("warn", `volume claim ${name} uses storage class ${storageClass ?? "(none)"}, not the platform's encrypted ${STORAGE_CLASS}`, `its data may not be encrypted with the platform key: restore it onto a ${STORAGE_CLASS} volume (dr-snapshot, then a claim with storageClassName ${STORAGE_CLASS})`));
    }
  }
  return findings;
}

export async function inClusterOutcome(ctx: Pick<DoctorContext, "kube" | "state">, dependency: Dependency): Promise<CheckOutcome> {
  const { release, namespace, what } = IN_CLUSTER_RELEASES[dependency];
  const kube = await ctx.kube();
  const found = await workloads(kube, namespace, release);
  const subject = `${what} (release ${namespace}/${release})`;
  if (found.length === 0) {
    return installed(ctx, ADDONS_STEP[dependency])
      ? fail(`${subject}: no StatefulSet or Deployment labelled ${INSTANCE_LABEL}=${release}`, `\`helm -n ${namespace} status ${release}\` shows what is left; \`btp-aws install --from addons\` installs it again`)
      : warn(`${subject}: not installed yet`, "run `btp-aws install` to install it");
  }
  const replicas = replicaFindings(found, namespace);
  const claims = await releaseClaims(kube, namespace, release);
  const findings = [...replicas.findings, ...claimFindings(claims, namespace)];
  if (claims.length === 0) findings.push(finding("warn", "no volume claim: its data lives on the pod's ephemeral storage", `turn persistence on in the ${release} release's values and run \`btp-aws install --from addons\``));
  return outcome(subject, findings, `${subject}: ${replicas.ready.join(", ")}; ${claims.length} volume claim${claims.length === 1 ? "" : "s"} Bound on ${STORAGE_CLASS}`);
}

function externalEndpoint(config: Config, dependency: Dependency): string {
  if (dependency === "database") return config.database.external ? `${config.database.external.host}:${config.database.external.port}` : "(database.external not set)";
  if (dependency === "cache") return config.cache.external ? `${config.cache.external.host}:${config.cache.external.port}${config.cache.external.tls ? " (TLS)" : ""}` : "(cache.external not set)";
  const s = config.storage.external;
  return s ? `bucket ${s.bucket}${s.endpoint ? ` at ${s.endpoint}` : ""}` : "(storage.external not set)";
}

const TITLES: Record<Dependency, string> = { database: "Database", cache: "Cache", storage: "Object storage" };

/** The check for one dependency in a mode other than aws; the aws checks live in checks-aws-data.ts. */
export function dependencyCheck(dependency: Dependency, config: Config): Check | undefined {
  const mode = dependencyModes(config)[dependency];
  if (mode === "in-cluster") {
    return { id: `kubernetes/${dependency}`, title: `${TITLES[dependency]} (in-cluster ${IN_CLUSTER_RELEASES[dependency].what})`, area: "kubernetes", run: (ctx) => inClusterOutcome(ctx, dependency) };
  }
  if (mode === "external") {
    return {
      id: `endpoint/${dependency}`,
      title: `${TITLES[dependency]} (external)`,
      area: "endpoint",
      run: () => Promise.resolve(ok(`external ${externalEndpoint(config, dependency)}: not probed from this machine; ${VERIFY} checks it from inside the cluster`)),
    };
  }
  return undefined;
}

export function dependencyChecks(config: Config | undefined): Check[] {
  if (!config) return [];
  return (["database", "cache", "storage"] as const).flatMap((d) => dependencyCheck(d, config) ?? []);
}
