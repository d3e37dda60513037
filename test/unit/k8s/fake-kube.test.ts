import { describe, expect, it } from "vitest";
import { fakeKube, parseLabelSelector } from "../../fakes/kube.js";
import { kubeContract, roundTrip } from "./kube-contract.js";

kubeContract("in-memory fake", (echoPort) => {
  const kube = fakeKube({ portForward: ({ remotePort }) => (remotePort === 8200 ? echoPort : undefined) });
  return Promise.resolve({
    kube,
    seed: (object) => Promise.resolve(void kube.seed(object)),
    recordEvent: (event) => Promise.resolve(kube.recordEvent(event)),
    close: () => Promise.resolve(),
  });
});

describe("fakeKube", () => {
  it("records applies with their outcome, deletes and port-forwards", async () => {
    const kube = fakeKube();
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "n" }, data: { k: "v" } };
    await kube.apply(cm);
    await kube.apply(cm, "someone-else");
    await kube.delete("v1", "ConfigMap", "a", "n");
    kube.seed({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "n" }, status: { phase: "Running" } });
    const forward = await kube.portForward("n", "p", 8200);
    await forward.close();
    expect(kube.applied.map((a) => [a.fieldManager, a.result])).toEqual([["btp-aws", "created"], ["someone-else", "unchanged"]]);
    expect(kube.deleted).toEqual(["ConfigMap n/a"]);
    expect(kube.forwards).toEqual([{ namespace: "n", pod: "p", remotePort: 8200, localPort: forward.localPort, closed: true }]);
  });

  it("resets connections to a pod port nothing listens on", async () => {
    const kube = fakeKube();
    kube.seed({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "n" }, status: { phase: "Running" } });
    const forward = await kube.portForward("n", "p", 9999);
    expect(await roundTrip(forward.localPort, "anyone?")).toBe("");
    await forward.close();
  });

  it("hands each connection to a handler function when given one", async () => {
    const kube = fakeKube({ portForward: () => (socket) => socket.end("vault says hi") });
    kube.seed({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "n" }, status: { phase: "Running" } });
    const forward = await kube.portForward("n", "p", 8200);
    expect(await roundTrip(forward.localPort, "x")).toBe("vault says hi");
    await forward.close();
  });

  it("behaves like an API server without the CRD for kinds it does not serve", async () => {
    const kube = fakeKube({ served: (apiVersion) => apiVersion !== "cert-manager.io/v1" });
    const issuer = { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: "letsencrypt-prod" }, spec: {} };
    await expect(kube.apply(issuer)).rejects.toThrow("apply ClusterIssuer letsencrypt-prod: the API server does not serve ClusterIssuer in cert-manager.io/v1");
    expect(await kube.get("cert-manager.io/v1", "ClusterIssuer", "letsencrypt-prod")).toBeUndefined();
    expect(await kube.list("cert-manager.io/v1", "ClusterIssuer")).toEqual([]);
  });

  it("returns copies: changing a returned object changes nothing stored", async () => {
    const kube = fakeKube();
    await kube.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "n" }, data: { k: "v" } });
    const got = await kube.get("v1", "ConfigMap", "a", "n");
    (got!.data as Record<string, string>).k = "changed";
    expect((await kube.get("v1", "ConfigMap", "a", "n"))?.data).toEqual({ k: "v" });
  });
});

describe("parseLabelSelector", () => {
  const matches = (selector: string, labels: Record<string, string>) => parseLabelSelector(selector).every((r) => r(labels));
  it.each([
    ["app=vault", { app: "vault" }, true],
    ["app==vault", { app: "other" }, false],
    ["app!=vault", {}, true],
    ["app", { app: "" }, true],
    ["!app", { app: "x" }, false],
    ["tier in (a, b)", { tier: "b" }, true],
    ["tier notin (a,b),app=vault", { tier: "c", app: "vault" }, true],
    ["app.kubernetes.io/name=vault,component=server", { "app.kubernetes.io/name": "vault", component: "server" }, true],
  ] as const)("%s on %j is %s", (selector, labels, expected) => {
    expect(matches(selector, labels)).toBe(expected);
  });

  it("rejects what it cannot parse", () => {
    expect(() => parseLabelSelector("a=b=c")).toThrow('invalid label selector "a=b=c"');
  });
});
