import { readFileSync } from "node:fs";

/** Read once from package.json, which sits two levels up from both src/cli and dist/cli. */
export const VERSION = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
