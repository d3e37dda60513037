/**
 * Security posture: the guide's production checklist, as far as it can be read from AWS.
 * Account-level services (GuardDuty, CloudTrail, WAF) are the account owner's choice, so their
 * absence is a warning; an open database or cache port is a failure.
 */
import { bucketEncryption } from "../../aws/s3.js";
import { describeRule, opensToWorld } from "../../phases/infra/vpc-security-rules.js";
import type { Dependency } from "./dependency-modes.js";
import { finding, outcome, REPAIR_INFRA, type Finding } from "./findings.js";
import { cloudTrails, guardDutyDetectors } from "../../aws/account-security.js";
import { listWebAcls, webAclFor } from "../../aws/wafv2.js";
import { fail, ok, warn, type Check } from "./types.js";

const WORLD = new Set(["0.0.0.0/0", "::/0"]);

const publicEndpoint: Check = {
  id: "security/eks-endpoint",
  title: "EKS API endpoint",
  area: "security",
  async run({ facts }) {
    const cluster = await facts.cluster();
    if (!cluster) return fail(`EKS cluster ${facts.clusterName} not found`, `create it with ${REPAIR_INFRA}`);
    if (!cluster.endpointPublicAccess) return ok("private only");
    const cidrs = cluster.publicAccessCidrs.length > 0 ? cluster.publicAccessCidrs : ["0.0.0.0/0"];
    if (cidrs.some((c) => WORLD.has(c))) {
      return warn("public endpoint open to 0.0.0.0/0: anyone can try the Kubernetes API", `set cluster.publicAccessCidrs to your office/VPN ranges and run ${REPAIR_INFRA}`);
    }
    return ok(`public endpoint restricted to ${cidrs.join(", ")}`);
  },
};

const encryptionAtRest: Check = {
  id: "security/encryption",
  title: "Encryption at rest",
  area: "security",
  async run({ facts, aws }) {
    // A dependency that is not the managed service has nothing in AWS to look at (the in-cluster
    // ones' volumes are checked on the gp3 class by their own check).
    const managed = <T>(dependency: Dependency, lookup: () => Promise<T>): Promise<T | undefined> => (facts.modes[dependency] === "aws" ? lookup() : Promise.resolve(undefined));
    const [db, cache, bucket, template, cluster, secret, key] = await Promise.all([
      managed("database", () => facts.database()), managed("cache", () => facts.cache()), managed("storage", () => facts.bucket()), facts.launchTemplate(), facts.cluster(), facts.secret(), facts.key(),
    ]);
    const findings: Finding[] = [];
    const covered: string[] = [];
    const check = (what: string, encrypted: boolean | undefined, fix: string) => {
      if (encrypted === undefined) return; // not found: the AWS checks report it
      if (encrypted) covered.push(what);
      else findings.push(finding("fail", `${what} is not encrypted at rest`, fix));
    };
    check("RDS", db?.storageEncrypted, "RDS cannot encrypt an instance in place: restore an encrypted copy of a snapshot (aws rds copy-db-snapshot --kms-key-id) and switch the platform to it");
    check("ElastiCache", cache?.atRestEncryption, "ElastiCache cannot encrypt a replication group in place: create an encrypted one from a backup and switch the platform to it");
    const s3Encryption = bucket?.presence.state === "owned" ? await bucketEncryption(await aws.s3(), bucket.ref) : undefined;
    check("S3", bucket?.presence.state === "owned" ? s3Encryption !== undefined : undefined, `run ${REPAIR_INFRA}: it sets SSE-KMS with the platform key`);
    check("EBS (node volumes)", template ? template.settings.rootVolume?.encrypted === true : undefined, `run ${REPAIR_INFRA}: the node group's launch template encrypts root volumes with the platform key`);
    check("Kubernetes secrets", cluster ? cluster.secretsKeyArn !== undefined : undefined, `aws eks associate-encryption-config --cluster-name ${facts.clusterName} --encryption-config resources=secrets,provider={keyArn=<platform key ARN>}`);
    if (secret) {
      const platformKey = secret.kmsKeyId !== undefined && key !== undefined && [key.keyId, key.arn, facts.names.keyAlias].some((k) => secret.kmsKeyId === k || secret.kmsKeyId?.endsWith(k));
      if (platformKey) covered.push("Secrets Manager");
      else findings.push(finding("warn", `secret ${secret.name} uses ${secret.kmsKeyId ?? "the AWS managed key aws/secretsmanager"}, not the platform key`, `run ${REPAIR_INFRA}: it switches the secret to the platform key`));
    }
    return outcome("encryption at rest", findings, `encrypted: ${covered.join(", ") || "nothing found to check"}`);
  },
};

