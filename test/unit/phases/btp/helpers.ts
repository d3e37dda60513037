/** Doubles for the btp and verify steps: a recording helm, KubernetesServices around the fake kube. */
import { expect } from "vitest";
import { createAwsClients, type AwsClients } from "../../../../src/aws/clients.js";
import { createCallCounter } from "../../../../src/aws/call-counter.js";
import type { UserSecrets } from "../../../../src/config/schema.js";
import { BtpAwsError } from "../../../../src/errors.js";
import type { Helm, HelmRelease, UpgradeResult } from "../../../../src/helm/release.js";
import type { KubernetesServices, PublicProbe } from "../../../../src/phases/cluster/services.js";
import type { WaitSettings } from "../../../../src/aws/wait.js";
import { fakeKube, type FakeKube } from "../../../fakes/kube.js";

export interface FakeHelm extends Helm {
  /** Method names in call order. */
  readonly calls: string[];
  readonly upgrades: HelmRelease[];
  readonly logins: { host: string; username: string; password: string }[];
  readonly shown: { chart: string; version: string | undefined }[];
}

export interface FakeHelmOptions {
  chartDefaults?: Record<string, unknown>;
  upgrade?: (release: HelmRelease) => Promise<UpgradeResult>;
}

export function fakeHelm(options: FakeHelmOptions = {}): FakeHelm {
  const calls: string[] = [];
  const upgrades: HelmRelease[] = [];
  const logins: FakeHelm["logins"] = [];
  const shown: FakeHelm["shown"] = [];
  const unused = (name: string) => () => Promise.reject(new Error(`helm.${name} is not used by these steps`));
  return {
    calls, upgrades, logins, shown,
    status: unused("status"),
    template: unused("template"),
    list: unused("list"),
    uninstall: unused("uninstall"),
    upgradeInstall(release) {
      calls.push("upgradeInstall");
      upgrades.push(structuredClone(release));
      return options.upgrade ? options.upgrade(release) : Promise.resolve({ action: "installed", revision: 1 });
    },
    showValues(chart, version) {
      calls.push("showValues");
      shown.push({ chart, version });
      return Promise.resolve(structuredClone(options.chartDefaults ?? {}));
    },
    registryLogin(host, username, password) {
      calls.push("registryLogin");
      logins.push({ host, username, password });
      return Promise.resolve();
    },
  };
}

export const UNUSED_PROBE: PublicProbe = {
  resolve4: () => Promise.reject(new Error("this test does no DNS lookups")),
  https: () => Promise.reject(new Error("this test makes no HTTPS requests")),
};

export function mockedAws(): AwsClients {
  return createAwsClients({
    region: "eu-west-1",
    userAgentSuffix: "btp-aws/test",
    credentials: () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "b" }),
    counter: createCallCounter(),
    maxAttempts: 1,
  });
}

export interface TestServices extends KubernetesServices {
  kubeFake: FakeKube;
  /** Every value registered with the redactor, in order. */
  registered: string[];
}

export function kubernetesServices(options: { kube?: FakeKube; helm?: Helm; userSecrets?: UserSecrets; probe?: PublicProbe; wait?: WaitSettings; aws?: AwsClients } = {}): TestServices {
  const kube = options.kube ?? fakeKube();
  const helm = options.helm ?? fakeHelm();
  const registered: string[] = [];
  return {
    kubeFake: kube,
    registered,
    aws: options.aws ?? mockedAws(),
    wait: options.wait ?? { scale: 0.001 },
    secrets: { add: (s) => void registered.push(s) },
    cluster: { kube: () => Promise.resolve(kube), helm: () => Promise.resolve(helm), localHelm: () => Promise.resolve(helm) },
    probe: options.probe ?? UNUSED_PROBE,
    userSecrets: options.userSecrets ?? {},
  };
}

export async function failure(promise: Promise<unknown>): Promise<BtpAwsError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BtpAwsError);
  return error as BtpAwsError;
}
