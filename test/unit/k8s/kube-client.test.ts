/**
 * The real adapter (client-node's KubeConfig, TLS and fetch; our REST paths) against the loopback
 * API server in support/fake-apiserver.ts: the exact requests it sends, and how it reads answers.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EksConnection } from "../../../src/k8s/connection.js";
import { createKube, type Kube, type KubeObject } from "../../../src/k8s/kube.js";
import { createTokenSource } from "../../../src/k8s/token-source.js";
import { kubeContract } from "./kube-contract.js";
import { CERT_MANAGER_RESOURCES, OTHER_CERT, SERVER_CERT, startFakeApiServer, type FakeApiServer } from "./support/fake-apiserver.js";

const caData = (pem: string) => Buffer.from(pem, "utf8").toString("base64");

function connection(server: string, token: () => Promise<string> = () => Promise.resolve("k8s-aws-v1.test"), ca = SERVER_CERT): EksConnection {
  return { kind: "eks", clusterName: "btp-test", region: "eu-west-1", profile: undefined, server, caData: caData(ca), token };
}

kubeContract("client-node adapter against a loopback API server", async (echoPort) => {
  const server = await startFakeApiServer({ portTarget: (_ns, _pod, port) => (port === 8200 ? echoPort : undefined), pageSize: 2 });
  const kube = await createKube(connection(server.url));
  return {
    kube,
    seed: (object) => Promise.resolve(void server.kube.seed(object)),
    recordEvent: (event) => Promise.resolve(server.kube.recordEvent(event)),
    close: () => server.close(),
  };
});

describe("client-node adapter requests", () => {
  let server: FakeApiServer;
  let kube: Kube;
  const settings: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "vault", labels: { app: "vault" } }, data: { mode: "ha" } };

  beforeAll(async () => {
    server = await startFakeApiServer();
    kube = await createKube(connection(server.url));
  });
  afterAll(() => server.close());
  afterEach(() => {
    server.requests.length = 0;
    server.failWith(undefined);
  });

  const summary = () => server.requests.map((r) => `${r.method} ${r.path}${Object.keys(r.query).length ? `?${new URLSearchParams(r.query).toString()}` : ""}`);

  it("applies with one discovery, a read for the resourceVersion and a server-side apply PATCH", async () => {
    expect(await kube.apply(settings)).toBe("created");
    expect(summary()).toEqual(["GET /api/v1", "GET /api/v1/namespaces/vault/configmaps/settings", "PATCH /api/v1/namespaces/vault/configmaps/settings?fieldManager=btp-aws&force=true"]);
    const patch = server.requests[2]!;
    expect(patch.contentType).toBe("application/apply-patch+yaml");
    expect(patch.body).toEqual(settings);
    expect(server.requests.map((r) => r.authorization)).toEqual(["Bearer k8s-aws-v1.test", "Bearer k8s-aws-v1.test", "Bearer k8s-aws-v1.test"]);

    server.requests.length = 0;
    expect(await kube.apply({ ...settings, metadata: { ...settings.metadata, name: "other" } }, "vault-init")).toBe("created");
    // Discovery is cached per apiVersion; the field manager is the caller's when given.
    expect(summary()).toEqual(["GET /api/v1/namespaces/vault/configmaps/other", "PATCH /api/v1/namespaces/vault/configmaps/other?fieldManager=vault-init&force=true"]);
  });

  it("sends an object read back from the server without its managedFields, which apply refuses", async () => {
    await kube.apply(settings);
    const read = (await kube.get("v1", "ConfigMap", "settings", "vault"))!;
    const withManagedFields: KubeObject = { ...read, metadata: { ...read.metadata, managedFields: [{ manager: "btp-aws" }] } };
    expect(await kube.apply(withManagedFields)).toBe("unchanged");
    expect(server.requests.at(-1)?.body).not.toHaveProperty("metadata.managedFields");
  });

  it("addresses cluster-scoped and grouped kinds by their discovered plural names", async () => {
    await kube.apply({ apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "gp3" }, provisioner: "ebs.csi.aws.com" });
    await kube.get("apps/v1", "Deployment", "vault-agent-injector", "vault");
    expect(summary()).toEqual([
      "GET /apis/storage.k8s.io/v1",
      "GET /apis/storage.k8s.io/v1/storageclasses/gp3",
      "PATCH /apis/storage.k8s.io/v1/storageclasses/gp3?fieldManager=btp-aws&force=true",
      "GET /apis/apps/v1",
      "GET /apis/apps/v1/namespaces/vault/deployments/vault-agent-injector",
    ]);
  });

  it("discovers again when a kind is missing, so CRDs installed by a chart are found", async () => {
    const issuer: KubeObject = { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: "letsencrypt-prod" }, spec: { acme: {} } };
    expect(await kube.get("cert-manager.io/v1", "ClusterIssuer", "letsencrypt-prod")).toBeUndefined();
    expect(await kube.list("cert-manager.io/v1", "ClusterIssuer")).toEqual([]);
    expect(await kube.delete("cert-manager.io/v1", "ClusterIssuer", "letsencrypt-prod")).toBe(false);
    await expect(kube.apply(issuer)).rejects.toThrow("apply ClusterIssuer letsencrypt-prod: the API server does not serve ClusterIssuer in cert-manager.io/v1");
    server.resources["cert-manager.io/v1"] = CERT_MANAGER_RESOURCES;
    expect(await kube.apply(issuer)).toBe("created");
    expect(summary().slice(-2)).toEqual(["GET /apis/cert-manager.io/v1/clusterissuers/letsencrypt-prod", "PATCH /apis/cert-manager.io/v1/clusterissuers/letsencrypt-prod?fieldManager=btp-aws&force=true"]);
  });

  it("lists page by page with continue tokens, asking with a label selector", async () => {
    const paged = await startFakeApiServer({ pageSize: 2 });
    try {
      const pagedKube = await createKube(connection(paged.url));
      for (const name of ["a", "b", "c", "d", "e"]) paged.kube.seed({ ...settings, metadata: { name, namespace: "vault", labels: { app: "vault" } } });
      const items = await pagedKube.list("v1", "ConfigMap", { namespace: "vault", labelSelector: "app=vault" });
      expect(items.map((o) => o.metadata.name)).toEqual(["a", "b", "c", "d", "e"]);
      expect(paged.requests.slice(1).map((r) => r.query)).toEqual([
        { limit: "500", labelSelector: "app=vault" },
        { limit: "500", labelSelector: "app=vault", continue: "2" },
        { limit: "500", labelSelector: "app=vault", continue: "4" },
      ]);
    } finally {
      await paged.close();
    }
  });

  it("deletes in the background and reads events through a field selector", async () => {
    await kube.apply(settings);
    server.requests.length = 0;
    await kube.delete("v1", "ConfigMap", "settings", "vault");
    await kube.events("settlemint", "btp-ingress");
    expect(summary()).toEqual(["DELETE /api/v1/namespaces/vault/configmaps/settings?propagationPolicy=Background", "GET /api/v1/namespaces/settlemint/events?fieldSelector=involvedObject.name%3Dbtp-ingress"]);
  });

  it("explains a 403 with the API server's message and what to do", async () => {
    server.failWith(403, "Forbidden", 'configmaps "settings" is forbidden: User "arn:aws:iam::1:role/x" cannot get resource "configmaps"');
    const failure = kube.get("v1", "ConfigMap", "settings", "vault");
    await expect(failure).rejects.toThrow('read ConfigMap vault/settings: 403 Forbidden: configmaps "settings" is forbidden: User "arn:aws:iam::1:role/x" cannot get resource "configmaps"');
    await expect(failure).rejects.toMatchObject({ status: 403, hint: "the principal is not allowed to do this (Kubernetes RBAC): use a cluster-admin identity" });
  });

  it("explains a rejected token as a missing access entry, without showing the token", async () => {
    const rejected = await createKube(connection(server.url, () => Promise.resolve("not-an-eks-token")));
    const failure = rejected.get("v1", "ConfigMap", "settings", "vault");
    await expect(failure).rejects.toThrow("discover the resources of v1: 401 Unauthorized: Unauthorized");
    await expect(failure).rejects.toMatchObject({ hint: expect.stringContaining("needs the access entry infra/eks creates") as unknown });
    await expect(failure).rejects.not.toThrow(/not-an-eks-token/);
  });

  it("sends the token source's current token with every request, so a refreshed token is used", async () => {
    const clock = { now: 0 };
    let minted = 0;
    const token = createTokenSource(() => Promise.resolve({ token: `k8s-aws-v1.${++minted}`, expiresAt: new Date(clock.now + 14 * 60_000) }), () => clock.now);
    const refreshing = await createKube(connection(server.url, token));
    await refreshing.get("v1", "ConfigMap", "settings", "vault");
    clock.now = 13 * 60_000;
    await refreshing.get("v1", "ConfigMap", "settings", "vault");
    expect(server.requests.map((r) => r.authorization)).toEqual(["Bearer k8s-aws-v1.1", "Bearer k8s-aws-v1.1", "Bearer k8s-aws-v1.2"]);
  });

  it("refuses a server whose certificate is not from the cluster's CA", async () => {
    const wrongCa = await createKube(connection(server.url, undefined, OTHER_CERT));
    const failure = wrongCa.get("v1", "ConfigMap", "settings", "vault");
    await expect(failure).rejects.toThrow(new RegExp(`^discover the resources of v1: cannot reach the Kubernetes API server ${server.url.replace(/\./g, "\\.")}: [A-Z_]+$`));
    await expect(failure).rejects.toMatchObject({ hint: expect.stringContaining("certificate authority") as unknown });
    expect(server.requests).toEqual([]);
  });

  it("names the server and the network error when nothing answers", async () => {
    const gone = await startFakeApiServer();
    const url = gone.url;
    await gone.close();
    const unreachable = await createKube(connection(url));
    await expect(unreachable.list("v1", "Pod", { namespace: "vault" })).rejects.toThrow(`discover the resources of v1: cannot reach the Kubernetes API server ${url}: ECONNREFUSED`);
  });
});
