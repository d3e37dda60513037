/**
 * The BTP values as install builds them (btpValues + the user's overrides file), rendered by the
 * real helm v3 and v4 through the fixture chart test/fixtures/charts/settlemint, which reads the
 * FACTS.md keys. Every helm command line is recorded: no secret may be on any of them.
 *
 * Registry login cannot run here (no registry): its argv and stdin are proven with a recording
 * helm script in test/unit/phases/btp/registry-login.test.ts.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { createHelm, type Helm, type HelmRelease } from "../../../src/helm/release.js";
import { mergeOverrides, readOverridesFile } from "../../../src/phases/btp/overrides.js";
import { unknownKeys } from "../../../src/phases/btp/unknown-keys.js";
import { btpValues } from "../../../src/phases/btp/values.js";
import type { Config } from "../../../src/config/schema.js";
import { awsTestConfig as testConfig } from "../../support/aws-modes.js";
import { REPO_ROOT } from "../../support/paths.js";
import { BTP_ROLE_ARN, BUCKET, CERT_ARN, DB_HOST, INFRA_OUTPUTS, REDIS_HOST, TEST_SECRETS, WAF_ARN } from "../../unit/phases/btp/fixtures.js";

const binaries = inject("helm");
const CHART = join(REPO_ROOT, "test", "fixtures", "charts", "settlemint");
const DOMAIN = "btp.example.com";
const OUTPUTS = { ...INFRA_OUTPUTS, "infra/waf": { webAclArn: WAF_ARN } };

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  [key: string]: unknown;
}

function manifests(rendered: string): Manifest[] {
  return parseAllDocuments(rendered).map((d) => d.toJS() as Manifest | null).filter((m): m is Manifest => m !== null);
}

function find(all: Manifest[], kind: string, name: string): Manifest {
  const found = all.find((m) => m.kind === kind && m.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} in ${all.map((m) => `${m.kind}/${m.metadata.name}`).join(", ")}`);
  return found;
}

function at(value: unknown, ...path: (string | number)[]): unknown {
  return path.reduce<unknown>((v, key) => (v as Record<string | number, unknown> | undefined)?.[key], value);
}

const b64 = (s: unknown) => Buffer.from(String(s), "base64").toString("utf8");
const decoded = (secret: Manifest) => Object.fromEntries(Object.entries(at(secret, "data") as Record<string, string>).map(([k, v]) => [k, b64(v)]));

let scratch: string;
let valuesTmp: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "btp-aws-btp-values-"));
  valuesTmp = join(scratch, "values-tmp");
  await writeFile(join(scratch, "overrides.yaml"), [
    "ingress:",
    "  annotations:",
    "    alb.ingress.kubernetes.io/load-balancer-name: btp-test",
    "postgresql:",
    "  sslMode: verify-full",
    "",
  ].join("\n"));
  await mkdir(valuesTmp);
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe.each(["v3", "v4"] as const)("BTP values through helm %s and the fixture chart", (major) => {
  const argvs: string[][] = [];
  let helm: Helm;
  beforeAll(() => {
    helm = createHelm({ binary: binaries[major].path, tmpDir: valuesTmp, onArgv: (argv) => argvs.push(argv) });
  });

  async function values(config: Config): Promise<Record<string, unknown>> {
    return mergeOverrides(btpValues(config, OUTPUTS, TEST_SECRETS), await readOverridesFile("overrides.yaml", scratch));
  }

  const release = (v: Record<string, unknown>): HelmRelease => ({ name: "settlemint", namespace: "settlemint", chart: CHART, values: v, timeoutSeconds: 900, wait: true });

  it("renders the ALB ingress, the IRSA service account, TLS datastores, Vault, license and pull credentials", async () => {
    argvs.length = 0;
    const all = manifests(await helm.template(release(await values(testConfig()))));

    const ingress = find(all, "Ingress", "settlemint");
    expect(ingress.metadata.annotations).toEqual({
      "alb.ingress.kubernetes.io/scheme": "internet-facing",
      "alb.ingress.kubernetes.io/target-type": "ip",
      "alb.ingress.kubernetes.io/certificate-arn": CERT_ARN,
      "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
      "alb.ingress.kubernetes.io/ssl-redirect": "443",
      "alb.ingress.kubernetes.io/group.name": "btp-btp-test",
      "alb.ingress.kubernetes.io/tags": "btp-aws:platform=btp-test,btp-aws:managed-by=btp-aws",
      "alb.ingress.kubernetes.io/wafv2-acl-arn": WAF_ARN,
      // From the overrides file, merged into the rendered annotations.
      "alb.ingress.kubernetes.io/load-balancer-name": "btp-test",
    });
    expect(at(ingress, "spec", "ingressClassName")).toBe("alb");
    expect(at(ingress, "spec", "tls")).toEqual([{ hosts: [DOMAIN, `*.${DOMAIN}`] }]);
    expect((at(ingress, "spec", "rules") as { host: string }[]).map((r) => r.host)).toEqual([DOMAIN, `*.${DOMAIN}`]);

    expect(find(all, "ServiceAccount", "settlemint").metadata.annotations).toEqual({ "eks.amazonaws.com/role-arn": BTP_ROLE_ARN });
    expect(at(find(all, "Deployment", "settlemint-api"), "spec", "template", "spec", "serviceAccountName")).toBe("settlemint");
    expect(at(find(all, "Deployment", "settlemint-api"), "spec", "template", "spec", "imagePullSecrets")).toEqual([{ name: "settlemint-harbor" }]);

    expect(at(find(all, "ConfigMap", "settlemint-config"), "data")).toMatchObject({
      POSTGRES_HOST: DB_HOST,
      POSTGRES_PORT: "5432",
      POSTGRES_USER: "btp_admin",
      POSTGRES_DATABASE: "postgres",
      // The overrides file's choice wins over the rendered "require".
      POSTGRES_SSL_MODE: "verify-full",
      REDIS_HOST: REDIS_HOST,
      REDIS_PORT: "6379",
      REDIS_TLS: "true",
      VAULT_ENABLED: "true",
      VAULT_ADDRESS: "http://vault.vault.svc.cluster.local:8200",
      AWS_SECRET_MANAGER_ENABLED: "false",
      PLATFORM_HOSTNAME: DOMAIN,
      CLUSTER_MANAGER_HOSTNAME: DOMAIN,
      STATE_CONNECTION_URL: `s3://${BUCKET}?region=eu-west-1`,
      STATE_SECRETS_PROVIDER: "passphrase",
      STATE_AWS: '{"region":"eu-west-1"}',
      AUTH_GOOGLE_ENABLED: "true",
      AUTH_GOOGLE_CLIENT_ID: "client-id",
      AUTH_ENTRA_ENABLED: "false",
      LICENSE_ACCOUNT_NAME: "acme",
      LICENSE_EMAIL: "ops@example.com",
      LICENSE_EXPIRATION_DATE: "2027-12-31",
      KUBERNETES_REPLICATOR_ENABLED: "true",
    });
    expect(decoded(find(all, "Secret", "settlemint-secrets"))).toEqual({
      POSTGRES_PASSWORD: TEST_SECRETS.databasePassword,
      REDIS_PASSWORD: TEST_SECRETS.redisAuthToken,
      JWT_SIGNING_KEY: TEST_SECRETS.jwtSigningKey,
      AUTH_GOOGLE_CLIENT_SECRET: TEST_SECRETS.authClientSecret,
      AUTH_ENTRA_CLIENT_SECRET: "",
      VAULT_ROLE_ID: TEST_SECRETS.vaultRoleId,
      VAULT_SECRET_ID: TEST_SECRETS.vaultSecretId,
      STATE_ENCRYPTION_KEY: TEST_SECRETS.stateEncryptionKey,
      LICENSE_ACCOUNT_TOKEN: TEST_SECRETS.licenseToken,
      LICENSE_SIGNATURE: "sig",
      IPFS_CLUSTER_SECRET: TEST_SECRETS.ipfsClusterSecret,
    });
    expect(JSON.parse(b64(at(find(all, "Secret", "settlemint-harbor"), "data", ".dockerconfigjson")))).toEqual({
      auths: { "harbor.settlemint.com": { username: "acme", password: TEST_SECRETS.licenseToken, email: "ops@example.com", auth: Buffer.from(`acme:${TEST_SECRETS.licenseToken}`).toString("base64") } },
    });

    expect(argvs).toHaveLength(1);
    for (const argv of argvs) for (const secret of Object.values(TEST_SECRETS)) expect(argv.join(" ")).not.toContain(secret);
    expect(await readdir(valuesTmp)).toEqual([]);
  });

  it("renders a Cognito provider with its issuer", async () => {
    argvs.length = 0;
    const config = testConfig({ auth: { provider: "cognito", clientId: "pool-client", issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC" } });
    const all = manifests(await helm.template(release(await values(config))));
    expect(at(find(all, "ConfigMap", "settlemint-config"), "data")).toMatchObject({
      AUTH_GOOGLE_ENABLED: "false",
      AUTH_COGNITO_CLIENT_ID: "pool-client",
      AUTH_COGNITO_ISSUER: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC",
    });
    expect(decoded(find(all, "Secret", "settlemint-secrets")).AUTH_COGNITO_CLIENT_SECRET).toBe(TEST_SECRETS.authClientSecret);
    for (const argv of argvs) for (const secret of Object.values(TEST_SECRETS)) expect(argv.join(" ")).not.toContain(secret);
  });

  it("finds every rendered key in the chart's defaults (helm show values), and names the ones it lacks", async () => {
    argvs.length = 0;
    const defaults = await helm.showValues(CHART);
    expect(unknownKeys(await values(testConfig()), defaults)).toEqual([]);
    const renamed = mergeOverrides(btpValues(testConfig(), OUTPUTS, TEST_SECRETS), { features: { deploymentEngine: { state: { s3ConnectionUrl: "s3://old" } } }, app: { replicaCount: 2 } });
    expect(unknownKeys(renamed, defaults)).toEqual(["features.deploymentEngine.state.s3ConnectionUrl", "app"]);
    expect(argvs).toEqual([[binaries[major].path, "show", "values", CHART]]);
  });
});
