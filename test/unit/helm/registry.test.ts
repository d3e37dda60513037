/**
 * Registry login against a fake helm shell script: no registry is reachable here. The script
 * records its argv and its stdin, so the test sees exactly what helm would have received.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BtpAwsError } from "../../../src/errors.js";
import { createHelm } from "../../../src/helm/release.js";
import { registryHost } from "../../../src/helm/registry.js";

const TOKEN = "lic-token-7f3a9c1e5b2d8064";

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "btp-aws-registry-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** Records argv (one per line) and stdin; fails like helm when FAIL is in the script. */
async function fakeHelm(name: string, fail = false): Promise<{ binary: string; argsFile: string; stdinFile: string }> {
  const argsFile = join(scratch, `${name}.args`);
  const stdinFile = join(scratch, `${name}.stdin`);
  const binary = join(scratch, name);
  const failure = fail ? `echo 'Error: login attempt to https://registry.settlemint.com/v2/ failed with status: 401 Unauthorized' >&2; exit 1` : `echo "Login Succeeded"`;
  await writeFile(binary, `#!/bin/sh\nprintf '%s\\n' "$@" > ${argsFile}\ncat > ${stdinFile}\n${failure}\n`);
  await chmod(binary, 0o755);
  return { binary, argsFile, stdinFile };
}

describe("registryLogin", () => {
  it("passes the token on stdin only", async () => {
    const fake = await fakeHelm("helm-ok");
    const argvs: string[][] = [];
    const helm = createHelm({ binary: fake.binary, kubeconfig: "/k", onArgv: (argv) => argvs.push(argv) });
    await helm.registryLogin("registry.settlemint.com", "acme-corp", TOKEN);
    expect(await readFile(fake.argsFile, "utf8")).toBe("registry\nlogin\nregistry.settlemint.com\n--username=acme-corp\n--password-stdin\n");
    expect(await readFile(fake.stdinFile, "utf8")).toBe(TOKEN);
    expect(argvs).toEqual([[fake.binary, "registry", "login", "registry.settlemint.com", "--username=acme-corp", "--password-stdin"]]);
    expect(argvs.flat().join(" ")).not.toContain(TOKEN);
  });

  it("reports helm's error, which holds no token", async () => {
    const fake = await fakeHelm("helm-401", true);
    const error = await createHelm({ binary: fake.binary }).registryLogin("registry.settlemint.com", "acme-corp", TOKEN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BtpAwsError);
    expect((error as BtpAwsError).message).toBe(
      "helm registry login registry.settlemint.com as acme-corp failed (helm exit code 1): Error: login attempt to https://registry.settlemint.com/v2/ failed with status: 401 Unauthorized",
    );
    expect((error as BtpAwsError).hint).toBe("check the license's account name and token, and that this machine reaches the registry; then run btp-aws install again");
    expect(await readFile(fake.stdinFile, "utf8")).toBe(TOKEN);
  });

  it("refuses hosts and names helm would misread, before running helm", async () => {
    const argvs: string[][] = [];
    const helm = createHelm({ binary: join(scratch, "not-run"), onArgv: (argv) => argvs.push(argv) });
    await expect(helm.registryLogin("--insecure", "acme", TOKEN)).rejects.toThrow('not a registry host: "--insecure"');
    await expect(helm.registryLogin("oci://registry.settlemint.com", "acme", TOKEN)).rejects.toThrow('not a registry host: "oci://registry.settlemint.com"');
    await expect(helm.registryLogin("registry.settlemint.com", "a\nb", TOKEN)).rejects.toThrow("the registry user name is empty or spans lines");
    await expect(helm.registryLogin("registry.settlemint.com", "acme", "")).rejects.toThrow("no token to log in to registry.settlemint.com with");
    expect(argvs).toEqual([]);
  });
});

describe("registryHost", () => {
  it("takes the host of an OCI reference", () => {
    expect(registryHost("oci://registry.settlemint.com/settlemint-platform/settlemint")).toBe("registry.settlemint.com");
    expect(registryHost("oci://harbor.settlemint.com/settlemint/settlemint")).toBe("harbor.settlemint.com");
    expect(registryHost("oci://localhost:5000/charts/x")).toBe("localhost:5000");
  });

  it("rejects anything else", () => {
    expect(() => registryHost("https://charts.example.com/x")).toThrow("not an OCI chart reference: https://charts.example.com/x");
  });
});
