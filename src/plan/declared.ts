/**
 * Steps that are part of the plan but whose implementation has not shipped yet. They show in
 * `plan` so users see the whole install, and the runner refuses to start them rather than
 * pretend: see Step.availableIn.
 */
import { BtpAwsError } from "../errors.js";
import type { Config } from "../config/schema.js";
import type { PhaseName, Step } from "./types.js";

export const NOT_YET_AVAILABLE = "not implemented in this version of btp-aws yet";

export function declaredStep(spec: { id: string; title: string; phase: PhaseName; needs?: string[]; describe: (config: Config) => string[] }): Step {
  return {
    id: spec.id,
    title: spec.title,
    phase: spec.phase,
    needs: spec.needs ?? [],
    describe: spec.describe,
    availableIn: NOT_YET_AVAILABLE,
    run() {
      return Promise.reject(new BtpAwsError(`step ${spec.id} is ${NOT_YET_AVAILABLE}`, { hint: "run `btp-aws install --only prepare`" }));
    },
  };
}
