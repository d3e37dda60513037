/** Deleting the alarm topic; SNS answers DeleteTopic for a missing topic with success. */
import type { SNSClient } from "@aws-sdk/client-sns";
import { deleteUnlessGone } from "./idempotent-delete.js";
import { loadSdk } from "./sdk.js";

export async function deleteTopic(sns: SNSClient, arn: string): Promise<boolean> {
  const { DeleteTopicCommand } = await loadSdk("@aws-sdk/client-sns");
  return deleteUnlessGone(["NotFoundException", "NotFound"], () => sns.send(new DeleteTopicCommand({ TopicArn: arn })));
}
