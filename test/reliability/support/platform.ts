/**
 * One platform to install through the fault and latency proxy: a fresh moto (reset, hosted zone
 * seeded), the example config pointed at it, and the environment the built CLI runs with. Shared
 * by the kill-and-resume, throttling and leak-scan tests and the benchmark, so they all install
 * the same thing the way cli-install.test.ts does.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { statePaths } from "../../../src/state/paths.js";
import { EXAMPLE, cleanEnv, tempDir } from "../../support/cli.js";
import { motoClients } from "../../support/aws.js";
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, type MotoControl } from "../../support/moto.js";

/** The example config's platform and region (examples/btp-aws.yaml). */
export const PLATFORM = "acme-prod";
export const REGION = "eu-west-1";
/** Latency and poll scale of the scaled runs: a minute becomes a second. */
export const SCALE = 1 / 60;
export const INSTALL_ARGS = ["--only", "prepare,infra", "--yes", "--verbose"] as const;

export interface Platform {
  /** The working directory: config file, and the state dir below it. */
  dir: string;
  config: string;
  stateDir: string;
  /** <stateDir>/<platform>/state.json */
  statePath: string;
  /** <stateDir>/<platform>/logs */
  logDir: string;
  zoneId: string;
}

/** Resets moto, seeds the hosted zone, writes the example config (no profile, moto's account). */
export async function freshPlatform(moto: MotoControl, prefix = "btp-aws-rel-"): Promise<Platform> {
  await moto.reset();
  const zoneId = await moto.seedHostedZone("example.com");
  const dir = await tempDir(prefix);
  const config = join(dir, "btp-aws.yaml");
  // The example names a profile that does not exist here; moto takes the keys from the environment.
  const text = (await readFile(EXAMPLE, "utf8"))
    .replace(/\n {2}profile: .*\n/, "\n")
    .replace('accountId: "123456789012"', `accountId: "${MOTO_ACCOUNT}"`)
    .replace("hostedZoneId: Z0123456789ABCDEFGHIJ", `hostedZoneId: ${zoneId}`);
  await writeFile(config, text);
  const stateDir = join(dir, "state");
  const paths = statePaths(stateDir, PLATFORM);
  return { dir, config, stateDir, statePath: paths.state, logDir: join(paths.dir, "logs"), zoneId };
}

/**
 * Pays moto's one-off costs after a reset outside the measured run: the first call to a service
 * in a region builds its backend (EC2 ~8 s here, IAM ~3 s for ~1,600 managed policies, EKS and
 * RDS a few hundred ms). None of it is the installer's time, and the latency model's clock, the
 * kill test's catch-up and the benchmark's makespan would all count it. Read-only calls, in both
 * regions the install touches.
 */
export async function warmMoto(moto: MotoControl): Promise<void> {
  const aws = motoClients(moto.endpoint, { region: REGION });
  try {
    const [ec2, iam, eks, rds, elasticache, acm, sm, sns, cw, logs, kms, s3, quotas, tagging] = await Promise.all([
      import("@aws-sdk/client-ec2"), import("@aws-sdk/client-iam"), import("@aws-sdk/client-eks"), import("@aws-sdk/client-rds"),
      import("@aws-sdk/client-elasticache"), import("@aws-sdk/client-acm"), import("@aws-sdk/client-secrets-manager"), import("@aws-sdk/client-sns"),
      import("@aws-sdk/client-cloudwatch"), import("@aws-sdk/client-cloudwatch-logs"), import("@aws-sdk/client-kms"), import("@aws-sdk/client-s3"),
      import("@aws-sdk/client-service-quotas"), import("@aws-sdk/client-resource-groups-tagging-api"),
    ]);
    await Promise.all([
      (await aws.ec2()).send(new ec2.DescribeAvailabilityZonesCommand({})),
      (await aws.ec2("eu-central-1")).send(new ec2.DescribeAvailabilityZonesCommand({})),
      (await aws.iam()).send(new iam.ListRolesCommand({})),
      (await aws.eks()).send(new eks.ListClustersCommand({})),
      (await aws.rds()).send(new rds.DescribeDBParameterGroupsCommand({})),
      (await aws.elasticache()).send(new elasticache.DescribeReplicationGroupsCommand({})),
      (await aws.acm()).send(new acm.ListCertificatesCommand({})),
      (await aws.secretsManager()).send(new sm.ListSecretsCommand({})),
      (await aws.sns()).send(new sns.ListTopicsCommand({})),
      (await aws.cloudwatch()).send(new cw.DescribeAlarmsCommand({})),
      (await aws.logs()).send(new logs.DescribeLogGroupsCommand({})),
      (await aws.kms()).send(new kms.ListKeysCommand({})),
      (await aws.s3()).send(new s3.ListBucketsCommand({})),
      (await aws.serviceQuotas()).send(new quotas.GetServiceQuotaCommand({ ServiceCode: "vpc", QuotaCode: "L-F678F1CE" })),
      (await aws.tagging()).send(new tagging.GetResourcesCommand({})),
    ]);
  } finally {
    aws.destroy();
  }
}

/** `install --config … --state-dir … --only prepare,infra --yes --verbose` */
export function installArgs(platform: Platform): string[] {
  return ["install", "--config", platform.config, "--state-dir", platform.stateDir, ...INSTALL_ARGS];
}

/** The CLI's environment: the proxy as the AWS endpoint, moto's keys, helm, plus `extra`. */
export function installEnv(endpoint: string, helmPath: string, extra: Record<string, string> = {}): Record<string, string> {
  return cleanEnv({
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    BTP_AWS_HELM: helmPath,
    ...extra,
  });
}
