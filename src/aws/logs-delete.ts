/** Deleting a CloudWatch Logs group with its streams (the flow-log group, EKS's control-plane group). */
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { deleteUnlessGone } from "./idempotent-delete.js";
import { loadSdk } from "./sdk.js";

export async function deleteLogGroup(logs: CloudWatchLogsClient, name: string): Promise<boolean> {
  const { DeleteLogGroupCommand } = await loadSdk("@aws-sdk/client-cloudwatch-logs");
  return deleteUnlessGone(["ResourceNotFoundException"], () => logs.send(new DeleteLogGroupCommand({ logGroupName: name })));
}
