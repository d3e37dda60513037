/**
 * infra/rds: the platform's PostgreSQL instance, gp3 storage encrypted with the platform key, in
 * a subnet group on the private subnets, with a parameter group that requires TLS.
 *
 * The master password comes from the platform secret and is read only to create the instance;
 * a re-run compares settings and never touches it. Everything ModifyDBInstance can change is
 * repaired in place; what it cannot (encryption, key, a major version downgrade, shrinking
 * storage) is reported as drift before anything is changed.
 *
 * Only database.mode aws makes an instance; in-cluster and external skip with `{ mode }` as outputs.
 */
import { createDbInstance, findDbInstance, modifyDbInstance, tagRdsResource, type DbInstanceInfo } from "../../aws/rds.js";
import { belongsTo, missingTags, platformTags } from "../../aws/tags.js";
import type { Config } from "../../config/schema.js";
import { BtpAwsError } from "../../errors.js";
import { listOutput, stringOutput } from "../../plan/outputs.js";
import type { Reporter, Step, StepOutputs } from "../../plan/types.js";
import { infraNames } from "./names.js";
import { platformKey } from "./platform-key.js";
import { generatedSecret } from "./platform-secret.js";
import { ensureParameterGroup, ensureSubnetGroup } from "./rds-groups.js";
import { rdsFailure } from "./rds-failure.js";
import { databaseSpec, MASTER_USERNAME, planInstance, STORAGE_TYPE } from "./rds-spec.js";
import { failedHint, isFailed, isReady, waitForInstance } from "./rds-wait.js";
import type { InfraServices } from "./services.js";
import { refuseModeSwitch } from "./mode-switch.js";
import { typicalMs } from "../../plan/critical-path.js";
import { allSettledOrThrow } from "../../all-settled.js";

type Services = Pick<InfraServices, "aws" | "wait" | "secrets">;

function outputsOf(instance: DbInstanceInfo): StepOutputs {
  if (!instance.endpoint) throw new BtpAwsError(`RDS instance ${instance.id} is ${instance.status} but reports no endpoint`);
  return { dbInstanceId: instance.id, dbArn: instance.arn, dbEndpoint: instance.endpoint.address, dbPort: instance.endpoint.port };
}

/** What the step does instead of RDS when the database lives elsewhere (database.mode). */
function notAws(config: Config): string {
  const { mode, external } = config.database;
  return mode === "in-cluster"
    ? "database.mode is in-cluster: no RDS instance; PostgreSQL runs in the cluster on an encrypted gp3 volume (addons/postgresql)"
    : `database.mode is external: no RDS instance; the platform uses your database at ${external?.host ?? "?"}:${external?.port ?? 5432}`;
}

/** Problems that stop the step before it changes anything: not ours, stuck, or drifted. */
function unusable(instance: DbInstanceInfo, drift: readonly string[], platform: string, region: string): BtpAwsError | undefined {
  if (!belongsTo(instance.tags, platform)) {
    return new BtpAwsError(`RDS instance ${instance.id} exists but is not managed by btp-aws for platform ${platform} (no btp-aws:platform=${platform} tag)`, {
      hint: "choose another platform name, or remove that instance if it is a leftover, then run again",
    });
  }
  if (isFailed(instance.status)) return new BtpAwsError(`RDS instance ${instance.id} is ${instance.status}`, { hint: failedHint(instance.id, instance.status, region) });
  if (drift.length > 0) {
    return new BtpAwsError(`RDS instance ${instance.id} differs from the config in ways RDS cannot change in place: ${drift.join("; ")}`, {
      hint: "btp-aws never replaces a database: change the config to match the instance, or move the data to a new instance yourself (snapshot, restore), then run again",
    });
  }
  return undefined;
}

