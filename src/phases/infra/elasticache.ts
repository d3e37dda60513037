/**
 * infra/elasticache: the platform's Redis (or Valkey) replication group: TLS in transit, an AUTH
 * token, encryption at rest with the platform key, a primary plus `cache.replicas` replicas in a
 * subnet group on the private subnets; automatic failover and Multi-AZ where configured.
 *
 * The AUTH token comes from the platform secret and is read only to create the group. Node type,
 * failover and Multi-AZ are repaired in place; encryption, key, token and engine are drift.
 *
 * Only cache.mode aws makes a group; in-cluster and external skip with `{ mode }` as outputs.
 */
import { createReplicationGroup, elasticacheTags, findReplicationGroup, modifyReplicationGroup, tagElasticacheResource, type ReplicationGroupInfo } from "../../aws/elasticache.js";
import { awsErrorCode } from "../../aws/errors.js";
import { belongsTo, missingTags, platformTags } from "../../aws/tags.js";
import type { Config } from "../../config/schema.js";
import { BtpAwsError } from "../../errors.js";
import { listOutput, stringOutput } from "../../plan/outputs.js";
import type { Reporter, Step, StepOutputs } from "../../plan/types.js";
import { cacheFailure } from "./elasticache-failure.js";
import { CACHE_FAILED, ensureCacheSubnetGroup, notOurs, waitForCache } from "./elasticache-group.js";
import { cacheSpec, planCache } from "./elasticache-spec.js";
import { infraNames } from "./names.js";
import { platformKey } from "./platform-key.js";
import { generatedSecret } from "./platform-secret.js";
import type { InfraServices } from "./services.js";
import { refuseModeSwitch } from "./mode-switch.js";

type Services = Pick<InfraServices, "aws" | "wait" | "secrets">;

function outputsOf(group: ReplicationGroupInfo): StepOutputs {
  if (!group.primaryEndpoint) throw new BtpAwsError(`ElastiCache replication group ${group.id} is ${group.status} but reports no primary endpoint`);
  return { replicationGroupId: group.id, redisEndpoint: group.primaryEndpoint.address, redisPort: group.primaryEndpoint.port };
}

/** What the step does instead of ElastiCache when the cache lives elsewhere (cache.mode). */
function notAws(config: Config): string {
  const { mode, external } = config.cache;
  return mode === "in-cluster"
    ? "cache.mode is in-cluster: no ElastiCache replication group; Redis runs in the cluster on an encrypted gp3 volume (addons/redis)"
    : `cache.mode is external: no ElastiCache replication group; the platform uses your Redis at ${external?.host ?? "?"}:${external?.port ?? 6379}${external?.tls === false ? " without TLS" : " over TLS"}`;
}

function drifted(id: string, drift: readonly string[]): BtpAwsError {
  return new BtpAwsError(`ElastiCache replication group ${id} differs from the config in ways btp-aws cannot change in place: ${drift.join("; ")}`, {
    hint: "btp-aws never replaces a cache: change the config to match, or delete the replication group yourself so the next run creates it as configured",
  });
}

