/**
 * The helm adapter against the real helm binaries, v3 and v4 (from the AWS CDK layer zips, see
 * test/support/helm-binaries.ts), with the fixture charts in test/fixtures/charts.
 *
 * Proven here with real helm: rendering each chart with the values the phases set (IRSA
 * annotations, raft and seal config, issuer flags, ingress annotations and TLS hosts), helm's
 * errors, `show values`, the JSON of `status` and `list` on both majors, the skip rule on real
 * status/list output, and that helm 3 and 4 accept the exact `upgrade --install` flags we pass.
 *
 * Releases are served by helm's in-memory storage driver (HELM_DRIVER=memory, seeded from
 * HELM_MEMORY_DRIVER_DATA) through a wrapper script, and a stub answers the Kubernetes /version
 * probe. There is no Kubernetes API server yet, so an upgrade stops at API discovery: a
 * successful install or upgrade, and the values file's mode while helm runs, are proven only
 * with the fake helm in test/unit/helm/upgrade-install.test.ts.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { BtpAwsError } from "../../../src/errors.js";
import { createHelm, valuesHash, type Helm, type HelmRelease } from "../../../src/helm/release.js";
import { describeValues } from "../../../src/helm/release-state.js";
import { clusterAutoscalerValues } from "../../../src/phases/addons/autoscaler-values.js";
import { loadBalancerControllerValues } from "../../../src/phases/addons/values.js";
import { certManagerValues } from "../../../src/phases/cert-manager/values.js";
import { vaultValues, vaultValuesFromState } from "../../../src/phases/vault/values.js";
import { REPO_ROOT } from "../../support/paths.js";

const binaries = inject("helm");
const CHARTS = join(REPO_ROOT, "test", "fixtures", "charts");

const ACCOUNT = "123456789012";
const role = (service: string) => `arn:aws:iam::${ACCOUNT}:role/btp-prod-irsa-${service}`;
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const CERT_ARN = `arn:aws:acm:eu-west-1:${ACCOUNT}:certificate/0f0e0d0c-1111-2222-3333-444455556666`;
const WAF_ARN = `arn:aws:wafv2:eu-west-1:${ACCOUNT}:regional/webacl/btp-prod/abcd`;
const DOMAIN = "btp.example.com";

/** Every secret the BTP values carry; none may ever be on a helm command line. */
const SECRETS = {
  postgres: "pg-7Hq2#xZr9-secret",
  redis: "redis-Vb81kQ4-secret",
  jwt: "jwt-3e9f0c27aa51-secret",
  google: "google-Lm0p8s-secret",
  roleId: "1f5e2c9a-role-id-secret",
  secretId: "9d7b3e1f-secret-id-secret",
  stateKey: "state-5Rt0yW-secret",
  licenseToken: "license-Zk29Qa-secret",
  signature: "signature-Pp4Ld1-secret",
  harbor: "harbor-Qe8Tz6-secret",
};

const RAFT_CONFIG = `ui = true

listener "tcp" {
  tls_disable = 1
  address = "[::]:8200"
  cluster_address = "[::]:8201"
}

storage "raft" {
  path = "/vault/data"
  retry_join {
    leader_api_addr = "http://vault-0.vault-internal:8200"
  }
  retry_join {
    leader_api_addr = "http://vault-1.vault-internal:8200"
  }
  retry_join {
    leader_api_addr = "http://vault-2.vault-internal:8200"
  }
}

seal "awskms" {
  region = "eu-west-1"
  kms_key_id = "${KEY_ARN}"
}

service_registration "kubernetes" {}
`;

/** What infra records in the state: the builders below read exactly these. */
const OUTPUTS = {
  "infra/kms": { keyArn: KEY_ARN },
  "infra/eks": { clusterName: "btp-prod" },
  "infra/vpc": { vpcId: "vpc-0a1b2c3d4e5f67890" },
  "infra/irsa": { vaultRoleArn: role("vault"), certManagerRoleArn: role("cert-manager"), loadBalancerControllerRoleArn: role("aws-load-balancer-controller"), clusterAutoscalerRoleArn: role("cluster-autoscaler") },
};
const REGION = { aws: { region: "eu-west-1" } } as const;

