/**
 * The proxy names every call the installer makes from the bytes the real SDK puts on the wire:
 * each client sends through a stub handler, and the recorded request goes through detectCall.
 */
import { ACMClient, RequestCertificateCommand, DescribeCertificateCommand } from "@aws-sdk/client-acm";
import { BudgetsClient, DescribeSubscribersForNotificationCommand } from "@aws-sdk/client-budgets";
import { CloudWatchClient, PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateNatGatewayCommand, DescribeNatGatewaysCommand, EC2Client } from "@aws-sdk/client-ec2";
import * as eks from "@aws-sdk/client-eks";
import { DescribeReplicationGroupsCommand, ElastiCacheClient } from "@aws-sdk/client-elasticache";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { CreateDBInstanceCommand, RDSClient } from "@aws-sdk/client-rds";
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import * as route53 from "@aws-sdk/client-route-53";
import * as s3 from "@aws-sdk/client-s3";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetServiceQuotaCommand, ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { detectCall, type Call } from "../../reliability/proxy/detect.js";
import { stubHandler } from "../../reliability/proxy/sdk-wire.js";
import { MOTO_CREDENTIALS } from "../../support/moto.js";

const stub = stubHandler();
const common = { region: "eu-west-1", endpoint: "http://127.0.0.1:4566", credentials: MOTO_CREDENTIALS, requestHandler: stub, maxAttempts: 1 };
const clients = {
  acm: new ACMClient(common),
  budgets: new BudgetsClient(common),
  cloudwatch: new CloudWatchClient(common),
  logs: new CloudWatchLogsClient(common),
  ec2: new EC2Client(common),
  eks: new eks.EKSClient(common),
  elasticache: new ElastiCacheClient(common),
  iam: new IAMClient(common),
  kms: new KMSClient(common),
  rds: new RDSClient(common),
  tagging: new ResourceGroupsTaggingAPIClient(common),
  route53: new route53.Route53Client(common),
  s3: new s3.S3Client({ ...common, forcePathStyle: true }),
  secrets: new SecretsManagerClient(common),
  quotas: new ServiceQuotasClient(common),
  sns: new SNSClient(common),
  sts: new STSClient(common),
};

/** What the proxy makes of the request `send` puts on the wire (the stub's empty answer may fail to parse: irrelevant). */
async function detected(send: () => Promise<unknown>): Promise<Pick<Call, "service" | "region" | "operation" | "protocol">> {
  const before = stub.requests.length;
  await send().catch(() => undefined);
  expect(stub.requests.length).toBe(before + 1);
  const { service, region, operation, protocol } = detectCall(stub.requests.at(-1)!);
  return { service, region, operation, protocol };
}

const PRINCIPAL = "arn:aws:iam::123456789012:role/btp-admin";
const CLUSTER_ARN = "arn:aws:eks:eu-west-1:123456789012:cluster/btp-eks";

