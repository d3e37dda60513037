import { readFileSync } from "node:fs";
import { chmod, mkdir, readFile, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type * as AtomicWrite from "../../../src/state/atomic-write.js";
import { openState, readState } from "../../../src/state/file-store.js";
import type { State } from "../../../src/state/types.js";
import { rejection, tempDir } from "./helpers.js";

// The real atomic write, watched: each write's content once it is durable (file and directory
// synced), a write that can be held open, and one that can be made to fail.
const disk = vi.hoisted(() => ({
  durable: [] as string[],
  hold: undefined as Promise<void> | undefined,
  fail: undefined as Error | undefined,
}));
vi.mock("../../../src/state/atomic-write.js", async (importOriginal) => {
  const real = await importOriginal<typeof AtomicWrite>();
  return {
    writeFileAtomic: async (path: string, content: string, mode?: number) => {
      const failure = disk.fail;
      disk.fail = undefined;
      if (failure) throw failure;
      await disk.hold;
      await real.writeFileAtomic(path, content, mode);
      disk.durable.push(content);
    },
  };
});
beforeEach(() => {
  disk.durable = [];
  disk.hold = undefined;
  disk.fail = undefined;
});

const T0 = "2025-03-01T10:00:00.000Z";

/** A clock that advances one second per call, so each write has a distinct, known updatedAt. */
function clock(start = Date.parse(T0)): () => Date {
  let t = start;
  return () => new Date((t += 1000) - 1000);
}

const mode = async (path: string) => (await stat(path)).mode & 0o777;

async function seed(dir: string, content: string, platform = "acme"): Promise<string> {
  await mkdir(join(dir, platform), { recursive: true });
  const path = join(dir, platform, "state.json");
  await writeFile(path, content);
  return path;
}

const doneStep = (startedAt = T0) => ({ status: "done" as const, startedAt, outputs: { id: "x" } });

describe("openState without a state file", () => {
  it("starts from an empty state and writes nothing until the first update", async () => {
    const dir = await tempDir();
    const store = await openState({ dir, platform: "acme", region: "eu-west-1", now: clock() });
    expect(store.path).toBe(join(dir, "acme", "state.json"));
    expect(store.current()).toEqual({
      version: 1,
      platform: "acme",
      region: "eu-west-1",
      createdAt: T0,
      updatedAt: T0,
      configFingerprint: undefined,
      config: undefined,
      steps: {},
    });
    expect(await readdir(dir)).toEqual([]);
    expect(await readState(dir, "acme")).toBeUndefined();
  });
});

describe("update", () => {
  it("writes the state atomically: valid JSON, mode 0600 in a 0700 directory, no temp files left", async () => {
    const dir = await tempDir();
    const store = await openState({ dir, platform: "acme", region: "eu-west-1", now: clock() });
    await store.update((s) => {
      s.steps.vpc = doneStep();
    });
    const onDisk = JSON.parse(await readFile(store.path, "utf8")) as State;
    expect(onDisk).toEqual({
      version: 1,
      platform: "acme",
      region: "eu-west-1",
      createdAt: T0,
      updatedAt: "2025-03-01T10:00:01.000Z",
      steps: { vpc: doneStep() },
    });
    expect(store.current()).toEqual({ ...onDisk, configFingerprint: undefined, config: undefined });
    expect(await mode(store.path)).toBe(0o600);
    expect(await mode(join(dir, "acme"))).toBe(0o700);
    expect(await readdir(join(dir, "acme"))).toEqual(["state.json"]);
  });

  it("sets updatedAt on every write and reads back what it wrote", async () => {
    const dir = await tempDir();
    const store = await openState({ dir, platform: "acme", region: "eu-west-1", now: clock() });
    await store.update((s) => {
      s.configFingerprint = "f".repeat(64);
      s.config = { platform: "acme", tags: { a: "1" } };
    });
    await store.update((s) => {
      s.steps.kms = doneStep();
    });
    expect(store.current().updatedAt).toBe("2025-03-01T10:00:02.000Z");
    expect(await readState(dir, "acme")).toEqual(store.current());

    const reopened = await openState({ dir, platform: "acme", region: "eu-west-1", now: clock(Date.parse("2025-03-02T00:00:00.000Z")) });
    expect(reopened.current()).toEqual(store.current());
    await reopened.update(() => undefined);
    expect(reopened.current().createdAt).toBe(T0);
    expect(reopened.current().updatedAt).toBe("2025-03-02T00:00:00.000Z");
  });

  it("serialises concurrent updates: 100 parallel step completions all land", async () => {
    const dir = await tempDir();
    const store = await openState({ dir, platform: "acme", region: "eu-west-1" });
    const ids = Array.from({ length: 100 }, (_, i) => `step-${i}`);
    await Promise.all(
      ids.map((id) =>
        store.update((s) => {
          s.steps[id] = doneStep();
        }),
      ),
    );
    expect(Object.keys(store.current().steps).sort()).toEqual([...ids].sort());
    const onDisk = (await readState(dir, "acme"))!;
    expect(Object.keys(onDisk.steps).sort()).toEqual([...ids].sort());
    expect(await readdir(join(dir, "acme"))).toEqual(["state.json"]);
  });

  it("writes updates made at once in one write, and the ones made during a write in the next", async () => {
    const dir = await tempDir();
    const store = await openState({ dir, platform: "acme", region: "eu-west-1", now: clock() });
    const update = (id: string) =>
      store.update((s) => {
        s.steps[id] = doneStep();
      });
    await Promise.all(["a", "b", "c", "d", "e", "f", "g", "h"].map(update));
    expect(disk.durable).toHaveLength(1);
    expect(Object.keys((JSON.parse(disk.durable[0]!) as State).steps)).toEqual(["a", "b", "c", "d", "e", "f", "g", "h"]);

    // Five updates arrive while a write is held open: they wait for it, then share one write.
    let release!: () => void;
    disk.hold = new Promise((resolve) => (release = resolve));
    const first = update("i");
    await new Promise((resolve) => setTimeout(resolve, 20));
    const later = ["j", "k", "l", "m", "n"].map(update);
    await new Promise((resolve) => setTimeout(resolve, 20));
    disk.hold = undefined;
    release();
    await Promise.all([first, ...later]);
    expect(disk.durable).toHaveLength(3);
    expect(Object.keys((JSON.parse(disk.durable[2]!) as State).steps)).toHaveLength(14);
    expect(store.current().updatedAt).toBe("2025-03-01T10:00:03.000Z");
  });

  it("resolves each caller only once a durable write holds its change", async () => {
    const dir = await tempDir();
    const store = await openState({ dir, platform: "acme", region: "eu-west-1" });
    const ids = Array.from({ length: 30 }, (_, i) => `step-${i}`);
    const seen: string[] = [];
    await Promise.all(
      ids.map(async (id, i) => {
        // Staggered, so some land in a write already in flight and some in the next.
        if (i % 3 === 0) await new Promise((resolve) => setTimeout(resolve, i));
        await store.update((s) => {
          s.steps[id] = doneStep();
        });
        // Synchronously at resolution: the last durable write and the file itself have it.
        expect(Object.keys((JSON.parse(disk.durable.at(-1)!) as State).steps)).toContain(id);
        expect(Object.keys((JSON.parse(readFileSync(store.path, "utf8")) as State).steps)).toContain(id);
        seen.push(id);
      }),
    );
    expect(seen.sort()).toEqual([...ids].sort());
    expect(disk.durable.length).toBeLessThan(ids.length);
  });

  it("rejects every caller of a write that fails, keeps the state, and writes the next group", async () => {
    const dir = await tempDir();
    const store = await openState({ dir, platform: "acme", region: "eu-west-1" });
    await store.update((s) => {
      s.steps.vpc = doneStep();
    });
    disk.fail = Object.assign(new Error("EIO: i/o error, write"), { code: "EIO" });
    const group = ["kms", "s3", "eks"].map((id) =>
      store.update((s) => {
        s.steps[id] = doneStep();
      }),
    );
    const outcomes = await Promise.allSettled(group);
    expect(outcomes.map((o) => (o.status === "rejected" ? (o.reason as Error).message : "resolved"))).toEqual(
      Array.from({ length: 3 }, () => `cannot write state file ${store.path}: EIO: i/o error, write`),
    );
    expect(Object.keys(store.current().steps)).toEqual(["vpc"]);
    expect(Object.keys((await readState(dir, "acme"))!.steps)).toEqual(["vpc"]);

    await store.update((s) => {
      s.steps.rds = doneStep();
    });
    expect(Object.keys((await readState(dir, "acme"))!.steps)).toEqual(["vpc", "rds"]);
  });

  it("fails only the change that throws within a group; the others are written without its edits", async () => {
    const dir = await tempDir();
    const store = await openState({ dir, platform: "acme", region: "eu-west-1" });
    const good = store.update((s) => {
      s.steps.vpc = doneStep();
    });
    const thrower = store.update((s) => {
      s.steps.kms = doneStep();
      throw new Error("boom");
    });
    const after = store.update((s) => {
      s.steps.s3 = doneStep();
    });
    await expect(thrower).rejects.toThrow("boom");
    await Promise.all([good, after]);
    expect(disk.durable).toHaveLength(1);
    expect(Object.keys((await readState(dir, "acme"))!.steps)).toEqual(["vpc", "s3"]);

    // A throwing change and an invalid one in the same group: each fails alone, the rest is written.
    const outcomes = await Promise.allSettled([
      store.update(() => {
        throw new Error("boom");
      }),
      store.update((s) => {
        s.steps.rds = { ...doneStep(), outputs: { retries: Number.NaN } };
      }),
      store.update((s) => {
        s.steps.eks = doneStep();
      }),
    ]);
    expect(outcomes.map((o) => (o.status === "rejected" ? (o.reason as Error).message.slice(0, 30) : "written"))).toEqual(["boom", "refusing to write state file /", "written"]);
    expect(disk.durable).toHaveLength(2);
    expect(Object.keys((await readState(dir, "acme"))!.steps)).toEqual(["vpc", "s3", "eks"]);
  });

  it("rejects an invalid change, keeps the previous state and file, and keeps serving later updates", async () => {
    const dir = await tempDir();
    const store = await openState({ dir, platform: "acme", region: "eu-west-1", now: clock() });
    await store.update((s) => {
      s.steps.vpc = doneStep();
    });
    const before = await readFile(store.path);
    const nan = (s: State) => {
      s.steps.kms = { ...doneStep(), outputs: { retries: Number.NaN } };
    };
    const error = await rejection(() => store.update(nan));
    expect(error.message).toBe(
      `refusing to write state file ${store.path}: the new state is invalid: steps.kms.outputs.retries: must be a string, number, boolean or list of strings`,
    );
    expect((await readFile(store.path)).equals(before)).toBe(true);
    expect(Object.keys(store.current().steps)).toEqual(["vpc"]);

    // A failure in the queue does not stall the updates queued behind it.
    const bad = store.update(nan);
    const good = store.update((s) => {
      s.steps.s3 = doneStep();
    });
    await expect(bad).rejects.toThrow("refusing to write state file");
    await good;
    expect(Object.keys((await readState(dir, "acme"))!.steps)).toEqual(["vpc", "s3"]);
    // The bad change and the good one arrived together: one write, without the bad one.
    expect(disk.durable).toHaveLength(2);
  });

  it("does not let a change that throws alter the state", async () => {
    const dir = await tempDir();
    const store = await openState({ dir, platform: "acme", region: "eu-west-1" });
    const error = await rejection(() =>
      store.update((s) => {
        s.steps.vpc = doneStep();
        throw new Error("boom");
      }),
    );
    expect(error.message).toBe("boom");
    expect(store.current().steps).toEqual({});
    expect(await readdir(dir)).toEqual([]);
  });

  it("hands out a read-only snapshot", async () => {
    const dir = await tempDir();
    const store = await openState({ dir, platform: "acme", region: "eu-west-1" });
    const snapshot = store.current();
    expect(() => {
      (snapshot as State).steps.vpc = doneStep();
    }).toThrow(TypeError);
  });
});

describe("an existing state file", () => {
  it("narrows a file mode wider than 0600", async () => {
    const dir = await tempDir();
    const store = await openState({ dir, platform: "acme", region: "eu-west-1" });
    await store.update(() => undefined);
    await chmod(store.path, 0o644);
    await openState({ dir, platform: "acme", region: "eu-west-1" });
    expect(await mode(store.path)).toBe(0o600);
  });

  it("is left untouched when a newer btp-aws wrote it", async () => {
    const dir = await tempDir();
    const content = JSON.stringify({ version: 2, platform: "acme", region: "eu-west-1", somethingNew: {} });
    const path = await seed(dir, content);
    await chmod(path, 0o644);
    const expected = `state file ${path} was written by a newer btp-aws (state version 2, this one understands 1): upgrade btp-aws`;
    const error = await rejection(() => openState({ dir, platform: "acme", region: "eu-west-1" }));
    expect(error.message).toBe(expected);
    expect(error.exitCode).toBe(1);
    expect((await rejection(() => readState(dir, "acme"))).message).toBe(expected);
    expect(await readFile(path, "utf8")).toBe(content);
    expect(await mode(path)).toBe(0o644);
  });

  it("is left untouched when it is corrupt, and the error says how to recover", async () => {
    const dir = await tempDir();
    const content = '{"version":1,"platform":"acme","steps":{"vpc":';
    const path = await seed(dir, content);
    const error = await rejection(() => openState({ dir, platform: "acme", region: "eu-west-1" }));
    expect(error.message).toBe(`state file ${path} is unreadable: invalid JSON: Unexpected end of JSON input`);
    expect(error.hint).toBe(
      `move it aside (mv ${path} ${path}.broken) and run \`btp-aws install\` again: it rebuilds the state by finding the platform's resources by their tags`,
    );
    expect(await readFile(path, "utf8")).toBe(content);
  });

  it("is left untouched when it does not match the schema", async () => {
    const dir = await tempDir();
    const content = JSON.stringify({ version: 1, platform: "acme", region: "eu-west-1", createdAt: T0, updatedAt: T0, steps: { vpc: { status: "done" } } });
    const path = await seed(dir, content);
    const error = await rejection(() => openState({ dir, platform: "acme", region: "eu-west-1" }));
    expect(error.message).toBe(
      `state file ${path} is unreadable: steps.vpc.startedAt: Invalid input: expected string, received undefined; steps.vpc.outputs: Invalid input: expected record, received undefined`,
    );
    expect(await readFile(path, "utf8")).toBe(content);
  });

  it("is migrated from v0 in memory and rewritten as v1 at the next update", async () => {
    const dir = await tempDir();
    const path = await seed(dir, JSON.stringify({ platform: "acme", region: "eu-west-1", createdAt: T0, updatedAt: T0, steps: { vpc: { status: "done", startedAt: T0 } } }));
    const store = await openState({ dir, platform: "acme", region: "eu-west-1", now: clock(Date.parse("2025-04-01T00:00:00.000Z")) });
    expect(store.current().steps.vpc).toEqual({ status: "done", startedAt: T0, outputs: {} });
    await store.update(() => undefined);
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({
      version: 1,
      platform: "acme",
      region: "eu-west-1",
      createdAt: T0,
      updatedAt: "2025-04-01T00:00:00.000Z",
      steps: { vpc: { status: "done", startedAt: T0, outputs: {} } },
    });
  });

  it("must belong to the platform and region asked for", async () => {
    const dir = await tempDir();
    const store = await openState({ dir, platform: "acme", region: "eu-west-1" });
    await store.update(() => undefined);
    const error = await rejection(() => openState({ dir, platform: "acme", region: "us-east-1" }));
    expect(error.message).toBe(
      `state file ${store.path} records platform acme in region eu-west-1, but the config says us-east-1: a platform cannot move between regions`,
    );
    expect(error.hint).toBe("set aws.region to eu-west-1, or choose another platform name for a platform in us-east-1");

    const copied = await seed(dir, await readFile(store.path, "utf8"), "other");
    expect((await rejection(() => readState(dir, "other"))).message).toBe(`state file ${copied} belongs to platform acme, not other`);
  });

  it("refuses a platform name that is not a plain directory name", async () => {
    const dir = await tempDir();
    expect((await rejection(() => openState({ dir, platform: "../etc", region: "eu-west-1" }))).message).toBe(
      'invalid platform name "../etc": it must be usable as a directory name',
    );
  });
});
