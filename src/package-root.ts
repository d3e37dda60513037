/**
 * The package's root directory (where its package.json, bin/ and templates/ are), found from this
 * module's own location. It is the same whether the code runs from src/ (tests), or from dist/,
 * where `npm run build` puts one bundle and its chunks (scripts/build.mjs), at another depth.
 */
import { existsSync, readFileSync } from "node:fs";

const NAME = "btp-aws";

function findRoot(): URL {
  for (let dir = new URL("./", import.meta.url); ; ) {
    const manifest = new URL("package.json", dir);
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === NAME) return dir;
    const parent = new URL("../", dir);
    if (parent.href === dir.href) throw new Error(`cannot find the ${NAME} package root above ${import.meta.url}: reinstall btp-aws`);
    dir = parent;
  }
}

/** The root as a directory URL ("file:///…/btp-aws/"): resolve files with `new URL(path, PACKAGE_ROOT)`. */
export const PACKAGE_ROOT: URL = findRoot();