describe("detectCall with the real SDK's requests", () => {
  it.each<[string, string, string, () => Promise<unknown>]>([
    ["ec2", "ec2", "CreateNatGateway", () => clients.ec2.send(new CreateNatGatewayCommand({ SubnetId: "subnet-1", AllocationId: "eipalloc-1" }))],
    ["ec2", "ec2", "DescribeNatGateways", () => clients.ec2.send(new DescribeNatGatewaysCommand({}))],
    ["iam", "query", "CreateRole", () => clients.iam.send(new CreateRoleCommand({ RoleName: "r", AssumeRolePolicyDocument: "{}" }))],
    ["sts", "query", "GetCallerIdentity", () => clients.sts.send(new GetCallerIdentityCommand({}))],
    ["rds", "query", "CreateDBInstance", () => clients.rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: "db", DBInstanceClass: "db.t3.micro", Engine: "postgres" }))],
    ["elasticache", "query", "DescribeReplicationGroups", () => clients.elasticache.send(new DescribeReplicationGroupsCommand({}))],
    ["sns", "query", "CreateTopic", () => clients.sns.send(new CreateTopicCommand({ Name: "t" }))],
    ["kms", "json", "CreateKey", () => clients.kms.send(new CreateKeyCommand({}))],
    ["secretsmanager", "json", "CreateSecret", () => clients.secrets.send(new CreateSecretCommand({ Name: "s" }))],
    ["logs", "json", "CreateLogGroup", () => clients.logs.send(new CreateLogGroupCommand({ logGroupName: "g" }))],
    ["acm", "json", "RequestCertificate", () => clients.acm.send(new RequestCertificateCommand({ DomainName: "btp.example.com" }))],
    ["acm", "json", "DescribeCertificate", () => clients.acm.send(new DescribeCertificateCommand({ CertificateArn: "arn:aws:acm:eu-west-1:1:certificate/x" }))],
    ["budgets", "json", "DescribeSubscribersForNotification", () => clients.budgets.send(new DescribeSubscribersForNotificationCommand({ AccountId: "1", BudgetName: "b", Notification: { NotificationType: "ACTUAL", ComparisonOperator: "GREATER_THAN", Threshold: 80 } }))],
    ["servicequotas", "json", "GetServiceQuota", () => clients.quotas.send(new GetServiceQuotaCommand({ ServiceCode: "vpc", QuotaCode: "L-1" }))],
    ["tagging", "json", "GetResources", () => clients.tagging.send(new GetResourcesCommand({}))],
    // CloudWatch: this SDK speaks JSON 1.0 to it (X-Amz-Target), not the query protocol.
    ["monitoring", "json", "PutMetricAlarm", () => clients.cloudwatch.send(new PutMetricAlarmCommand({ AlarmName: "a", EvaluationPeriods: 1, ComparisonOperator: "GreaterThanThreshold" }))],
  ])("%s %s %s", async (service, protocol, operation, send) => {
    expect(await detected(send)).toEqual({ service, region: "eu-west-1", operation, protocol });
  });

  it.each<[string, () => Promise<unknown>]>([
    ["CreateCluster", () => clients.eks.send(new eks.CreateClusterCommand({ name: "btp-eks", roleArn: PRINCIPAL, resourcesVpcConfig: {} }))],
    ["ListClusters", () => clients.eks.send(new eks.ListClustersCommand({}))],
    ["DescribeCluster", () => clients.eks.send(new eks.DescribeClusterCommand({ name: "btp-eks" }))],
    ["UpdateClusterConfig", () => clients.eks.send(new eks.UpdateClusterConfigCommand({ name: "btp-eks", logging: {} }))],
    ["AssociateEncryptionConfig", () => clients.eks.send(new eks.AssociateEncryptionConfigCommand({ clusterName: "btp-eks", encryptionConfig: [] }))],
    ["CreateNodegroup", () => clients.eks.send(new eks.CreateNodegroupCommand({ clusterName: "btp-eks", nodegroupName: "ng", nodeRole: PRINCIPAL, subnets: [] }))],
    ["ListNodegroups", () => clients.eks.send(new eks.ListNodegroupsCommand({ clusterName: "btp-eks" }))],
    ["DescribeNodegroup", () => clients.eks.send(new eks.DescribeNodegroupCommand({ clusterName: "btp-eks", nodegroupName: "ng" }))],
    ["UpdateNodegroupConfig", () => clients.eks.send(new eks.UpdateNodegroupConfigCommand({ clusterName: "btp-eks", nodegroupName: "ng" }))],
    ["UpdateNodegroupVersion", () => clients.eks.send(new eks.UpdateNodegroupVersionCommand({ clusterName: "btp-eks", nodegroupName: "ng" }))],
    ["DescribeUpdate", () => clients.eks.send(new eks.DescribeUpdateCommand({ name: "btp-eks", updateId: "u-1", nodegroupName: "ng" }))],
    ["DescribeAddonVersions", () => clients.eks.send(new eks.DescribeAddonVersionsCommand({ addonName: "vpc-cni", kubernetesVersion: "1.34" }))],
    ["CreateAddon", () => clients.eks.send(new eks.CreateAddonCommand({ clusterName: "btp-eks", addonName: "vpc-cni" }))],
    ["ListAddons", () => clients.eks.send(new eks.ListAddonsCommand({ clusterName: "btp-eks" }))],
    ["DescribeAddon", () => clients.eks.send(new eks.DescribeAddonCommand({ clusterName: "btp-eks", addonName: "vpc-cni" }))],
    ["UpdateAddon", () => clients.eks.send(new eks.UpdateAddonCommand({ clusterName: "btp-eks", addonName: "vpc-cni" }))],
    ["DeleteAddon", () => clients.eks.send(new eks.DeleteAddonCommand({ clusterName: "btp-eks", addonName: "vpc-cni" }))],
    ["CreateAccessEntry", () => clients.eks.send(new eks.CreateAccessEntryCommand({ clusterName: "btp-eks", principalArn: PRINCIPAL }))],
    ["DescribeAccessEntry", () => clients.eks.send(new eks.DescribeAccessEntryCommand({ clusterName: "btp-eks", principalArn: PRINCIPAL }))],
    ["AssociateAccessPolicy", () => clients.eks.send(new eks.AssociateAccessPolicyCommand({ clusterName: "btp-eks", principalArn: PRINCIPAL, policyArn: "p", accessScope: { type: "cluster" } }))],
    ["ListAssociatedAccessPolicies", () => clients.eks.send(new eks.ListAssociatedAccessPoliciesCommand({ clusterName: "btp-eks", principalArn: PRINCIPAL }))],
    ["TagResource", () => clients.eks.send(new eks.TagResourceCommand({ resourceArn: CLUSTER_ARN, tags: { a: "b" } }))],
    ["ListTagsForResource", () => clients.eks.send(new eks.ListTagsForResourceCommand({ resourceArn: CLUSTER_ARN }))],
  ])("eks rest-json %s", async (operation, send) => {
    expect(await detected(send)).toEqual({ service: "eks", region: "eu-west-1", operation, protocol: "rest-json" });
  });

  it.each<[string, () => Promise<unknown>]>([
    ["CreateHostedZone", () => clients.route53.send(new route53.CreateHostedZoneCommand({ Name: "example.com", CallerReference: "r" }))],
    ["ListHostedZones", () => clients.route53.send(new route53.ListHostedZonesCommand({}))],
    ["GetHostedZone", () => clients.route53.send(new route53.GetHostedZoneCommand({ Id: "Z1" }))],
    ["ListResourceRecordSets", () => clients.route53.send(new route53.ListResourceRecordSetsCommand({ HostedZoneId: "Z1" }))],
    ["ChangeResourceRecordSets", () => clients.route53.send(new route53.ChangeResourceRecordSetsCommand({ HostedZoneId: "Z1", ChangeBatch: { Changes: [] } }))],
    ["GetChange", () => clients.route53.send(new route53.GetChangeCommand({ Id: "C1" }))],
  ])("route53 rest-xml %s", async (operation, send) => {
    expect(await detected(send)).toEqual({ service: "route53", region: "eu-west-1", operation, protocol: "rest-xml" });
  });

  it.each<[string, () => Promise<unknown>]>([
    ["ListBuckets", () => clients.s3.send(new s3.ListBucketsCommand({}))],
    ["CreateBucket", () => clients.s3.send(new s3.CreateBucketCommand({ Bucket: "b" }))],
    ["HeadBucket", () => clients.s3.send(new s3.HeadBucketCommand({ Bucket: "b" }))],
    ["PutBucketVersioning", () => clients.s3.send(new s3.PutBucketVersioningCommand({ Bucket: "b", VersioningConfiguration: { Status: "Enabled" } }))],
    ["GetBucketVersioning", () => clients.s3.send(new s3.GetBucketVersioningCommand({ Bucket: "b" }))],
    ["PutBucketPolicy", () => clients.s3.send(new s3.PutBucketPolicyCommand({ Bucket: "b", Policy: "{}" }))],
    ["GetBucketEncryption", () => clients.s3.send(new s3.GetBucketEncryptionCommand({ Bucket: "b" }))],
    ["PutPublicAccessBlock", () => clients.s3.send(new s3.PutPublicAccessBlockCommand({ Bucket: "b", PublicAccessBlockConfiguration: {} }))],
    ["GetBucketLifecycleConfiguration", () => clients.s3.send(new s3.GetBucketLifecycleConfigurationCommand({ Bucket: "b" }))],
    ["PutBucketOwnershipControls", () => clients.s3.send(new s3.PutBucketOwnershipControlsCommand({ Bucket: "b", OwnershipControls: { Rules: [] } }))],
    ["GetBucketTagging", () => clients.s3.send(new s3.GetBucketTaggingCommand({ Bucket: "b" }))],
    ["ListObjectsV2", () => clients.s3.send(new s3.ListObjectsV2Command({ Bucket: "b" }))],
    ["PutObject", () => clients.s3.send(new s3.PutObjectCommand({ Bucket: "b", Key: "dir/file.txt", Body: "x" }))],
    ["GetObject", () => clients.s3.send(new s3.GetObjectCommand({ Bucket: "b", Key: "dir/file.txt" }))],
    ["HeadObject", () => clients.s3.send(new s3.HeadObjectCommand({ Bucket: "b", Key: "dir/file.txt" }))],
    ["DeleteObject", () => clients.s3.send(new s3.DeleteObjectCommand({ Bucket: "b", Key: "dir/file.txt" }))],
  ])("s3 %s", async (operation, send) => {
    expect(await detected(send)).toEqual({ service: "s3", region: "eu-west-1", operation, protocol: "s3" });
  });

  it("names an unsigned request (moto's control API) Unknown", () => {
    expect(detectCall({ method: "POST", url: "/moto-api/reset", headers: {}, body: Buffer.alloc(0) })).toMatchObject({ service: "Unknown", region: "Unknown", operation: "Unknown" });
  });

  it("names an EKS path no operation has Unknown", () => {
    const signed = { authorization: "AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/eks/aws4_request, SignedHeaders=host, Signature=x" };
    expect(detectCall({ method: "GET", url: "/no/such/path", headers: signed, body: Buffer.alloc(0) })).toMatchObject({ service: "eks", operation: "Unknown", protocol: "rest-json" });
  });
});
