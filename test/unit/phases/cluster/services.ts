/**
 * KubernetesServices for step tests: the in-memory Kubernetes fake, a recording fake helm, the
 * platform secret as an aws-sdk-client-mock'ed Secrets Manager holding one JSON value.
 */
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import type { AwsClients } from "../../../../src/aws/clients.js";
import type { Helm, HelmRelease, UpgradeResult } from "../../../../src/helm/release.js";
import type { KubernetesServices } from "../../../../src/phases/cluster/services.js";
import type { StepOutputs } from "../../../../src/plan/types.js";
import { Redactor } from "../../../../src/secrets/redact.js";
import { fakeKube, type FakeKube, type FakeKubeOptions } from "../../../fakes/kube.js";
import { NO_PROBE } from "../../../support/context.js";

export const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:btp-test/credentials-AbCdEf";
const ACCOUNT = "123456789012";
export const role = (service: string) => `arn:aws:iam::${ACCOUNT}:role/btp-test-irsa-${service}`;
export const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

export const OUTPUTS: Record<string, StepOutputs> = {
  "infra/kms": { keyArn: KEY_ARN },
  "infra/eks": { clusterName: "btp-test" },
  "infra/vpc": { vpcId: "vpc-0a1b2c3d4e5f67890" },
  "infra/secrets": { secretArn: SECRET_ARN },
  "infra/irsa": { vaultRoleArn: role("vault"), certManagerRoleArn: role("cert-manager"), loadBalancerControllerRoleArn: role("aws-load-balancer-controller") },
};

export interface FakeHelm extends Helm {
  readonly upgrades: HelmRelease[];
  /** The next upgrades answer this (default: installed, or skipped when values repeat). */
  answer?: (release: HelmRelease) => Promise<UpgradeResult>;
}

export function fakeHelm(): FakeHelm {
  const upgrades: HelmRelease[] = [];
  const deployed = new Map<string, string>();
  const helm: FakeHelm = {
    upgrades,
    upgradeInstall(release) {
      upgrades.push(release);
      if (helm.answer) return helm.answer(release);
      const key = `${release.namespace}/${release.name}`;
      const values = JSON.stringify(release.values) + (release.version ?? "");
      if (deployed.get(key) === values) return Promise.resolve({ action: "skipped", reason: `release ${release.name} already deployed with these values`, revision: 1 });
      const action = deployed.has(key) ? "upgraded" : "installed";
      deployed.set(key, values);
      return Promise.resolve({ action, revision: 1 });
    },
    status: () => Promise.reject(new Error("not used")),
    template: () => Promise.reject(new Error("not used")),
    showValues: () => Promise.reject(new Error("not used")),
    registryLogin: () => Promise.reject(new Error("not used")),
    list: () => Promise.reject(new Error("not used")),
    uninstall: () => Promise.reject(new Error("not used")),
  };
  return helm;
}

export interface TestServices extends KubernetesServices {
  kube: FakeKube;
  fakeHelm: FakeHelm;
  redactor: Redactor;
  /** The platform secret's current JSON, parsed. */
  secret(): Record<string, string>;
  secretWrites(): number;
}

export function testServices(initialSecret: Record<string, string> = {}, kubeOptions: FakeKubeOptions = {}): TestServices {
  let value = JSON.stringify(initialSecret);
  let writes = 0;
  const sm = new SecretsManagerClient({ region: "eu-west-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
  const mock = mockClient(sm);
  mock.on(GetSecretValueCommand).callsFake(() => ({ ARN: SECRET_ARN, SecretString: value }));
  mock.on(PutSecretValueCommand).callsFake((input: { SecretString?: string }) => {
    writes += 1;
    value = input.SecretString ?? "";
    return { ARN: SECRET_ARN };
  });
  const kube = fakeKube(kubeOptions);
  const helm = fakeHelm();
  const redactor = new Redactor();
  const aws = { region: "eu-west-1", endpoint: undefined, counter: undefined, secretsManager: () => Promise.resolve(sm) } as unknown as AwsClients;
  return {
    aws,
    wait: { scale: 1, sleep: () => Promise.resolve() },
    secrets: redactor,
    redactor,
    cluster: { kube: () => Promise.resolve(kube), helm: () => Promise.resolve(helm), localHelm: () => Promise.resolve(helm) },
    probe: NO_PROBE,
    userSecrets: {},
    kube,
    fakeHelm: helm,
    secret: () => JSON.parse(value) as Record<string, string>,
    secretWrites: () => writes,
  };
}
