/** Where a platform's state and lock live: `<stateDir>/<platform>/{state.json,state.lock}`. */
import { join } from "node:path";
import { BtpAwsError } from "../errors.js";

export interface StatePaths {
  readonly dir: string;
  readonly state: string;
  readonly lock: string;
}

export function statePaths(stateDir: string, platform: string): StatePaths {
  // The name becomes a path segment; config validation normally guarantees this, but a name
  // like "../x" reaching here must not read or write outside the state directory.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(platform)) {
    throw new BtpAwsError(`invalid platform name ${JSON.stringify(platform)}: it must be usable as a directory name`);
  }
  const dir = join(stateDir, platform);
  return { dir, state: join(dir, "state.json"), lock: join(dir, "state.lock") };
}
