/**
 * The values btp-aws installs the SettleMint chart with: one pure function of the config, the
 * infra outputs and the secrets, so `install` and `btp-aws values btp` (with placeholders instead
 * of secrets) build exactly the same tree. Key names are the ones FACTS.md lists for recent chart
 * versions; the chart's values.yaml is not public, so the release step compares these keys with
 * `helm show values` and warns about any the chart does not know.
 *
 * Decisions worth knowing (sources: SettleMint's self-hosted docs and btp-universal-terraform):
 * - The ALB ends TLS with the ACM certificate; the TLS hosts only tell the chart which names to
 *   route, so no secretName. Every ingress of the platform joins one ALB through its group name.
 * - Database, Redis and the deployment engine's state follow the dependency modes
 *   (dependency-values.ts). With storage.mode aws the state lives in the platform bucket
 *   (`s3://<bucket>?region=<region>`, the docs' form for AWS S3), reached through the btp IRSA
 *   role: no access keys, so only the region is given under credentials.aws. It is encrypted with the generated state encryption
 *   key (`secretsProvider: passphrase`, the documented provider); the docs mention KMS as an
 *   alternative without documenting its value, so KMS is left to the overrides file.
 * - `awsSecretManager` stays off: key material goes to Vault.
 */
import type { Config } from "../../config/schema.js";
import { stringOutput } from "../../plan/outputs.js";
import type { StepOutputs } from "../../plan/types.js";
import { postgresqlValues, redisValues, stateValues } from "./dependency-values.js";
import { monitoringValues } from "./monitoring-values.js";
import {
  BTP_SERVICE_ACCOUNT, DEPLOYMENTS_NAMESPACE, IMAGE_REGISTRY, INGRESS_CLASS, STORAGE_CLASS, VAULT_ADDRESS,
} from "./names.js";

/** Every secret the values carry. None of them is ever in the state or on a command line. */
export interface BtpSecretValues {
  /** Generated (database.mode aws, in-cluster) or the external database's. */
  databasePassword: string;
  /** Generated (cache.mode aws, in-cluster) or the external Redis's password. */
  redisAuthToken: string;
  /** The username field of database.external.credentialsSecretArn, used when the config names no user. */
  databaseUser?: string;
  /** MinIO's generated keys (storage.mode in-cluster) or the external bucket's; unset for aws (IRSA). */
  storageAccessKeyId?: string;
  storageSecretAccessKey?: string;
  jwtSigningKey: string;
  stateEncryptionKey: string;
  ipfsClusterSecret: string;
  vaultRoleId: string;
  vaultSecretId: string;
  licenseToken: string;
  authClientSecret: string;
}

/** What `btp-aws values btp` shows in place of each secret: where install takes it from. */
export const BTP_SECRET_PLACEHOLDERS: Readonly<Required<BtpSecretValues>> = Object.freeze({
  databasePassword: "<secret: database password from Secrets Manager (external: credentialsSecretArn or BTP_AWS_DATABASE_PASSWORD)>",
  redisAuthToken: "<secret: Redis password from Secrets Manager (external: credentialsSecretArn or BTP_AWS_REDIS_PASSWORD)>",
  databaseUser: "<database user from database.external.credentialsSecretArn>",
  storageAccessKeyId: "<secret: object storage access key id from Secrets Manager (external: credentialsSecretArn or BTP_AWS_STORAGE_ACCESS_KEY_ID)>",
  storageSecretAccessKey: "<secret: object storage secret access key from Secrets Manager (external: credentialsSecretArn or BTP_AWS_STORAGE_SECRET_ACCESS_KEY)>",
  jwtSigningKey: "<secret: JWT signing key from Secrets Manager>",
  stateEncryptionKey: "<secret: state encryption key from Secrets Manager>",
  ipfsClusterSecret: "<secret: IPFS cluster secret from Secrets Manager>",
  vaultRoleId: "<secret: Vault AppRole role-id from Secrets Manager>",
  vaultSecretId: "<secret: Vault AppRole secret-id from Secrets Manager>",
  licenseToken: "<secret: license token from BTP_AWS_LICENSE_TOKEN>",
  authClientSecret: "<secret: OAuth client secret from BTP_AWS_AUTH_CLIENT_SECRET>",
});

type Outputs = Readonly<Record<string, StepOutputs>>;

/** AWS tags as the ALB controller's tags annotation takes them: `k=v,k2=v2`; pairs it cannot carry are left out. */
function tagsAnnotation(tags: Record<string, string>): string {
  return Object.entries(tags)
    .filter(([key, value]) => !/[,=]/.test(key) && !/[,=]/.test(value))
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
}

