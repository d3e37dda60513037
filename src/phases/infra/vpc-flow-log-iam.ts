/**
 * The flow-log delivery role's policies: trusted by vpc-flow-logs.amazonaws.com for this
 * account's flow logs only (the confused-deputy conditions AWS recommends), allowed to write to
 * one log group.
 */
import type { PolicyDocument } from "../../aws/iam-policy-document.js";

export const FLOW_LOG_POLICY_NAME = "write-vpc-flow-logs";

export function flowLogTrustPolicy(partition: string, region: string, account: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{
      Effect: "Allow",
      Principal: { Service: "vpc-flow-logs.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: {
        StringEquals: { "aws:SourceAccount": account },
        ArnLike: { "aws:SourceArn": `arn:${partition}:ec2:${region}:${account}:vpc-flow-log/*` },
      },
    }],
  };
}

/** Least privilege: streams and events in this group; DescribeLogGroups has no resource scope narrower than the region. */
export function flowLogWritePolicy(logGroupArn: string, partition: string, region: string, account: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "WriteThisGroup", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [logGroupArn, `${logGroupArn}:log-stream:*`] },
      { Sid: "FindTheGroup", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: `arn:${partition}:logs:${region}:${account}:log-group:*` },
    ],
  };
}
