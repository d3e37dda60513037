/** AWS checks of where the data lives: RDS, ElastiCache, the bucket, the KMS key and the secret. */
import { bucketEncryption, publicAccessBlock, versioningStatus } from "../../aws/s3.js";
import { rotationEnabled } from "../../aws/kms.js";
import { latestMinimum } from "./aws-reads.js";
import { finding, outcome, REPAIR_INFRA, type Finding } from "./findings.js";
import { fail, ok, warn, type Check } from "./types.js";

const GIB = 1024 ** 3;
const BUSY_DB = new Set(["backing-up", "modifying", "configuring-enhanced-monitoring", "configuring-log-exports", "maintenance", "rebooting", "renaming", "resetting-master-credentials", "storage-optimization", "upgrading", "creating", "starting"]);

const database: Check = {
  id: "aws/rds",
  title: "RDS PostgreSQL",
  area: "aws",
  async run({ facts, config }) {
    const db = await facts.database();
    if (!db) return fail(`RDS instance ${facts.databaseId} not found`, `create it with ${REPAIR_INFRA}`);
    const id = db.id;
    const modify = (args: string) => `\`aws rds modify-db-instance --db-instance-identifier ${id} ${args} --apply-immediately\`, or run ${REPAIR_INFRA}`;
    const findings: Finding[] = [];
    if (db.status !== "available") {
      findings.push(BUSY_DB.has(db.status)
        ? finding("warn", `status ${db.status}`, "RDS is working on it: run doctor again when it is available")
        : finding("fail", `status ${db.status}`, `aws rds describe-events --source-identifier ${id} --source-type db-instance says why; ${db.status === "stopped" ? `start it: aws rds start-db-instance --db-instance-identifier ${id}` : "fix the cause, then run doctor again"}`));
    }
    if (db.backupRetentionPeriod === 0) {
      findings.push(finding("fail", "automated backups are off", modify(`--backup-retention-period ${config?.database.backupRetentionDays ?? 7}`)));
    } else if (config && db.backupRetentionPeriod < config.database.backupRetentionDays) {
      findings.push(finding("warn", `backups kept ${db.backupRetentionPeriod} days, the config asks for ${config.database.backupRetentionDays}`, modify(`--backup-retention-period ${config.database.backupRetentionDays}`)));
    }
    if (config && db.multiAz !== config.database.multiAz) {
      findings.push(finding("fail", `Multi-AZ is ${db.multiAz ? "on" : "off"}, the config asks for ${config.database.multiAz ? "on" : "off"}`, modify(db.multiAz ? "--no-multi-az" : "--multi-az")));
    }
    return outcome(`${id}`, findings, `${id} available, backups kept ${db.backupRetentionPeriod} days, Multi-AZ ${db.multiAz ? "on" : "off"}`);
  },
};

const databaseStorage: Check = {
  id: "aws/rds-storage",
  title: "RDS free storage",
  area: "aws",
  async run({ facts, aws, now }) {
    const db = await facts.database();
    if (!db) return fail(`RDS instance ${facts.databaseId} not found`, `create it with ${REPAIR_INFRA}`);
    const free = await latestMinimum(await aws.cloudwatch(), { namespace: "AWS/RDS", name: "FreeStorageSpace", dimensions: { DBInstanceIdentifier: db.id } }, now());
    if (free === undefined) return warn(`CloudWatch has no FreeStorageSpace data for ${db.id} in the last 30 minutes`, "a running instance publishes it every minute: check that the instance is available");
    const percent = (free / (db.allocatedStorage * GIB)) * 100;
    const detail = `${db.id}: ${(free / GIB).toFixed(1)} GiB free of ${db.allocatedStorage} GiB (${percent.toFixed(0)}%)`;
    const grow = `raise database.storageGiB and run ${REPAIR_INFRA}, or turn on storage autoscaling (aws rds modify-db-instance --max-allocated-storage)`;
    if (percent < 10) return fail(detail, grow);
    if (percent < 20) return warn(detail, grow);
    return ok(detail);
  },
};

