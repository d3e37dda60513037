import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../support/paths.js";

describe("start-up time", () => {
  // @kubernetes/client-node loads every generated API model: seconds, not milliseconds. It is
  // imported with import() when a phase first needs the cluster; `import type` is free.
  it("no file in src/ imports @kubernetes/client-node or execa at its top level", async () => {
    const entries = await readdir(join(REPO_ROOT, "src"), { withFileTypes: true, recursive: true });
    const offenders: string[] = [];
    for (const entry of entries.filter((e) => e.isFile() && e.name.endsWith(".ts"))) {
      const file = join(entry.parentPath, entry.name);
      const text = await readFile(file, "utf8");
      for (const match of text.matchAll(/^(import|export)\s+(?!type\b)[^;]*?from\s+["'](@kubernetes\/client-node|execa)["']/gm)) {
        offenders.push(`${file.slice(REPO_ROOT.length)}: ${match[2]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
