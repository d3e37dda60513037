/**
 * The helm adapter (src/helm/release.ts) with real helm v3 and v4 against a real kube-apiserver:
 * every fixture chart installed, re-run with the same values (skipped, nothing sent to the
 * cluster), upgraded with changed values, read back through status and list, and the objects
 * helm wrote checked in the cluster. No secret value is ever on helm's command line.
 *
 * Each major gets its own API server: the charts own cluster-scoped objects (the ClusterIssuer
 * CRD, the alb IngressClass), which one release name per cluster may own. No kubelet runs, so
 * releases are installed without --wait.
 */
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createHelm, valuesHash, type Helm, type HelmRelease } from "../../src/helm/release.js";
import { existingConnection } from "../../src/k8s/connection.js";
import { createKube, type Kube } from "../../src/k8s/kube.js";
import { startKubeApiServer, type KubeApiServer } from "../support/kube-apiserver.js";
import { REPO_ROOT } from "../support/paths.js";

const servers = inject("servers");
const binaries = inject("helm");
const CHARTS = join(REPO_ROOT, "test", "fixtures", "charts");

/** Every secret the values carry; none may ever be on a helm command line. */
const SECRETS = {
  postgres: "pg-real-7Hq2#xZr9",
  redis: "redis-real-Vb81kQ4",
  jwt: "jwt-real-3e9f0c27aa51",
  roleId: "role-id-real-1f5e2c9a",
  secretId: "secret-id-real-9d7b3e1f",
  licenseToken: "license-real-Zk29Qa",
  harbor: "harbor-real-Qe8Tz6",
};

const btpValues = (host: string) => ({
  ingress: { enabled: true, className: "alb", host, annotations: { "alb.ingress.kubernetes.io/scheme": "internet-facing" }, tls: [{ hosts: [host, `*.${host}`] }] },
  postgresql: { host: "btp-db.example.internal", port: 5432, user: "btp", password: SECRETS.postgres, database: "btp", sslMode: "require" },
  redis: { host: "btp-redis.example.internal", port: 6379, password: SECRETS.redis, tls: true },
  auth: { jwtSigningKey: SECRETS.jwt },
  vault: { enabled: true, address: "http://vault.vault.svc.cluster.local:8200", roleId: SECRETS.roleId, secretId: SECRETS.secretId },
  features: { deploymentEngine: { platform: { domain: { hostname: host } }, clusterManager: { domain: { hostname: host } } } },
  license: { accountName: "acme", accountToken: SECRETS.licenseToken, email: "ops@acme.example", expirationDate: "2027-12-31", signature: "sig" },
  imagePullCredentials: { registries: { harbor: { enabled: true, registry: "harbor.settlemint.com", username: "acme", password: SECRETS.harbor, email: "ops@acme.example" } } },
});

interface Case {
  release: HelmRelease;
  /** Values for the upgrade, and what it changes in the cluster. */
  changed: Record<string, unknown>;
  check: (kube: Kube, phase: "installed" | "upgraded") => Promise<void>;
}

const release = (name: string, namespace: string, values: Record<string, unknown>, chart = name): HelmRelease => ({
  name, namespace, chart: join(CHARTS, chart), values, timeoutSeconds: 120, wait: false, createNamespace: true,
});

const get = async (kube: Kube, apiVersion: string, kind: string, name: string, namespace?: string) => {
  const found = await kube.get(apiVersion, kind, name, namespace);
  if (found === undefined) throw new Error(`${kind} ${namespace ?? ""}/${name} is not in the cluster`);
  return found as Record<string, unknown> & { spec?: Record<string, unknown>; data?: Record<string, string> };
};