// The values install sends, from the same builders (`btp-aws values <release>` prints them too).
const VAULT_VALUES = vaultValuesFromState(REGION, OUTPUTS);
const CERT_MANAGER_VALUES = certManagerValues(OUTPUTS);
const LB_VALUES = loadBalancerControllerValues(REGION, OUTPUTS);
const AUTOSCALER_VALUES = clusterAutoscalerValues(REGION, OUTPUTS);

const INGRESS_ANNOTATIONS = {
  "alb.ingress.kubernetes.io/scheme": "internet-facing",
  "alb.ingress.kubernetes.io/target-type": "ip",
  "alb.ingress.kubernetes.io/certificate-arn": CERT_ARN,
  "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
  "alb.ingress.kubernetes.io/ssl-redirect": "443",
  "alb.ingress.kubernetes.io/wafv2-acl-arn": WAF_ARN,
};

const BTP_VALUES = {
  ingress: { enabled: true, className: "alb", host: DOMAIN, annotations: INGRESS_ANNOTATIONS, tls: [{ hosts: [DOMAIN, `*.${DOMAIN}`] }] },
  postgresql: { host: "btp-prod-db.c9akciq32.eu-west-1.rds.amazonaws.com", port: 5432, user: "btp", password: SECRETS.postgres, database: "btp", sslMode: "require" },
  redis: { host: "master.btp-prod-redis.abc123.euw1.cache.amazonaws.com", port: 6379, password: SECRETS.redis, tls: true },
  auth: { jwtSigningKey: SECRETS.jwt, providers: { google: { enabled: true, clientID: "1234-abc.apps.googleusercontent.com", clientSecret: SECRETS.google } } },
  vault: { enabled: true, address: "http://vault.vault.svc.cluster.local:8200", roleId: SECRETS.roleId, secretId: SECRETS.secretId },
  awsSecretManager: { enabled: false },
  features: {
    deploymentEngine: {
      platform: { domain: { hostname: DOMAIN } },
      clusterManager: { domain: { hostname: DOMAIN } },
      state: {
        connectionUrl: `s3://btp-prod-${ACCOUNT}-eu-west-1?region=eu-west-1`,
        secretsProvider: "passphrase",
        credentials: { encryptionKey: SECRETS.stateKey, aws: { region: "eu-west-1" } },
      },
      targets: [{ id: "aws", name: "AWS", icon: "aws" }],
    },
  },
  license: { accountName: "acme", accountToken: SECRETS.licenseToken, email: "ops@acme.example", expirationDate: "2027-12-31", signature: SECRETS.signature },
  imagePullCredentials: { registries: { harbor: { enabled: true, registry: "harbor.settlemint.com", username: "acme", password: SECRETS.harbor, email: "ops@acme.example" } } },
  support: { "kubernetes-replicator": { enabled: true } },
};

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  [key: string]: unknown;
}

