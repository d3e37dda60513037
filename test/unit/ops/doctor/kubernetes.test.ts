/**
 * The Kubernetes checks against the in-memory Kubernetes fake (test/fakes/kube.ts) and, for
 * Vault, the fake Vault servers (test/fakes/vault.ts) reached through the fake's port-forward.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AwsClients } from "../../../../src/aws/clients.js";
import { BtpAwsError } from "../../../../src/errors.js";
import { kubernetesChecks } from "../../../../src/ops/doctor/checks-kubernetes.js";
import { runChecks } from "../../../../src/ops/doctor/runner.js";
import type { Check, CheckResult, DoctorContext } from "../../../../src/ops/doctor/types.js";
import { fakeKube, type FakeKube } from "../../../fakes/kube.js";
import { fakeVaultPool, type FakeVault } from "../../../fakes/vault.js";
import { helmRevision, node, pod, stateWith, stubFacts, testContext } from "./helpers.js";

const ROOT_TOKEN = "hvs.doctor-test-root-token-0123456789";
const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:btp-t1/credentials-AbCdEf";
const vaults = fakeVaultPool();
const secretsManager = mockClient(SecretsManagerClient);

const byId = (id: string): Check => kubernetesChecks.find((c) => c.id === id)!;

async function run(id: string, ctx: DoctorContext): Promise<CheckResult> {
  const { signal: _signal, ...rest } = ctx;
  const [result] = await runChecks([byId(id)], rest, { timeoutMs: 10_000 });
  return result!;
}

const running = { phase: "Running", containerStatuses: [{ name: "main", state: { running: {} } }] };
const vaultLabels = { "app.kubernetes.io/name": "vault", component: "server" };

/** The releases the installer makes, each deployed at revision 2 (revision 1 superseded). */
function seedReleases(kube: FakeKube, except: string[] = []): void {
  for (const [namespace, name] of [["kube-system", "aws-load-balancer-controller"], ["vault", "vault"], ["cert-manager", "cert-manager"], ["settlemint", "settlemint"]] as const) {
    if (except.includes(name)) continue;
    kube.seed(helmRevision(namespace, name, 1, "superseded"));
    kube.seed(helmRevision(namespace, name, 2, "deployed"));
  }
}

