/**
 * The Kube adapter (createKube over existingConnection, client-node's TLS and fetch, our REST
 * paths) against a real kube-apiserver and etcd (test/support/kube-apiserver.ts): the same
 * contract the in-memory fake and the loopback stand-in pass (test/unit/k8s/kube-contract.ts),
 * then what only a real server shows: a CRD from the cert-manager fixture chart becoming served,
 * status written through the status subresource as controllers do, RBAC and authentication
 * errors in the API server's own words.
 *
 * No scheduler or kubelet runs: the test binds pods to a Node it registers, whose kubelet
 * endpoint is a stand-in for the kubelet's port-forward (support/fake-kubelet.ts), so the
 * adapter's port-forward goes through the real API server's proxy.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { createHelm } from "../../src/helm/release.js";
import { existingConnection } from "../../src/k8s/connection.js";
import { createKube, type Kube, type KubeObject } from "../../src/k8s/kube.js";
import type { FakeEvent } from "../fakes/kube.js";
import { apiRequest, KUBECONFIG_CONTEXT, patchStatus, startKubeApiServer, writeKubeconfig, type KubeApiServer } from "../support/kube-apiserver.js";
import { REPO_ROOT } from "../support/paths.js";
import { kubeContract } from "../unit/k8s/kube-contract.js";
import { OTHER_CERT } from "../unit/k8s/support/fake-apiserver.js";
import { startFakeKubelet } from "./support/fake-kubelet.js";

const servers = inject("servers");
const helmBinaries = inject("helm");

let api: KubeApiServer;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "btp-aws-kube-adapter-"));
  api = await startKubeApiServer(servers);
});
afterAll(async () => {
  await api?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function kubeFor(kubeconfig: string): Promise<Kube> {
  return createKube(await existingConnection({ kubeconfig }));
}

/** URL paths of the kinds the contract seeds (the real adapter finds them by discovery). */
const PLURALS: Record<string, string> = { Deployment: "deployments", Pod: "pods", Ingress: "ingresses" };

function objectPath(object: Pick<KubeObject, "apiVersion" | "kind" | "metadata">): string {
  const plural = PLURALS[object.kind];
  if (plural === undefined) throw new Error(`objectPath: add the plural of ${object.kind}`);
  const prefix = object.apiVersion.includes("/") ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
  return `${prefix}/namespaces/${object.metadata.namespace}/${plural}/${object.metadata.name}`;
}

const NODE = "node-0";

/** Registers a Node whose kubelet is `kubeletPort` on loopback, as a kubelet registers itself. */
async function registerNode(kube: Kube, kubeletPort: number): Promise<void> {
  await kube.apply({ apiVersion: "v1", kind: "Node", metadata: { name: NODE } }, "btp-aws-test-owner");
  await patchStatus(api, `/api/v1/nodes/${NODE}`, { addresses: [{ type: "InternalIP", address: "127.0.0.1" }], daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } } });
}

/**
 * Creates an object as its owner would, then writes its status as its controller would; a pod is
 * bound to the test's node first, as the scheduler would bind it.
 */
async function seed(kube: Kube, object: KubeObject): Promise<void> {
  const { status, ...spec } = object;
  if (object.kind === "Pod") spec.spec = { ...(spec.spec as Record<string, unknown>), nodeName: NODE };
  await kube.apply(spec, "btp-aws-test-owner");
  if (status !== undefined) await patchStatus(api, objectPath(object), status as Record<string, unknown>);
}

let eventCount = 0;

/** An event as a controller records it (core/v1, the API kubectl describe shows). */
async function recordEvent(event: FakeEvent): Promise<void> {
  const body = {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `contract.${++eventCount}`, namespace: event.namespace },
    involvedObject: { ...event.involvedObject, namespace: event.namespace },
    type: event.type ?? "Normal",
    reason: event.reason,
    message: event.message,
    firstTimestamp: event.lastTimestamp,
    lastTimestamp: event.lastTimestamp,
    count: 1,
    source: { component: "btp-aws-test" },
  };
  const response = await apiRequest(api, "POST", `/api/v1/namespaces/${event.namespace}/events`, { contentType: "application/json", text: JSON.stringify(body) });
  if (response.status !== 201) throw new Error(`creating the event answered ${response.status}: ${response.body}`);
}

kubeContract("client-node adapter against a real kube-apiserver", async (echoPort) => {
  const kube = await kubeFor(api.kubeconfigPath);
  // The namespaces the contract writes into (c5 is created by the contract itself).
  for (const name of ["c1", "c2", "c3", "c4", "c6", "c7", "c8"]) await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name } }, "btp-aws-test-owner");
  const kubelet = await startFakeKubelet((_namespace, _pod, port) => (port === 8200 ? echoPort : undefined));
  await registerNode(kube, kubelet.port);
  return { kube, seed: (object) => seed(kube, object), recordEvent, close: () => kubelet.close() };
});

