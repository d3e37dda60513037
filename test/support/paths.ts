/** Where the harness keeps what it provisions: a git-ignored cache inside the repository. */
import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CACHE_DIR = join(REPO_ROOT, ".cache");