describe("Kubernetes checks", () => {
  let kube: FakeKube;
  let vault: FakeVault;
  let ctx: DoctorContext;
  let redacted: string[];

  beforeEach(async () => {
    vault = await vaults.fake({ nodes: 3, dev: { rootToken: ROOT_TOKEN } });
    kube = fakeKube({
      portForward: ({ pod: name }) => Number(new URL(vault.urls[Number(name.split("-").pop())]!).port),
      now: () => new Date("2026-09-01T11:00:00Z"),
    });
    secretsManager.reset();
    secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: JSON.stringify({ databasePassword: "db-password-123456", vaultRootToken: ROOT_TOKEN }) });
    redacted = [];
    const aws = { secretsManager: () => Promise.resolve(new SecretsManagerClient({ region: "eu-west-1" })) } as unknown as AwsClients;
    ctx = testContext({
      kube: () => Promise.resolve(kube),
      aws,
      facts: stubFacts({ secret: () => Promise.resolve({ arn: SECRET_ARN, name: "btp-t1/credentials", kmsKeyId: undefined, deletedDate: undefined, tags: {} }) }),
      secrets: { add: (s) => void redacted.push(s) },
    });
  });
  afterEach(() => vaults.closeAll());

  describe("nodes", () => {
    it("are ok when every node is Ready", async () => {
      for (const n of ["ip-10-0-1-1", "ip-10-0-2-2", "ip-10-0-3-3"]) kube.seed(node(n, "True"));
      expect(await run("kubernetes/nodes", ctx)).toMatchObject({ status: "ok", detail: "3 nodes Ready" });
    });
    it("fail naming the nodes that are not Ready and why", async () => {
      kube.seed(node("ip-10-0-1-1", "True"));
      kube.seed(node("ip-10-0-2-2", "False"));
      const result = await run("kubernetes/nodes", ctx);
      expect(result).toMatchObject({ status: "fail", detail: "1 of 2 nodes not Ready: ip-10-0-2-2: KubeletNotReady (container runtime network not ready)" });
      expect(result.fix).toContain("kubectl describe node ip-10-0-2-2");
    });
    it("fail when no node has joined", async () => {
      expect(await run("kubernetes/nodes", ctx)).toMatchObject({ status: "fail", detail: "no node has joined the cluster" });
    });
  });

  describe("pods", () => {
    it("are ok when every pod is Running or Succeeded", async () => {
      kube.seed(pod("settlemint", "api-1", running));
      kube.seed(pod("settlemint", "migrate-1", { phase: "Succeeded" }));
      expect(await run("kubernetes/pods", ctx)).toMatchObject({ status: "ok", detail: "2 pods Running or Succeeded" });
    });
    it("fail on pods stuck with their reason, including Running pods crash-looping", async () => {
      kube.seed(pod("settlemint", "api-1", running));
      kube.seed(pod("settlemint", "api-2", { phase: "Running", containerStatuses: [{ name: "api", state: { waiting: { reason: "CrashLoopBackOff" } } }] }));
      kube.seed(pod("vault", "vault-9", { phase: "Pending", containerStatuses: [{ name: "vault", state: { waiting: { reason: "ImagePullBackOff" } } }] }));
      kube.seed(pod("settlemint", "job-1", { phase: "Failed", reason: "DeadlineExceeded" }));
      const result = await run("kubernetes/pods", ctx);
      expect(result.status).toBe("fail");
      expect(result.detail).toBe("3 of 4 pods neither Running nor Succeeded: settlemint/api-2 Running (CrashLoopBackOff); settlemint/job-1 Failed (DeadlineExceeded); vault/vault-9 Pending (ImagePullBackOff)");
      expect(result.fix).toBe("`kubectl -n settlemint describe pod api-2` and its logs show why");
    });
    it("only warn about a pod that has been Pending for a short while; fail once it has been for long", async () => {
      kube.seed(pod("settlemint", "api-3", { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable" }] }));
      const young = await run("kubernetes/pods", { ...ctx, now: () => new Date("2026-09-01T11:05:00Z") });
      expect(young).toMatchObject({ status: "warn", detail: "1 of 1 pods neither Running nor Succeeded: settlemint/api-3 Pending (Unschedulable)" });
      expect(young.fix).toMatch(/^they may still be starting/);
      expect((await run("kubernetes/pods", { ...ctx, now: () => new Date("2026-09-01T12:00:00Z") })).status).toBe("fail");
    });
  });

  describe("helm releases", () => {
    it("are ok when the latest revision of every release is deployed", async () => {
      seedReleases(kube);
      expect(await run("kubernetes/helm-releases", ctx)).toMatchObject({
        status: "ok", detail: "deployed: kube-system/aws-load-balancer-controller r2, vault/vault r2, cert-manager/cert-manager r2, settlemint/settlemint r2",
      });
    });
    it("fail on a failed or pending latest revision, with the command that gets it moving", async () => {
      seedReleases(kube);
      kube.seed(helmRevision("settlemint", "settlemint", 3, "failed"));
      kube.seed(helmRevision("vault", "vault", 3, "pending-upgrade"));
      const result = await run("kubernetes/helm-releases", ctx);
      expect(result).toMatchObject({ status: "fail", detail: "helm releases: vault/vault revision 3 is pending-upgrade; settlemint/settlemint revision 3 is failed" });
      expect(result.fix).toBe("if no helm or btp-aws runs on it, `helm rollback vault -n vault`, then `btp-aws install`");
    });
    it("warn about releases not installed yet, and fail on one the state says was installed", async () => {
      seedReleases(kube, ["settlemint", "cert-manager"]);
      expect(await run("kubernetes/helm-releases", ctx)).toMatchObject({ status: "warn", detail: "helm releases: cert-manager/cert-manager not installed yet; settlemint/settlemint not installed yet" });
      const result = await run("kubernetes/helm-releases", { ...ctx, state: stateWith(["cert-manager/release"]) });
      expect(result).toMatchObject({ status: "fail", detail: "helm releases: cert-manager/cert-manager is missing; settlemint/settlemint not installed yet", fix: "run `btp-aws install --from cert-manager` to install it again" });
    });
  });

  describe("vault", () => {
    const seedVaultPods = () => {
      for (const i of [0, 1, 2]) kube.seed(pod("vault", `vault-${i}`, running, vaultLabels));
    };

    it("is ok when every pod is initialised and unsealed and raft has every pod as a voter; the root token is registered for redaction", async () => {
      seedVaultPods();
      expect(await run("kubernetes/vault", ctx)).toMatchObject({ status: "ok", detail: "3 pods initialised and unsealed; raft: 3 voters, leader vault-0" });
      expect(redacted).toContain(ROOT_TOKEN);
      expect(kube.forwards.map((f) => [f.pod, f.remotePort, f.closed])).toEqual([["vault-0", 8200, true], ["vault-1", 8200, true], ["vault-2", 8200, true]]);
      expect(vault.writes()).toEqual([]);
    });
    it("fails on a sealed pod, pointing at the KMS auto-unseal", async () => {
      seedVaultPods();
      vault.sealNode(2);
      const result = await run("kubernetes/vault", ctx);
      expect(result).toMatchObject({ status: "fail", detail: "3 Vault pods: vault-2 is sealed" });
      expect(result.fix).toContain("kubectl -n vault logs vault-2");
      expect(result.fix).toContain("kms:Decrypt");
    });
    it("fails on a pod that is not running and on one missing from raft", async () => {
      kube.seed(pod("vault", "vault-0", running, vaultLabels));
      kube.seed(pod("vault", "vault-1", running, vaultLabels));
      kube.seed(pod("vault", "vault-3", { phase: "Pending", reason: "Unschedulable" }, vaultLabels));
      const result = await run("kubernetes/vault", ctx);
      expect(result.status).toBe("fail");
      expect(result.detail).toBe("3 Vault pods: vault-3 is Pending; not in raft: vault-3");
    });
    it("warns that raft was not checked when the platform secret has no root token", async () => {
      seedVaultPods();
      secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ databasePassword: "db-password-123456" }) });
      expect(await run("kubernetes/vault", ctx)).toMatchObject({ status: "warn", detail: "3 Vault pods: raft peers not checked: the platform secret holds no vaultRootToken" });
    });
    it("warns while Vault is not installed, fails when the state says it was", async () => {
      expect(await run("kubernetes/vault", ctx)).toMatchObject({ status: "warn", detail: "Vault is not installed yet" });
      expect(await run("kubernetes/vault", { ...ctx, state: stateWith(["vault/release"]) })).toMatchObject({ status: "fail", detail: "no Vault server pods in namespace vault" });
    });
  });

  describe("cert-manager Certificates", () => {
    const certificate = (name: string, ready: string, reason?: string) => ({
      apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name, namespace: "settlemint" },
      status: { conditions: [{ type: "Ready", status: ready, ...(reason ? { reason, message: "Issuing certificate as Secret does not exist" } : {}) }] },
    });
    it("are ok when there are none (the ALB serves ACM's) or all are Ready", async () => {
      expect((await run("kubernetes/certificates", ctx)).status).toBe("ok");
      kube.seed(certificate("api-tls", "True"));
      expect(await run("kubernetes/certificates", ctx)).toMatchObject({ status: "ok", detail: "1 Certificates Ready" });
    });
    it("fail naming the ones not Ready", async () => {
      kube.seed(certificate("api-tls", "True"));
      kube.seed(certificate("node-tls", "False", "DoesNotExist"));
      const result = await run("kubernetes/certificates", ctx);
      expect(result).toMatchObject({ status: "fail", detail: "1 of 2 Certificates not Ready: settlemint/node-tls: DoesNotExist (Issuing certificate as Secret does not exist)" });
      expect(result.fix).toContain("kubectl -n settlemint describe certificate node-tls");
    });
  });

  describe("ingress", () => {
    const ingress = (hostname?: string) => ({
      apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "settlemint", namespace: "settlemint" }, spec: {},
      status: { loadBalancer: hostname ? { ingress: [{ hostname }] } : {} },
    });
    it("is ok when the Ingress has its ALB", async () => {
      kube.seed(ingress("k8s-settlemi-abc-123.eu-west-1.elb.amazonaws.com"));
      expect(await run("kubernetes/ingress", ctx)).toMatchObject({ status: "ok", detail: "settlemint → k8s-settlemi-abc-123.eu-west-1.elb.amazonaws.com" });
    });
    it("fails with the controller's last warning when it has none", async () => {
      kube.seed(ingress());
      kube.recordEvent({ namespace: "settlemint", involvedObject: { kind: "Ingress", name: "settlemint" }, type: "Warning", reason: "FailedDeployModel", message: "AccessDenied: elasticloadbalancing:CreateLoadBalancer", lastTimestamp: "2026-09-01T11:00:00Z" });
      const result = await run("kubernetes/ingress", ctx);
      expect(result).toMatchObject({ status: "fail", detail: "Ingress in settlemint: settlemint has no ALB (FailedDeployModel: AccessDenied: elasticloadbalancing:CreateLoadBalancer)" });
      expect(result.fix).toContain("logs deploy/aws-load-balancer-controller");
    });
    it("warns before the platform is installed, fails after", async () => {
      expect((await run("kubernetes/ingress", ctx)).status).toBe("warn");
      expect((await run("kubernetes/ingress", { ...ctx, state: stateWith(["btp/release"]) })).status).toBe("fail");
    });
  });

  it("every Kubernetes check fails with the connection's fix when the cluster cannot be reached", async () => {
    const unreachable = new BtpAwsError("EKS cluster btp-t1 in eu-west-1 is UPDATING, not ACTIVE: its API cannot be used yet", { hint: "run `btp-aws install --only infra` to finish or repair it, then run the command again" });
    const { signal: _signal, ...rest } = { ...ctx, kube: () => Promise.reject(unreachable) };
    const results = await runChecks(kubernetesChecks, rest, { timeoutMs: 5000 });
    expect(results.map((r) => [r.id, r.status, r.detail, r.fix])).toEqual(kubernetesChecks.map((c) => [c.id, "fail", unreachable.message, unreachable.hint]));
  });
});
