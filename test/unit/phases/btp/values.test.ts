import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { BtpAwsError } from "../../../../src/errors.js";
import { BTP_SECRET_PLACEHOLDERS, btpValues, type BtpSecretValues } from "../../../../src/phases/btp/values.js";
import { awsTestConfig as testConfig } from "../../../support/aws-modes.js";
import { BTP_ROLE_ARN, BUCKET, CERT_ARN, DB_HOST, INFRA_OUTPUTS, REDIS_HOST, TEST_SECRETS, WAF_ARN } from "./fixtures.js";

const DOMAIN = "btp.example.com";

/** Walks a value tree by keys. */
function at(value: unknown, ...path: string[]): unknown {
  return path.reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);
}

describe("btpValues", () => {
  it("renders every key the chart reads from the config, the infra outputs and the secrets", () => {
    const config = testConfig({ tags: { team: "chain", "cost centre": "a,b" } });
    expect(btpValues(config, INFRA_OUTPUTS, TEST_SECRETS)).toEqual({
      serviceAccount: { create: true, name: "settlemint", annotations: { "eks.amazonaws.com/role-arn": BTP_ROLE_ARN } },
      ingress: {
        enabled: true,
        className: "alb",
        host: DOMAIN,
        annotations: {
          "alb.ingress.kubernetes.io/scheme": "internet-facing",
          "alb.ingress.kubernetes.io/target-type": "ip",
          "alb.ingress.kubernetes.io/certificate-arn": CERT_ARN,
          "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
          "alb.ingress.kubernetes.io/ssl-redirect": "443",
          "alb.ingress.kubernetes.io/group.name": "btp-btp-test",
          // The tag whose value holds a comma cannot be expressed in the annotation and is left out.
          "alb.ingress.kubernetes.io/tags": "team=chain,btp-aws:platform=btp-test,btp-aws:managed-by=btp-aws",
        },
        tls: [{ hosts: [DOMAIN, `*.${DOMAIN}`] }],
      },
      postgresql: { host: DB_HOST, port: 5432, user: "btp_admin", password: TEST_SECRETS.databasePassword, database: "postgres", sslMode: "require" },
      redis: { host: REDIS_HOST, port: 6379, password: TEST_SECRETS.redisAuthToken, tls: true },
      auth: { jwtSigningKey: TEST_SECRETS.jwtSigningKey, providers: { google: { enabled: true, clientID: "client-id", clientSecret: TEST_SECRETS.authClientSecret } } },
      vault: { enabled: true, address: "http://vault.vault.svc.cluster.local:8200", roleId: TEST_SECRETS.vaultRoleId, secretId: TEST_SECRETS.vaultSecretId },
      awsSecretManager: { enabled: false },
      features: {
        deploymentEngine: {
          platform: { domain: { hostname: DOMAIN } },
          clusterManager: { domain: { hostname: DOMAIN } },
          state: {
            connectionUrl: `s3://${BUCKET}?region=eu-west-1`,
            secretsProvider: "passphrase",
            credentials: { encryptionKey: TEST_SECRETS.stateEncryptionKey, aws: { region: "eu-west-1" } },
          },
          targets: [{
            id: "aws",
            name: "AWS",
            icon: "aws",
            clusters: [{
              id: "btp-test",
              name: "btp-test (eu-west-1)",
              icon: "aws",
              connection: { sameCluster: { enabled: true } },
              namespace: { single: { name: "deployments" } },
              domains: { service: { tls: true, hostname: DOMAIN } },
              storage: { storageClass: "gp3" },
              ingress: { ingressClass: "alb" },
              capabilities: { mixedLoadBalancers: false },
            }],
          }],
        },
      },
      ipfsCluster: { clusterSecret: TEST_SECRETS.ipfsClusterSecret },
      license: { accountName: "acme", accountToken: TEST_SECRETS.licenseToken, email: "ops@example.com", expirationDate: "2027-12-31", signature: "sig" },
      imagePullCredentials: {
        registries: { harbor: { enabled: true, registry: "harbor.settlemint.com", username: "acme", password: TEST_SECRETS.licenseToken, email: "ops@example.com" } },
      },
      support: { "kubernetes-replicator": { enabled: true } },
      // Its content is pinned in monitoring-values.test.ts.
      monitoring: expect.objectContaining({ enabled: true, alertmanager: expect.objectContaining({ enabled: true }) as unknown }) as unknown,
    });
  });

  it("adds the WAF web ACL annotation only when infra recorded one", () => {
    const config = testConfig();
    const annotations = (outputs: typeof INFRA_OUTPUTS) => at(btpValues(config, outputs, TEST_SECRETS), "ingress", "annotations") as Record<string, string>;
    expect(annotations(INFRA_OUTPUTS)).not.toHaveProperty(["alb.ingress.kubernetes.io/wafv2-acl-arn"]);
    expect(annotations({ ...INFRA_OUTPUTS, "infra/waf": { webAclArn: WAF_ARN } })["alb.ingress.kubernetes.io/wafv2-acl-arn"]).toBe(WAF_ARN);
  });

  it.each([
    [{ provider: "microsoftEntraId", clientId: "entra-app", tenantId: "tenant-1" }, { microsoftEntraId: { enabled: true, clientID: "entra-app", clientSecret: TEST_SECRETS.authClientSecret, tenantId: "tenant-1" } }],
    [
      { provider: "cognito", clientId: "pool-client", issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC" },
      { cognito: { enabled: true, clientID: "pool-client", clientSecret: TEST_SECRETS.authClientSecret, issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC" } },
    ],
    [
      { provider: "oidc", clientId: "kc", issuer: "https://sso.example.com/realms/btp", name: "keycloak" },
      { oidc: { enabled: true, clientID: "kc", clientSecret: TEST_SECRETS.authClientSecret, issuer: "https://sso.example.com/realms/btp", name: "keycloak" } },
    ],
  ] as const)("renders the %o provider block", (auth, providers) => {
    expect(at(btpValues(testConfig({ auth }), INFRA_OUTPUTS, TEST_SECRETS), "auth", "providers")).toEqual(providers);
  });

  it("with the placeholders, says where each secret comes from and carries no secret", () => {
    const preview = stringify(btpValues(testConfig(), INFRA_OUTPUTS, BTP_SECRET_PLACEHOLDERS));
    for (const secret of Object.values(TEST_SECRETS)) expect(preview).not.toContain(secret);
    const values = btpValues(testConfig(), INFRA_OUTPUTS, BTP_SECRET_PLACEHOLDERS);
    expect(at(values, "postgresql", "password")).toBe(BTP_SECRET_PLACEHOLDERS.databasePassword);
    expect(at(values, "license", "accountToken")).toBe("<secret: license token from BTP_AWS_LICENSE_TOKEN>");
    expect(at(values, "auth", "providers", "google", "clientSecret")).toBe("<secret: OAuth client secret from BTP_AWS_AUTH_CLIENT_SECRET>");
    // Every secret field of the real values holds a placeholder in the preview, and only there.
    const placeholders = new Set(Object.values(BTP_SECRET_PLACEHOLDERS));
    const secretPaths = paths(btpValues(testConfig(), INFRA_OUTPUTS, TEST_SECRETS)).filter(([, v]) => Object.values(TEST_SECRETS).includes(v as string)).map(([p]) => p);
    const placeholderPaths = paths(values).filter(([, v]) => placeholders.has(v as Required<BtpSecretValues>[keyof BtpSecretValues])).map(([p]) => p);
    expect(placeholderPaths).toEqual(secretPaths);
    expect(secretPaths).toHaveLength(10);
  });

  it("names the step whose output is missing", () => {
    const { ["infra/rds"]: _rds, ...outputs } = INFRA_OUTPUTS;
    const error = (() => {
      try {
        btpValues(testConfig(), outputs, TEST_SECRETS);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(BtpAwsError);
    expect((error as BtpAwsError).message).toBe("output dbEndpoint of step infra/rds is missing from the state");
  });
});

/** [dotted path, leaf value] of every leaf. */
function paths(value: unknown, prefix = ""): [string, unknown][] {
  if (value === null || typeof value !== "object") return [[prefix, value]];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => paths(v, prefix ? `${prefix}.${k}` : k));
}