describe("client-node adapter against a real kube-apiserver", () => {
  let kube: Kube;

  beforeAll(async () => {
    kube = await kubeFor(api.kubeconfigPath);
  });

  it("reads the fixture's kubeconfig as a user's own cluster", async () => {
    expect(await existingConnection({ kubeconfig: api.kubeconfigPath })).toEqual({
      kind: "kubeconfig",
      files: [api.kubeconfigPath],
      explicitFile: api.kubeconfigPath,
      context: KUBECONFIG_CONTEXT,
      server: api.server,
    });
  });

  it("serves ClusterIssuers once the cert-manager fixture chart's CRD is applied and established", async () => {
    const issuer: KubeObject = { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: "letsencrypt-prod" }, spec: { acme: { server: "https://acme-v02.api.letsencrypt.org/directory" } } };
    expect(await kube.get("cert-manager.io/v1", "ClusterIssuer", "letsencrypt-prod")).toBeUndefined();
    expect(await kube.list("cert-manager.io/v1", "ClusterIssuer")).toEqual([]);
    await expect(kube.apply(issuer)).rejects.toThrow("apply ClusterIssuer letsencrypt-prod: the API server does not serve ClusterIssuer in cert-manager.io/v1");

    // The CRD exactly as the chart renders it.
    const helm = createHelm({ binary: helmBinaries.v4.path });
    const rendered = await helm.template({ name: "cert-manager", namespace: "cert-manager", chart: join(REPO_ROOT, "test", "fixtures", "charts", "cert-manager"), values: { crds: { enabled: true } }, timeoutSeconds: 60, wait: false });
    const crd = parseAllDocuments(rendered).map((d) => d.toJS() as KubeObject | null).find((m) => m?.kind === "CustomResourceDefinition");
    expect(crd?.metadata.name).toBe("clusterissuers.cert-manager.io");
    expect(await kube.apply(crd!)).toBe("created");
    await until("the CRD to be Established and its group discoverable", async () => {
      const stored = await kube.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "clusterissuers.cert-manager.io");
      const conditions = ((stored?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []);
      const established = conditions.some((c) => c.type === "Established" && c.status === "True");
      return established && (await apiRequest(api, "GET", "/apis/cert-manager.io/v1")).status === 200;
    });

    // The adapter cached "not served" for cert-manager.io/v1 and looks again.
    expect(await kube.apply(issuer)).toBe("created");
    expect(await kube.apply(issuer)).toBe("unchanged");
    expect((await kube.list("cert-manager.io/v1", "ClusterIssuer")).map((o) => [o.kind, o.metadata.name, o.spec])).toEqual([["ClusterIssuer", "letsencrypt-prod", issuer.spec]]);
    expect(await kube.delete("cert-manager.io/v1", "ClusterIssuer", "letsencrypt-prod")).toBe(true);
    expect(await kube.get("cert-manager.io/v1", "ClusterIssuer", "letsencrypt-prod")).toBeUndefined();
  });

  it("reads an Ingress status written as the load balancer controller would, and keeps it when the spec is applied again", async () => {
    await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "settlemint" } });
    const ingress: KubeObject = {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "settlemint", namespace: "settlemint", annotations: { "alb.ingress.kubernetes.io/scheme": "internet-facing" } },
      spec: { ingressClassName: "alb", rules: [{ host: "btp.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "settlemint", port: { number: 80 } } } }] } }] },
    };
    expect(await kube.apply(ingress)).toBe("created");
    expect((await kube.get("networking.k8s.io/v1", "Ingress", "settlemint", "settlemint"))?.status).toEqual({ loadBalancer: {} });

    const hostname = "k8s-settlemi-settlemi-0123456789-1234567890.eu-west-1.elb.amazonaws.com";
    await patchStatus(api, objectPath(ingress), { loadBalancer: { ingress: [{ hostname }] } });

    expect((await kube.get("networking.k8s.io/v1", "Ingress", "settlemint", "settlemint"))?.status).toEqual({ loadBalancer: { ingress: [{ hostname }] } });
    expect(await kube.apply(ingress)).toBe("unchanged");
    expect((await kube.get("networking.k8s.io/v1", "Ingress", "settlemint", "settlemint"))?.status).toEqual({ loadBalancer: { ingress: [{ hostname }] } });
  });

  it("explains RBAC's refusal with the API server's message and what to do", async () => {
    const kubeconfig = join(scratch, "nobody.kubeconfig");
    await writeKubeconfig(kubeconfig, { server: api.server, caPem: api.caPem, token: api.unprivilegedToken });
    const nobody = await kubeFor(kubeconfig);
    const failure = nobody.get("v1", "ConfigMap", "settings", "c1");
    await expect(failure).rejects.toThrow('read ConfigMap c1/settings: 403 Forbidden: configmaps "settings" is forbidden: User "btp-aws-test-nobody" cannot get resource "configmaps" in API group "" in the namespace "c1"');
    await expect(failure).rejects.toMatchObject({ status: 403, hint: "the principal is not allowed to do this (Kubernetes RBAC): use a cluster-admin identity" });
  });

  it("explains a token the server does not know, without showing it", async () => {
    const kubeconfig = join(scratch, "unknown.kubeconfig");
    const token = "not-a-token-this-server-knows";
    await writeKubeconfig(kubeconfig, { server: api.server, caPem: api.caPem, token });
    const failure = (await kubeFor(kubeconfig)).get("v1", "ConfigMap", "settings", "c1");
    await expect(failure).rejects.toThrow("discover the resources of v1: 401 Unauthorized: Unauthorized");
    await expect(failure).rejects.toMatchObject({ hint: expect.stringContaining("did not accept the credentials") as unknown });
    await expect(failure).rejects.not.toThrow(new RegExp(token));
  });

  it("refuses the server when the kubeconfig trusts another CA", async () => {
    const kubeconfig = join(scratch, "wrong-ca.kubeconfig");
    await writeKubeconfig(kubeconfig, { server: api.server, caPem: OTHER_CERT, token: api.token });
    const failure = (await kubeFor(kubeconfig)).get("v1", "ConfigMap", "settings", "c1");
    await expect(failure).rejects.toThrow(new RegExp(`^discover the resources of v1: cannot reach the Kubernetes API server ${api.server.replace(/\./g, "\\.")}: [A-Z_]+$`));
    await expect(failure).rejects.toMatchObject({ hint: expect.stringContaining("certificate authority") as unknown });
  });
});

/** Polls every 100 ms for up to 30 s. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
