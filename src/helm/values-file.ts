/**
 * Values reach helm only as a file: mode 0600 in a private (0700) temporary directory, removed
 * when helm is done, whether it succeeded or not. The same canonical JSON is what we hash, so
 * the recorded hash describes exactly the bytes helm read.
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * JSON with object keys sorted at every level, so equal values give equal text whatever order
 * the templates built them in. Arrays keep their order (it is meaningful to charts).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return sortKeys((value as { toJSON: () => unknown }).toJSON());
  }
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortKeys(item)));
  if (value !== null && typeof value === "object") {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) sorted[key] = sortKeys(item);
    }
    return sorted;
  }
  if (typeof value === "number" && !Number.isFinite(value)) throw new TypeError(`helm values cannot hold ${value}`);
  if (typeof value === "bigint" || typeof value === "function" || typeof value === "symbol") {
    throw new TypeError(`helm values cannot hold a ${typeof value}`);
  }
  return value;
}

/** sha256 (hex) of the canonical JSON: the identity of a values set, safe to record (one-way). */
export function valuesHash(values: Record<string, unknown>): string {
  return createHash("sha256").update(canonicalJson(values)).digest("hex");
}

/**
 * Writes `values` to `<tmp>/btp-aws-helm-XXXXXX/values.json` (JSON is YAML, and needs no
 * quoting rules), calls `use` with the path, and removes the directory afterwards, also when
 * `use` throws.
 */
export async function withValuesFile<T>(values: Record<string, unknown>, tmpDir: string | undefined, use: (file: string) => Promise<T>): Promise<T> {
  // mkdtemp creates the directory 0700: nobody else can list it or open the file inside.
  const dir = await mkdtemp(join(tmpDir ?? tmpdir(), "btp-aws-helm-"));
  try {
    const file = join(dir, "values.json");
    // "wx": never follow or reuse something already at that path.
    await writeFile(file, `${canonicalJson(values)}\n`, { mode: 0o600, flag: "wx" });
    return await use(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
