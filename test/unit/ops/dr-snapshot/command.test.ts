/** `btp-aws dr-snapshot`'s usage errors: exit 2 before any AWS call. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AwsClients } from "../../../../src/aws/clients.js";
import { drSnapshotCommand } from "../../../../src/cli/commands/dr-snapshot.js";
import { createUi } from "../../../../src/cli/output.js";
import { UsageError } from "../../../../src/errors.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "btp-aws-dr-cmd-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function usage(flags: Record<string, unknown>): Promise<UsageError> {
  const calls: string[] = [];
  const aws = new Proxy({}, { get: (_t, name) => () => Promise.reject(new Error(`called ${String(name)}`)).finally(() => calls.push(String(name))) }) as unknown as AwsClients;
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const env = {};
  const error = await drSnapshotCommand({ platform: "acme", region: "eu-west-1", stateDir: dir, ...flags }, [], { env, cwd: dir, ui: createUi({ env, stdout: sink, stderr: sink, stdinTty: false }), aws }).catch((e: unknown) => e);
  expect(calls).toEqual([]);
  expect(error).toBeInstanceOf(UsageError);
  return error as UsageError;
}

describe("dr-snapshot command", () => {
  it("needs a DR region other than the platform's, a whole --keep, and a valid --id", async () => {
    expect((await usage({})).message).toBe("dr-snapshot needs a disaster-recovery region");
    expect((await usage({ drRegion: "eu-west-1" })).message).toBe("--dr-region eu-west-1: must differ from the platform's region");
    expect((await usage({ drRegion: "eu-central-1", keep: "0" })).message).toBe('--keep "0": must be a whole number of sets, at least 1');
    expect((await usage({ drRegion: "eu-central-1", id: "Nightly" })).message).toBe('--id "Nightly": must be 2-40 lowercase letters, digits and single hyphens, not starting with "final"');
  });
});
