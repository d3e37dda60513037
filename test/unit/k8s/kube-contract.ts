/**
 * What every Kube must do, as tests that run against each implementation: the in-memory fake,
 * the real adapter against the loopback API server, and the real adapter against a real
 * kube-apiserver (test/real/kube-adapter.test.ts). A phase test that passes on the fake then
 * means the same on a cluster.
 */
import { createServer, connect, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kube, KubeObject } from "../../../src/k8s/kube.js";
import type { FakeEvent } from "../../fakes/kube.js";

export interface ContractTarget {
  kube: Kube;
  /** Stores an object as a controller would (status included). */
  seed(object: KubeObject): Promise<void>;
  recordEvent(event: FakeEvent): Promise<void>;
  close(): Promise<void>;
}

/** `echoPort` is a TCP echo server's port: the target must forward pod port 8200 of any pod there. */
export type ContractSetup = (echoPort: number) => Promise<ContractTarget>;

const configMap = (name: string, namespace: string, data: Record<string, string>, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace, labels },
  data,
});

const pod = (name: string, namespace: string, phase: string): KubeObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace }, spec: { containers: [{ name: "c", image: "i" }] }, status: { phase } });

/** Sends `text` through a local port and returns what came back before the connection closed (or 5 s passed). */
export function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(received);
    }, 5000);
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("utf8");
      if (received.length >= text.length) {
        clearTimeout(timer);
        socket.end();
        resolve(received);
      }
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      if (received === "" && (error as NodeJS.ErrnoException).code !== "ECONNRESET") reject(error);
      else resolve(received);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.write(text);
  });
}

