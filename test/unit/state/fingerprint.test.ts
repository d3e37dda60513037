import { describe, expect, it } from "vitest";
import { canonicalJson, configFingerprint, diffConfig } from "../../../src/state/fingerprint.js";

describe("configFingerprint", () => {
  it("does not depend on key order at any depth", () => {
    const a = { platform: "acme", database: { instanceClass: "db.t4g.medium", storage: 100 }, tags: { b: "2", a: "1" } };
    const b = { tags: { a: "1", b: "2" }, database: { storage: 100, instanceClass: "db.t4g.medium" }, platform: "acme" };
    expect(configFingerprint(a)).toBe(configFingerprint(b));
    expect(configFingerprint(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("is the sha256 of the canonical JSON", () => {
    expect(canonicalJson({ b: [2, { d: 1, c: undefined, a: null }], a: "x" })).toBe('{"a":"x","b":[2,{"a":null,"d":1}]}');
    // sha256('{"a":1}')
    expect(configFingerprint({ a: 1 })).toBe("015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862");
  });

  it("changes with array order and with any value", () => {
    expect(configFingerprint({ azs: ["a", "b"] })).not.toBe(configFingerprint({ azs: ["b", "a"] }));
    expect(configFingerprint({ n: 1 })).not.toBe(configFingerprint({ n: "1" }));
  });
});

describe("diffConfig", () => {
  it("lists changed, added and removed settings by dotted path, sorted", () => {
    const before = {
      platform: "acme",
      database: { instanceClass: "db.t4g.medium", storage: 100 },
      tags: { owner: "ops" },
      monitoring: { alarmEmail: "ops@example.com", enabled: true },
      azs: ["a", "b"],
    };
    const after = {
      platform: "acme",
      database: { storage: 100, instanceClass: "db.r6g.large" },
      tags: { owner: "ops", team: "x" },
      monitoring: { enabled: true },
      azs: ["a", "b", "c"],
    };
    expect(diffConfig(before, after)).toEqual([
      'azs: ["a","b"] → ["a","b","c"]',
      'database.instanceClass: "db.t4g.medium" → "db.r6g.large"',
      "monitoring.alarmEmail: removed",
      'tags.team: added "x"',
    ]);
  });

  it("is empty for equal configs in any key order", () => {
    expect(diffConfig({ a: { b: 1, c: [1, { x: 1, y: 2 }] } }, { a: { c: [1, { y: 2, x: 1 }], b: 1 } })).toEqual([]);
  });

  it("expands a new or dropped section into its settings", () => {
    expect(diffConfig({ a: 1 }, { a: 1, backup: { retentionDays: 7, window: "03:00-04:00" } })).toEqual([
      "backup.retentionDays: added 7",
      'backup.window: added "03:00-04:00"',
    ]);
    expect(diffConfig({ backup: { retentionDays: 7 } }, {})).toEqual(["backup.retentionDays: removed"]);
    expect(diffConfig({}, { backup: {} })).toEqual(["backup: added {}"]);
  });

  it("treats undefined as missing, and a type change as a change", () => {
    expect(diffConfig({ a: undefined, b: 1 }, { b: 1 })).toEqual([]);
    expect(diffConfig({ a: { x: 1 } }, { a: 5 })).toEqual(['a: {"x":1} → 5']);
  });

  it("brackets keys that would make a dotted path ambiguous", () => {
    expect(diffConfig({ tags: { "kubernetes.io/role": "a" } }, { tags: { "kubernetes.io/role": "b" } })).toEqual([
      'tags["kubernetes.io/role"]: "a" → "b"',
    ]);
  });

  it("describes a first config (no previous one) setting by setting", () => {
    expect(diffConfig(undefined, { platform: "acme" })).toEqual(['platform: added "acme"']);
    expect(diffConfig(undefined, undefined)).toEqual([]);
  });
});
