/**
 * The database's subnet group (private subnets) and parameter group (rds.force_ssl=1): created
 * when missing, repaired in place when they differ, and only ever adopted with our platform tag.
 */
import type { RDSClient } from "@aws-sdk/client-rds";
import {
  createDbParameterGroup, createDbSubnetGroup, findDbParameterGroup, findDbSubnetGroup, rdsTags, setDbSubnetGroupSubnets, setParameters, tagRdsResource, userParameters,
} from "../../aws/rds.js";
import { belongsTo, missingTags, type TagMap } from "../../aws/tags.js";
import { BtpAwsError } from "../../errors.js";

/** Parameters the platform relies on: TLS for every connection to the database. */
export const REQUIRED_PARAMETERS: Readonly<Record<string, string>> = { "rds.force_ssl": "1" };

function foreign(what: string, platform: string): BtpAwsError {
  return new BtpAwsError(`${what} exists but is not managed by btp-aws for platform ${platform} (no btp-aws:platform=${platform} tag)`, {
    hint: "choose another platform name, or delete it if it is a leftover, then run again",
  });
}

/** Adds the tags it lacks; returns the repair line, if any. */
async function ensureTags(rds: RDSClient, what: string, arn: string, platform: string, tags: TagMap): Promise<string | undefined> {
  const actual = await rdsTags(rds, arn);
  if (!belongsTo(actual, platform)) throw foreign(what, platform);
  const absent = missingTags(actual, tags);
  if (Object.keys(absent).length === 0) return undefined;
  await tagRdsResource(rds, arn, absent);
  return `${what}: added tags ${Object.keys(absent).join(", ")}`;
}

/** Returns what was created or repaired, for the report. */
export async function ensureSubnetGroup(rds: RDSClient, spec: { name: string; subnetIds: readonly string[]; platform: string; tags: TagMap }): Promise<string[]> {
  const description = `btp-aws platform ${spec.platform}: private subnets`;
  const found = await findDbSubnetGroup(rds, spec.name);
  if (!found) {
    await createDbSubnetGroup(rds, { name: spec.name, description, subnetIds: spec.subnetIds, tags: spec.tags });
    return [`created DB subnet group ${spec.name}`];
  }
  const what = `DB subnet group ${spec.name}`;
  const repaired: string[] = [];
  const tagged = await ensureTags(rds, what, found.arn, spec.platform, spec.tags);
  const sameSubnets = found.subnetIds.length === spec.subnetIds.length && spec.subnetIds.every((id) => found.subnetIds.includes(id));
  if (!sameSubnets) {
    await setDbSubnetGroupSubnets(rds, spec.name, description, spec.subnetIds);
    repaired.push(`${what}: subnets ${found.subnetIds.join(", ")} → ${spec.subnetIds.join(", ")}`);
  }
  if (tagged !== undefined) repaired.push(tagged);
  return repaired;
}

export async function ensureParameterGroup(rds: RDSClient, spec: { name: string; family: string; platform: string; tags: TagMap }): Promise<string[]> {
  const what = `DB parameter group ${spec.name}`;
  const found = await findDbParameterGroup(rds, spec.name);
  const repaired: string[] = [];
  if (!found) {
    await createDbParameterGroup(rds, { name: spec.name, family: spec.family, description: `btp-aws platform ${spec.platform}: PostgreSQL with TLS required`, tags: spec.tags });
  } else {
    // A parameter group's family is fixed; one for another major version cannot serve this one.
    if (found.family !== spec.family) {
      throw new BtpAwsError(`${what} is for ${found.family}, but database.engineVersion needs ${spec.family}: a parameter group's family cannot change`, {
        hint: `set database.engineVersion to match ${found.family}, or delete ${spec.name} if no instance uses it, then run again`,
      });
    }
    const tagged = await ensureTags(rds, what, found.arn, spec.platform, spec.tags);
    if (tagged !== undefined) repaired.push(tagged);
  }
  const current = found ? await userParameters(rds, spec.name) : {};
  const differing = Object.fromEntries(Object.entries(REQUIRED_PARAMETERS).filter(([name, value]) => current[name] !== value));
  const settings = Object.entries(differing).map(([n, v]) => `${n}=${v}`).join(", ");
  if (Object.keys(differing).length > 0) await setParameters(rds, spec.name, differing);
  if (!found) return [`created ${what} (${spec.family}, ${settings})`];
  if (settings !== "") repaired.push(`${what}: set ${settings}`);
  return repaired;
}