export const rdsStep: Step<Services> = {
  id: "infra/rds",
  title: "PostgreSQL (RDS)",
  phase: "infra",
  needs: ["infra/vpc", "infra/kms", "infra/security-groups", "infra/secrets"],
  describe(config) {
    const d = config.database;
    if (d.mode !== "aws") return [notAws(config)];
    const names = infraNames(config);
    return [
      `create or adopt RDS PostgreSQL ${d.engineVersion} ${names.database}: ${d.instanceClass}, ${d.storageGiB} GiB ${STORAGE_TYPE} encrypted with ${names.keyAlias}, Multi-AZ ${d.multiAz ? "on" : "off"}, ${d.backupRetentionDays}-day backups, deletion protection ${d.deletionProtection ? "on" : "off"}`,
      `subnet group ${names.databaseSubnetGroup} on the private subnets; parameter group ${names.databaseParameterGroup} with rds.force_ssl=1`,
    ];
  },
  async run(context, report: Reporter) {
    const { config, services, outputs } = context;
    if (config.database.mode !== "aws") {
      refuseModeSwitch(context.previous, "dbInstanceId", "database", config.database.mode, "RDS instance");
      report.skip(notAws(config));
      return { mode: config.database.mode };
    }
    const names = infraNames(config);
    const spec = databaseSpec(config, {
      securityGroupId: stringOutput(outputs, "infra/security-groups", "databaseSecurityGroupId"),
      key: platformKey(outputs),
      tags: platformTags(config, { Name: names.database }),
    });
    const subnetIds = listOutput(outputs, "infra/vpc", "privateSubnetIds");
    const secrets: string[] = [];
    let action = `look up RDS instance ${spec.id} (rds:DescribeDBInstances)`;
    try {
      const rds = await services.aws.rds();
      report.status(`looking for ${spec.id}`);
      let instance = await findDbInstance(rds, spec.id);
      if (instance) {
        const problem = unusable(instance, planInstance(instance, spec).drift, config.platform, config.aws.region);
        if (problem) throw problem;
      }

      action = `set up DB subnet group ${spec.subnetGroupName} and parameter group ${spec.parameterGroupName} (rds:CreateDBSubnetGroup, rds:ModifyDBSubnetGroup, rds:CreateDBParameterGroup, rds:ModifyDBParameterGroup, rds:AddTagsToResource)`;
      const groupTags = platformTags(config, { Name: spec.subnetGroupName });
      // Independent: made at once (the database is nearly on the install's longest chain).
      const repaired = (await allSettledOrThrow([
        ensureSubnetGroup(rds, { name: spec.subnetGroupName, subnetIds, platform: config.platform, tags: groupTags }),
        ensureParameterGroup(rds, { name: spec.parameterGroupName, family: spec.parameterGroupFamily, platform: config.platform, tags: platformTags(config, { Name: spec.parameterGroupName }) }),
      ])).flat();

      if (!instance) {
        action = `read databasePassword from the platform secret (secretsmanager:GetSecretValue)`;
        const password = await generatedSecret(context, "databasePassword");
        secrets.push(password);
        action = `create RDS instance ${spec.id} (rds:CreateDBInstance)`;
        report.status(`creating ${spec.id}`);
        await createDbInstance(rds, {
          ...spec,
          storageType: STORAGE_TYPE,
          kmsKeyId: spec.key.keyArn,
          masterUsername: MASTER_USERNAME,
          masterPassword: password,
        });
        action = `wait for RDS instance ${spec.id} (rds:DescribeDBInstances)`;
        const created = await waitForInstance(context, rds, spec.id, report, typicalMs("infra/rds"));
        report.info(`created RDS instance ${spec.id} (PostgreSQL ${created.engineVersion}, ${created.instanceClass}, ${created.allocatedStorage} GiB, Multi-AZ ${created.multiAz ? "on" : "off"})`);
        return outputsOf(created);
      }

      if (!isReady(instance.status)) {
        action = `wait for RDS instance ${spec.id} (rds:DescribeDBInstances)`;
        instance = await waitForInstance(context, rds, spec.id, report);
      }
      // Compared again after the wait: a pending modification may have landed meanwhile.
      const plan = planInstance(instance, spec);
      const problem = unusable(instance, plan.drift, config.platform, config.aws.region);
      if (problem) throw problem;
      if (plan.repairs.length > 0) {
        action = `modify RDS instance ${spec.id} (rds:ModifyDBInstance)`;
        report.status(`modifying ${spec.id}: ${plan.repairs.join(", ")}`);
        await modifyDbInstance(rds, spec.id, plan.changes);
        repaired.push(...plan.repairs);
        instance = await waitForInstance(context, rds, spec.id, report);
      }
      const absent = missingTags(instance.tags, spec.tags);
      if (Object.keys(absent).length > 0) {
        action = `tag RDS instance ${spec.id} (rds:AddTagsToResource)`;
        await tagRdsResource(rds, instance.arn, absent);
        repaired.push(`added tags ${Object.keys(absent).join(", ")}`);
      }
      if (repaired.length > 0) report.info(`RDS instance ${spec.id}: ${repaired.join("; ")}`);
      else report.skip(`RDS instance ${spec.id} exists as configured (${instance.instanceClass}, ${instance.status})`);
      return outputsOf(instance);
    } catch (error) {
      throw rdsFailure(error, config, action, { endpoint: services.aws.endpoint, region: config.aws.region }, secrets);
    }
  },
};
