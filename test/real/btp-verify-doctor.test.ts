/**
 * On a real kube-apiserver: the btp release's values (as install builds them) installed by real
 * helm from the fixture chart; verify reading the ALB hostname the controller would patch into
 * the Ingress status; doctor's Kubernetes checks reading real Node and Ingress objects.
 */
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createHelm } from "../../src/helm/release.js";
import { existingConnection } from "../../src/k8s/connection.js";
import { createKube, type Kube } from "../../src/k8s/kube.js";
import { kubernetesChecks } from "../../src/ops/doctor/checks-kubernetes.js";
import { exportKubernetes } from "../../src/ops/dr-snapshot/kubernetes-export.js";
import type { DoctorContext } from "../../src/ops/doctor/types.js";
import { btpValues } from "../../src/phases/btp/values.js";
import { waitForIngressHostname } from "../../src/phases/verify/ingress.js";
import { awsTestConfig } from "../support/aws-modes.js";
import { KUBECONFIG_CONTEXT, patchStatus, startKubeApiServer, type KubeApiServer } from "../support/kube-apiserver.js";
import { REPO_ROOT } from "../support/paths.js";
import { CERT_ARN, INFRA_OUTPUTS, TEST_SECRETS } from "../unit/phases/btp/fixtures.js";

const servers = inject("servers");
const helmBinaries = inject("helm");
const CHART = join(REPO_ROOT, "test", "fixtures", "charts", "settlemint");
const ALB = "k8s-btpbtptest-0123456789-1234567890.eu-west-1.elb.amazonaws.com";
// The managed services (RDS, ElastiCache, S3) whose outputs INFRA_OUTPUTS carries.
const config = awsTestConfig();

let api: KubeApiServer;
let kube: Kube;

beforeAll(async () => {
  api = await startKubeApiServer(servers);
  kube = await createKube(await existingConnection({ kubeconfig: api.kubeconfigPath, context: KUBECONFIG_CONTEXT }));
});
afterAll(async () => {
  await api?.stop();
});

describe("the btp release on a real API server", () => {
  it("installs the values install builds; the Ingress carries the ALB annotations and TLS hosts, and no secret was on helm's command line", async () => {
    const argvs: string[][] = [];
    const helm = createHelm({ binary: helmBinaries.v4.path, kubeconfig: api.kubeconfigPath, kubeContext: KUBECONFIG_CONTEXT, onArgv: (argv) => argvs.push(argv) });
    const values = btpValues(config, INFRA_OUTPUTS, TEST_SECRETS);
    const result = await helm.upgradeInstall({ name: "settlemint", namespace: "settlemint", chart: CHART, version: "v7.32.10", values, timeoutSeconds: 120, wait: false, createNamespace: true });
    expect(result.action).toBe("installed");
    const [ingress] = await kube.list("networking.k8s.io/v1", "Ingress", { namespace: "settlemint" });
    expect(ingress?.metadata.annotations).toMatchObject({
      "alb.ingress.kubernetes.io/scheme": "internet-facing",
      "alb.ingress.kubernetes.io/target-type": "ip",
      "alb.ingress.kubernetes.io/certificate-arn": CERT_ARN,
    });
    expect((ingress?.spec as { tls?: { hosts: string[] }[] }).tls?.[0]?.hosts).toEqual([config.dns.domain, `*.${config.dns.domain}`]);
    for (const secret of Object.values(TEST_SECRETS)) expect(argvs.flat().join(" ")).not.toContain(secret);
  });

  it("verify reads the ALB hostname once the controller has written it into the Ingress status", async () => {
    const [ingress] = await kube.list("networking.k8s.io/v1", "Ingress", { namespace: "settlemint" });
    const name = ingress!.metadata.name;
    let polls = 0;
    const found = await waitForIngressHostname(kube, "settlemint", config.dns.domain, {
      settings: {
        scale: 1,
        sleep: async () => {
          // The controller finishes the ALB after the first poll.
          if (++polls === 1) await patchStatus(api, `/apis/networking.k8s.io/v1/namespaces/settlemint/ingresses/${name}`, { loadBalancer: { ingress: [{ hostname: ALB }] } });
        },
      },
      onStatus: () => undefined,
      signal: new AbortController().signal,
    });
    expect(found).toEqual({ ingress: name, hostname: ALB });
    expect(polls).toBe(1);
  });
});

describe("doctor's Kubernetes checks on a real API server", () => {
  const context = (): DoctorContext => ({ kube: () => Promise.resolve(kube), state: undefined, now: () => new Date() } as unknown as DoctorContext);
  const check = (id: string) => {
    const found = kubernetesChecks.find((c) => c.id === id);
    if (!found) throw new Error(`no check ${id}`);
    return found;
  };

  it("sees a Ready node as ok and a NotReady one as a failure with its reason", async () => {
    await kube.apply({ apiVersion: "v1", kind: "Node", metadata: { name: "ip-10-40-0-10.eu-west-1.compute.internal" } }, "kubelet");
    const path = "/api/v1/nodes/ip-10-40-0-10.eu-west-1.compute.internal";
    await patchStatus(api, path, { conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }] });
    expect(await check("kubernetes/nodes").run(context())).toEqual({ status: "ok", detail: "1 nodes Ready" });
    await patchStatus(api, path, { conditions: [{ type: "Ready", status: "False", reason: "KubeletNotReady", message: "container runtime is down", lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }] });
    const outcome = await check("kubernetes/nodes").run(context());
    expect(outcome.status).toBe("fail");
    expect(outcome.detail).toBe("1 of 1 nodes not Ready: ip-10-40-0-10.eu-west-1.compute.internal: KubeletNotReady (container runtime is down)");
  });

  it("finds the ALB on the platform's Ingress", async () => {
    const outcome = await check("kubernetes/ingress").run(context());
    expect(outcome.status).toBe("ok");
    expect(outcome.detail).toContain(ALB);
  });
});

describe("dr-snapshot's Kubernetes export from a real API server", () => {
  it("exports the release's objects and the namespace without server-set fields; Secrets only when asked", async () => {
    const documents = await exportKubernetes(kube, false);
    expect(documents.map((d) => d.name)).toEqual(["settlemint.yaml", "vault.yaml", "cert-manager.yaml", "cluster.yaml"]);
    const objects = (name: string) => parseAllDocuments(documents.find((d) => d.name === name)!.yaml).map((d) => d.toJS() as { kind: string; metadata: Record<string, unknown>; status?: unknown });
    const platform = objects("settlemint.yaml");
    expect(platform.map((o) => o.kind)).toEqual(expect.arrayContaining(["Deployment", "Ingress", "ServiceAccount"]));
    for (const object of platform) {
      expect(Object.keys(object.metadata)).not.toEqual(expect.arrayContaining(["uid"]));
      expect(object.metadata).not.toHaveProperty("managedFields");
      expect(object.metadata).not.toHaveProperty("resourceVersion");
      expect(object).not.toHaveProperty("status");
    }
    expect(objects("cluster.yaml").map((o) => `${o.kind}/${String(o.metadata.name)}`)).toContain("Namespace/settlemint");
    expect(documents.map((d) => d.yaml).join("\n")).not.toContain(TEST_SECRETS.databasePassword);

    const withSecrets = await exportKubernetes(kube, true);
    const secrets = withSecrets.find((d) => d.name === "secrets.yaml");
    expect(secrets?.objects).toBeGreaterThan(0);
  });
});