function manifests(rendered: string): Manifest[] {
  return parseAllDocuments(rendered)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

function find(all: Manifest[], kind: string, name: string): Manifest {
  const found = all.find((m) => m.kind === kind && m.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} in ${all.map((m) => `${m.kind}/${m.metadata.name}`).join(", ")}`);
  return found;
}

/** Walks a manifest by keys and indexes, for terse assertions. */
function at(value: unknown, ...path: (string | number)[]): unknown {
  return path.reduce<unknown>((v, key) => (v as Record<string | number, unknown> | undefined)?.[key], value);
}

const b64 = (s: unknown) => Buffer.from(String(s), "base64").toString("utf8");

let scratch: string;
let valuesTmp: string;
let stub: Server;
let kubeconfig: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "btp-aws-helm-release-"));
  valuesTmp = join(scratch, "values-tmp");
  await mkdir(valuesTmp);
  // Answers only the reachability probe helm makes before listing across namespaces.
  stub = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url?.startsWith("/version")) return res.end(JSON.stringify({ major: "1", minor: "34", gitVersion: "v1.34.0" }));
    res.statusCode = 404;
    res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", code: 404 }));
  });
  await new Promise<void>((resolve) => stub.listen(0, "127.0.0.1", resolve));
  const port = (stub.address() as AddressInfo).port;
  kubeconfig = join(scratch, "kubeconfig");
  await writeFile(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: stub\n  cluster: {server: "http://127.0.0.1:${port}"}\ncontexts:\n- name: stub\n  context: {cluster: stub, user: stub}\ncurrent-context: stub\nusers:\n- name: stub\n  user: {token: not-a-secret}\n`,
    { mode: 0o600 },
  );
});

afterAll(async () => {
  await new Promise((resolve) => stub.close(resolve));
  await rm(scratch, { recursive: true, force: true });
});

beforeEach(async () => {
  expect(await readdir(valuesTmp)).toEqual([]);
});

