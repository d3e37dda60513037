/** The Kubernetes export: what is exported from where, without server-set fields, Secrets only on request. */
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { exportKubernetes, portable } from "../../../../src/ops/dr-snapshot/kubernetes-export.js";
import { fakeKube } from "../../../fakes/kube.js";

function world() {
  const kube = fakeKube({ served: (_apiVersion, kind) => kind !== "ClusterIssuer" && kind !== "Certificate" });
  kube.seed({ apiVersion: "v1", kind: "Namespace", metadata: { name: "settlemint" } });
  kube.seed({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: "settlemint", annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}", team: "chain" } }, data: { a: "1" } });
  kube.seed({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "api", namespace: "settlemint", generation: 4 }, spec: { replicas: 2 }, status: { readyReplicas: 2 } });
  kube.seed({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "elsewhere", namespace: "default" }, data: {} });
  kube.seed({ apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "vault" }, data: { password: "c2VjcmV0" } });
  kube.seed({ apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "gp3" }, provisioner: "ebs.csi.aws.com" });
  return kube;
}

describe("exportKubernetes", () => {
  it("exports the three namespaces and the installer's cluster-scoped objects; Secrets only with includeSecrets", async () => {
    const documents = await exportKubernetes(world(), false);
    expect(documents.map((d) => [d.name, d.objects])).toEqual([["settlemint.yaml", 2], ["vault.yaml", 0], ["cert-manager.yaml", 0], ["cluster.yaml", 2]]);
    const settlemint = parseAllDocuments(documents[0]!.yaml).map((d) => d.toJS() as { kind: string; metadata: Record<string, unknown> });
    expect(settlemint.map((o) => o.kind)).toEqual(["ConfigMap", "Deployment"]);
    expect(settlemint[0]!.metadata).toEqual({ name: "cfg", namespace: "settlemint", annotations: { team: "chain" } });
    expect(documents.map((d) => d.yaml).join("")).not.toMatch(/uid|resourceVersion|creationTimestamp|generation|readyReplicas|elsewhere|c2VjcmV0/);

    const withSecrets = await exportKubernetes(world(), true);
    expect(withSecrets.at(-1)).toMatchObject({ name: "secrets.yaml", objects: 1 });
    expect(withSecrets.at(-1)!.yaml).toContain("password: c2VjcmV0");
  });

  it("keeps an object applyable: apiVersion, kind, spec and labels stay; status goes", () => {
    expect(portable({ apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "n", labels: { a: "b" }, uid: "u", resourceVersion: "9", managedFields: [] }, spec: { ports: [] }, status: {} }))
      .toEqual({ apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "n", labels: { a: "b" } }, spec: { ports: [] } });
  });
});
