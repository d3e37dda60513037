/**
 * A DestroyContext for stage unit tests: the AWS clients a test hands in (real SDK clients under
 * aws-sdk-client-mock), every other client refusing, a virtual clock so waits run at once and can
 * time out, and a cluster that is absent unless the test gives one.
 */
import type { AwsClients } from "../../../../src/aws/clients.js";
import type { Helm, HelmReleaseStatus } from "../../../../src/helm/release.js";
import type { ClusterReach, DestroyContext, DestroyTarget } from "../../../../src/ops/destroy/types.js";

type ClientName = Exclude<keyof AwsClients, "region" | "endpoint" | "counter" | "destroy">;
const NAMES: readonly ClientName[] = [
  "sts", "ec2", "iam", "kms", "s3", "eks", "rds", "elasticache", "acm", "route53", "secretsManager", "sns", "cloudwatch", "logs", "budgets",
  "serviceQuotas", "tagging", "elbv2", "wafv2", "guardduty", "cloudtrail", "configService",
];

export const TARGET: DestroyTarget = {
  platform: "acme",
  region: "eu-west-1",
  account: "123456789012",
  partition: "aws",
  outputs: {},
  dns: { domain: "btp.example.com", hostedZoneId: "Z123" },
  drRegion: undefined,
};

export interface FakeDestroy extends DestroyContext {
  /** Virtual milliseconds slept by waits. */
  slept(): number;
}

export function destroyContext(clients: Partial<Record<ClientName, object>>, options: { cluster?: ClusterReach; target?: Partial<DestroyTarget>; deleteData?: boolean; skipFinalSnapshot?: boolean; signal?: AbortSignal } = {}): FakeDestroy {
  let now = 0;
  const aws = Object.fromEntries(NAMES.map((name) => [name, () => (clients[name] ? Promise.resolve(clients[name]) : Promise.reject(new Error(`the stage asked for the ${name} client`)))]));
  return {
    target: { ...TARGET, ...options.target },
    options: { deleteData: options.deleteData ?? false, skipFinalSnapshot: options.skipFinalSnapshot ?? false, now: () => new Date("2026-11-28T02:15:00Z") },
    services: {
      aws: { ...aws, region: "eu-west-1", endpoint: undefined, counter: undefined, destroy: () => undefined } as unknown as AwsClients,
      wait: { scale: 1, now: () => now, sleep: (ms) => Promise.resolve(void (now += ms)) },
      cluster: () => Promise.resolve(options.cluster ?? { state: "absent", reason: "EKS cluster btp-acme does not exist" }),
    },
    signal: options.signal ?? new AbortController().signal,
    ledger: { kept: [], scheduled: [] },
    slept: () => now,
  };
}

/** helm with the given "namespace/name" releases deployed; records what destroy uninstalls. */
export function fakeHelm(installed: string[]): Helm & { uninstalled: string[] } {
  const releases = new Map<string, HelmReleaseStatus>(installed.map((key) => [key, { status: "deployed", chartVersion: "1.0.0", revision: 3 }]));
  const uninstalled: string[] = [];
  const unused = () => Promise.reject(new Error("destroy does not call this"));
  return {
    uninstalled,
    status: (name, namespace) => Promise.resolve(releases.get(`${namespace}/${name}`)),
    uninstall: (name, namespace) => {
      if (!releases.delete(`${namespace}/${name}`)) return Promise.resolve("absent");
      uninstalled.push(`${namespace}/${name}`);
      return Promise.resolve("uninstalled");
    },
    list: unused, upgradeInstall: unused, template: unused, showValues: unused, registryLogin: unused,
  };
}
