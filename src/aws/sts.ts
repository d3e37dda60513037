/** Who are we? The one STS call the installer makes before it touches anything. */
import { BtpAwsError } from "../errors.js";
import type { AwsClients } from "./clients.js";
import { describeAwsError } from "./errors.js";
import { loadSdk } from "./sdk.js";

export interface CallerIdentity {
  /** 12-digit account id. */
  account: string;
  /** ARN of the calling principal (user, assumed role session). */
  arn: string;
  userId: string;
}

export const GET_CALLER_IDENTITY = "read the caller identity (sts:GetCallerIdentity)";

export async function whoAmI(clients: Pick<AwsClients, "sts" | "endpoint" | "region">): Promise<CallerIdentity> {
  try {
    // Loaded on first use; see clients.ts for why the SDK is never imported at the top.
    const { GetCallerIdentityCommand } = await loadSdk("@aws-sdk/client-sts");
    const sts = await clients.sts();
    const { Account, Arn, UserId } = await sts.send(new GetCallerIdentityCommand({}));
    if (Account === undefined || Arn === undefined || UserId === undefined) {
      throw new BtpAwsError(`${GET_CALLER_IDENTITY}: the response lacks the account, ARN or user id`);
    }
    return { account: Account, arn: Arn, userId: UserId };
  } catch (error) {
    throw describeAwsError(error, GET_CALLER_IDENTITY, { endpoint: clients.endpoint, region: clients.region });
  }
}
