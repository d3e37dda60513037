import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalJson, valuesHash, withValuesFile } from "../../../src/helm/values-file.js";

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "btp-aws-values-file-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe("canonicalJson", () => {
  it("sorts keys at every level and keeps array order", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: "x" } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it("drops undefined properties, turns undefined array items into null, keeps null", () => {
    expect(canonicalJson({ a: undefined, b: null, c: [undefined, 1] })).toBe('{"b":null,"c":[null,1]}');
  });

  it("uses toJSON (dates become ISO strings)", () => {
    expect(canonicalJson({ at: new Date("2026-01-02T03:04:05.000Z") })).toBe('{"at":"2026-01-02T03:04:05.000Z"}');
  });

  it("refuses values JSON cannot carry faithfully", () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow("helm values cannot hold NaN");
    expect(() => canonicalJson({ n: 1n })).toThrow("helm values cannot hold a bigint");
  });
});

describe("valuesHash", () => {
  it("is the sha256 hex of the canonical JSON", () => {
    expect(valuesHash({ b: 2, a: 1 })).toBe(createHash("sha256").update('{"a":1,"b":2}').digest("hex"));
  });

  it("ignores key order and sees every change", () => {
    const base = valuesHash({ server: { ha: { enabled: true, replicas: 3 } } });
    expect(valuesHash({ server: { ha: { replicas: 3, enabled: true } } })).toBe(base);
    expect(valuesHash({ server: { ha: { replicas: 5, enabled: true } } })).not.toBe(base);
    expect(valuesHash({ server: { ha: { replicas: "3", enabled: true } } })).not.toBe(base);
  });
});

describe("withValuesFile", () => {
  it("writes canonical JSON to a 0600 file in a private 0700 directory, and removes both", async () => {
    const seen = await withValuesFile({ b: "secret-value", a: 1 }, scratch, async (file) => {
      const [fileStat, dirStat] = await Promise.all([stat(file), stat(dirname(file))]);
      return { file, mode: fileStat.mode & 0o777, dirMode: dirStat.mode & 0o777, text: await readFile(file, "utf8") };
    });
    expect(seen.mode).toBe(0o600);
    expect(seen.dirMode).toBe(0o700);
    expect(seen.text).toBe('{"a":1,"b":"secret-value"}\n');
    expect(dirname(dirname(seen.file))).toBe(scratch);
    expect(await readdir(scratch)).toEqual([]);
  });

  it("removes the file when the callback throws, and passes the error on", async () => {
    let path = "";
    await expect(
      withValuesFile({ a: 1 }, scratch, (file) => {
        path = file;
        return Promise.reject(new Error("helm failed"));
      }),
    ).rejects.toThrow("helm failed");
    expect(path).toMatch(/btp-aws-helm-[^/]+\/values\.json$/);
    expect(await readdir(scratch)).toEqual([]);
  });
});
