/**
 * `btp-aws doctor` against moto: a healthy installed world (test/integration/ops/doctor-world.ts)
 * passes its AWS checks, doctor makes no mutating call, each out-of-band break is reported with
 * its fix, and doctor works without a state file from --platform and --region.
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTrailCommand, StartLoggingCommand } from "@aws-sdk/client-cloudtrail";
import { SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { AuthorizeSecurityGroupIngressCommand } from "@aws-sdk/client-ec2";
import { CreateDetectorCommand } from "@aws-sdk/client-guardduty";
import { DisableKeyRotationCommand } from "@aws-sdk/client-kms";
import { ChangeResourceRecordSetsCommand } from "@aws-sdk/client-route-53";
import { CreateBucketCommand, PutBucketVersioningCommand } from "@aws-sdk/client-s3";
import { AssociateWebACLCommand, CreateWebACLCommand } from "@aws-sdk/client-wafv2";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createUi } from "../../../src/cli/output.js";
import { doctorCommand } from "../../../src/cli/commands/doctor.js";
import type { GlobalFlags } from "../../../src/cli/main.js";
import { createHelmLocator } from "../../../src/helm/binary.js";
import type { DoctorJsonEntry } from "../../../src/ops/doctor/render.js";
import { stringify } from "yaml";
import { capture } from "../../unit/runner/capture.js";
import { cleanEnv, runCli } from "../../support/cli.js";
import { motoClients, type TestClients } from "../../support/aws.js";
import { MOTO_CREDENTIALS, motoControl } from "../../support/moto.js";
import { CLOCK, installedWorld, type InstalledWorld } from "./doctor-world.js";

const moto = motoControl(inject("motoEndpoint"));
const helm = inject("helm");
const PLATFORM = "doc1";

interface DoctorRun {
  code: number;
  results: DoctorJsonEntry[];
  stdout: string;
  stderr: string;
  aws: TestClients;
  seconds: number;
}

describe("btp-aws doctor against moto", () => {
  let world: InstalledWorld;
  let admin: TestClients;

  async function doctor(flags: GlobalFlags): Promise<DoctorRun> {
    const stdout = capture();
    const stderr = capture();
    const aws = motoClients(moto.endpoint, { region: world.config.aws.region });
    const started = Date.now();
    const code = await doctorCommand({ output: "json", timeout: "20", ...flags }, [], {
      env: { PATH: "" },
      cwd: world.stateDir,
      ui: createUi({ env: { NO_COLOR: "1" }, stdout: stdout.output, stderr: stderr.output, stdinTty: false }),
      aws,
      kube: () => Promise.resolve(world.kube),
      probe: world.probe,
      helm: createHelmLocator({ path: helm.v4.path, envPath: "" }),
      now: () => CLOCK,
    });
    const seconds = (Date.now() - started) / 1000;
    aws.destroy();
    const results = flags.output === "text" ? [] : (JSON.parse(stdout.text()) as DoctorJsonEntry[]);
    return { code, results, stdout: stdout.text(), stderr: stderr.text(), aws, seconds };
  }

  const withState = (): GlobalFlags => ({ platform: PLATFORM, stateDir: world.stateDir });
  const find = (run: DoctorRun, id: string) => {
    const found = run.results.find((r) => r.id === id);
    if (!found) throw new Error(`no result ${id}`);
    return found;
  };
  const statuses = (run: DoctorRun, prefix: string) => Object.fromEntries(run.results.filter((r) => r.id.startsWith(prefix)).map((r) => [r.id, r.status === "ok" ? "ok" : `${r.status}: ${r.detail}`]));

  beforeAll(async () => {
    await moto.reset();
    const zoneId = await moto.seedHostedZone("example.com");
    world = await installedWorld(moto, helm.v4.path, { platform: PLATFORM, cluster: { publicAccessCidrs: ["203.0.113.0/24"] } }, zoneId);
    admin = motoClients(moto.endpoint, { region: world.config.aws.region });
    console.log(`[doctor] world: prepare and infra against moto in ${world.installSeconds.toFixed(1)} s`);
  });
  afterAll(async () => {
    admin?.destroy();
    await world?.close();
  });

  it("passes every AWS check on a healthy installed world, with zero mutating AWS calls and nothing written to the cluster", async () => {
    const run = await doctor(withState());
    console.log(`[doctor] healthy world: ${run.results.length} checks in ${run.seconds.toFixed(2)} s, ${run.aws.counter.snapshot().read} read calls`);
    const aws = statuses(run, "aws/");
    expect(aws).toEqual(Object.fromEntries(Object.keys(aws).map((id) => [id, "ok"])));
    expect(Object.keys(aws)).toEqual(["aws/eks-cluster", "aws/eks-version", "aws/nodegroup", "aws/rds", "aws/rds-storage", "aws/elasticache", "aws/s3", "aws/kms", "aws/secret", "aws/acm", "aws/route53", "aws/alarms", "aws/budget"]);
    expect(statuses(run, "local/")).toEqual({ "local/config": "ok", "local/state": "ok", "local/helm": "ok", "local/credentials": "ok" });
    expect(statuses(run, "kubernetes/")).toEqual({ "kubernetes/nodes": "ok", "kubernetes/pods": "ok", "kubernetes/helm-releases": "ok", "kubernetes/vault": "ok", "kubernetes/certificates": "ok", "kubernetes/ingress": "ok" });
    expect(statuses(run, "endpoint/")).toEqual({ "endpoint/dns": "ok", "endpoint/https": "ok", "endpoint/certificate": "ok" });
    // The account-level services are absent from a fresh account: warnings, not failures.
    expect(statuses(run, "security/")).toEqual({
      "security/eks-endpoint": "ok", "security/encryption": "ok", "security/imdsv2": "ok", "security/data-ingress": "ok",
      "security/guardduty": "warn: GuardDuty is not enabled in eu-west-1",
      "security/cloudtrail": "warn: no CloudTrail trail covers eu-west-1: API calls are not audited beyond the 90-day event history",
      "security/waf": "warn: ALB k8s-settlemint-0a1b2c3d4e has no WAF web ACL",
    });
    expect(find(run, "aws/nodegroup").detail).toBe("btp-doc1-nodes ACTIVE, 3/3 nodes running (min 2, max 50)");
    expect(find(run, "aws/rds-storage").detail).toBe("btp-doc1-db: 90.0 GiB free of 100 GiB (90%)");
    expect(find(run, "aws/route53").detail).toBe(`btp.example.com and *.btp.example.com alias the ALB ${world.alb.dnsName}`);
    expect(find(run, "security/encryption").detail).toBe("encrypted: RDS, ElastiCache, S3, EBS (node volumes), Kubernetes secrets, Secrets Manager");
    expect(find(run, "kubernetes/vault").detail).toBe("3 pods initialised and unsealed; raft: 3 voters, leader vault-0");
    expect(run.code).toBe(0);
    expect(run.aws.counter.mutatingOperations()).toEqual([]);
    expect(run.aws.counter.snapshot().mutating).toBe(0);
    expect(world.kube.applied).toEqual([]);
    expect(world.kube.deleted).toEqual([]);
    expect(world.vault.writes()).toEqual([]);
    // The Vault root token was read to check raft; it appears nowhere in the output.
    expect(run.stdout + run.stderr).not.toContain(world.vault.rootToken!);
  });

  it("prints the table with a fix under each warning, and exits 1 with --strict", async () => {
    const run = await doctor({ ...withState(), output: "text", strict: true });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("Doctor for platform doc1 in eu-west-1");
    expect(run.stdout).toMatch(/^ {2}✔ EKS cluster +btp-doc1 ACTIVE, Kubernetes 1\.35$/m);
    expect(run.stdout).toMatch(/^ {2}⚠ GuardDuty +GuardDuty is not enabled in eu-west-1\n {4}→ turn on threat detection: `aws guardduty create-detector --enable --region eu-west-1`/m);
    expect(run.stdout).toMatch(/^33 checks in [\d.]+s: 30 ok, 3 warnings, 0 failed$/m);
    expect(run.stderr).toContain("Checking platform doc1 in eu-west-1");
  });

  it("finds GuardDuty, a logging CloudTrail trail and the ALB's WAF web ACL once they exist", async () => {
    await (await admin.guardduty()).send(new CreateDetectorCommand({ Enable: true }));
    await (await admin.s3()).send(new CreateBucketCommand({ Bucket: "doc1-audit-logs", CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
    const cloudtrail = await admin.cloudtrail();
    await cloudtrail.send(new CreateTrailCommand({ Name: "org-audit", S3BucketName: "doc1-audit-logs", IsMultiRegionTrail: true }));
    await cloudtrail.send(new StartLoggingCommand({ Name: "org-audit" }));
    const waf = await admin.wafv2();
    const acl = await waf.send(new CreateWebACLCommand({
      Name: "btp-doc1", Scope: "REGIONAL", DefaultAction: { Allow: {} }, Rules: [],
      VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: "btp-doc1" },
    }));
    await waf.send(new AssociateWebACLCommand({ WebACLArn: acl.Summary!.ARN!, ResourceArn: world.alb.arn }));

    const run = await doctor({ ...withState(), strict: true });
    expect(statuses(run, "security/")).toEqual({
      "security/eks-endpoint": "ok", "security/encryption": "ok", "security/imdsv2": "ok", "security/data-ingress": "ok", "security/guardduty": "ok", "security/cloudtrail": "ok", "security/waf": "ok",
    });
    expect(find(run, "security/waf").detail).toBe("web ACL btp-doc1 protects ALB k8s-settlemint-0a1b2c3d4e");
    expect(find(run, "security/cloudtrail").detail).toBe("trail org-audit logging (all regions)");
    expect(run.results.filter((r) => r.status !== "ok")).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.aws.counter.mutatingOperations()).toEqual([]);
  });

  it("works without a state file from --platform and --region, finding resources by name and tag", async () => {
    const empty = await mkdtemp(join(tmpdir(), "btp-aws-doctor-nostate-"));
    const run = await doctor({ platform: PLATFORM, region: "eu-west-1", stateDir: empty });
    console.log(`[doctor] without a state file: ${run.seconds.toFixed(2)} s, ${run.aws.counter.snapshot().read} read calls`);
    expect(find(run, "local/state")).toMatchObject({ status: "warn", detail: `no state for platform ${PLATFORM} in ${empty}: resources are found by name and the btp-aws:platform tag` });
    expect(find(run, "local/config").status).toBe("warn");
    // Everything with a name of its own is found by it; the certificate by its tag.
    for (const id of ["aws/eks-cluster", "aws/eks-version", "aws/nodegroup", "aws/rds", "aws/rds-storage", "aws/elasticache", "aws/s3", "aws/kms", "aws/secret", "aws/acm", "aws/alarms"]) {
      expect(find(run, id), id).toMatchObject({ status: "ok" });
    }
    expect(find(run, "aws/s3").detail).toMatch(/^bucket btp-doc1-123456789012-eu-west-1: versioning on/);
    expect(find(run, "aws/acm").detail).toMatch(/^btp\.example\.com \(.+\) ISSUED, expires/);
    // Without a config the domain and the budget are unknown: said, not guessed.
    expect(find(run, "aws/route53")).toMatchObject({ status: "warn", detail: "the domain and hosted zone are unknown without a config" });
    expect(find(run, "aws/budget")).toMatchObject({ status: "warn" });
    expect(find(run, "security/data-ingress").status).toBe("ok");
    expect(run.results.filter((r) => r.status === "fail")).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.aws.counter.mutatingOperations()).toEqual([]);
  });

  it("on a platform that does not exist, reports every AWS resource missing with how to create it", async () => {
    const empty = await mkdtemp(join(tmpdir(), "btp-aws-doctor-ghost-"));
    const run = await doctor({ platform: "ghost", region: "eu-west-1", stateDir: empty });
    expect(run.code).toBe(1);
    expect(run.results.filter((r) => r.id.startsWith("aws/") && r.status === "fail").map((r) => [r.id, r.detail])).toEqual([
      ["aws/eks-cluster", "EKS cluster btp-ghost not found in eu-west-1"],
      ["aws/eks-version", "EKS cluster btp-ghost not found: no version to check"],
      ["aws/nodegroup", "node group btp-ghost-nodes not found in cluster btp-ghost"],
      ["aws/rds", "RDS instance btp-ghost-db not found"],
      ["aws/rds-storage", "RDS instance btp-ghost-db not found"],
      ["aws/elasticache", "ElastiCache replication group btp-ghost-redis not found"],
      ["aws/s3", "bucket btp-ghost-123456789012-eu-west-1 not found"],
      ["aws/kms", "KMS key alias/btp-ghost not found"],
      ["aws/secret", "secret btp-ghost/credentials not found"],
      ["aws/acm", "no ACM certificate tagged for the platform"],
    ]);
    expect(find(run, "aws/s3").fix).toBe("create it with `btp-aws install --only prepare,infra`");
    expect(find(run, "aws/alarms")).toMatchObject({ status: "warn", detail: "no CloudWatch alarms btp-ghost-*" });
    // No ALB for a cluster that does not exist: the regional web ACLs are listed instead (btp-doc1
    // is the one an earlier test of this file made).
    expect(find(run, "security/waf")).toMatchObject({ status: "warn", detail: "no ALB yet to protect; regional web ACLs: btp-doc1" });
    expect(run.aws.counter.mutatingOperations()).toEqual([]);
  });

  it("reports an invalid config file and an unreadable state file as failed checks, and still checks AWS", async () => {
    const dir = await mkdtemp(join(tmpdir(), "btp-aws-doctor-broken-"));
    await mkdir(join(dir, PLATFORM), { recursive: true });
    await writeFile(join(dir, PLATFORM, "state.json"), "{ not json");
    const bad = join(dir, "bad.yaml");
    await writeFile(bad, "platform: doc1\nenvironment: staging\n");
    const run = await doctor({ platform: PLATFORM, region: "eu-west-1", stateDir: dir, config: bad });
    expect(run.code).toBe(1);
    expect(find(run, "local/config").status).toBe("fail");
    expect(find(run, "local/config").detail).toMatch(new RegExp(`^${bad} is invalid: .+ \\(and \\d+ more\\)$`));
    expect(find(run, "local/config").fix).toBe(`run \`btp-aws config validate ${bad}\` to list every problem, fix them, then run doctor again`);
    expect(find(run, "local/state").status).toBe("fail");
    expect(find(run, "local/state").detail).toMatch(/^state file .*state\.json is unreadable: invalid JSON/);
    expect(find(run, "local/state").fix).toMatch(/^move it aside/);
    expect(find(run, "aws/eks-cluster").status).toBe("ok");
    await expect(doctor({ ...withState(), timeout: "soon" })).rejects.toThrow('--timeout: must be a number of seconds above 0, got "soon"');
  });

  it("reports each out-of-band break with its fix: versioning suspended, 5432 open to the world, rotation off, an alarm in ALARM", async () => {
    const bucket = String(world.outputs["infra/s3"]!.bucket);
    const dbGroup = String(world.outputs["infra/security-groups"]!.databaseSecurityGroupId);
    const keyId = String(world.outputs["infra/kms"]!.keyId);
    await (await admin.s3()).send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Suspended" } }));
    await (await admin.ec2()).send(new AuthorizeSecurityGroupIngressCommand({ GroupId: dbGroup, IpPermissions: [{ IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }] }));
    await (await admin.kms()).send(new DisableKeyRotationCommand({ KeyId: keyId }));
    await (await admin.cloudwatch()).send(new SetAlarmStateCommand({ AlarmName: "btp-doc1-db-free-storage", StateValue: "ALARM", StateReason: "Threshold Crossed: 1 datapoint [9.1E9] was less than the threshold (1.07E10)" }));

    const run = await doctor(withState());
    expect(run.code).toBe(1);
    expect(find(run, "aws/s3")).toEqual({
      id: "aws/s3", title: "S3 bucket", status: "fail", detail: `bucket ${bucket}: versioning is Suspended`,
      fix: `\`aws s3api put-bucket-versioning --bucket ${bucket} --versioning-configuration Status=Enabled\`, or run \`btp-aws install --only prepare,infra\` (it turns versioning back on)`,
    });
    const ingress = find(run, "security/data-ingress");
    expect(ingress.status).toBe("fail");
    expect(ingress.detail).toBe(`security groups: btp-doc1-db (${dbGroup}) allows tcp 5432 from 0.0.0.0/0`);
    expect(ingress.fix).toMatch(new RegExp(`^\`aws ec2 revoke-security-group-ingress --group-id ${dbGroup} --security-group-rule-ids sgr-[0-9a-f]+\`, or run \`btp-aws install --only prepare,infra\` \\(it revokes it\\)$`));
    expect(find(run, "aws/kms")).toMatchObject({
      status: "fail", detail: `key ${keyId} (alias/btp-doc1): automatic rotation is off`,
      fix: `\`aws kms enable-key-rotation --key-id ${keyId}\`, or run \`btp-aws install --only prepare,infra\` (it turns rotation back on)`,
    });
    expect(find(run, "aws/alarms")).toMatchObject({
      status: "fail", detail: "in ALARM: btp-doc1-db-free-storage (Threshold Crossed: 1 datapoint [9.1E9] was less than the threshold (1.07E10))",
      fix: "the database is running out of space: raise database.storageGiB and run `btp-aws install --only prepare,infra`",
    });
    // Nothing else broke, and doctor repaired nothing: it only reads.
    expect(run.results.filter((r) => r.status === "fail").map((r) => r.id).sort()).toEqual(["aws/alarms", "aws/kms", "aws/s3", "security/data-ingress"]);
    expect(run.aws.counter.mutatingOperations()).toEqual([]);
    const again = await doctor(withState());
    expect(again.results.filter((r) => r.status === "fail").map((r) => r.id).sort()).toEqual(["aws/alarms", "aws/kms", "aws/s3", "security/data-ingress"]);
  });

  it("as a child process: reads the flags, prints JSON on stdout, and fails the Kubernetes checks with a fix when the cluster cannot be reached", async () => {
    const started = Date.now();
    const result = await runCli(["doctor", "--platform", PLATFORM, "--state-dir", world.stateDir, "-o", "json", "--timeout", "15"], {
      env: cleanEnv({ AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey, BTP_AWS_HELM: helm.v4.path }),
      timeoutMs: 90_000,
    });
    console.log(`[doctor] CLI child process against moto: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(result.stderr).toContain("Checking platform doc1 in eu-west-1");
    const results = JSON.parse(result.stdout) as DoctorJsonEntry[];
    expect(results).toHaveLength(33);
    // moto's EKS endpoint is made up: nothing answers there.
    for (const entry of results.filter((r) => r.id.startsWith("kubernetes/"))) {
      expect(entry.status, entry.id).toBe("fail");
      expect(entry.fix, entry.id).toBeTruthy();
    }
    expect(results.find((r) => r.id === "aws/eks-cluster")?.status).toBe("ok");
    expect(result.code).toBe(1);
  });

  it("reports alias records that no longer point at the cluster's ALB", async () => {
    await (await admin.route53()).send(new ChangeResourceRecordSetsCommand({
      HostedZoneId: world.config.dns.hostedZoneId,
      ChangeBatch: { Changes: [{ Action: "UPSERT", ResourceRecordSet: { Name: "*.btp.example.com", Type: "A", AliasTarget: { HostedZoneId: world.alb.hostedZoneId, DNSName: "old-alb-123.eu-west-1.elb.amazonaws.com", EvaluateTargetHealth: true } } }] },
    }));
    const route53 = find(await doctor(withState()), "aws/route53");
    expect(route53).toMatchObject({ status: "fail", detail: `ALB ${world.alb.dnsName}: *.btp.example.com points at old-alb-123.eu-west-1.elb.amazonaws.com, not the current ALB` });
    expect(route53.fix).toContain("btp-aws install --from verify");
  });
  it("follows the dependency modes of the config: in-cluster releases read from the cluster, an external endpoint named, no RDS/ElastiCache/S3 lookup", async () => {
    const dir = await mkdtemp(join(tmpdir(), "btp-aws-doctor-modes-"));
    const file = join(dir, "btp-aws.yaml");
    const { platform, aws, dns, auth, chart, license } = world.config;
    await writeFile(file, stringify({
      platform, environment: "development", aws, dns, auth, chart: { version: chart.version }, license,
      database: { mode: "in-cluster" }, storage: { mode: "in-cluster" }, cache: { mode: "external", external: { host: "redis.corp.example" } },
    }));
    // What the in-cluster releases leave in the cluster once their pods run: a StatefulSet and a Bound gp3 claim each.
    for (const [release, set, claim] of [["postgresql", "postgresql", "data-postgresql-0"], ["minio", "minio", "data-minio-0"]] as const) {
      const labels = { "app.kubernetes.io/instance": release };
      world.kube.seed({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: set, namespace: "btp-dependencies", labels }, spec: { replicas: 1 }, status: { replicas: 1, readyReplicas: 1 } });
      world.kube.seed({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: claim, namespace: "btp-dependencies", labels }, spec: { storageClassName: "gp3" }, status: { phase: "Bound" } });
    }
    const run = await doctor({ ...withState(), config: file });
    const ids = run.results.map((r) => r.id);
    for (const id of ["aws/rds", "aws/rds-storage", "aws/elasticache", "aws/s3"]) expect(ids).not.toContain(id);
    expect(statuses(run, "kubernetes/")).toMatchObject({ "kubernetes/database": "ok", "kubernetes/storage": "ok" });
    expect(find(run, "kubernetes/database").detail).toBe("PostgreSQL (release btp-dependencies/postgresql): StatefulSet postgresql 1/1 ready; 1 volume claim Bound on gp3");
    expect(find(run, "endpoint/cache").detail).toBe("external redis.corp.example:6379 (TLS): not probed from this machine; `btp-aws install --only verify` checks it from inside the cluster");
    expect(find(run, "security/data-ingress").detail).toBe("no RDS or ElastiCache (database and cache are not mode aws): no security group to check");
    expect(find(run, "security/encryption").detail).toBe("encrypted: EBS (node volumes), Kubernetes secrets, Secrets Manager");
    const operations = Object.keys(run.aws.counter.snapshot().byOperation);
    expect(operations.filter((o) => /^(RDS|ElastiCache|S3)\./.test(o))).toEqual([]);
    expect(run.aws.counter.snapshot().mutating).toBe(0);
    expect(world.kube.applied).toEqual([]);
    expect(world.kube.deleted).toEqual([]);
  });
});
