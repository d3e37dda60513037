/**
 * Helm.uninstall against a fake helm script (a real uninstall needs a Kubernetes API server, which
 * this suite does not have yet): the argv on helm 3 and 4, helm's "not found" as "absent", and a
 * failure with helm's own words.
 */
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BtpAwsError } from "../../../../src/errors.js";
import { createHelm } from "../../../../src/helm/release.js";

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "btp-aws-uninstall-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** Answers `version` like helm `version`; `uninstall` per `outcome`, with helm's real messages. */
async function fakeHelm(name: string, version: string, outcome: "ok" | "missing" | "fail"): Promise<string> {
  const binary = join(scratch, name);
  const uninstall = {
    ok: `echo 'release "$2" uninstalled'`,
    missing: `echo "Error: uninstall: Release not loaded: $2: release: not found" >&2; exit 1`,
    fail: `echo 'Error: uninstallation completed with 1 error(s): context deadline exceeded' >&2; exit 1`,
  }[outcome];
  await writeFile(binary, `#!/bin/sh\ncase "$1" in\n  version) printf '%s' '${version}' ;;\n  uninstall) ${uninstall} ;;\nesac\n`);
  await chmod(binary, 0o755);
  return binary;
}

describe("Helm.uninstall", () => {
  it("waits with --wait on helm 3 and --wait=watcher on helm 4, bound to the cluster's kubeconfig", async () => {
    for (const [major, version] of [["3", "v3.17.3"], ["4", "v4.1.4"]] as const) {
      const argvs: string[][] = [];
      const helm = createHelm({ binary: await fakeHelm(`helm${major}-ok`, version, "ok"), kubeconfig: "/state/acme/kubeconfig", kubeContext: "btp-acme", onArgv: (argv) => argvs.push(argv.slice(1)) });
      expect(await helm.uninstall("vault", "vault", 600)).toBe("uninstalled");
      expect(argvs.at(-1)).toEqual(["uninstall", "vault", "--namespace", "vault", major === "3" ? "--wait" : "--wait=watcher", "--timeout", "600s", "--kubeconfig", "/state/acme/kubeconfig", "--kube-context", "btp-acme"]);
    }
  });

  it("answers absent when helm knows no such release (helm 3.8 has no --ignore-not-found)", async () => {
    const helm = createHelm({ binary: await fakeHelm("helm-missing", "v3.8.2", "missing") });
    expect(await helm.uninstall("settlemint", "settlemint", 600)).toBe("absent");
  });

  it("fails with helm's words and how to resume", async () => {
    const helm = createHelm({ binary: await fakeHelm("helm-fail", "v4.1.4", "fail") });
    const error = await helm.uninstall("vault", "vault", 600).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BtpAwsError);
    expect((error as BtpAwsError).message).toBe("helm uninstall vault -n vault failed (helm exit code 1): Error: uninstallation completed with 1 error(s): context deadline exceeded");
    expect((error as BtpAwsError).hint).toBe("check that the cluster is reachable, then run `btp-aws destroy` again to resume");
  });
});