/** The ALB the AWS Load Balancer Controller builds for the platform's ingresses. */
export function albAnnotations(config: Config, outputs: Outputs): Record<string, string> {
  const wafAclArn = outputs["infra/waf"]?.webAclArn;
  return {
    "alb.ingress.kubernetes.io/scheme": "internet-facing",
    // Pods are targets directly (VPC CNI), not node ports.
    "alb.ingress.kubernetes.io/target-type": "ip",
    "alb.ingress.kubernetes.io/certificate-arn": stringOutput(outputs, "infra/acm", "certificateArn"),
    "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
    "alb.ingress.kubernetes.io/ssl-redirect": "443",
    // The services users deploy get ingresses of their own; one group keeps them on this ALB.
    "alb.ingress.kubernetes.io/group.name": `btp-${config.platform}`,
    // The controller, not btp-aws, creates the ALB: the tags are how destroy and doctor find it.
    "alb.ingress.kubernetes.io/tags": tagsAnnotation({ ...config.tags, "btp-aws:platform": config.platform, "btp-aws:managed-by": "btp-aws" }),
    ...(typeof wafAclArn === "string" && wafAclArn !== "" ? { "alb.ingress.kubernetes.io/wafv2-acl-arn": wafAclArn } : {}),
  };
}

/** The chart's auth.providers entry for the configured provider (Cognito and OIDC carry their issuer). */
export function authProviderValues(auth: Config["auth"], clientSecret: string): Record<string, unknown> {
  const common = { enabled: true, clientID: auth.clientId, clientSecret };
  switch (auth.provider) {
    case "google":
      return { google: common };
    case "microsoftEntraId":
      return { microsoftEntraId: { ...common, tenantId: auth.tenantId } };
    case "cognito":
      return { cognito: { ...common, issuer: auth.issuer } };
    case "oidc":
      return { oidc: { ...common, issuer: auth.issuer, name: auth.name } };
  }
}

/** One deployment target: this cluster, its gp3 StorageClass and the ALB ingress class. */
function deploymentTargets(config: Config): unknown[] {
  return [{
    id: "aws",
    name: "AWS",
    icon: "aws",
    clusters: [{
      id: config.platform,
      name: `${config.platform} (${config.aws.region})`,
      icon: "aws",
      connection: { sameCluster: { enabled: true } },
      namespace: { single: { name: DEPLOYMENTS_NAMESPACE } },
      domains: { service: { tls: true, hostname: config.dns.domain } },
      storage: { storageClass: STORAGE_CLASS },
      ingress: { ingressClass: INGRESS_CLASS },
      capabilities: { mixedLoadBalancers: false },
    }],
  }];
}

export function btpValues(config: Config, outputs: Outputs, secrets: BtpSecretValues): Record<string, unknown> {
  const domain = config.dns.domain;
  return {
    serviceAccount: {
      create: true,
      name: BTP_SERVICE_ACCOUNT,
      // infra/irsa makes the role only for the platform's own bucket (storage.mode aws).
      annotations: config.storage.mode === "aws" ? { "eks.amazonaws.com/role-arn": stringOutput(outputs, "infra/irsa", "btpRoleArn") } : {},
    },
    ingress: {
      enabled: true,
      className: INGRESS_CLASS,
      host: domain,
      annotations: albAnnotations(config, outputs),
      tls: [{ hosts: [domain, `*.${domain}`] }],
    },
    postgresql: postgresqlValues(config, outputs, secrets),
    redis: redisValues(config, outputs, secrets),
    auth: {
      jwtSigningKey: secrets.jwtSigningKey,
      providers: authProviderValues(config.auth, secrets.authClientSecret),
    },
    vault: { enabled: true, address: VAULT_ADDRESS, roleId: secrets.vaultRoleId, secretId: secrets.vaultSecretId },
    awsSecretManager: { enabled: false },
    features: {
      deploymentEngine: {
        platform: { domain: { hostname: domain } },
        clusterManager: { domain: { hostname: domain } },
        state: stateValues(config, outputs, secrets),
        targets: deploymentTargets(config),
      },
    },
    ipfsCluster: { clusterSecret: secrets.ipfsClusterSecret },
    license: {
      accountName: config.license.accountName,
      accountToken: secrets.licenseToken,
      email: config.license.email,
      expirationDate: config.license.expirationDate,
      signature: config.license.signature,
    },
    imagePullCredentials: {
      registries: {
        harbor: { enabled: true, registry: IMAGE_REGISTRY, username: config.license.accountName, password: secrets.licenseToken, email: config.license.email },
      },
    },
    support: { "kubernetes-replicator": { enabled: true } },
    ...monitoringValues(config, outputs),
  };
}
