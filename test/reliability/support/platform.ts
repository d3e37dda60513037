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
 * Pays moto's one-off costs after a reset outside the measured run: the first EC2 call in a region
 * rebuilds its EC2 backend (~8 s here) and the first IAM call loads ~1,600 managed policies
 * (~3 s). Neither is the installer's time, and the latency model's clock would count them.
 */
export async function warmMoto(moto: MotoControl): Promise<void> {
  const aws = motoClients(moto.endpoint, { region: REGION });
  try {
    const { DescribeAvailabilityZonesCommand } = await import("@aws-sdk/client-ec2");
    const { ListRolesCommand } = await import("@aws-sdk/client-iam");
    await Promise.all([
      (await aws.ec2()).send(new DescribeAvailabilityZonesCommand({})),
      (await aws.ec2("eu-central-1")).send(new DescribeAvailabilityZonesCommand({})),
      (await aws.iam()).send(new ListRolesCommand({})),
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
