import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { findHelm, helmVersion } from "../../../src/helm/binary.js";

// Records whether anything loads execa: the version probe must not (it cost ~280 ms of CPU at
// the start of every install, on the critical path). The real module is still returned.
const execa = vi.hoisted(() => ({ loaded: false }));
vi.mock("execa", async (importOriginal) => {
  execa.loaded = true;
  return importOriginal();
});

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "btp-aws-find-helm-"));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** A shell script standing in for helm. */
async function script(dir: string, name: string, body: string, mode = 0o755): Promise<string> {
  await mkdir(join(root, dir), { recursive: true });
  const file = join(root, dir, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, mode);
  return file;
}

describe("findHelm", () => {
  it("takes the first executable helm on PATH, skipping non-executables and relative entries", async () => {
    await script("a", "helm", "echo v3.9.0", 0o644);
    const second = await script("b", "helm", "echo v3.9.0");
    await script("c", "helm", "echo v3.10.0");
    const envPath = ["", "relative/dir", join(root, "a"), join(root, "b"), join(root, "c")].join(":");
    expect(await findHelm({ envPath })).toBe(second);
  });

  it("returns undefined when PATH has no helm", async () => {
    expect(await findHelm({ envPath: join(root, "empty") })).toBeUndefined();
  });

  it("uses an explicit path, relative to cwd", async () => {
    const file = await script("explicit", "my-helm", "echo v3.9.0");
    expect(await findHelm({ path: "explicit/my-helm", envPath: "", cwd: root })).toBe(file);
  });

  it("looks an explicit bare name up on PATH", async () => {
    const file = await script("named", "helm3", "echo v3.9.0");
    expect(await findHelm({ path: "helm3", envPath: join(root, "named") })).toBe(file);
  });

  it("throws when an explicit path is not an executable file", async () => {
    await expect(findHelm({ path: join(root, "nope/helm"), envPath: join(root, "b") })).rejects.toThrow(`helm not found at ${join(root, "nope/helm")}: no executable file there`);
    await expect(findHelm({ path: "helm9", envPath: join(root, "b") })).rejects.toThrow("helm not found at helm9: no executable file there");
  });
});

describe("helmVersion", () => {
  it("reads `helm version --template {{.Version}}`", async () => {
    const file = await script("tpl", "helm", `[ "$2" = "--template" ] && [ "$3" = "{{.Version}}" ] && echo v3.16.2 && exit 0; exit 1`);
    expect(await helmVersion(file)).toBe("v3.16.2");
    expect(execa.loaded).toBe(false);
  });

  it("falls back to --short when the template gives nothing usable", async () => {
    const file = await script("short", "helm", `[ "$2" = "--short" ] && echo v3.9.4+g1234 && exit 0; echo "Error: unknown flag" >&2; exit 1`);
    expect(await helmVersion(file)).toBe("v3.9.4");
  });

  it("explains a binary that prints no version", async () => {
    const file = await script("garbage", "helm", "echo hello");
    await expect(helmVersion(file)).rejects.toThrow(`could not run ${file} version: no version in its output: "hello"`);
  });

  it("explains a binary killed by a signal", async () => {
    const file = await script("killed", "helm", "kill -TERM $$");
    await expect(helmVersion(file)).rejects.toThrow(`could not run ${file} version: Command was killed with SIGTERM: ${file} version --template {{.Version}}`);
  });

  it("explains a binary that cannot run", async () => {
    const file = await script("broken", "helm", "exit 3");
    await expect(helmVersion(file)).rejects.toThrow(`could not run ${file} version: Command failed with exit code 3: ${file} version --template {{.Version}}`);
    expect(execa.loaded).toBe(false);
  });
});
