/** Infra outputs and secrets for btp tests: what a finished infra and vault phase leave behind. */
import type { StepOutputs } from "../../../../src/plan/types.js";
import type { BtpSecretValues } from "../../../../src/phases/btp/values.js";

export const ACCOUNT = "123456789012";
export const CERT_ARN = `arn:aws:acm:eu-west-1:${ACCOUNT}:certificate/0f0e0d0c-1111-2222-3333-444455556666`;
export const BTP_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/btp-btp-test-irsa-btp`;
export const SECRET_ARN = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:btp-test/credentials-AbCdEf`;
export const BUCKET = `btp-btp-test-${ACCOUNT}-eu-west-1`;
export const DB_HOST = "btp-btp-test-db.c9akciq32.eu-west-1.rds.amazonaws.com";
export const REDIS_HOST = "master.btp-btp-test-redis.abc123.euw1.cache.amazonaws.com";
export const WAF_ARN = `arn:aws:wafv2:eu-west-1:${ACCOUNT}:regional/webacl/btp-test/abcd`;
export const ALARM_TOPIC_ARN = `arn:aws:sns:eu-west-1:${ACCOUNT}:btp-btp-test-alarms`;
export const ALERTMANAGER_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/btp-btp-test-irsa-alertmanager`;

export const INFRA_OUTPUTS: Record<string, StepOutputs> = {
  "infra/eks": { clusterName: "btp-btp-test-eks" },
  "infra/acm": { certificateArn: CERT_ARN },
  "infra/rds": { dbInstanceId: "btp-btp-test-db", dbEndpoint: DB_HOST, dbPort: 5432 },
  "infra/elasticache": { replicationGroupId: "btp-btp-test-redis", redisEndpoint: REDIS_HOST, redisPort: 6379 },
  "infra/s3": { bucket: BUCKET, bucketArn: `arn:aws:s3:::${BUCKET}` },
  "infra/kms": { keyArn: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab` },
  "infra/irsa": { btpRoleArn: BTP_ROLE_ARN, alertmanagerRoleArn: ALERTMANAGER_ROLE_ARN },
  "infra/monitoring": { topicArn: ALARM_TOPIC_ARN },
  "infra/secrets": { secretArn: SECRET_ARN, secretName: "btp-test/credentials" },
};

/** Distinctive strings, so a leak is found by a plain substring search. */
export const TEST_SECRETS: BtpSecretValues = {
  databasePassword: "pg-7Hq2xZr9-secret",
  redisAuthToken: "redis-Vb81kQ4-secret",
  jwtSigningKey: "jwt-3e9f0c27aa51-secret",
  stateEncryptionKey: "state-5Rt0yW-secret",
  ipfsClusterSecret: "ipfs-Cc71Wq-secret",
  vaultRoleId: "1f5e2c9a-role-id-secret",
  vaultSecretId: "9d7b3e1f-secret-id-secret",
  licenseToken: "license-Zk29Qa-secret",
  authClientSecret: "oauth-Lm0p8s-secret",
};

/** The platform secret's JSON as infra/secrets and vault/configure leave it. */
export const PLATFORM_SECRET: Record<string, string> = {
  databasePassword: TEST_SECRETS.databasePassword,
  redisAuthToken: TEST_SECRETS.redisAuthToken,
  jwtSigningKey: TEST_SECRETS.jwtSigningKey,
  stateEncryptionKey: TEST_SECRETS.stateEncryptionKey,
  ipfsClusterSecret: TEST_SECRETS.ipfsClusterSecret,
  vaultRoleId: TEST_SECRETS.vaultRoleId,
  vaultSecretId: TEST_SECRETS.vaultSecretId,
  vaultRootToken: "hvs.root-token-secret",
};