const cache: Check = {
  id: "aws/elasticache",
  title: "ElastiCache",
  area: "aws",
  async run({ facts }) {
    const group = await facts.cache();
    if (!group) return fail(`ElastiCache replication group ${facts.cacheId} not found`, `create it with ${REPAIR_INFRA}`);
    const findings: Finding[] = [];
    if (group.status !== "available") {
      findings.push(["creating", "modifying", "snapshotting"].includes(group.status)
        ? finding("warn", `status ${group.status}`, "ElastiCache is working on it: run doctor again when it is available")
        : finding("fail", `status ${group.status}`, `aws elasticache describe-events --source-identifier ${group.id} --source-type replication-group says why`));
    }
    if (!group.transitEncryption) {
      findings.push(finding("fail", "TLS (in-transit encryption) is off", `turn it on in two steps: \`aws elasticache modify-replication-group --replication-group-id ${group.id} --transit-encryption-enabled --transit-encryption-mode preferred --apply-immediately\`, then again with --transit-encryption-mode required`));
    }
    if (!group.authTokenEnabled) {
      findings.push(finding("fail", "AUTH is off", `set a token: \`aws elasticache modify-replication-group --replication-group-id ${group.id} --auth-token <token> --auth-token-update-strategy SET --apply-immediately\` (TLS must be on), store it in the platform secret as redisAuthToken`));
    }
    return outcome(group.id, findings, `${group.id} available, TLS on, AUTH on`);
  },
};

const bucket: Check = {
  id: "aws/s3",
  title: "S3 bucket",
  area: "aws",
  async run({ facts, aws }) {
    const { ref, presence } = await facts.bucket();
    if (presence.state === "missing") return fail(`bucket ${ref.name} not found`, `create it with ${REPAIR_INFRA}`);
    if (presence.state === "forbidden") return fail(`bucket ${ref.name}: access denied (403): another account owns it, or these credentials may not read it`, "run doctor with the platform account's credentials (--profile)");
    const s3 = await aws.s3();
    const [versioning, encryption, block] = await Promise.all([versioningStatus(s3, ref), bucketEncryption(s3, ref), publicAccessBlock(s3, ref)]);
    const findings: Finding[] = [];
    if (versioning !== "Enabled") {
      findings.push(finding("fail", `versioning is ${versioning ?? "off"}`, `\`aws s3api put-bucket-versioning --bucket ${ref.name} --versioning-configuration Status=Enabled\`, or run ${REPAIR_INFRA} (it turns versioning back on)`));
    }
    if (!encryption) {
      findings.push(finding("fail", "no default encryption", `run ${REPAIR_INFRA}: it sets SSE-KMS with the platform key`));
    } else if (encryption.algorithm !== "aws:kms") {
      findings.push(finding("warn", `encrypted with ${encryption.algorithm ?? "an unknown algorithm"}, not the platform's KMS key`, `run ${REPAIR_INFRA}: it sets SSE-KMS with the platform key`));
    }
    const blocked = block && block.blockPublicAcls && block.ignorePublicAcls && block.blockPublicPolicy && block.restrictPublicBuckets;
    if (!blocked) {
      findings.push(finding("fail", "public access is not fully blocked", `\`aws s3api put-public-access-block --bucket ${ref.name} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true\`, or run ${REPAIR_INFRA}`));
    }
    return outcome(`bucket ${ref.name}`, findings, `bucket ${ref.name}: versioning on, SSE-KMS, public access blocked`);
  },
};

const kmsKey: Check = {
  id: "aws/kms",
  title: "KMS key",
  area: "aws",
  async run({ facts, aws }) {
    const key = await facts.key();
    if (!key) return fail(`KMS key ${facts.names.keyAlias} not found`, `create it with ${REPAIR_INFRA}`);
    const subject = `key ${key.keyId} (${facts.names.keyAlias})`;
    if (key.state !== "Enabled") {
      const fix = key.state === "PendingDeletion" ? `cancel the deletion at once: \`aws kms cancel-key-deletion --key-id ${key.keyId}\`, then \`aws kms enable-key --key-id ${key.keyId}\`` : `\`aws kms enable-key --key-id ${key.keyId}\``;
      return fail(`${subject} is ${key.state}: nothing encrypted with it can be read`, fix);
    }
    if (!(await rotationEnabled(await aws.kms(), key.keyId))) {
      return fail(`${subject}: automatic rotation is off`, `\`aws kms enable-key-rotation --key-id ${key.keyId}\`, or run ${REPAIR_INFRA} (it turns rotation back on)`);
    }
    return ok(`${subject} enabled, rotation on`);
  },
};

const secret: Check = {
  id: "aws/secret",
  title: "Platform secret",
  area: "aws",
  async run({ facts }) {
    const found = await facts.secret();
    if (!found) return fail(`secret ${facts.names.secret} not found`, `create it with ${REPAIR_INFRA}; if it was deleted by mistake, restore it first (aws secretsmanager restore-secret)`);
    if (found.deletedDate) {
      return fail(`secret ${found.name} is scheduled for deletion (since ${found.deletedDate.toISOString()})`, `restore it now: \`aws secretsmanager restore-secret --secret-id ${found.name}\``);
    }
    return ok(`secret ${found.name}`);
  },
};

export const awsDataChecks: readonly Check[] = [database, databaseStorage, cache, bucket, kmsKey, secret];
