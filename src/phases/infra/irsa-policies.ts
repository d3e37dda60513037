/**
 * What each IRSA role may do, and who may assume it. Each role trusts exactly one Kubernetes
 * service account of this cluster and reaches only this platform's resources: the hosted zone,
 * the KMS key, the bucket. Pure functions; the step compares them with what IAM holds.
 */
import { readFile } from "node:fs/promises";
import type { PolicyDocument } from "../../aws/iam-policy-document.js";
import type { Config } from "../../config/schema.js";
import { PACKAGE_ROOT } from "../../package-root.js";

export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
}

/** The BTP chart's namespace and service account; the btp phase must deploy into exactly these. */
export const BTP_NAMESPACE = "settlemint";
export const BTP_SERVICE_ACCOUNT = "settlemint";

/**
 * Every IRSA role, keyed by the suffix of its name (infraNames(config).irsaRole(key)), with the
 * one service account it trusts. The later phases install the charts into these namespaces with
 * these service account names; the trust policy fails closed if they differ.
 */
export const IRSA_SERVICE_ACCOUNTS = {
  "cert-manager": { namespace: "cert-manager", name: "cert-manager" },
  vault: { namespace: "vault", name: "vault" },
  "aws-load-balancer-controller": { namespace: "kube-system", name: "aws-load-balancer-controller" },
  "ebs-csi": { namespace: "kube-system", name: "ebs-csi-controller-sa" },
  btp: { namespace: BTP_NAMESPACE, name: BTP_SERVICE_ACCOUNT },
  "cluster-autoscaler": { namespace: "kube-system", name: "cluster-autoscaler" },
  // The BTP chart's Alertmanager; btp/monitoring-values.ts names this service account in the values.
  alertmanager: { namespace: BTP_NAMESPACE, name: "settlemint-alertmanager" },
  // What the amazon-cloudwatch-observability EKS add-on runs its agent as (fixed by the add-on).
  "cloudwatch-observability": { namespace: "amazon-cloudwatch", name: "cloudwatch-agent" },
} as const satisfies Record<string, ServiceAccountRef>;

export type IrsaService = keyof typeof IRSA_SERVICE_ACCOUNTS;

/**
 * Whether the config asks for this service's role. The observability roles follow their switches,
 * so turning a feature off leaves no unused role that can still publish or write metrics.
 */
export function irsaServiceWanted(service: IrsaService, config: Pick<Config, "monitoring" | "storage">): boolean {
  // The platform's one AWS use is its bucket: with in-cluster or external storage it needs no role.
  if (service === "btp") return config.storage.mode === "aws";
  if (service === "alertmanager") return config.monitoring.prometheusStack;
  if (service === "cloudwatch-observability") return config.monitoring.containerInsights;
  return true;
}

/** The audience EKS puts in projected service account tokens for AWS STS. */
export const STS_AUDIENCE = "sts.amazonaws.com";

/** The one inline policy btp-aws keeps on each IRSA role. */
export const INLINE_POLICY_NAME = "btp-aws";

/** AWS's managed policy for the EBS CSI controller (EC2 volume and snapshot calls). */
export function ebsCsiManagedPolicy(partition = "aws"): string {
  return `arn:${partition}:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy`;
}

/** The partition of an ARN ("aws", "aws-cn", "aws-us-gov"). */
export function partitionOf(arn: string): string {
  return arn.split(":")[1] || "aws";
}

/**
 * Trust for one service account. `sub` pins namespace and name; `aud` stops tokens minted for
 * another audience from being exchanged. StringEquals, not StringLike: no wildcards.
 */
export function serviceAccountTrustPolicy(providerArn: string, issuerHostPath: string, account: ServiceAccountRef): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${issuerHostPath}:sub`]: `system:serviceaccount:${account.namespace}:${account.name}`,
            [`${issuerHostPath}:aud`]: STS_AUDIENCE,
          },
        },
      },
    ],
  };
}

/** DNS-01 challenges in this hosted zone only; GetChange and ListHostedZonesByName take no zone ARN. */
export function certManagerPolicy(hostedZoneId: string, partition = "aws"): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ChangeRecordsInThisZone", Effect: "Allow", Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"], Resource: `arn:${partition}:route53:::hostedzone/${hostedZoneId}` },
      { Sid: "WatchChanges", Effect: "Allow", Action: "route53:GetChange", Resource: `arn:${partition}:route53:::change/*` },
      { Sid: "FindZone", Effect: "Allow", Action: "route53:ListHostedZonesByName", Resource: "*" },
    ],
  };
}

/** Vault's awskms seal: wrap and unwrap the root key with the platform key, nothing else. */
export function vaultPolicy(keyArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "AutoUnseal", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], Resource: keyArn }],
  };
}

