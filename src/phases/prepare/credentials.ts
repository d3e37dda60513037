/**
 * prepare/credentials: the AWS credentials work and belong to the account the config names.
 * Checked before anything is created, so a wrong profile cannot build a platform in the wrong
 * account.
 */
import { BtpAwsError } from "../../errors.js";
import type { Step } from "../../plan/types.js";
import { whoAmI } from "../../aws/sts.js";
import type { PrepareServices } from "./services.js";

export function accountMismatch(actual: string, expected: string): BtpAwsError {
  return new BtpAwsError(`credentials belong to account ${actual}, but the config expects ${expected} (aws.accountId)`, {
    hint: `use credentials for account ${expected} (--profile or AWS_PROFILE), or correct aws.accountId in the config`,
  });
}

export const credentialsStep: Step<PrepareServices> = {
  id: "prepare/credentials",
  title: "Check AWS credentials",
  phase: "prepare",
  needs: [],
  describe(config) {
    const profile = config.aws.profile === undefined ? "the default credential chain" : `profile ${config.aws.profile}`;
    const account = config.aws.accountId === undefined ? "" : `, and that they belong to account ${config.aws.accountId}`;
    return [`check the AWS credentials from ${profile} (sts:GetCallerIdentity)${account}`];
  },
  async run({ config, services }, report) {
    report.status("calling sts:GetCallerIdentity");
    const identity = await whoAmI(services.aws);
    const expected = config.aws.accountId;
    if (expected !== undefined && identity.account !== expected) throw accountMismatch(identity.account, expected);
    report.info(`AWS account ${identity.account} as ${identity.arn}`);
    return { account: identity.account, principal: identity.arn };
  },
};
