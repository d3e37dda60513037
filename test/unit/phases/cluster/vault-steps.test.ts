/**
 * The vault phase's steps end to end over the fakes: the in-memory Kubernetes API forwards
 * vault-<n> to the nodes of a three-node fake Vault; the platform secret is a mocked Secrets
 * Manager. The step logic underneath (initialiseVault, configureVault) has its own tests.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ROLE_ID_KEY, SECRET_ID_KEY } from "../../../../src/phases/vault/configure.js";
import { RECOVERY_KEYS_KEY, ROOT_TOKEN_KEY } from "../../../../src/phases/vault/initialise.js";
import { vaultConfigureStep, vaultInitialiseStep, vaultReleaseStep } from "../../../../src/phases/vault/steps.js";
import { fakeVaultPool, type FakeVault } from "../../../fakes/vault.js";
import { testConfig } from "../../../support/config.js";
import { runStep } from "../../../support/infra.js";
import type { RecordingReporter } from "../../../support/reporter.js";
import { OUTPUTS, testServices, type TestServices } from "./services.js";

const pool = fakeVaultPool();
afterEach(pool.closeAll);
const config = testConfig();

async function cluster(initialSecret: Record<string, string> = { databasePassword: "db-password-123456" }): Promise<{ vault: FakeVault; services: TestServices }> {
  const vault = await pool.fake({ nodes: 3, autoUnsealAfter: 1 });
  const services = testServices(initialSecret, {
    portForward: ({ namespace, pod, remotePort }) => {
      const index = /^vault-(\d)$/.exec(pod)?.[1];
      return namespace === "vault" && remotePort === 8200 && index !== undefined ? Number(new URL(vault.urls[Number(index)]!).port) : undefined;
    },
  });
  for (let i = 0; i < 3; i++) services.kube.seed({ apiVersion: "v1", kind: "Pod", metadata: { name: `vault-${i}`, namespace: "vault" }, status: { phase: "Running" } });
  // Each poll of a wait moves raft along as retry_join and autopilot would: join, then promote.
  let step = 0;
  const progress = [() => vault.join(1), () => vault.join(2), () => vault.promote(1), () => vault.promote(2)];
  services.wait = virtualTime(() => void (vault.initialized && progress[step++]?.()));
  return { vault, services };
}

/** Sleeps advance a virtual clock, so waits time out without waiting; `onSleep` runs at each poll. */
function virtualTime(onSleep: () => void) {
  let now = 0;
  return {
    scale: 1,
    now: () => now,
    sleep: (ms: number) => {
      now += ms;
      onSleep();
      return Promise.resolve();
    },
  };
}

function allLines(report: RecordingReporter): string {
  return [...report.statuses, ...report.infos, ...report.warnings, ...report.skipped].join("\n");
}

describe("vault/release", () => {
  it("installs without --wait (pods are ready only once unsealed), creating the namespace", async () => {
    const services = testServices();
    await runStep(vaultReleaseStep, config, services, OUTPUTS);
    expect(services.fakeHelm.upgrades[0]).toMatchObject({ name: "vault", namespace: "vault", chart: "vault", repo: "https://helm.releases.hashicorp.com", version: "0.34.1", wait: false, createNamespace: true });
  });
});

describe("vault/initialise and vault/configure", () => {
  it("initialise once, store keys, wait for three unsealed voters; configure; a re-run changes nothing", async () => {
    const { vault, services } = await cluster();
    const init = await runStep(vaultInitialiseStep, config, services, OUTPUTS);
    expect(vault.count("PUT", "/v1/sys/init")).toBe(1);
    expect(services.secret()[ROOT_TOKEN_KEY]).toBe(vault.rootToken);
    expect(services.secret()[RECOVERY_KEYS_KEY]).toBe(JSON.stringify(vault.recoveryKeys));
    expect(services.secret().databasePassword).toBe("db-password-123456");
    expect(init.outputs).toEqual({ raftPeers: 3 });
    // Every port-forward was closed again.
    expect(services.kube.forwards.every((f) => f.closed)).toBe(true);

    const configured = await runStep(vaultConfigureStep, config, services, OUTPUTS);
    expect(configured.outputs).toEqual({ role: "platform-role", mounts: ["ethereum/", "fabric/", "ipfs/"] });
    const secret = services.secret();
    expect(secret[ROLE_ID_KEY]).toMatch(/\S{8,}/);
    expect(secret[SECRET_ID_KEY]).toMatch(/\S{8,}/);

    // Nothing secret reached the reporter, and every secret is registered with the redactor.
    for (const value of [vault.rootToken!, ...vault.recoveryKeys, secret[ROLE_ID_KEY]!, secret[SECRET_ID_KEY]!]) {
      expect(allLines(init.report) + allLines(configured.report)).not.toContain(value);
      expect(services.redactor.redact(value)).toBe("[redacted]");
    }

    const writesBefore = services.secretWrites();
    vault.clearLog();
    const again = await runStep(vaultInitialiseStep, config, services, OUTPUTS);
    const reconfigured = await runStep(vaultConfigureStep, config, services, OUTPUTS);
    expect(vault.count("PUT", "/v1/sys/init")).toBe(0);
    expect(vault.writes()).toEqual([]);
    expect(services.secretWrites()).toBe(writesBefore);
    expect(again.report.skipped).toContain("Vault is already initialised; using the root token from the platform secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:btp-test/credentials-AbCdEf");
    expect(reconfigured.report.skipped.at(-1)).toBe("Vault configuration already matches: kv-v2 mounts, auth methods, policy, role and secret-id");
  });

  it("waits for vault-0 to run before forwarding to it", async () => {
    const { services } = await cluster();
    services.kube.seed({ apiVersion: "v1", kind: "Pod", metadata: { name: "vault-0", namespace: "vault" }, status: { phase: "Pending" } });
    let polls = 0;
    services.wait = virtualTime(() => {
      if (++polls === 2) services.kube.seed({ apiVersion: "v1", kind: "Pod", metadata: { name: "vault-0", namespace: "vault" }, status: { phase: "Running" } });
    });
    const error = await runStep(vaultInitialiseStep, config, services, OUTPUTS).then(() => undefined, (e: unknown) => e as Error);
    // vault-0 ran after two polls and was initialised; the replicas never joined (no progress hook here).
    expect(polls).toBeGreaterThan(2);
    expect(error?.message).toMatch(/^timed out waiting for 3 Vault raft peers/);
    expect(services.secret()[ROOT_TOKEN_KEY]).toBeDefined();
  });

  it("refuses to configure a Vault whose root token is not in the platform secret", async () => {
    const { services } = await cluster();
    const error = await runStep(vaultConfigureStep, config, services, OUTPUTS).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toBe("the platform secret has no vaultRootToken: Vault was not initialised by btp-aws");
  });
});
