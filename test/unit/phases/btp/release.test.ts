/**
 * btp/release with the fake kube, a recording helm and Secrets Manager mocked at the SDK: the
 * namespace, the values handed to helm (secrets included, each registered with the redactor
 * before helm sees it), unknown-key warnings, the skip, the failure with events, and that no
 * secret reaches a report line or an error.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BtpAwsError, ExitCode } from "../../../../src/errors.js";
import type { HelmRelease } from "../../../../src/helm/release.js";
import { createReleaseStep } from "../../../../src/phases/btp/release.js";
import type { Config } from "../../../../src/config/schema.js";
import { awsTestConfig as testConfig } from "../../../support/aws-modes.js";
import { stepContext } from "../../../support/context.js";
import { REPO_ROOT } from "../../../support/paths.js";
import { recordingReporter, type RecordingReporter } from "../../../support/reporter.js";
import { fakeKube } from "../../../fakes/kube.js";
import { INFRA_OUTPUTS, PLATFORM_SECRET, SECRET_ARN, TEST_SECRETS } from "./fixtures.js";
import { failure, fakeHelm, kubernetesServices, type FakeHelm, type TestServices } from "./helpers.js";

const sm = mockClient(SecretsManagerClient);
afterEach(() => sm.reset());

const USER_SECRETS = { licenseToken: TEST_SECRETS.licenseToken, authClientSecret: TEST_SECRETS.authClientSecret };
const ALL_SECRETS: string[] = [...(Object.values(TEST_SECRETS) as string[]), PLATFORM_SECRET.vaultRootToken ?? "hvs.root-token-secret"];
const REFERENCE = "oci://registry.settlemint.com/settlemint-platform/settlemint";

let fixtureDefaults: Record<string, unknown>;
let scratch: string;
beforeAll(async () => {
  fixtureDefaults = parse(await readFile(join(REPO_ROOT, "test", "fixtures", "charts", "settlemint", "values.yaml"), "utf8")) as Record<string, unknown>;
  scratch = await mkdtemp(join(tmpdir(), "btp-aws-release-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

function secretHolds(values: Record<string, string>): void {
  sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ ARN: SECRET_ARN, SecretString: JSON.stringify(values) });
}

function lines(report: RecordingReporter): string[] {
  return [...report.statuses, ...report.infos, ...report.warnings, ...report.skipped];
}

function expectNoSecret(texts: string[]): void {
  for (const text of texts) for (const secret of ALL_SECRETS) expect(text, `a secret in: ${text}`).not.toContain(secret);
}

async function run(options: { helm?: FakeHelm; config?: Config; services?: TestServices; baseDir?: string } = {}) {
  const helm = options.helm ?? fakeHelm({ chartDefaults: fixtureDefaults });
  const services = options.services ?? kubernetesServices({ helm, userSecrets: USER_SECRETS });
  const report = recordingReporter();
  const step = createReleaseStep({ baseDir: options.baseDir ?? scratch });
  const outputs = await step.run(stepContext(options.config ?? testConfig(), services, INFRA_OUTPUTS), report);
  return { outputs, report, helm, services };
}

describe("btp/release", () => {
  it("describes the upgrade, with the overrides file when there is one", () => {
    const step = createReleaseStep();
    expect(step.describe(testConfig())).toEqual([`helm upgrade --install settlemint ${REFERENCE} --version v7.32.10`]);
    expect(step.describe(testConfig({ chart: { version: "v7.32.10", valuesFile: "btp-values.yaml" } }))).toEqual([`helm upgrade --install settlemint ${REFERENCE} --version v7.32.10, overrides from btp-values.yaml`]);
  });

  it("makes the namespace, then installs the chart with the secrets, each registered before helm sees it", async () => {
    secretHolds(PLATFORM_SECRET);
    let registeredAtUpgrade: string[] = [];
    const helm = fakeHelm({
      chartDefaults: fixtureDefaults,
      upgrade: () => {
        registeredAtUpgrade = [...services.registered];
        return Promise.resolve({ action: "installed", revision: 1 });
      },
    });
    const services = kubernetesServices({ helm, userSecrets: USER_SECRETS });
    const { outputs, report } = await run({ helm, services });

    expect(services.kubeFake.applied.map((a) => [a.object, a.result])).toEqual([
      [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "settlemint", labels: { "app.kubernetes.io/managed-by": "btp-aws", "btp-aws/platform": "btp-test" } } }, "created"],
    ]);
    expect(helm.calls).toEqual(["showValues", "upgradeInstall"]);
    expect(helm.shown).toEqual([{ chart: REFERENCE, version: "v7.32.10" }]);
    const release = helm.upgrades[0]!;
    expect({ ...release, values: undefined }).toEqual({ name: "settlemint", namespace: "settlemint", chart: REFERENCE, version: "v7.32.10", values: undefined, wait: true, timeoutSeconds: 900 });
    const values = release.values as { postgresql: { password: string }; redis: { password: string }; vault: { roleId: string; secretId: string }; license: { accountToken: string } };
    expect(values.postgresql.password).toBe(TEST_SECRETS.databasePassword);
    expect(values.redis.password).toBe(TEST_SECRETS.redisAuthToken);
    expect(values.vault).toMatchObject({ roleId: TEST_SECRETS.vaultRoleId, secretId: TEST_SECRETS.vaultSecretId });
    expect(values.license.accountToken).toBe(TEST_SECRETS.licenseToken);
    // Everything that is in the values was registered first; the root token too (it was read).
    for (const secret of ALL_SECRETS) expect(registeredAtUpgrade).toContain(secret);

    expect(outputs).toEqual({ release: "settlemint", namespace: "settlemint", chartVersion: "v7.32.10", revision: 1 });
    // Our keys are all in the fixture chart's defaults: no warning.
    expect(report.warnings).toEqual([]);
    expect(report.infos).toEqual(["namespace settlemint created", "installed release settlemint in namespace settlemint: revision 1"]);
    expectNoSecret(lines(report));
  });

  it("merges the overrides file and warns about each key the chart does not know", async () => {
    secretHolds(PLATFORM_SECRET);
    await writeFile(join(scratch, "btp-values.yaml"), [
      "features:",
      "  deploymentEngine:",
      "    state:",
      "      s3ConnectionUrl: s3://legacy?region=eu-west-1",
      "ingress:",
      "  annotations:",
      "    alb.ingress.kubernetes.io/load-balancer-name: btp-test",
      "app:",
      "  replicaCount: 2",
      "",
    ].join("\n"));
    const config = testConfig({ chart: { version: "v7.32.10", valuesFile: "btp-values.yaml" } });
    const { helm, report } = await run({ config });
    const values = helm.upgrades[0]!.values as { app: unknown; ingress: { annotations: Record<string, string> } };
    expect(values.app).toEqual({ replicaCount: 2 });
    expect(values.ingress.annotations["alb.ingress.kubernetes.io/load-balancer-name"]).toBe("btp-test");
    expect(values.ingress.annotations["alb.ingress.kubernetes.io/scheme"]).toBe("internet-facing");
    const hint = `(check its name with \`helm show values ${REFERENCE} --version v7.32.10\`)`;
    expect(report.warnings).toEqual([
      `values key features.deploymentEngine.state.s3ConnectionUrl is not in the default values of ${REFERENCE} v7.32.10: the chart may ignore it ${hint}`,
      `values key app is not in the default values of ${REFERENCE} v7.32.10: the chart may ignore it ${hint}`,
    ]);
  });

  it("reports the skip when the same chart version and values are deployed", async () => {
    secretHolds(PLATFORM_SECRET);
    const helm = fakeHelm({ chartDefaults: fixtureDefaults, upgrade: () => Promise.resolve({ action: "skipped", reason: "settlemint v7.32.10 already deployed with the same values", revision: 4 }) });
    const services = kubernetesServices({ helm, userSecrets: USER_SECRETS });
    services.kubeFake.seed({ apiVersion: "v1", kind: "Namespace", metadata: { name: "settlemint", labels: { "app.kubernetes.io/managed-by": "btp-aws", "btp-aws/platform": "btp-test" } } });
    const { outputs, report } = await run({ helm, services });
    expect(report.skipped).toEqual(["settlemint v7.32.10 already deployed with the same values"]);
    expect(report.infos).toEqual([]);
    expect(services.kubeFake.applied.map((a) => a.result)).toEqual(["unchanged"]);
    expect(outputs).toEqual({ release: "settlemint", namespace: "settlemint", chartVersion: "v7.32.10", revision: 4 });
  });

  it("adds the namespace's last 15 warning events to a failed upgrade, keeping helm's hint", async () => {
    secretHolds(PLATFORM_SECRET);
    const kube = fakeKube();
    for (let i = 1; i <= 22; i++) {
      kube.recordEvent({ namespace: "settlemint", involvedObject: { kind: "Pod", name: `settlemint-api-${i}` }, type: "Warning", reason: "Failed", message: `pull ${i} failed`, lastTimestamp: `2026-11-20T10:00:${String(i).padStart(2, "0")}Z` });
    }
    kube.recordEvent({ namespace: "settlemint", involvedObject: { kind: "Pod", name: "settlemint-api-x" }, type: "Normal", reason: "Pulling", message: "pulling image", lastTimestamp: "2026-11-20T10:00:30Z" });
    kube.recordEvent({ namespace: "vault", involvedObject: { kind: "Pod", name: "vault-0" }, type: "Warning", reason: "Unhealthy", message: "elsewhere", lastTimestamp: "2026-11-20T10:00:31Z" });
    const helmError = new BtpAwsError("helm upgrade --install settlemint (oci://… v7.32.10) in namespace settlemint failed (helm exit code 1): Error: context deadline exceeded", { hint: "the release's resources were not ready within 900 s" });
    const helm = fakeHelm({ chartDefaults: fixtureDefaults, upgrade: () => Promise.reject(helmError) });
    const services = kubernetesServices({ kube, helm, userSecrets: USER_SECRETS });
    const error = await failure(run({ helm, services }));
    const expected = Array.from({ length: 15 }, (_, k) => `  Pod/settlemint-api-${k + 8}: Failed: pull ${k + 8} failed`);
    expect(error.message).toBe(`${helmError.message}\nWarning events in namespace settlemint:\n${expected.join("\n")}`);
    expect(error.hint).toBe("the release's resources were not ready within 900 s");
    expect(error.cause).toBe(helmError);
  });

  it("stops before any AWS call or helm run without the license token", async () => {
    const helm = fakeHelm();
    const error = await failure(run({ helm, services: kubernetesServices({ helm, userSecrets: { authClientSecret: TEST_SECRETS.authClientSecret } }) }));
    expect(error.message).toBe("no SettleMint license token: the chart registry login and the platform's image pulls need it");
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(sm.calls()).toHaveLength(0);
    expect(helm.calls).toEqual([]);
  });

  it("stops without the OAuth client secret, naming the variable", async () => {
    const error = await failure(run({ services: kubernetesServices({ userSecrets: { licenseToken: TEST_SECRETS.licenseToken } }) }));
    expect(error.message).toBe("no OAuth client secret for google client client-id: the platform's sign-in needs it");
    expect(error.hint).toBe("export BTP_AWS_AUTH_CLIENT_SECRET=<the client secret your identity provider issued>, then run `btp-aws install` again (it resumes here)");
  });

  it("names the step that writes a key missing from the platform secret", async () => {
    const { vaultRoleId: _r, ...withoutRoleId } = PLATFORM_SECRET;
    secretHolds(withoutRoleId);
    const helm = fakeHelm();
    const error = await failure(run({ helm, services: kubernetesServices({ helm, userSecrets: USER_SECRETS }) }));
    expect(error.message).toBe(`the platform secret ${SECRET_ARN} has no vaultRoleId`);
    expect(error.hint).toBe("step vault/configure writes it: run `btp-aws install --from vault` so it runs again");
    expect(helm.calls).toEqual([]);
    expectNoSecret([error.message, error.hint ?? ""]);
  });

  it("passes the chart version through exactly, in the release and in show values", async () => {
    secretHolds(PLATFORM_SECRET);
    const { helm } = await run({ config: testConfig({ chart: { version: "v7.6.19" } }) });
    expect(helm.shown[0]?.version).toBe("v7.6.19");
    expect((helm.upgrades[0] as HelmRelease).version).toBe("v7.6.19");
  });
});
