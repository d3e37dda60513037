/**
 * The package's root directory (where its package.json, bin/ and templates/ are), found from this
 * module's own location. It is the same whether the code runs from src/ (tests), or from dist/,
 * where `npm run build` puts one bundle and its chunks (scripts/build.mjs), at another depth.
 */
import { existsSync, readFileSync } from "node:fs";

const NAME = "btp-aws";

export interface PackageManifest {
  name: string;
  version: string;
}

function findRoot(): { root: URL; manifest: PackageManifest } {
  for (let dir = new URL("./", import.meta.url); ; ) {
    const file = new URL("package.json", dir);
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, "utf8")) as PackageManifest;
      if (manifest.name === NAME) return { root: dir, manifest };
    }
    const parent = new URL("../", dir);
    if (parent.href === dir.href) throw new Error(`cannot find the ${NAME} package root above ${import.meta.url}: reinstall btp-aws`);
    dir = parent;
  }
}

const found = findRoot();

/** The root as a directory URL ("file:///…/btp-aws/"): resolve files with `new URL(path, PACKAGE_ROOT)`. */
export const PACKAGE_ROOT: URL = found.root;
/** Its package.json, read once while finding the root. */
export const PACKAGE_MANIFEST: PackageManifest = found.manifest;
