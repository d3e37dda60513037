/** The shipped example configs, parsed the way `btp-aws plan --config` parses them. */
import { join } from "node:path";
import { readConfigFile } from "../../../src/config/file.js";
import { parseConfig } from "../../../src/config/parse.js";
import type { Config } from "../../../src/config/schema.js";
import { REPO_ROOT } from "../../support/paths.js";

export const PRODUCTION_EXAMPLE = join(REPO_ROOT, "examples", "btp-aws.yaml");
export const DEVELOPMENT_EXAMPLE = join(REPO_ROOT, "examples", "btp-aws.development.yaml");

export async function exampleConfig(path: string): Promise<Config> {
  const parsed = parseConfig((await readConfigFile(path)).values, { today: new Date("2026-01-01") });
  if (!parsed.ok) throw new Error(`${path} does not validate: ${parsed.errors.join("; ")}`);
  return parsed.value;
}
