/**
 * After a destroy that left nothing unexpected, the platform's state file is moved aside as
 * `destroyed-<time>.json` next to where it was, rather than deleted or rewritten:
 * - a later `install` of the same name starts from an empty state instead of adopting ids of
 *   resources that no longer exist (and `status` says there is no state);
 * - the record of what existed (ids, ARNs, the final snapshot's database, the config) stays for
 *   audit and for restoring from the kept snapshot;
 * - the state schema stays as it is: "destroyed" is not a state install would have to understand.
 * The rename is atomic; the lock is still held while it happens.
 */
import { rename } from "node:fs/promises";
import { join } from "node:path";
import { statePaths } from "../../state/paths.js";

export async function archiveState(stateDir: string, platform: string, now: Date): Promise<string | undefined> {
  const paths = statePaths(stateDir, platform);
  const archived = join(paths.dir, `destroyed-${now.toISOString().replace(/[:.]/g, "-")}.json`);
  try {
    await rename(paths.state, archived);
    return archived;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined; // no state: destroyed by --platform alone
    throw error;
  }
}