export const elasticacheStep: Step<Services> = {
  id: "infra/elasticache",
  title: "Redis (ElastiCache)",
  phase: "infra",
  needs: ["infra/vpc", "infra/kms", "infra/security-groups", "infra/secrets"],
  describe(config) {
    const c = config.cache;
    if (c.mode !== "aws") return [notAws(config)];
    const names = infraNames(config);
    return [
      `create or adopt ElastiCache ${c.engine} ${c.engineVersion} replication group ${names.cache}: ${c.replicas + 1} × ${c.nodeType}, TLS and AUTH token, encrypted at rest with ${names.keyAlias}, automatic failover and Multi-AZ ${c.multiAz ? "on" : "off"}`,
      `subnet group ${names.cacheSubnetGroup} on the private subnets`,
    ];
  },
  async run(context, report: Reporter) {
    const { config, services, outputs } = context;
    if (config.cache.mode !== "aws") {
      refuseModeSwitch(context.previous, "replicationGroupId", "cache", config.cache.mode, "ElastiCache replication group");
      report.skip(notAws(config));
      return { mode: config.cache.mode };
    }
    const names = infraNames(config);
    const spec = cacheSpec(config, {
      securityGroupId: stringOutput(outputs, "infra/security-groups", "cacheSecurityGroupId"),
      key: platformKey(outputs),
      tags: platformTags(config, { Name: names.cache }),
    });
    const subnetIds = listOutput(outputs, "infra/vpc", "privateSubnetIds");
    if (spec.multiAz && spec.numCacheClusters < 2) {
      throw new BtpAwsError("cache.multiAz needs at least one replica (cache.replicas ≥ 1): automatic failover promotes a replica", { hint: "set cache.replicas to 1 or more, or cache.multiAz to false" });
    }
    const secrets: string[] = [];
    let action = `look up ElastiCache replication group ${spec.id} (elasticache:DescribeReplicationGroups, elasticache:ListTagsForResource)`;
    try {
      const ec = await services.aws.elasticache();
      report.status(`looking for ${spec.id}`);
      let group = await findReplicationGroup(ec, spec.id);
      const tags = group ? await elasticacheTags(ec, group.arn) : {};
      if (group) {
        if (!belongsTo(tags, config.platform)) throw notOurs(`ElastiCache replication group ${spec.id}`, config.platform);
        if (CACHE_FAILED.has(group.status)) {
          throw new BtpAwsError(`ElastiCache replication group ${spec.id} is ${group.status}`, { hint: "wait until it is gone (or delete it if it failed), then run again to create it anew" });
        }
        const { drift } = planCache(group, spec);
        if (drift.length > 0) throw drifted(spec.id, drift);
      }

      action = `set up cache subnet group ${spec.subnetGroupName} (elasticache:CreateCacheSubnetGroup, elasticache:ModifyCacheSubnetGroup, elasticache:AddTagsToResource)`;
      const repaired = await ensureCacheSubnetGroup(ec, { name: spec.subnetGroupName, subnetIds, platform: config.platform, tags: platformTags(config, { Name: spec.subnetGroupName }) });

      if (!group) {
        action = "read redisAuthToken from the platform secret (secretsmanager:GetSecretValue)";
        const authToken = await generatedSecret(context, "redisAuthToken");
        secrets.push(authToken);
        action = `create ElastiCache replication group ${spec.id} (elasticache:CreateReplicationGroup)`;
        report.status(`creating ${spec.id}`);
        await createReplicationGroup(ec, {
          ...spec,
          description: `btp-aws platform ${config.platform}`,
          authToken,
          kmsKeyId: spec.key.keyArn,
          automaticFailover: spec.multiAz,
        });
        action = `wait for ElastiCache replication group ${spec.id} (elasticache:DescribeReplicationGroups)`;
        const created = await waitForCache(context, ec, spec.id, report);
        report.info(`created ElastiCache replication group ${spec.id} (${spec.engine} ${spec.engineVersion}, ${spec.numCacheClusters} × ${created.nodeType}, failover ${created.automaticFailover})`);
        return outputsOf(created);
      }

      if (group.status !== "available") {
        action = `wait for ElastiCache replication group ${spec.id} (elasticache:DescribeReplicationGroups)`;
        group = await waitForCache(context, ec, spec.id, report);
      }
      const plan = planCache(group, spec);
      if (plan.drift.length > 0) throw drifted(spec.id, plan.drift);
      action = `modify ElastiCache replication group ${spec.id} (elasticache:ModifyReplicationGroup)`;
      for (const change of plan.changes) {
        try {
          await modifyReplicationGroup(ec, spec.id, change);
        } catch (error) {
          // The previous change may not show as "modifying" until just after its call returned.
          if (awsErrorCode(error) !== "InvalidReplicationGroupStateFault") throw error;
          await waitForCache(context, ec, spec.id, report);
          await modifyReplicationGroup(ec, spec.id, change);
        }
        group = await waitForCache(context, ec, spec.id, report);
      }
      repaired.push(...plan.repairs);
      const absent = missingTags(tags, spec.tags);
      if (Object.keys(absent).length > 0) {
        action = `tag ElastiCache replication group ${spec.id} (elasticache:AddTagsToResource)`;
        await tagElasticacheResource(ec, group.arn, absent);
        repaired.push(`added tags ${Object.keys(absent).join(", ")}`);
      }
      if (repaired.length > 0) report.info(`ElastiCache replication group ${spec.id}: ${repaired.join("; ")}`);
      else report.skip(`ElastiCache replication group ${spec.id} exists as configured (${group.nodeType}, failover ${group.automaticFailover})`);
      return outputsOf(group);
    } catch (error) {
      throw cacheFailure(error, config, action, { endpoint: services.aws.endpoint, region: config.aws.region }, secrets);
    }
  },
};
