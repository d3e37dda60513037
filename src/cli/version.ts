import { PACKAGE_MANIFEST } from "../package-root.js";

/** From package.json, read once (package-root.ts). */
export const VERSION = PACKAGE_MANIFEST.version;