export function kubeContract(name: string, setup: ContractSetup): void {
  describe(`Kube contract: ${name}`, () => {
    let echo: Server;
    let target: ContractTarget;

    beforeAll(async () => {
      echo = createServer((socket) => socket.pipe(socket));
      await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
      target = await setup((echo.address() as { port: number }).port);
    });
    afterAll(async () => {
      await target.close();
      await new Promise<void>((resolve) => echo.close(() => resolve()));
    });

    it("applies: created, then unchanged with the same resourceVersion, then changed with a new one", async () => {
      const { kube } = target;
      expect(await kube.apply(configMap("settings", "c1", { a: "1" }))).toBe("created");
      const first = await kube.get("v1", "ConfigMap", "settings", "c1");
      expect(first?.data).toEqual({ a: "1" });
      expect(typeof first?.metadata.resourceVersion).toBe("string");

      expect(await kube.apply(configMap("settings", "c1", { a: "1" }))).toBe("unchanged");
      expect((await kube.get("v1", "ConfigMap", "settings", "c1"))?.metadata.resourceVersion).toBe(first?.metadata.resourceVersion);

      expect(await kube.apply(configMap("settings", "c1", { a: "2" }))).toBe("changed");
      const second = await kube.get("v1", "ConfigMap", "settings", "c1");
      expect(second?.data).toEqual({ a: "2" });
      expect(second?.metadata.resourceVersion).not.toBe(first?.metadata.resourceVersion);
    });

    it("answers undefined for an object that does not exist", async () => {
      expect(await target.kube.get("v1", "ConfigMap", "absent", "c1")).toBeUndefined();
    });

    it("lists by namespace and label selector, and across namespaces, with apiVersion and kind on every item", async () => {
      const { kube } = target;
      await kube.apply(configMap("one", "c2", {}, { app: "vault", tier: "a" }));
      await kube.apply(configMap("two", "c2", {}, { app: "vault", tier: "b" }));
      await kube.apply(configMap("three", "c2", {}, { app: "other" }));
      await kube.apply(configMap("four", "c3", {}, { app: "vault", tier: "a" }));
      const names = (items: KubeObject[]) => items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);

      const vault = await kube.list("v1", "ConfigMap", { namespace: "c2", labelSelector: "app=vault" });
      expect(names(vault)).toEqual(["c2/one", "c2/two"]);
      expect(vault.map((o) => [o.apiVersion, o.kind])).toEqual([["v1", "ConfigMap"], ["v1", "ConfigMap"]]);
      expect(names(await kube.list("v1", "ConfigMap", { namespace: "c2", labelSelector: "app=vault,tier!=b" }))).toEqual(["c2/one"]);
      expect(names(await kube.list("v1", "ConfigMap", { labelSelector: "app=vault,tier=a" }))).toEqual(["c2/one", "c3/four"]);
      expect(await kube.list("v1", "ConfigMap", { namespace: "c2", labelSelector: "app=nothing" })).toEqual([]);
    });

    it("deletes: true when something was deleted, false when there was nothing", async () => {
      const { kube } = target;
      await kube.apply(configMap("doomed", "c4", { a: "1" }));
      expect(await kube.delete("v1", "ConfigMap", "doomed", "c4")).toBe(true);
      expect(await kube.get("v1", "ConfigMap", "doomed", "c4")).toBeUndefined();
      expect(await kube.delete("v1", "ConfigMap", "doomed", "c4")).toBe(false);
    });

    it("applies cluster-scoped objects without a namespace, and refuses a namespaced kind without one", async () => {
      const { kube } = target;
      expect(await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "c5", labels: { team: "btp" } } })).toBe("created");
      // A real API server adds kubernetes.io/metadata.name to every namespace.
      expect((await kube.get("v1", "Namespace", "c5"))?.metadata.labels).toEqual(expect.objectContaining({ team: "btp" }));
      await expect(kube.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } })).rejects.toThrow("apply ConfigMap x: ConfigMap is namespaced, and no namespace was given");
      await expect(kube.get("v1", "Namespace", "c5", "c5")).rejects.toThrow("read Namespace c5/c5: Namespace is cluster-scoped, but a namespace was given");
    });

    it("keeps the status controllers wrote when the object is applied again", async () => {
      const { kube } = target;
      // A complete Deployment and a consistent status: a real API server validates both.
      const selector = { matchLabels: { app: "web" } };
      const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "web:1" }] } };
      const status = { replicas: 1, readyReplicas: 1, availableReplicas: 1 };
      await target.seed({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "c6" }, spec: { replicas: 1, selector, template }, status });
      expect(await kube.apply({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "c6" }, spec: { replicas: 2, selector, template } })).toBe("changed");
      const web = await kube.get("apps/v1", "Deployment", "web", "c6");
      expect([(web?.spec as { replicas?: number } | undefined)?.replicas, web?.status]).toEqual([2, status]);
    });

    it("returns the events about an object, oldest first", async () => {
      await target.recordEvent({ namespace: "c7", involvedObject: { kind: "Ingress", name: "btp" }, type: "Warning", reason: "FailedDeployModel", message: "AccessDenied", lastTimestamp: "2024-05-01T10:00:02Z" });
      await target.recordEvent({ namespace: "c7", involvedObject: { kind: "Ingress", name: "btp" }, type: "Normal", reason: "SuccessfullyReconciled", message: "ok", lastTimestamp: "2024-05-01T10:00:01Z" });
      await target.recordEvent({ namespace: "c7", involvedObject: { kind: "Pod", name: "other" }, type: "Normal", reason: "Pulled", message: "image pulled", lastTimestamp: "2024-05-01T10:00:00Z" });
      expect(await target.kube.events("c7", "btp")).toEqual([
        { type: "Normal", reason: "SuccessfullyReconciled", message: "ok", involvedObject: "Ingress/btp", lastTimestamp: "2024-05-01T10:00:01Z" },
        { type: "Warning", reason: "FailedDeployModel", message: "AccessDenied", involvedObject: "Ingress/btp", lastTimestamp: "2024-05-01T10:00:02Z" },
      ]);
      expect((await target.kube.events("c7")).map((e) => e.reason)).toEqual(["Pulled", "SuccessfullyReconciled", "FailedDeployModel"]);
    });

    it("port-forwards to a running pod until closed", async () => {
      await target.seed(pod("vault-0", "c8", "Running"));
      const forward = await target.kube.portForward("c8", "vault-0", 8200);
      expect(await roundTrip(forward.localPort, "hello vault")).toBe("hello vault");
      // Each connection is forwarded on its own.
      expect(await Promise.all([roundTrip(forward.localPort, "one"), roundTrip(forward.localPort, "two")])).toEqual(["one", "two"]);
      await forward.close();
      await expect(roundTrip(forward.localPort, "after close")).rejects.toThrow(/ECONNREFUSED/);
    });

    it("refuses to port-forward to a pod that is missing or not running", async () => {
      await target.seed(pod("vault-1", "c8", "Pending"));
      await expect(target.kube.portForward("c8", "vault-9", 8200)).rejects.toThrow("cannot port-forward to pod c8/vault-9: it does not exist");
      await expect(target.kube.portForward("c8", "vault-1", 8200)).rejects.toThrow("cannot port-forward to pod c8/vault-1: it is Pending, not Running");
    });
  });
}
