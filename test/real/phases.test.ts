/**
 * The Kubernetes phase steps themselves (not only the adapters) against a real kube-apiserver:
 * the StorageClass step's server-side apply leaving EKS's gp2 intact but no longer default, the
 * vault release through real helm from the fixture chart (charts.vault pointing at it, as a
 * mirror would), and the ClusterIssuers step on the cert-manager fixture's CRD. There is no
 * kubelet or controller, so whatever a controller would write (an issuer's Ready condition) the
 * test writes, as a separate field manager.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createHelm, type Helm } from "../../src/helm/release.js";
import { existingConnection } from "../../src/k8s/connection.js";
import { createKube, type Kube } from "../../src/k8s/kube.js";
import { DEFAULT_CLASS_ANNOTATION, storageClassStep } from "../../src/phases/addons/storage-class.js";
import { clusterIssuersStep } from "../../src/phases/cert-manager/steps.js";
import type { KubernetesServices } from "../../src/phases/cluster/services.js";
import { vaultReleaseStep } from "../../src/phases/vault/steps.js";
import type { StepOutputs } from "../../src/plan/types.js";
import { Redactor } from "../../src/secrets/redact.js";
import { NO_PROBE } from "../support/context.js";
import { testConfig } from "../support/config.js";
import { runStep } from "../support/infra.js";
import { KUBECONFIG_CONTEXT, startKubeApiServer, type KubeApiServer } from "../support/kube-apiserver.js";
import { REPO_ROOT } from "../support/paths.js";

const servers = inject("servers");
const helmBinaries = inject("helm");
const CHARTS = join(REPO_ROOT, "test", "fixtures", "charts");
const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const OUTPUTS: Record<string, StepOutputs> = {
  "infra/kms": { keyArn: KEY_ARN },
  "infra/eks": { clusterName: "btp-test" },
  "infra/irsa": { vaultRoleArn: "arn:aws:iam::123456789012:role/btp-test-irsa-vault", certManagerRoleArn: "arn:aws:iam::123456789012:role/btp-test-irsa-cert-manager" },
};
const config = testConfig({ charts: { vault: { chart: join(CHARTS, "vault") } } });

let api: KubeApiServer;
let kube: Kube;
let helm: Helm;
let services: KubernetesServices;

beforeAll(async () => {
  api = await startKubeApiServer(servers);
  const connection = await existingConnection({ kubeconfig: api.kubeconfigPath, context: KUBECONFIG_CONTEXT });
  kube = await createKube(connection);
  helm = createHelm({ binary: helmBinaries.v4.path, kubeconfig: api.kubeconfigPath, kubeContext: KUBECONFIG_CONTEXT });
  let now = 0;
  services = {
    aws: undefined as never,
    wait: { scale: 1, now: () => now, sleep: (ms: number) => new Promise((resolve) => setTimeout(() => resolve(void (now += ms)), 50)) },
    secrets: new Redactor(),
    cluster: { kube: () => Promise.resolve(kube), helm: () => Promise.resolve(helm), localHelm: () => Promise.resolve(helm) },
    probe: NO_PROBE,
    userSecrets: {},
  };
});
afterAll(async () => {
  await api?.stop();
});

describe("addons/storage-class on a real API server", () => {
  it("makes gp3 the encrypted default and leaves the rest of EKS's gp2 as it was", async () => {
    // As EKS makes it: another field manager owns every field.
    await kube.apply({ apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "gp2", annotations: { [DEFAULT_CLASS_ANNOTATION]: "true" } }, provisioner: "kubernetes.io/aws-ebs", parameters: { type: "gp2", fsType: "ext4" }, volumeBindingMode: "WaitForFirstConsumer" }, "eks");
    const first = await runStep(storageClassStep, config, services, OUTPUTS);
    expect(first.report.infos).toEqual([`created StorageClass gp3 (gp3, encrypted with ${KEY_ARN})`, "no longer default: gp2"]);
    const gp2 = await kube.get("storage.k8s.io/v1", "StorageClass", "gp2");
    expect(gp2?.metadata.annotations).toEqual({ [DEFAULT_CLASS_ANNOTATION]: "false" });
    expect(gp2).toMatchObject({ provisioner: "kubernetes.io/aws-ebs", parameters: { type: "gp2", fsType: "ext4" }, volumeBindingMode: "WaitForFirstConsumer" });
    const gp3 = await kube.get("storage.k8s.io/v1", "StorageClass", "gp3");
    expect(gp3).toMatchObject({ provisioner: "ebs.csi.aws.com", parameters: { encrypted: "true", kmsKeyId: KEY_ARN }, allowVolumeExpansion: true, reclaimPolicy: "Delete" });

    const second = await runStep(storageClassStep, config, services, OUTPUTS);
    // Caught here first: the server sorts the parameters' keys, and a comparison by serialisation recreated the class on every run.
    expect(second.report.skipped).toEqual(["StorageClass gp3 already the encrypted default"]);
    expect(second.report.infos).toEqual([]);
  });
});

describe("vault/release through real helm (charts.vault overridden to the fixture chart)", () => {
  it("installs without waiting, with the IRSA service account and the raft config; a re-run is skipped", async () => {
    const first = await runStep(vaultReleaseStep, config, services, OUTPUTS);
    expect(first.outputs).toMatchObject({ release: "vault", namespace: "vault", revision: 1 });
    const account = await kube.get("v1", "ServiceAccount", "vault", "vault");
    expect(account?.metadata.annotations?.["eks.amazonaws.com/role-arn"]).toBe(OUTPUTS["infra/irsa"]!.vaultRoleArn);
    const statefulSet = await kube.get("apps/v1", "StatefulSet", "vault", "vault");
    expect((statefulSet?.spec as { replicas?: number }).replicas).toBe(3);
    const hcl = ((await kube.get("v1", "ConfigMap", "vault-config", "vault"))?.data as Record<string, string>)["extraconfig-from-values.hcl"];
    expect(hcl).toContain(`kms_key_id = "${KEY_ARN}"`);

    const second = await runStep(vaultReleaseStep, config, services, OUTPUTS);
    expect(second.report.skipped[0]).toMatch(/vault/);
  });
});

describe("cert-manager/issuers on the fixture chart's CRD", () => {
  it("applies both ClusterIssuers once the CRD is served and waits for Ready; a re-run changes nothing", async () => {
    await helm.upgradeInstall({ name: "cert-manager", namespace: "cert-manager", chart: join(CHARTS, "cert-manager"), values: { crds: { enabled: true } }, timeoutSeconds: 120, wait: false, createNamespace: true });
    // cert-manager's controller registers the ACME accounts; here the test plays it.
    const controller = setInterval(() => {
      for (const name of ["letsencrypt-staging", "letsencrypt-prod"]) {
        void kube.get("cert-manager.io/v1", "ClusterIssuer", name).then((issuer) => issuer && !issuer.status
          ? kube.apply({ apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name }, status: { conditions: [{ type: "Ready", status: "True", message: "registered" }] } }, "cert-manager").then(() => undefined)
          : undefined).catch(() => undefined);
      }
    }, 100);
    try {
      const first = await runStep(clusterIssuersStep, config, services, OUTPUTS);
      expect(first.report.infos).toEqual(["ClusterIssuers: letsencrypt-staging created, letsencrypt-prod created"]);
      const prod = await kube.get("cert-manager.io/v1", "ClusterIssuer", "letsencrypt-prod");
      expect(prod?.spec).toMatchObject({ acme: { server: "https://acme-v02.api.letsencrypt.org/directory", solvers: [{ dns01: { route53: { hostedZoneID: config.dns.hostedZoneId, region: "eu-west-1" } } }] } });
      const second = await runStep(clusterIssuersStep, config, services, OUTPUTS);
      expect(second.report.skipped).toEqual(["ClusterIssuers letsencrypt-staging and letsencrypt-prod already configured"]);
    } finally {
      clearInterval(controller);
    }
  });
});
