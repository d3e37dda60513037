/**
 * dr-snapshot's database part with aws-sdk-client-mock: the waits moto cannot show (it makes
 * snapshots and copies available at once), the copy's input (DR key, source ARN, tags), resuming
 * a set whose copy exists, and a platform without a database. Also the Vault access and --id.
 */
import { CopyDBSnapshotCommand, CreateDBSnapshotCommand, DBSnapshotNotFoundFault, DescribeDBInstancesCommand, DescribeDBSnapshotsCommand, RDSClient, type DBSnapshot } from "@aws-sdk/client-rds";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AwsClients } from "../../../../src/aws/clients.js";
import { UsageError } from "../../../../src/errors.js";
import type { Helm } from "../../../../src/helm/release.js";
import { rdsStage } from "../../../../src/ops/dr-snapshot/capture.js";
import { MANIFEST_FORMAT } from "../../../../src/ops/dr-snapshot/manifest.js";
import { checkSetId, newSetId } from "../../../../src/ops/dr-snapshot/names.js";
import type { DrContext } from "../../../../src/ops/dr-snapshot/types.js";
import { vaultAccess } from "../../../../src/ops/dr-snapshot/vault-access.js";
import { fakeKube } from "../../../fakes/kube.js";
import { fakeVaultPool } from "../../../fakes/vault.js";
import { recordingReporter } from "../../../support/reporter.js";

const credentials = { accessKeyId: "a", secretAccessKey: "b" };
const rds = { "eu-west-1": new RDSClient({ region: "eu-west-1", credentials }), "eu-central-1": new RDSClient({ region: "eu-central-1", credentials }) };
const m = { source: mockClient(rds["eu-west-1"]), copy: mockClient(rds["eu-central-1"]) };
const s3 = new S3Client({ region: "eu-central-1", credentials });
const s3Mock = mockClient(s3);
const DR_KEY = "arn:aws:kms:eu-central-1:123456789012:key/dr";
const ID = "btp-acme-20261128t030000";
const snapshot = (region: string, Status: string, KmsKeyId?: string): { DBSnapshots: DBSnapshot[] } => ({ DBSnapshots: [{ DBSnapshotIdentifier: ID, DBSnapshotArn: `arn:aws:rds:${region}:123456789012:snapshot:${ID}`, Status, AllocatedStorage: 100, KmsKeyId }] });
const missing = () => new DBSnapshotNotFoundFault({ message: "not found", $metadata: {} });

function context(): DrContext & { slept: () => number } {
  let now = 0;
  const aws = { region: "eu-west-1", endpoint: undefined, rds: (region = "eu-west-1") => Promise.resolve(rds[region as keyof typeof rds]), s3: () => Promise.resolve(s3) } as unknown as AwsClients;
  return {
    target: { platform: "acme", region: "eu-west-1", drRegion: "eu-central-1", account: "123456789012", partition: "aws", tags: { team: "chain" }, outputs: {} },
    options: { setId: "20261128t030000", keep: undefined, includeSecrets: false, now: () => new Date("2026-11-28T03:00:00Z") },
    services: { aws, wait: { scale: 1, now: () => now, sleep: (ms) => Promise.resolve(void (now += ms)) }, cluster: () => Promise.reject(new Error("no cluster")), vault: () => Promise.reject(new Error("no vault")) },
    signal: new AbortController().signal,
    dr: { keyArn: DR_KEY, bucket: { name: "btp-acme-dr-123456789012-eu-central-1", owner: "123456789012" } },
    manifest: { format: MANIFEST_FORMAT, id: "20261128t030000", status: "partial", platform: "acme", account: "123456789012", sourceRegion: "eu-west-1", drRegion: "eu-central-1", drBucket: "b", drKeyArn: DR_KEY, startedAt: "2026-11-28T03:00:00.000Z" },
    completeBefore: undefined,
    slept: () => now,
  };
}

beforeEach(() => {
  m.source.reset();
  m.copy.reset();
  s3Mock.reset();
  s3Mock.on(PutObjectCommand).resolves({ VersionId: "v1" });
  m.source.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceIdentifier: "btp-acme-db", DBInstanceArn: "arn:db", AllocatedStorage: 100 }] });
});

