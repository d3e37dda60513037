import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BtpAwsError } from "../../../src/errors.js";
import { assertNoInlineSecrets, createHelmRunner, helmErrorText, helmFailed } from "../../../src/helm/run.js";

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "btp-aws-helm-run-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

async function script(name: string, body: string): Promise<string> {
  const file = join(scratch, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

describe("assertNoInlineSecrets", () => {
  it.each([["--set", "a=b"], ["--set=a=b"], ["--set-string", "a=b"], ["--set-json=a={}"], ["--set-literal", "a=b"], ["--set-file", "a=f"], ["--password", "x"], ["-p", "x"], ["--password=x"]])(
    "refuses %s, naming the flag but not the value",
    (...args) => {
      const flag = (args[0] ?? "").split("=")[0];
      expect(() => assertNoInlineSecrets(["upgrade", "x", ...args])).toThrow(`refusing to run helm with ${flag}: values go through -f <file>, passwords through stdin`);
    },
  );

  it("lets ordinary flags through", () => {
    expect(() => assertNoInlineSecrets(["upgrade", "x", "./c", "--values", "/tmp/v.json", "--password-stdin", "--description", "btp-aws values-hash=ab"])).not.toThrow();
  });
});

describe("createHelmRunner", () => {
  it("records argv, adds cluster flags only to cluster commands, and passes input on stdin", async () => {
    const log = join(scratch, "args.log");
    const binary = await script("echo-helm", `printf '%s\\n' "$@" > ${log}; cat; echo oops >&2; exit 3`);
    const seen: string[][] = [];
    const runner = createHelmRunner({ binary, kubeconfig: "/k/config", kubeContext: "ctx", onArgv: (argv) => seen.push(argv) });

    const result = await runner.run(["status", "vault"], { cluster: true, input: "from-stdin" });
    expect(result).toEqual({ exitCode: 3, stdout: "from-stdin", stderr: "oops" });
    expect(await readFile(log, "utf8")).toBe("status\nvault\n--kubeconfig\n/k/config\n--kube-context\nctx\n");

    await runner.run(["template", "vault"]);
    expect(seen).toEqual([
      [binary, "status", "vault", "--kubeconfig", "/k/config", "--kube-context", "ctx"],
      [binary, "template", "vault"],
    ]);
  });

  it("does not start helm with a secret-carrying flag", async () => {
    const seen: string[][] = [];
    const runner = createHelmRunner({ binary: await script("never", "exit 0"), onArgv: (argv) => seen.push(argv) });
    await expect(runner.run(["upgrade", "x", "--set", "password=hunter2"])).rejects.toThrow("refusing to run helm with --set");
    expect(seen).toEqual([]);
  });

  it("says so when helm cannot be started", async () => {
    const runner = createHelmRunner({ binary: join(scratch, "missing-helm") });
    const error = await runner.run(["version"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BtpAwsError);
    expect((error as BtpAwsError).message).toMatch(/^could not run helm: Command failed with ENOENT: .*missing-helm version/);
    expect((error as BtpAwsError).hint).toBe("pass --helm the path of a working helm 3.8+ binary");
  });

  it("stops helm after the timeout", async () => {
    const runner = createHelmRunner({ binary: await script("slow", "sleep 5") });
    await expect(runner.run(["upgrade", "x"], { timeoutMs: 200 })).rejects.toThrow("helm upgrade did not finish within 0.2 s and was stopped");
  });
});

describe("helm failure text", () => {
  it("keeps helm's error lines and drops the --debug advice", () => {
    expect(helmErrorText("Error: execution error at (x): boom\n\nUse --debug flag to render out invalid YAML\n")).toBe("Error: execution error at (x): boom");
    expect(helmErrorText("")).toBe("helm printed no error");
  });

  it("builds a BtpAwsError with what we asked, helm's words and the hint", () => {
    const error = helmFailed("helm template vault (./vault)", { exitCode: 1, stdout: "rendered: secret", stderr: "Error: bad\n" }, "fix it");
    expect(error.message).toBe("helm template vault (./vault) failed (helm exit code 1): Error: bad");
    expect(error.hint).toBe("fix it");
  });
});