const CASES: Case[] = [
  {
    release: release("vault", "vault", { injector: { enabled: false }, server: { ha: { enabled: true, replicas: 3, raft: { enabled: true, setNodeId: true } } } }),
    changed: { injector: { enabled: false }, server: { ha: { enabled: true, replicas: 5, raft: { enabled: true, setNodeId: true } } } },
    check: async (kube, phase) => {
      expect((await get(kube, "apps/v1", "StatefulSet", "vault", "vault")).spec?.replicas).toBe(phase === "installed" ? 3 : 5);
    },
  },
  {
    release: release("cert-manager", "cert-manager", { crds: { enabled: true, keep: true } }),
    changed: { crds: { enabled: true, keep: true }, extraArgs: ["--issuer-ambient-credentials"] },
    check: async (kube, phase) => {
      expect((await get(kube, "apiextensions.k8s.io/v1", "CustomResourceDefinition", "clusterissuers.cert-manager.io")).metadata).toMatchObject({ annotations: expect.objectContaining({ "helm.sh/resource-policy": "keep" }) as unknown });
      const args = ((await get(kube, "apps/v1", "Deployment", "cert-manager", "cert-manager")).spec as { template: { spec: { containers: { args: string[] }[] } } }).template.spec.containers[0]!.args;
      expect(args.includes("--issuer-ambient-credentials")).toBe(phase === "upgraded");
    },
  },
  {
    release: release("aws-load-balancer-controller", "kube-system", { clusterName: "btp-real", region: "eu-west-1", vpcId: "vpc-0a1b2c3d4e5f67890" }),
    changed: { clusterName: "btp-real", region: "eu-west-1", vpcId: "vpc-0a1b2c3d4e5f67890", defaultTargetType: "ip" },
    check: async (kube, phase) => {
      expect((await get(kube, "networking.k8s.io/v1", "IngressClass", "alb")).spec?.controller).toBe("ingress.k8s.aws/alb");
      const args = ((await get(kube, "apps/v1", "Deployment", "aws-load-balancer-controller", "kube-system")).spec as { template: { spec: { containers: { args: string[] }[] } } }).template.spec.containers[0]!.args;
      expect(args.includes("--default-target-type=ip")).toBe(phase === "upgraded");
    },
  },
  {
    release: release("settlemint", "settlemint", btpValues("btp.example.com")),
    changed: btpValues("platform.example.com"),
    check: async (kube, phase) => {
      const host = phase === "installed" ? "btp.example.com" : "platform.example.com";
      const ingress = await get(kube, "networking.k8s.io/v1", "Ingress", "settlemint", "settlemint");
      expect((ingress.spec?.rules as { host: string }[]).map((r) => r.host)).toEqual([host, `*.${host}`]);
      expect((await get(kube, "v1", "ConfigMap", "settlemint-config", "settlemint")).data?.PLATFORM_HOSTNAME).toBe(host);
      const secret = (await get(kube, "v1", "Secret", "settlemint-secrets", "settlemint")).data ?? {};
      expect(Buffer.from(secret.POSTGRES_PASSWORD ?? "", "base64").toString("utf8")).toBe(SECRETS.postgres);
    },
  },
];

describe.each(["v3", "v4"] as const)("helm %s against a real kube-apiserver", (major) => {
  let api: KubeApiServer;
  let kube: Kube;
  let helm: Helm;
  let scratch: string;
  let valuesTmp: string;
  const argvs: string[][] = [];

  beforeAll(async () => {
    api = await startKubeApiServer(servers);
    kube = await createKube(await existingConnection({ kubeconfig: api.kubeconfigPath }));
    scratch = await mkdtemp(join(tmpdir(), `btp-aws-helm-real-${major}-`));
    valuesTmp = join(scratch, "values");
    await mkdir(valuesTmp);
    helm = createHelm({ binary: binaries[major].path, kubeconfig: api.kubeconfigPath, tmpDir: valuesTmp, onArgv: (argv) => argvs.push(argv.slice(1)) });
  });
  afterAll(async () => {
    await api?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it.each(CASES.map((c) => [c.release.name, c] as const))("%s: installs, skips the same values, upgrades changed ones", async (_name, { release: wanted, changed, check }) => {
    const installed = await helm.upgradeInstall(wanted);
    expect(installed).toEqual({ action: "installed", revision: 1 });
    expect(await helm.status(wanted.name, wanted.namespace)).toEqual({ status: "deployed", chartVersion: expect.any(String) as unknown, revision: 1, valuesHash: valuesHash(wanted.values) });
    await check(kube, "installed");

    const from = argvs.length;
    const again = await helm.upgradeInstall(wanted);
    expect(again).toEqual({ action: "skipped", reason: expect.stringMatching(new RegExp(`^${wanted.name} \\S+ already deployed with the same values$`)) as unknown, revision: 1 });
    // Only reads: status, list, show chart.
    expect(argvs.slice(from).map((argv) => argv[0])).toEqual(["status", "list", "show"]);

    const upgraded = await helm.upgradeInstall({ ...wanted, values: changed });
    expect(upgraded).toEqual({ action: "upgraded", revision: 2 });
    expect(await helm.status(wanted.name, wanted.namespace)).toMatchObject({ status: "deployed", revision: 2, valuesHash: valuesHash(changed) });
    await check(kube, "upgraded");
    expect(await readdir(valuesTmp)).toEqual([]);
  });

  it("lists every release across namespaces with helm's JSON, and none of the secrets was ever on a command line", async () => {
    const listed = await helm.list();
    expect(listed.map((r) => [r.name, r.namespace, r.status]).sort()).toEqual([
      ["aws-load-balancer-controller", "kube-system", "deployed"],
      ["cert-manager", "cert-manager", "deployed"],
      ["settlemint", "settlemint", "deployed"],
      ["vault", "vault", "deployed"],
    ]);
    expect(listed.find((r) => r.name === "settlemint")?.chart).toMatch(/^settlemint-v?\d+\.\d+\.\d+/);
    expect((await helm.list("vault")).map((r) => r.name)).toEqual(["vault"]);
    const commandLines = argvs.flat().join(" ");
    for (const secret of Object.values(SECRETS)) expect(commandLines).not.toContain(secret);
  });

  it("uninstalls a release, then reports it absent", async () => {
    expect(await helm.uninstall("aws-load-balancer-controller", "kube-system", 60)).toBe("uninstalled");
    expect(await kube.get("apps/v1", "Deployment", "aws-load-balancer-controller", "kube-system")).toBeUndefined();
    expect(await helm.status("aws-load-balancer-controller", "kube-system")).toBeUndefined();
    expect(await helm.uninstall("aws-load-balancer-controller", "kube-system", 60)).toBe("absent");
  });
});
