/**
 * The leak report's tag sweep, ARN by ARN: what is expected to remain (snapshots, a key or secret
 * waiting out its deletion window, a bucket of another region, a deleted NAT gateway, the DR
 * region's copies) and what is a leak. Stage surveys are covered by the moto tests.
 */
import { DescribeNatGatewaysCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { DescribeSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { leakReport, renderLeakReport } from "../../../../src/ops/destroy/leaks.js";
import type { Stage } from "../../../../src/ops/destroy/types.js";
import { destroyContext } from "./fakes.js";

const credentials = { accessKeyId: "a", secretAccessKey: "b" };
const A = "arn:aws";

describe("leakReport", () => {
  it("sorts the tag sweep into leaked, kept and scheduled, and lists the DR region's copies as kept", async () => {
    const tagging = { "eu-west-1": new ResourceGroupsTaggingAPIClient({ region: "eu-west-1", credentials }), "eu-central-1": new ResourceGroupsTaggingAPIClient({ region: "eu-central-1", credentials }) };
    const mapping = (arns: string[]) => ({ ResourceTagMappingList: arns.map((ResourceARN) => ({ ResourceARN })) });
    mockClient(tagging["eu-west-1"]).on(GetResourcesCommand).resolves(mapping([
      `${A}:rds:eu-west-1:123456789012:snapshot:btp-acme-final-20261128t021500`,
      // An EBS snapshot of an in-cluster volume: the btp-ebs VolumeSnapshotClass tags it for the platform.
      `${A}:ec2:eu-west-1::snapshot/snap-0123456789abcdef0`,
      `${A}:kms:eu-west-1:123456789012:key/k-1`,
      `${A}:secretsmanager:eu-west-1:123456789012:secret:btp-acme/credentials-AbC`,
      `${A}:s3:::btp-acme-dr-123456789012-eu-central-1`,
      `${A}:ec2:eu-west-1:123456789012:natgateway/nat-1`,
      `${A}:ec2:eu-west-1:123456789012:volume/vol-stray`,
    ]));
    mockClient(tagging["eu-central-1"]).on(GetResourcesCommand).resolves(mapping([`${A}:s3:::btp-acme-dr-123456789012-eu-central-1`, `${A}:kms:eu-central-1:123456789012:key/dr-1`]));
    const kms = new KMSClient({ region: "eu-west-1", credentials });
    mockClient(kms).on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: "k-1", Arn: `${A}:kms:eu-west-1:123456789012:key/k-1`, KeyState: "PendingDeletion", KeyManager: "CUSTOMER" } });
    const sm = new SecretsManagerClient({ region: "eu-west-1", credentials });
    mockClient(sm).on(DescribeSecretCommand).resolves({ ARN: "arn-s", Name: "btp-acme/credentials", DeletedDate: new Date("2026-12-28T00:00:00Z") });
    const s3 = new S3Client({ region: "eu-west-1", credentials });
    mockClient(s3).on(HeadBucketCommand).resolves({ BucketRegion: "eu-central-1" });
    const ec2 = new EC2Client({ region: "eu-west-1", credentials });
    mockClient(ec2).on(DescribeNatGatewaysCommand).resolves({ NatGateways: [{ NatGatewayId: "nat-1", State: "deleted" }] });
    const context = destroyContext({ kms, secretsManager: sm, s3, ec2 }, { target: { drRegion: "eu-central-1" } });
    (context.services.aws as { tagging: (region?: string) => Promise<ResourceGroupsTaggingAPIClient> }).tagging = (region = "eu-west-1") => Promise.resolve(tagging[region as keyof typeof tagging]);
    const stillThere: Stage = { id: "destroy/x", title: "x", phase: "infra", run: () => Promise.resolve(), survey: () => Promise.resolve([{ resource: "IAM role btp-acme-irsa-vault" }, { resource: "S3 bucket b", kept: "kept without --delete-data" }]) };

    const report = await leakReport([stillThere], context);
    expect(report.leaked).toEqual([{ resource: "IAM role btp-acme-irsa-vault", foundBy: "destroy/x" }, { resource: `${A}:ec2:eu-west-1:123456789012:volume/vol-stray`, foundBy: "tag sweep" }]);
    expect(report.kept).toEqual([
      { resource: "S3 bucket b", reason: "kept without --delete-data" },
      { resource: "DB snapshot btp-acme-final-20261128t021500", reason: "database snapshots are backups: destroy never deletes them" },
      { resource: "EBS snapshot snap-0123456789abcdef0", reason: "a snapshot of an in-cluster volume (dr-snapshot): backups are never deleted by destroy; `aws ec2 delete-snapshot` deletes it" },
      { resource: `${A}:s3:::btp-acme-dr-123456789012-eu-central-1`, reason: "disaster-recovery copy in eu-central-1 (dr-snapshot): destroy never deletes it" },
      { resource: `${A}:kms:eu-central-1:123456789012:key/dr-1`, reason: "disaster-recovery copy in eu-central-1 (dr-snapshot): destroy never deletes it" },
    ]);
    expect(report.scheduled).toEqual([{ resource: "KMS key k-1", reason: "scheduled for deletion" }, { resource: "secret btp-acme/credentials", reason: "deleted for good after 2026-12-28" }]);
    expect(renderLeakReport(report).split("\n").slice(0, 3)).toEqual([
      "Leak report: 2 resource(s) of the platform are still there:",
      "  ✘ IAM role btp-acme-irsa-vault (found by destroy/x)",
      `  ✘ ${A}:ec2:eu-west-1:123456789012:volume/vol-stray (found by tag sweep)`,
    ]);
  });
});
