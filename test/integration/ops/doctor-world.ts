/**
 * A healthy installed platform in moto, for doctor and status: prepare and infra run through the
 * real runner and state file (as `btp-aws install --only prepare,infra --yes` does), then the few
 * things later phases and AWS itself would have made, which moto does not:
 * - the ALB the AWS Load Balancer Controller creates for the Ingress (tagged with the cluster);
 * - the alias A records verify/dns writes for the domain and its wildcard;
 * - the node group's EC2 instances (moto's node groups launch none), IMDSv2 required as the
 *   launch template says;
 * - RDS's FreeStorageSpace metric (moto publishes no metrics);
 * - the Vault root token vault/initialise stores in the platform secret;
 * and a Kubernetes cluster (the in-memory fake) with Vault (the fake Vault servers) as the
 * Kubernetes phases leave them.
 */
import { motoInstallServices } from "../../support/infra.js";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { RunInstancesCommand, type _InstanceType } from "@aws-sdk/client-ec2";
import { CreateLoadBalancerCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { ChangeResourceRecordSetsCommand } from "@aws-sdk/client-route-53";
import { mergeIntoPlatformSecret } from "../../../src/aws/secrets-manager.js";
import { installSteps } from "../../../src/cli/steps.js";
import type { Config, ConfigInput } from "../../../src/config/schema.js";
import type { HttpsAnswer, PublicProbe } from "../../../src/phases/cluster/services.js";
import type { StepOutputs } from "../../../src/plan/types.js";
import { selectSteps } from "../../../src/plan/select.js";
import { runSteps } from "../../../src/runner/scheduler.js";
import { openState } from "../../../src/state/file-store.js";
import { configFingerprint } from "../../../src/state/fingerprint.js";
import { fakeKube, type FakeKube } from "../../fakes/kube.js";
import { startFakeVault, type FakeVault } from "../../fakes/vault.js";
import { motoClients, type TestClients } from "../../support/aws.js";
import { testConfig } from "../../support/config.js";
import type { MotoControl } from "../../support/moto.js";

/** Doctor's clock in these tests: inside EKS 1.34's standard support, before its last 60 days. */
export const CLOCK = new Date("2026-09-01T12:00:00Z");
export const DOMAIN = "btp.example.com";
const GIB = 1024 ** 3;
const ALB_ADDRESSES = ["198.51.100.7", "198.51.100.8"];

export interface InstalledWorld {
  config: Config;
  stateDir: string;
  outputs: Record<string, StepOutputs>;
  alb: { arn: string; dnsName: string; hostedZoneId: string };
  kube: FakeKube;
  vault: FakeVault;
  probe: PublicProbe;
  /** Seconds the prepare and infra install took against moto. */
  installSeconds: number;
  close(): Promise<void>;
}

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the world fixture expected ${what}`);
  return value;
}

async function install(moto: MotoControl, helmPath: string, config: Config): Promise<{ stateDir: string; outputs: Record<string, StepOutputs>; seconds: number }> {
  const aws = motoClients(moto.endpoint, { region: config.aws.region });
  const services = await motoInstallServices(aws, helmPath);
  const stateDir = await mkdtemp(join(tmpdir(), "btp-aws-doctor-"));
  const store = await openState({ dir: stateDir, platform: config.platform, region: config.aws.region });
  const all = installSteps();
  const started = Date.now();
  const result = await runSteps(selectSteps(all, { only: ["prepare", "infra"] }), { config, services, store, allSteps: all, concurrency: 8 });
  if (result.status !== "succeeded") {
    throw new Error(`install failed: ${result.failed.map((id) => `${id}: ${store.current().steps[id]?.error?.message ?? ""}`).join("; ")}`);
  }
  const seconds = (Date.now() - started) / 1000;
  // What `btp-aws install` records besides the steps (install-run.ts): the config it ran with.
  await store.update((state) => {
    state.config = config;
    state.configFingerprint = configFingerprint(config);
  });
  const outputs = Object.fromEntries(Object.entries(store.current().steps).map(([id, r]) => [id, r.outputs]));
  aws.destroy();
  return { stateDir, outputs, seconds };
}

/** What the controller, verify/dns, the node group's Auto Scaling group and RDS would have made. */
async function completeTheWorld(aws: TestClients, config: Config, outputs: Record<string, StepOutputs>, rootToken: string): Promise<InstalledWorld["alb"]> {
  const cluster = String(outputs["infra/eks"]!.clusterName);
  const publicSubnets = outputs["infra/vpc"]!.publicSubnetIds as readonly string[];
  const privateSubnets = outputs["infra/vpc"]!.privateSubnetIds as readonly string[];
  const created = await (await aws.elbv2()).send(new CreateLoadBalancerCommand({
    Name: "k8s-settlemint-0a1b2c3d4e",
    Type: "application",
    Scheme: "internet-facing",
    Subnets: [...publicSubnets],
    SecurityGroups: [String(outputs["infra/security-groups"]!.albSecurityGroupId)],
    Tags: [{ Key: "elbv2.k8s.aws/cluster", Value: cluster }, { Key: "ingress.k8s.aws/stack", Value: "settlemint" }],
  }));
  const lb = must(created.LoadBalancers?.[0], "an ALB");
  const alb = { arn: must(lb.LoadBalancerArn, "its ARN"), dnsName: must(lb.DNSName, "its DNS name").toLowerCase(), hostedZoneId: must(lb.CanonicalHostedZoneId, "its zone") };

  await (await aws.route53()).send(new ChangeResourceRecordSetsCommand({
    HostedZoneId: config.dns.hostedZoneId,
    ChangeBatch: {
      Changes: [config.dns.domain, `*.${config.dns.domain}`].map((Name) => ({
        Action: "UPSERT" as const,
        ResourceRecordSet: { Name, Type: "A" as const, AliasTarget: { HostedZoneId: alb.hostedZoneId, DNSName: `dualstack.${alb.dnsName}`, EvaluateTargetHealth: true } },
      })),
    },
  }));

  await (await aws.ec2()).send(new RunInstancesCommand({
    ImageId: "ami-0eks0000000000000",
    InstanceType: config.cluster.instanceTypes[0] as _InstanceType,
    MinCount: config.cluster.desiredNodes,
    MaxCount: config.cluster.desiredNodes,
    SubnetId: privateSubnets[0]!,
    MetadataOptions: { HttpTokens: "required", HttpEndpoint: "enabled" },
    TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "eks:cluster-name", Value: cluster }, { Key: "eks:nodegroup-name", Value: String(outputs["infra/nodegroup"]!.nodeGroupName) }] }],
  }));

  await (await aws.cloudwatch()).send(new PutMetricDataCommand({
    Namespace: "AWS/RDS",
    MetricData: [{ MetricName: "FreeStorageSpace", Dimensions: [{ Name: "DBInstanceIdentifier", Value: String(outputs["infra/rds"]!.dbInstanceId) }], Value: (config.database.storageGiB - 10) * GIB, Unit: "Bytes", Timestamp: new Date(CLOCK.getTime() - 5 * 60_000) }],
  }));

  await mergeIntoPlatformSecret(await aws.secretsManager(), String(outputs["infra/secrets"]!.secretArn), { vaultRootToken: rootToken });
  return alb;
}

const running = { phase: "Running", containerStatuses: [{ name: "main", ready: true, state: { running: {} } }] };

/** The cluster as the Kubernetes phases leave it, Vault included. */
function healthyCluster(vault: FakeVault, albDnsName: string): FakeKube {
  const kube = fakeKube({ portForward: ({ pod }) => Number(new URL(vault.urls[Number(pod.split("-").pop())]!).port) });
  for (const i of [1, 2, 3]) {
    kube.seed({ apiVersion: "v1", kind: "Node", metadata: { name: `ip-10-0-${i}-10.eu-west-1.compute.internal` }, status: { conditions: [{ type: "Ready", status: "True", reason: "KubeletReady" }] } });
  }
  const releases = [["kube-system", "aws-load-balancer-controller"], ["vault", "vault"], ["cert-manager", "cert-manager"], ["settlemint", "settlemint"]] as const;
  for (const [namespace, name] of releases) {
    kube.seed({ apiVersion: "v1", kind: "Secret", type: "helm.sh/release.v1", metadata: { name: `sh.helm.release.v1.${name}.v1`, namespace, labels: { owner: "helm", name, status: "deployed", version: "1" } } });
    kube.seed({ apiVersion: "v1", kind: "Pod", metadata: { name: `${name}-0`, namespace, labels: name === "vault" ? { "app.kubernetes.io/name": "vault", component: "server" } : {} }, status: running });
  }
  for (const i of [1, 2]) kube.seed({ apiVersion: "v1", kind: "Pod", metadata: { name: `vault-${i}`, namespace: "vault", labels: { "app.kubernetes.io/name": "vault", component: "server" } }, status: running });
  kube.seed({
    apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "settlemint-tls", namespace: "settlemint" },
    status: { conditions: [{ type: "Ready", status: "True", reason: "Ready" }] },
  });
  kube.seed({
    apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "settlemint", namespace: "settlemint" }, spec: {},
    status: { loadBalancer: { ingress: [{ hostname: albDnsName }] } },
  });
  return kube;
}

/** Public DNS and HTTPS as users would see the platform: the domain resolves to the ALB. */
function publicView(albDnsName: string): PublicProbe {
  const answers: Record<string, string[]> = { [DOMAIN]: ALB_ADDRESSES, [albDnsName]: [...ALB_ADDRESSES].reverse() };
  const page: HttpsAnswer = { status: 200, certificate: { validTo: new Date(CLOCK.getTime() + 300 * 86_400_000), subjectAltNames: [`DNS:${DOMAIN}`, `DNS:*.${DOMAIN}`] } };
  return {
    resolve4: (name) => (answers[name] ? Promise.resolve(answers[name]) : Promise.reject(new Error(`ENOTFOUND ${name}`))),
    https: (url) => (url === `https://${DOMAIN}` ? Promise.resolve(page) : Promise.reject(new Error(`unexpected GET ${url}`))),
  };
}

export async function installedWorld(moto: MotoControl, helmPath: string, overrides: Partial<ConfigInput>, zoneId: string): Promise<InstalledWorld> {
  const config = testConfig({
    environment: "development",
    dns: { domain: DOMAIN, hostedZoneId: zoneId, hostedZoneName: "example.com", acmeEmail: "ops@example.com" },
    monitoring: { alarmEmail: "oncall@example.com", monthlyBudgetUsd: 1500 },
    // The AWS checks are what this world is for: the managed services, whatever the environment's default.
    database: { mode: "aws" },
    cache: { mode: "aws" },
    storage: { mode: "aws" },
    ...overrides,
  });
  const { stateDir, outputs, seconds } = await install(moto, helmPath, config);
  const vault = await startFakeVault({ nodes: 3, dev: { rootToken: "hvs.fake-root-token-for-doctor-0001" } });
  const aws = motoClients(moto.endpoint, { region: config.aws.region });
  try {
    const alb = await completeTheWorld(aws, config, outputs, vault.rootToken!);
    return { config, stateDir, outputs, alb, vault, kube: healthyCluster(vault, alb.dnsName), probe: publicView(alb.dnsName), installSeconds: seconds, close: () => vault.close() };
  } finally {
    aws.destroy();
  }
}