const imdsV2: Check = {
  id: "security/imdsv2",
  title: "IMDSv2 on nodes",
  area: "security",
  async run({ facts }) {
    const [template, instances] = await Promise.all([facts.launchTemplate(), facts.nodeInstances()]);
    if (!template) return fail(`no launch template for node group ${facts.nodeGroupName}`, `create the node group with ${REPAIR_INFRA}`);
    const findings: Finding[] = [];
    if (template.settings.httpTokens !== "required") {
      findings.push(finding("fail", `launch template ${template.id} v${template.version} allows IMDSv1 (HttpTokens ${template.settings.httpTokens ?? "optional"})`, `run ${REPAIR_INFRA}: it writes a launch template version requiring IMDSv2 and rolls the nodes`));
    }
    const optional = instances.filter((i) => i.httpTokens !== undefined && i.httpTokens !== "required").map((i) => i.id);
    if (optional.length > 0) {
      findings.push(finding("fail", `nodes allowing IMDSv1: ${optional.join(", ")}`, `\`aws ec2 modify-instance-metadata-options --http-tokens required --instance-id ${optional[0]!}\` (each node), or let ${REPAIR_INFRA} roll them`));
    }
    return outcome("IMDS", findings, `required by launch template ${template.id} v${template.version}${instances.length > 0 ? ` and on ${instances.length} nodes` : ""}`);
  },
};

const dataIngress: Check = {
  id: "security/data-ingress",
  title: "Database and cache exposure",
  area: "security",
  async run({ facts }) {
    // Only the managed services have these groups; an in-cluster or external one has none.
    const roles = (["database", "cache"] as const).filter((role) => facts.modes[role] === "aws");
    if (roles.length === 0) return ok("no RDS or ElastiCache (database and cache are not mode aws): no security group to check");
    const groups = await facts.securityGroups();
    const findings: Finding[] = [];
    const checked: string[] = [];
    for (const role of roles) {
      const group = groups[role];
      if (!group) {
        findings.push(finding("warn", `security group ${facts.names.securityGroups[role]} not found`, `create it with ${REPAIR_INFRA}`));
        continue;
      }
      checked.push(group.name);
      const open = group.rules.filter(opensToWorld);
      if (open.length > 0) {
        findings.push(finding("fail", `${group.name} (${group.groupId}) allows ${open.map(describeRule).join(", ")}`,
          `\`aws ec2 revoke-security-group-ingress --group-id ${group.groupId} --security-group-rule-ids ${open.map((r) => r.ruleId).join(" ")}\`, or run ${REPAIR_INFRA} (it revokes it)`));
      }
    }
    return outcome("security groups", findings, `${checked.join(" and ")}: no ingress from 0.0.0.0/0 or ::/0`);
  },
};

const guardDuty: Check = {
  id: "security/guardduty",
  title: "GuardDuty",
  area: "security",
  async run({ aws, region }) {
    const detectors = await guardDutyDetectors(await aws.guardduty());
    const enabled = detectors.filter((d) => d.status === "ENABLED");
    if (enabled.length > 0) return ok(`detector ${enabled[0]!.id} enabled in ${region}`);
    const fix = `turn on threat detection: \`aws guardduty create-detector --enable --region ${region}\` (or enable it for the organisation)`;
    return detectors.length > 0 ? warn(`detector ${detectors[0]!.id} is ${detectors[0]!.status}`, `\`aws guardduty update-detector --detector-id ${detectors[0]!.id} --enable\``) : warn(`GuardDuty is not enabled in ${region}`, fix);
  },
};

const cloudTrail: Check = {
  id: "security/cloudtrail",
  title: "CloudTrail",
  area: "security",
  async run({ aws, region }) {
    const trails = (await cloudTrails(await aws.cloudtrail())).filter((t) => t.multiRegion || t.homeRegion === undefined || t.homeRegion === region);
    const logging = trails.filter((t) => t.logging);
    if (logging.length > 0) return ok(`trail ${logging[0]!.name} logging${logging[0]!.multiRegion ? " (all regions)" : ""}`);
    if (trails.length > 0) return warn(`trail ${trails[0]!.name} is not logging`, `\`aws cloudtrail start-logging --name ${trails[0]!.name}\``);
    return warn(`no CloudTrail trail covers ${region}: API calls are not audited beyond the 90-day event history`, "create a multi-region trail: `aws cloudtrail create-trail --name btp-audit --s3-bucket-name <log bucket> --is-multi-region-trail`, then `aws cloudtrail start-logging --name btp-audit`");
  },
};

const waf: Check = {
  id: "security/waf",
  title: "WAF",
  area: "security",
  async run({ aws, facts }) {
    const client = await aws.wafv2();
    const alb = await facts.loadBalancer();
    if (alb) {
      const acl = await webAclFor(client, alb.arn);
      if (acl) return ok(`web ACL ${acl} protects ALB ${alb.name}`);
      return warn(`ALB ${alb.name} has no WAF web ACL`, `create a regional web ACL with the AWS managed rule groups and associate it: \`aws wafv2 associate-web-acl --web-acl-arn <acl> --resource-arn ${alb.arn}\``);
    }
    const acls = (await listWebAcls(client)).map((acl) => acl.name);
    return warn(`no ALB yet to protect${acls.length > 0 ? `; regional web ACLs: ${acls.join(", ")}` : ", and no regional web ACL"}`, "after install, associate a regional web ACL with the platform's ALB (aws wafv2 associate-web-acl)");
  },
};

export const securityChecks: readonly Check[] = [publicEndpoint, encryptionAtRest, imdsV2, dataIngress, guardDuty, cloudTrail, waf];
