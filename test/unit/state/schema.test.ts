import { describe, expect, it } from "vitest";
import { BtpAwsError } from "../../../src/errors.js";
import { migrate, parseStateText, type Migration } from "../../../src/state/schema.js";
import type { State } from "../../../src/state/types.js";

const path = "/home/u/.btp-aws/acme/state.json";
const hint = `move it aside (mv ${path} ${path}.broken) and run \`btp-aws install\` again: it rebuilds the state by finding the platform's resources by their tags`;

const v1: State = {
  version: 1,
  platform: "acme",
  region: "eu-west-1",
  createdAt: "2025-01-01T00:00:00.000Z",
  updatedAt: "2025-01-01T00:05:00.000Z",
  configFingerprint: "a".repeat(64),
  config: { platform: "acme" },
  steps: {
    vpc: { status: "done", startedAt: "2025-01-01T00:00:01.000Z", finishedAt: "2025-01-01T00:02:00.000Z", outputs: { vpcId: "vpc-1", subnets: ["a", "b"], azs: 3, ipv6: false } },
  },
};

function thrown(fn: () => unknown): BtpAwsError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BtpAwsError);
    return error as BtpAwsError;
  }
  throw new Error("expected an error");
}

describe("migrate", () => {
  it("accepts a current state unchanged", () => {
    expect(migrate(JSON.parse(JSON.stringify(v1)), path)).toEqual(v1);
  });

  it("fills in the keys JSON drops when a state has no config yet", () => {
    const { configFingerprint: _f, config: _c, ...bare } = v1;
    const state = migrate(bare, path);
    expect(state).toHaveProperty("configFingerprint", undefined);
    expect(state).toHaveProperty("config", undefined);
  });

  it("migrates a v0 file (no version, steps without outputs) to v1", () => {
    const v0 = {
      platform: "acme",
      region: "eu-west-1",
      createdAt: "2025-01-01T00:00:00.000Z",
      updatedAt: "2025-01-01T00:05:00.000Z",
      steps: { vpc: { status: "done", startedAt: "2025-01-01T00:00:01.000Z" }, kms: { status: "failed", startedAt: "2025-01-01T00:00:01.000Z", outputs: { keyId: "k" } } },
    };
    expect(migrate(v0, path)).toEqual({
      ...v0,
      version: 1,
      configFingerprint: undefined,
      config: undefined,
      steps: { vpc: { status: "done", startedAt: "2025-01-01T00:00:01.000Z", outputs: {} }, kms: v0.steps.kms },
    });
  });

  it("applies the migrations of a given table in order", () => {
    const calls: number[] = [];
    const table: Record<number, Migration> = {
      0: (old) => {
        calls.push(0);
        const { name, ...rest } = old;
        return { ...rest, platform: name, version: 1 };
      },
    };
    const { platform, ...rest } = v1;
    expect(migrate({ ...rest, version: 0, name: platform }, path, table)).toEqual(v1);
    expect(calls).toEqual([0]);
  });

  it("refuses a version it has no migration for", () => {
    expect(thrown(() => migrate({ ...v1, version: 0 }, path, {})).message).toBe(
      `state file ${path} is unreadable: version: no migration from state version 0`,
    );
  });

  it("refuses a state written by a newer btp-aws", () => {
    const error = thrown(() => migrate({ ...v1, version: 7, somethingNew: true }, path));
    expect(error.message).toBe(
      `state file ${path} was written by a newer btp-aws (state version 7, this one understands 1): upgrade btp-aws`,
    );
    expect(error.exitCode).toBe(1);
  });

  it("names every schema problem by its path", () => {
    const bad = {
      ...v1,
      createdAt: "yesterday",
      extra: 1,
      steps: { vpc: { status: "ok", startedAt: "2025-01-01T00:00:01.000Z", outputs: { a: null } } },
    };
    const error = thrown(() => migrate(bad, path));
    expect(error.message).toBe(
      `state file ${path} is unreadable: createdAt: Invalid ISO datetime; ` +
        `steps.vpc.status: Invalid option: expected one of "running"|"done"|"failed"|"interrupted"; ` +
        `steps.vpc.outputs.a: must be a string, number, boolean or list of strings; ` +
        `(root): Unrecognized key: "extra"`,
    );
    expect(error.hint).toBe(hint);
  });

  it("refuses a version that is not a number, and a document that is not an object", () => {
    expect(thrown(() => migrate({ ...v1, version: "1" }, path)).message).toBe(
      `state file ${path} is unreadable: version: expected a non-negative integer, found "1"`,
    );
    expect(thrown(() => migrate([v1], path)).message).toBe(`state file ${path} is unreadable: expected a JSON object, found an array`);
    expect(thrown(() => migrate(null, path)).message).toBe(`state file ${path} is unreadable: expected a JSON object, found null`);
  });
});

describe("parseStateText", () => {
  it("reports the JSON error with its position", () => {
    const error = thrown(() => parseStateText('{"version":1,', path));
    expect(error.message).toBe(
      `state file ${path} is unreadable: invalid JSON: Expected double-quoted property name in JSON at position 13 (line 1 column 14)`,
    );
    expect(error.hint).toBe(hint);
    expect(error.exitCode).toBe(1);
  });

  it("reports an empty file", () => {
    expect(thrown(() => parseStateText("", path)).message).toBe(`state file ${path} is unreadable: invalid JSON: Unexpected end of JSON input`);
  });
});
