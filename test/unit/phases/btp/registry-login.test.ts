/**
 * btp/registry-login through the real helm adapter, with a shell script standing in for helm (no
 * registry is reachable here): the script records its argv and stdin, so the test sees exactly
 * what helm would receive. The token must arrive on stdin and nowhere else.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../../../src/errors.js";
import { createHelm } from "../../../../src/helm/release.js";
import { registryLoginStep } from "../../../../src/phases/btp/registry-login.js";
import { testConfig } from "../../../support/config.js";
import { stepContext } from "../../../support/context.js";
import { recordingReporter } from "../../../support/reporter.js";
import { INFRA_OUTPUTS, TEST_SECRETS } from "./fixtures.js";
import { failure, fakeHelm, kubernetesServices } from "./helpers.js";

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "btp-aws-registry-login-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe("btp/registry-login", () => {
  it("describes the login without the token", () => {
    expect(registryLoginStep.describe(testConfig())).toEqual(["helm registry login for oci://registry.settlemint.com/settlemint-platform/settlemint as acme (token on stdin)"]);
  });

  it("logs in to the chart's registry as the license account, the token on stdin only", async () => {
    const argsFile = join(scratch, "args");
    const stdinFile = join(scratch, "stdin");
    const binary = join(scratch, "helm");
    await writeFile(binary, `#!/bin/sh\nprintf '%s\\n' "$@" > ${argsFile}\ncat > ${stdinFile}\necho "Login Succeeded"\n`);
    await chmod(binary, 0o755);
    const argvs: string[][] = [];
    const services = kubernetesServices({ helm: createHelm({ binary, onArgv: (argv) => argvs.push(argv) }), userSecrets: { licenseToken: TEST_SECRETS.licenseToken } });
    const report = recordingReporter();

    const outputs = await registryLoginStep.run(stepContext(testConfig(), services, INFRA_OUTPUTS), report);

    expect(outputs).toEqual({ registry: "registry.settlemint.com", username: "acme" });
    expect(await readFile(argsFile, "utf8")).toBe("registry\nlogin\nregistry.settlemint.com\n--username=acme\n--password-stdin\n");
    expect(await readFile(stdinFile, "utf8")).toBe(TEST_SECRETS.licenseToken);
    expect(argvs).toEqual([[binary, "registry", "login", "registry.settlemint.com", "--username=acme", "--password-stdin"]]);
    expect(services.registered).toEqual([TEST_SECRETS.licenseToken]);
    expect(report.infos).toEqual(["logged in to registry.settlemint.com as acme"]);
    expect([...report.statuses, ...report.infos].join("\n")).not.toContain(TEST_SECRETS.licenseToken);
  });

  it("logs in to the host of a mirrored chart reference", async () => {
    const helm = fakeHelm();
    const config = testConfig({ chart: { reference: "oci://harbor.internal.example:8443/mirror/settlemint", version: "v7.32.10" } });
    await registryLoginStep.run(stepContext(config, kubernetesServices({ helm, userSecrets: { licenseToken: TEST_SECRETS.licenseToken } }), INFRA_OUTPUTS), recordingReporter());
    expect(helm.logins).toEqual([{ host: "harbor.internal.example:8443", username: "acme", password: TEST_SECRETS.licenseToken }]);
  });

  it("stops with the variable to set when there is no license token, before running helm", async () => {
    const helm = fakeHelm();
    const error = await failure(registryLoginStep.run(stepContext(testConfig(), kubernetesServices({ helm }), INFRA_OUTPUTS), recordingReporter()));
    expect(error.message).toBe("no SettleMint license token: the chart registry login and the platform's image pulls need it");
    expect(error.hint).toBe("export BTP_AWS_LICENSE_TOKEN=<the token from your SettleMint license>, then run `btp-aws install` again (it resumes here)");
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(helm.calls).toEqual([]);
  });
});
