/**
 * Searching what btp-aws wrote for secret values: each value in the forms it could leak in
 * (as is, base64, base64url, and for hex keys the base64 of their bytes).
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

export interface Needle {
  /** "databasePassword (base64)" — never the value itself, so a report cannot leak it either. */
  name: string;
  value: string;
}

export interface Haystack {
  /** "stdout of run 1", "state/acme-prod/logs/install-….log". */
  where: string;
  text: string;
}

/** The forms a secret could take in output: as is, base64, base64url, and a hex key's bytes in base64. */
export function needles(secrets: Readonly<Record<string, string>>): Needle[] {
  const found: Needle[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    found.push({ name, value });
    found.push({ name: `${name} (base64)`, value: Buffer.from(value, "utf8").toString("base64") });
    found.push({ name: `${name} (base64url)`, value: Buffer.from(value, "utf8").toString("base64url") });
    if (/^(?:[0-9a-f]{2})+$/.test(value)) found.push({ name: `${name} (bytes, base64)`, value: Buffer.from(value, "hex").toString("base64") });
  }
  return found;
}

/** "<needle name> in <where>" for every needle found anywhere; [] when nothing leaked. */
export function scan(haystacks: readonly Haystack[], search: readonly Needle[]): string[] {
  return haystacks.flatMap((h) => search.filter((n) => h.text.includes(n.value)).map((n) => `${n.name} in ${h.where}`));
}

/** Every file below `dir` (state file, lock, run logs), named relative to it. */
export async function filesBelow(dir: string, prefix = ""): Promise<Haystack[]> {
  const out: Haystack[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const where = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await filesBelow(path, where)));
    else if (entry.isFile()) out.push({ where, text: await readFile(path, "utf8") });
  }
  return out;
}