/**
 * The managed AmazonEBSCSIDriverPolicy covers EC2; volumes encrypted with a customer managed key
 * also need the key: grants (only for AWS resources, i.e. EBS attaching the volume) and data keys.
 */
export function ebsCsiKeyPolicy(keyArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "GrantsForEbs",
        Effect: "Allow",
        Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
        Resource: keyArn,
        Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
      },
      {
        Sid: "EncryptedVolumes",
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
        Resource: keyArn,
      },
    ],
  };
}

/**
 * Cluster Autoscaler: reads every Auto Scaling group, but resizes and terminates only in the
 * groups EKS tags as this cluster's (`k8s.io/cluster-autoscaler/<cluster>: owned`).
 */
export function clusterAutoscalerPolicy(clusterName: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ResizeOwnGroups",
        Effect: "Allow",
        Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
        Resource: "*",
        Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
      },
      {
        Sid: "Discover",
        Effect: "Allow",
        Action: [
          "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances", "autoscaling:DescribeLaunchConfigurations",
          "autoscaling:DescribeScalingActivities", "autoscaling:DescribeTags", "ec2:DescribeImages", "ec2:DescribeInstanceTypes",
          "ec2:DescribeLaunchTemplateVersions", "ec2:GetInstanceTypesFromInstanceRequirements", "eks:DescribeNodegroup",
        ],
        Resource: "*",
      },
    ],
  };
}

/** The platform's object storage: this bucket and its objects; SSE-KMS needs the key too. */
export function btpPolicy(bucketArn: string, keyArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ListTheBucket", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: bucketArn },
      { Sid: "ReadWriteObjects", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: `${bucketArn}/*` },
      { Sid: "BucketKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: keyArn },
    ],
  };
}

/**
 * The alarm topic's ARN, built as infra/monitoring builds it (SNS has no lookup by name): the
 * Alertmanager role is written by infra/irsa, which runs before the topic exists, and IAM
 * accepts a policy naming a resource that does not exist yet.
 */
export function alarmTopicArn(keyArn: string, region: string, topicName: string): string {
  const [, partition = "aws", , , account = ""] = keyArn.split(":");
  return `arn:${partition}:sns:${region}:${account}:${topicName}`;
}

/**
 * Alertmanager's sns_configs: publish to the platform's alarm topic and nothing else. The topic is
 * encrypted with the platform key, and SNS uses the publisher's own permission on that key to
 * encrypt the message, so the role needs the key too, but only through SNS (kms:ViaService).
 */
export function alertmanagerPolicy(topicArn: string, keyArn: string, region: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "PublishAlerts", Effect: "Allow", Action: "sns:Publish", Resource: topicArn },
      {
        Sid: "EncryptedTopic",
        Effect: "Allow",
        Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
        Resource: keyArn,
        Condition: { StringEquals: { "kms:ViaService": `sns.${region}.amazonaws.com` } },
      },
    ],
  };
}

/**
 * The amazon-cloudwatch-observability add-on's role. The EKS user guide attaches two managed
 * policies: CloudWatchAgentServerPolicy (metrics, logs, EC2/EKS describe), attached here because
 * AWS keeps it in step with the agent; and AWSXrayWriteOnlyAccess, for the traces of Application
 * Signals (on by default in the add-on), whose five actions are written out below instead so the
 * role keeps the one-inline-policy shape of every IRSA role. X-Ray's actions take no resource ARN.
 */
export function cloudWatchObservabilityManagedPolicy(partition = "aws"): string {
  return `arn:${partition}:iam::aws:policy/CloudWatchAgentServerPolicy`;
}

export function cloudWatchObservabilityPolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{
      Sid: "ApplicationSignalsTraces",
      Effect: "Allow",
      Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"],
      Resource: "*",
    }],
  };
}

/**
 * The controller's published policy, kept verbatim in templates/iam (see its README for the
 * upstream commit). Resolved from this module: src/phases/infra and dist/phases/infra are both
 * three levels below the package root, where templates/ ships.
 */
export const LOAD_BALANCER_CONTROLLER_POLICY_FILE = new URL("templates/iam/aws-load-balancer-controller-policy.json", PACKAGE_ROOT);

export async function loadBalancerControllerPolicy(file: URL = LOAD_BALANCER_CONTROLLER_POLICY_FILE): Promise<PolicyDocument> {
  const parsed: unknown = JSON.parse(await readFile(file, "utf8"));
  if (typeof parsed !== "object" || parsed === null || !Array.isArray((parsed as { Statement?: unknown }).Statement)) {
    throw new Error(`${file.pathname} is not an IAM policy document (no Statement list)`);
  }
  return parsed as PolicyDocument;
}