describe.each(["v3", "v4"] as const)("helm %s", (major) => {
  const argvs: string[][] = [];
  let helm: Helm;

  beforeAll(() => {
    helm = createHelm({ binary: binaries[major].path, tmpDir: valuesTmp, onArgv: (argv) => argvs.push(argv.slice(1)) });
  });

  const release = (name: string, namespace: string, values: Record<string, unknown>, chart = name): HelmRelease => ({
    name, namespace, chart: join(CHARTS, chart), values, timeoutSeconds: 300, wait: true,
  });

  async function failure(promise: Promise<unknown>): Promise<BtpAwsError> {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(BtpAwsError);
    return error as BtpAwsError;
  }

  describe("template", () => {
    it("vault: HA on raft with 3 replicas, the awskms seal, the IRSA annotation", async () => {
      const all = manifests(await helm.template(release("vault", "vault", VAULT_VALUES)));
      expect(at(find(all, "StatefulSet", "vault"), "spec", "replicas")).toBe(3);
      expect(at(find(all, "StatefulSet", "vault"), "spec", "template", "spec", "serviceAccountName")).toBe("vault");
      expect(at(find(all, "StatefulSet", "vault"), "spec", "template", "spec", "containers", 0, "env")).toEqual([
        // No AWS_REGION here: EKS's pod identity webhook injects it with the IRSA role.
        { name: "VAULT_RAFT_NODE_ID", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      ]);
      // The chart appends disable_mlock to HCL that does not set it.
      expect(at(find(all, "ConfigMap", "vault-config"), "data", "extraconfig-from-values.hcl")).toBe(`${RAFT_CONFIG}\ndisable_mlock = true`);
      expect(find(all, "ServiceAccount", "vault").metadata.annotations).toEqual({ "eks.amazonaws.com/role-arn": role("vault") });
      expect(all.some((m) => m.metadata.name === "vault-agent-injector")).toBe(false);
    });

    it("cert-manager: CRDs, the IRSA annotation, issuer and DNS-01 flags", async () => {
      const all = manifests(await helm.template(release("cert-manager", "cert-manager", CERT_MANAGER_VALUES)));
      expect(find(all, "ServiceAccount", "cert-manager").metadata.annotations).toEqual({ "eks.amazonaws.com/role-arn": role("cert-manager") });
      const pod = at(find(all, "Deployment", "cert-manager"), "spec", "template", "spec");
      expect(at(pod, "serviceAccountName")).toBe("cert-manager");
      expect(at(pod, "securityContext")).toEqual({ fsGroup: 1001, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      expect(at(pod, "containers", 0, "args")).toEqual([
        "--cluster-resource-namespace=$(POD_NAMESPACE)",
        "--leader-election-namespace=kube-system",
        "--default-issuer-name=letsencrypt-prod",
        "--default-issuer-kind=ClusterIssuer",
        "--default-issuer-group=cert-manager.io",
        "--dns01-recursive-nameservers=8.8.8.8:53,1.1.1.1:53",
        "--dns01-recursive-nameservers-only=true",
      ]);
      expect(find(all, "CustomResourceDefinition", "clusterissuers.cert-manager.io").metadata.annotations).toEqual({ "helm.sh/resource-policy": "keep" });
    });

    it("cert-manager: the legacy installCRDs still installs the CRDs", async () => {
      const all = manifests(await helm.template(release("cert-manager", "cert-manager", { installCRDs: true })));
      expect(all.filter((m) => m.kind === "CustomResourceDefinition").map((m) => m.metadata.name)).toEqual(["clusterissuers.cert-manager.io"]);
    });

    it("cert-manager: its schema rejects unknown keys, which is why the values hash is not a value", async () => {
      const error = await failure(helm.template(release("cert-manager", "cert-manager", { ...CERT_MANAGER_VALUES, btpAws: { valuesHash: "x" } })));
      expect(error.message).toMatch(/^helm template cert-manager \(.*\/cert-manager\) failed \(helm exit code 1\): Error: values don't meet the specifications of the schema\(s\) in the following chart\(s\):\ncert-manager:\n- .*btpAws/);
      expect(error.hint).toBe("fix the values or the chart reference, then try again");
    });

    it("aws-load-balancer-controller: cluster, region, VPC, target type, the IRSA service account", async () => {
      const all = manifests(await helm.template(release("aws-load-balancer-controller", "kube-system", LB_VALUES)));
      const sa = find(all, "ServiceAccount", "aws-load-balancer-controller");
      expect(sa.metadata).toEqual({
        name: "aws-load-balancer-controller",
        namespace: "kube-system",
        labels: { "app.kubernetes.io/name": "aws-load-balancer-controller", "app.kubernetes.io/instance": "aws-load-balancer-controller" },
        annotations: { "eks.amazonaws.com/role-arn": role("aws-load-balancer-controller") },
      });
      const pod = at(find(all, "Deployment", "aws-load-balancer-controller"), "spec", "template", "spec");
      expect(at(pod, "serviceAccountName")).toBe("aws-load-balancer-controller");
      expect(at(pod, "containers", 0, "args")).toEqual([
        "--cluster-name=btp-prod",
        "--ingress-class=alb",
        "--aws-region=eu-west-1",
        "--aws-vpc-id=vpc-0a1b2c3d4e5f67890",
        "--default-target-type=ip",
        "--enable-service-mutator-webhook=true",
      ]);
      expect(at(find(all, "IngressClass", "alb"), "spec", "controller")).toBe("ingress.k8s.aws/alb");
    });

    it("cluster-autoscaler: auto-discovery of this cluster's node groups, the region, the IRSA service account, balanced groups", async () => {
      const all = manifests(await helm.template(release("cluster-autoscaler", "kube-system", AUTOSCALER_VALUES)));
      expect(find(all, "ServiceAccount", "cluster-autoscaler").metadata.annotations).toEqual({ "eks.amazonaws.com/role-arn": role("cluster-autoscaler") });
      const container = at(find(all, "Deployment", "cluster-autoscaler"), "spec", "template", "spec", "containers", 0);
      expect(at(container, "command")).toEqual([
        "./cluster-autoscaler",
        "--cloud-provider=aws",
        "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/btp-prod",
        "--balance-similar-node-groups=true",
        "--expander=least-waste",
        "--logtostderr=true",
        "--skip-nodes-with-system-pods=false",
        "--stderrthreshold=info",
        "--v=4",
      ]);
      expect(at(container, "env")).toEqual([{ name: "AWS_REGION", value: "eu-west-1" }]);
    });

    it("aws-load-balancer-controller: helm's own error when clusterName is missing", async () => {
      const error = await failure(helm.template(release("aws-load-balancer-controller", "kube-system", { region: "eu-west-1" })));
      expect(error.message).toMatch(
        /^helm template aws-load-balancer-controller \(.*\/aws-load-balancer-controller\) failed \(helm exit code 1\): Error: execution error at \(aws-load-balancer-controller\/templates\/deployment\.yaml:\d+:\d+\): Chart cannot be installed without a valid clusterName!$/,
      );
    });

    it("btp: ALB ingress with TLS hosts for the domain and its wildcard, every setting, and no secret on any command line", async () => {
      argvs.length = 0;
      const all = manifests(await helm.template(release("settlemint", "settlemint", BTP_VALUES)));

      const ingress = find(all, "Ingress", "settlemint");
      expect(ingress.metadata.annotations).toEqual(INGRESS_ANNOTATIONS);
      expect(at(ingress, "spec", "ingressClassName")).toBe("alb");
      expect(at(ingress, "spec", "tls")).toEqual([{ hosts: [DOMAIN, `*.${DOMAIN}`] }]);
      expect((at(ingress, "spec", "rules") as { host: string }[]).map((r) => r.host)).toEqual([DOMAIN, `*.${DOMAIN}`]);

      expect(at(find(all, "ConfigMap", "settlemint-config"), "data")).toEqual({
        POSTGRES_HOST: BTP_VALUES.postgresql.host,
        POSTGRES_PORT: "5432",
        POSTGRES_USER: "btp",
        POSTGRES_DATABASE: "btp",
        POSTGRES_SSL_MODE: "require",
        REDIS_HOST: BTP_VALUES.redis.host,
        REDIS_PORT: "6379",
        REDIS_TLS: "true",
        VAULT_ENABLED: "true",
        VAULT_ADDRESS: "http://vault.vault.svc.cluster.local:8200",
        AWS_SECRET_MANAGER_ENABLED: "false",
        PLATFORM_HOSTNAME: DOMAIN,
        CLUSTER_MANAGER_HOSTNAME: DOMAIN,
        STATE_CONNECTION_URL: `s3://btp-prod-${ACCOUNT}-eu-west-1?region=eu-west-1`,
        STATE_SECRETS_PROVIDER: "passphrase",
        STATE_AWS: '{"region":"eu-west-1"}',
        DEPLOYMENT_TARGETS: '[{"icon":"aws","id":"aws","name":"AWS"}]',
        AUTH_GOOGLE_ENABLED: "true",
        AUTH_GOOGLE_CLIENT_ID: "1234-abc.apps.googleusercontent.com",
        AUTH_ENTRA_ENABLED: "false",
        AUTH_ENTRA_CLIENT_ID: "",
        AUTH_ENTRA_TENANT_ID: "",
        LICENSE_ACCOUNT_NAME: "acme",
        LICENSE_EMAIL: "ops@acme.example",
        LICENSE_EXPIRATION_DATE: "2027-12-31",
        KUBERNETES_REPLICATOR_ENABLED: "true",
      });

      const secret = at(find(all, "Secret", "settlemint-secrets"), "data") as Record<string, string>;
      expect(Object.fromEntries(Object.entries(secret).map(([k, v]) => [k, b64(v)]))).toEqual({
        POSTGRES_PASSWORD: SECRETS.postgres,
        REDIS_PASSWORD: SECRETS.redis,
        JWT_SIGNING_KEY: SECRETS.jwt,
        AUTH_GOOGLE_CLIENT_SECRET: SECRETS.google,
        AUTH_ENTRA_CLIENT_SECRET: "",
        VAULT_ROLE_ID: SECRETS.roleId,
        VAULT_SECRET_ID: SECRETS.secretId,
        STATE_ENCRYPTION_KEY: SECRETS.stateKey,
        LICENSE_ACCOUNT_TOKEN: SECRETS.licenseToken,
        LICENSE_SIGNATURE: SECRETS.signature,
      });
      const pull = JSON.parse(b64(at(find(all, "Secret", "settlemint-harbor"), "data", ".dockerconfigjson"))) as unknown;
      expect(pull).toEqual({
        auths: { "harbor.settlemint.com": { username: "acme", password: SECRETS.harbor, email: "ops@acme.example", auth: Buffer.from(`acme:${SECRETS.harbor}`).toString("base64") } },
      });

      // The only command line: the values went through a file.
      expect(argvs).toEqual([["template", "settlemint", join(CHARTS, "settlemint"), "--namespace", "settlemint", "--values", expect.stringMatching(new RegExp(`^${valuesTmp}/btp-aws-helm-[^/]+/values\\.json$`)) as unknown as string]]);
      for (const secretValue of Object.values(SECRETS)) expect(argvs.flat().join(" ")).not.toContain(secretValue);
    });

    it("btp: helm's error for a missing host, and the values file is gone afterwards", async () => {
      const error = await failure(helm.template(release("settlemint", "settlemint", { ...BTP_VALUES, ingress: { ...BTP_VALUES.ingress, host: "" } })));
      expect(error.message).toMatch(
        /^helm template settlemint \(.*\/settlemint\) failed \(helm exit code 1\): Error: execution error at \(settlemint\/templates\/ingress\.yaml:\d+:\d+\): ingress\.host is required when ingress\.enabled is true$/,
      );
      for (const secretValue of Object.values(SECRETS)) expect(`${error.message} ${error.hint}`).not.toContain(secretValue);
      expect(await readdir(valuesTmp)).toEqual([]);
    });
  });

  describe("show values", () => {
    it("returns the chart's defaults as an object", async () => {
      const values = await helm.showValues(join(CHARTS, "vault"));
      expect(at(values, "server", "ha")).toEqual({ enabled: false, replicas: 3, config: "", raft: { enabled: false, setNodeId: false, config: expect.stringContaining('storage "raft"') as unknown } });
    });

    it("says which chart it could not read", async () => {
      const error = await failure(helm.showValues(join(CHARTS, "no-such-chart"), "1.0.0"));
      expect(error.message).toMatch(new RegExp(`^helm show values ${join(CHARTS, "no-such-chart")} 1\\.0\\.0 failed \\(helm exit code 1\\): Error: `));
    });
  });

  describe("releases (in-memory storage driver)", () => {
    let stored: Helm;
    const storedArgv: string[][] = [];

    beforeAll(async () => {
      const data = join(scratch, `releases-${major}.json`);
      const chart = (name: string, version: string) => ({ metadata: { apiVersion: "v2", name, version } });
      await writeFile(
        data,
        JSON.stringify([
          { name: "vault", namespace: "vault", version: 1, info: { status: "superseded", description: "Install complete" }, chart: chart("vault", "0.34.0") },
          { name: "vault", namespace: "vault", version: 2, info: { status: "deployed", description: describeValues(valuesHash(VAULT_VALUES)) }, chart: chart("vault", "0.34.1"), config: VAULT_VALUES },
          { name: "cert-manager", namespace: "cert-manager", version: 1, info: { status: "pending-install", description: "Initial install underway" }, chart: chart("cert-manager", "v1.21.2") },
          { name: "settlemint", namespace: "settlemint", version: 3, info: { status: "failed", description: 'Upgrade "settlemint" failed: timed out' }, chart: chart("settlemint", "v7.32.10") },
        ]),
      );
      // Still the real binary: the wrapper only selects helm's memory driver and its seed.
      const wrapper = join(scratch, `helm-${major}-memory`);
      await writeFile(wrapper, `#!/bin/sh\nexport HELM_DRIVER=memory\nexport HELM_MEMORY_DRIVER_DATA=${data}\nexec ${binaries[major].path} "$@"\n`);
      await chmod(wrapper, 0o755);
      stored = createHelm({ binary: wrapper, kubeconfig, tmpDir: valuesTmp, onArgv: (argv) => storedArgv.push(argv.slice(1)) });
    });

    it("reads status: state, revision, chart version from list, and the recorded hash", async () => {
      expect(await stored.status("vault", "vault")).toEqual({ status: "deployed", chartVersion: "0.34.1", revision: 2, valuesHash: valuesHash(VAULT_VALUES) });
      expect(await stored.status("settlemint", "settlemint")).toEqual({ status: "failed", chartVersion: "v7.32.10", revision: 3 });
    });

    it("sees a pending release (helm 3 needs --all for that; helm 4 refuses --all)", async () => {
      expect(await stored.status("cert-manager", "cert-manager")).toEqual({ status: "pending-install", chartVersion: "v1.21.2", revision: 1 });
    });

    it("reports a missing release as undefined", async () => {
      expect(await stored.status("vault", "elsewhere")).toBeUndefined();
    });

    it("lists every release in every namespace, and one namespace", async () => {
      expect(await stored.list()).toEqual([
        { name: "cert-manager", namespace: "cert-manager", status: "pending-install", chart: "cert-manager-v1.21.2" },
        { name: "settlemint", namespace: "settlemint", status: "failed", chart: "settlemint-v7.32.10" },
        { name: "vault", namespace: "vault", status: "deployed", chart: "vault-0.34.1" },
      ]);
      expect(await stored.list("vault")).toEqual([{ name: "vault", namespace: "vault", status: "deployed", chart: "vault-0.34.1" }]);
    });

    it("skips the deployed release with the same chart version and values", async () => {
      storedArgv.length = 0;
      const result = await stored.upgradeInstall({ ...release("vault", "vault", VAULT_VALUES), version: "0.34.1" });
      expect(result).toEqual({ action: "skipped", reason: "vault 0.34.1 already deployed with the same values", revision: 2 });
      expect(storedArgv.map((a) => a[0])).not.toContain("upgrade");
    });

    it("runs upgrade --install when the values changed; helm accepts every flag and stops only at the missing API server", async () => {
      storedArgv.length = 0;
      const changed = vaultValues({ region: "eu-west-1", kmsKeyArn: KEY_ARN, irsaRoleArn: role("vault"), replicas: 5 });
      const error = await failure(stored.upgradeInstall({ ...release("vault", "vault", changed), version: "0.34.1", createNamespace: true }));
      expect(error.message).toMatch(/^helm upgrade --install vault \(.*\/vault 0\.34\.1\) in namespace vault failed \(helm exit code 1\): [^]*Error: UPGRADE FAILED: could not get apiVersions from Kubernetes/);
      expect(error.message).not.toMatch(/unknown flag|invalid argument/);
      const upgrade = storedArgv.find((a) => a[0] === "upgrade");
      expect(upgrade?.slice(0, 11)).toEqual(["upgrade", "vault", join(CHARTS, "vault"), "--version", "0.34.1", "--install", "--namespace", "vault", "--values", upgrade?.[9], "--reset-values"]);
      expect(upgrade?.slice(11)).toEqual([
        "--description", `btp-aws values-hash=${valuesHash(changed)}`, "--timeout", "300s", "--create-namespace",
        major === "v3" ? "--wait" : "--wait=watcher", "--kubeconfig", kubeconfig,
      ]);
      expect(await readdir(valuesTmp)).toEqual([]);
    });

    it("refuses to touch a release that is pending", async () => {
      const error = await failure(stored.upgradeInstall({ ...release("cert-manager", "cert-manager", CERT_MANAGER_VALUES), version: "v1.21.2" }));
      expect(error.message).toBe("helm release cert-manager in namespace cert-manager is pending-install: an earlier helm operation on it is running or was interrupted");
    });
  });
});
