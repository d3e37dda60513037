/**
 * The platform key's policy. Beyond the account-root statement (which lets IAM policies grant
 * use of the key), EBS needs the pattern of AWS's own aws/ebs key: the Auto Scaling service-
 * linked role launches the node group's encrypted volumes and is not named by any IAM policy
 * of ours; CloudWatch Logs needs the logs service principal to encrypt the flow-log group; and
 * CloudWatch and Budgets publish to the encrypted alarm topic.
 */
export function platformKeyPolicy(account: string, region: string, partition = "aws"): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountAdministration",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${account}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "EbsThroughEc2ForThisAccount",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
        Resource: "*",
        Condition: { StringEquals: { "kms:CallerAccount": account, "kms:ViaService": `ec2.${region}.amazonaws.com` } },
      },
      {
        // Alarm and budget notifications go to the KMS-encrypted SNS topic; without this
        // statement AWS drops them silently.
        Sid: "AlarmAndBudgetNotifications",
        Effect: "Allow",
        Principal: { Service: ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"] },
        Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": account } },
      },
      {
        Sid: "CloudWatchLogs",
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${account}:*` } },
      },
    ],
  });
}
