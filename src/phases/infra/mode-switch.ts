/**
 * A managed data store an earlier run made is not dropped silently when its mode changes (for
 * example a development platform installed before development defaulted to in-cluster): the
 * platform would start on an empty in-cluster database while RDS kept the data. The step's own
 * earlier outputs say what it made, so the guard costs no AWS call.
 */
import { BtpAwsError } from "../../errors.js";
import type { StepOutputs } from "../../plan/types.js";

export function refuseModeSwitch(previous: StepOutputs | undefined, key: string, section: "database" | "cache" | "storage", mode: string, what: string): void {
  const made = previous?.[key];
  if (typeof made !== "string" || made === "") return;
  throw new BtpAwsError(`${section}.mode is ${mode}, but an earlier run of this platform made ${what} ${made}: switching would leave its data behind`, {
    hint: `set ${section}.mode: aws to keep using it; to move, copy the data yourself, delete ${made}, then run \`btp-aws install --from infra\` again`,
  });
}
