/** A DoctorContext for unit tests: every part the test does not give throws when used. */
import type { AwsClients } from "../../../../src/aws/clients.js";
import type { Config } from "../../../../src/config/schema.js";
import type { KubeObject } from "../../../../src/k8s/kube.js";
import type { Facts } from "../../../../src/ops/doctor/facts.js";
import type { DoctorContext, LocalFacts } from "../../../../src/ops/doctor/types.js";
import { infraNames } from "../../../../src/phases/infra/names.js";
import type { PublicProbe } from "../../../../src/phases/cluster/services.js";
import type { State } from "../../../../src/state/types.js";

const unexpected = (what: string) => () => Promise.reject(new Error(`this test does not expect ${what}`));

export function stubFacts(given: Partial<Facts> = {}): Facts {
  const names = infraNames({ platform: "t1" });
  const base: Facts = {
    names,
    clusterName: names.cluster,
    nodeGroupName: names.nodeGroup,
    databaseId: names.database,
    cacheId: names.cache,
    modes: { database: "aws", cache: "aws", storage: "aws" },
    identity: unexpected("an STS call"),
    account: unexpected("an account lookup"),
    cluster: unexpected("an EKS lookup"),
    nodeGroup: unexpected("a node group lookup"),
    nodeInstances: unexpected("an EC2 lookup"),
    launchTemplate: unexpected("a launch template lookup"),
    database: unexpected("an RDS lookup"),
    cache: unexpected("an ElastiCache lookup"),
    bucket: unexpected("an S3 lookup"),
    key: unexpected("a KMS lookup"),
    certificate: unexpected("an ACM lookup"),
    secret: unexpected("a Secrets Manager lookup"),
    vpc: unexpected("a VPC lookup"),
    securityGroups: unexpected("a security group lookup"),
    loadBalancer: unexpected("an ELB lookup"),
    taggedArns: unexpected("a tagging lookup"),
  };
  return { ...base, ...given };
}

export const NO_PROBE: PublicProbe = { resolve4: unexpected("a DNS lookup"), https: unexpected("an HTTPS request") };

export function stubLocal(given: Partial<LocalFacts> = {}): LocalFacts {
  return {
    configSource: "file",
    configPath: "btp-aws.yaml",
    configProblems: undefined,
    configWarnings: [],
    stateDir: "/tmp/state",
    stateProblem: undefined,
    helm: { find: () => Promise.resolve(undefined), version: unexpected("helm version") },
    ...given,
  };
}

/** A state whose listed steps are done. */
export function stateWith(done: readonly string[]): State {
  const now = "2026-09-01T12:00:00.000Z";
  return {
    version: 1, platform: "t1", region: "eu-west-1", createdAt: now, updatedAt: now, configFingerprint: undefined, config: undefined,
    steps: Object.fromEntries(done.map((id) => [id, { status: "done" as const, startedAt: now, finishedAt: now, outputs: {} }])),
  };
}

export function testContext(given: Partial<DoctorContext> & { config?: Config } = {}): DoctorContext {
  return {
    platform: "t1",
    region: "eu-west-1",
    config: undefined,
    state: undefined,
    outputs: {},
    aws: {} as AwsClients,
    facts: stubFacts(),
    local: stubLocal(),
    kube: unexpected("the Kubernetes API"),
    probe: NO_PROBE,
    secrets: { add: () => undefined },
    now: () => new Date("2026-09-01T12:00:00Z"),
    signal: new AbortController().signal,
    ...given,
  };
}

export const node = (name: string, ready: "True" | "False" | "Unknown", reason = ready === "True" ? "KubeletReady" : "KubeletNotReady"): KubeObject => ({
  apiVersion: "v1", kind: "Node", metadata: { name }, status: { conditions: [{ type: "Ready", status: ready, reason, message: ready === "True" ? "kubelet is posting ready status" : "container runtime network not ready" }] },
});

export const pod = (namespace: string, name: string, status: Record<string, unknown>, labels: Record<string, string> = {}, createdAt = "2026-09-01T11:00:00Z"): KubeObject => ({
  apiVersion: "v1", kind: "Pod", metadata: { name, namespace, labels, creationTimestamp: createdAt }, status,
});

/** helm's storage for one revision (the secrets driver): what `helm list` reads. */
export const helmRevision = (namespace: string, name: string, revision: number, status: string): KubeObject => ({
  apiVersion: "v1", kind: "Secret", type: "helm.sh/release.v1",
  metadata: { name: `sh.helm.release.v1.${name}.v${revision}`, namespace, labels: { owner: "helm", name, status, version: String(revision) } },
  data: { release: "H4sI" },
});