describe("dr/database", () => {
  it("snapshots, waits while RDS is creating it, copies it under the DR key, waits for the copy, and records both", async () => {
    m.source.on(DescribeDBSnapshotsCommand).rejectsOnce(missing()).resolvesOnce(snapshot("eu-west-1", "creating")).resolves(snapshot("eu-west-1", "available"));
    m.source.on(CreateDBSnapshotCommand).resolves({});
    m.copy.on(DescribeDBSnapshotsCommand).rejectsOnce(missing()).resolvesOnce(snapshot("eu-central-1", "copying", DR_KEY)).resolves(snapshot("eu-central-1", "available", DR_KEY));
    m.copy.on(CopyDBSnapshotCommand).resolves({});
    const ctx = context();
    const report = recordingReporter();
    await rdsStage.run(ctx, report);
    const tags = [{ Key: "team", Value: "chain" }, { Key: "btp-aws:role", Value: "dr" }, { Key: "btp-aws:dr-set", Value: "20261128t030000" }, { Key: "btp-aws:platform", Value: "acme" }, { Key: "btp-aws:managed-by", Value: "btp-aws" }];
    expect(m.source.commandCalls(CreateDBSnapshotCommand)[0]?.args[0].input).toEqual({ DBInstanceIdentifier: "btp-acme-db", DBSnapshotIdentifier: ID, Tags: tags });
    expect(m.copy.commandCalls(CopyDBSnapshotCommand)[0]?.args[0].input).toEqual({ SourceDBSnapshotIdentifier: `arn:aws:rds:eu-west-1:123456789012:snapshot:${ID}`, TargetDBSnapshotIdentifier: ID, KmsKeyId: DR_KEY, Tags: tags });
    expect(report.statuses).toEqual([`creating snapshot ${ID} of btp-acme-db`, "creating, 0s", `copying ${ID} to eu-central-1`, "copying, 0s"]);
    // One 30 s poll for the snapshot, one 60 s poll for the copy.
    expect(ctx.slept()).toBe(90_000);
    expect(ctx.manifest.rds).toMatchObject({ sourceSnapshotId: ID, copySnapshotArn: `arn:aws:rds:eu-central-1:123456789012:snapshot:${ID}`, copyKmsKeyId: DR_KEY, allocatedStorageGiB: 100 });
    expect(s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({ Key: "sets/20261128t030000/manifest.json", ServerSideEncryption: "aws:kms", SSEKMSKeyId: DR_KEY });
  });

  it("resumes: an existing snapshot is not taken again, an existing copy not copied again", async () => {
    m.source.on(DescribeDBSnapshotsCommand).resolves(snapshot("eu-west-1", "available"));
    m.copy.on(DescribeDBSnapshotsCommand).resolves(snapshot("eu-central-1", "available", DR_KEY));
    await rdsStage.run(context(), recordingReporter());
    expect(m.source.commandCalls(CreateDBSnapshotCommand)).toEqual([]);
    expect(m.copy.commandCalls(CopyDBSnapshotCommand)).toEqual([]);
  });

  it("records why there is no database part when the platform has no database", async () => {
    m.source.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
    m.source.on(DescribeDBSnapshotsCommand).rejects(missing());
    const ctx = context();
    const report = recordingReporter();
    await rdsStage.run(ctx, report);
    expect(ctx.manifest.rds).toEqual({ skipped: "no RDS instance btp-acme-db" });
    expect(report.skipped).toEqual(["no RDS instance btp-acme-db: no database snapshot in this set"]);
  });
});

describe("set ids", () => {
  it("are made from the clock, and --id is checked before anything runs", () => {
    expect(newSetId(new Date("2026-11-28T03:04:05.678Z"))).toBe("20261128t030405");
    expect(checkSetId("nightly-42")).toBe("nightly-42");
    for (const bad of ["A1", "x", "a--b", "ends-", "final-1", "has/slash"]) expect(() => checkSetId(bad)).toThrow(UsageError);
  });
});

describe("Vault access", () => {
  const vaults = fakeVaultPool();
  afterEach(vaults.closeAll);
  const sm = new SecretsManagerClient({ region: "eu-west-1", credentials });
  const smMock = mockClient(sm);
  const aws = { region: "eu-west-1", endpoint: undefined, secretsManager: () => Promise.resolve(sm) } as unknown as AwsClients;
  const noHelm = {} as Helm;

  it("takes the raft snapshot through a port-forward to the active pod with the root token from the platform secret", async () => {
    const vault = await vaults.fake({ dev: { rootToken: "hvs.root" } });
    const kube = fakeKube({ portForward: ({ pod }) => (pod === "vault-1" ? Number(new URL(vault.url).port) : undefined) });
    kube.seed({ apiVersion: "v1", kind: "Pod", metadata: { name: "vault-0", namespace: "vault", labels: { "app.kubernetes.io/name": "vault", component: "server", "vault-active": "false" } }, status: { phase: "Running" } });
    kube.seed({ apiVersion: "v1", kind: "Pod", metadata: { name: "vault-1", namespace: "vault", labels: { "app.kubernetes.io/name": "vault", component: "server", "vault-active": "true" } }, status: { phase: "Running" } });
    smMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ vaultRootToken: "hvs.root", databasePassword: "x" }) });
    const redacted: string[] = [];
    const reach = await vaultAccess({ cluster: () => Promise.resolve({ state: "reachable", handles: { kube, helm: noHelm } }), aws, secretId: "btp-acme/credentials", secrets: { add: (v) => void redacted.push(v) } })();
    expect(reach.state).toBe("reachable");
    const bytes = reach.state === "reachable" ? await reach.snapshot() : new Uint8Array();
    expect(bytes.byteLength).toBeGreaterThan(0);
    expect(redacted).toContain("hvs.root");
    expect(kube.forwards.map((f) => [f.pod, f.remotePort, f.closed])).toEqual([["vault-1", 8200, true]]);
    expect(vault.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /v1/sys/storage/raft/snapshot"]);
  });

  it("is absent, with the reason, without a running pod or without a root token", async () => {
    const kube = fakeKube();
    const cluster = () => Promise.resolve({ state: "reachable" as const, handles: { kube, helm: noHelm } });
    expect(await vaultAccess({ cluster, aws, secretId: "s", secrets: { add: () => undefined } })()).toEqual({ state: "absent", reason: "no running Vault pod in namespace vault" });
    kube.seed({ apiVersion: "v1", kind: "Pod", metadata: { name: "vault-0", namespace: "vault", labels: { "app.kubernetes.io/name": "vault", component: "server" } }, status: { phase: "Running" } });
    smMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ databasePassword: "x" }) });
    expect(await vaultAccess({ cluster, aws, secretId: "s", secrets: { add: () => undefined } })()).toEqual({ state: "absent", reason: "the platform secret holds no Vault root token (vaultRootToken): Vault was not initialised by btp-aws" });
  });
});
