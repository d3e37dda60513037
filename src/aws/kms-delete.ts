/** KMS for destroy: a key is never deleted at once, only scheduled (7–30 days, cancellable). */
import type { KMSClient } from "@aws-sdk/client-kms";
import { deleteUnlessGone } from "./idempotent-delete.js";
import { loadSdk } from "./sdk.js";

export const KEY_DELETION_DAYS = 30;

/** Returns the date the key will be deleted. */
export async function scheduleKeyDeletion(kms: KMSClient, keyId: string, days = KEY_DELETION_DAYS): Promise<Date | undefined> {
  const { ScheduleKeyDeletionCommand } = await loadSdk("@aws-sdk/client-kms");
  const { DeletionDate } = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: days }));
  return DeletionDate;
}

export async function deleteAlias(kms: KMSClient, alias: string): Promise<boolean> {
  const { DeleteAliasCommand } = await loadSdk("@aws-sdk/client-kms");
  return deleteUnlessGone(["NotFoundException"], () => kms.send(new DeleteAliasCommand({ AliasName: alias })));
}
