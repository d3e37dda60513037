/**
 * `btp-aws dr-snapshot`: one snapshot set of the platform in the DR region: the database (snapshot
 * copied under the DR key), the bucket's objects, the Kubernetes objects and Vault's raft
 * snapshot, with a manifest. --id resumes a set; --keep N prunes older sets; --dry-run lists
 * what would be captured. Takes the platform's lock, so destroy cannot run at the same time.
 */
import { writeSync } from "node:fs";
import type { AwsClients } from "../../aws/clients.js";
import { createCallCounter } from "../../aws/call-counter.js";
import { awsPartition } from "../../aws/iam.js";
import { whoAmI } from "../../aws/sts.js";
import { ExitCode, UsageError } from "../../errors.js";
import { createHelmLocator } from "../../helm/binary.js";
import { logStream, RunLog } from "../../log/run-log.js";
import { clusterAccess } from "../../ops/destroy/cluster-access.js";
import type { ClusterReach } from "../../ops/destroy/types.js";
import { DR_STAGES, drSnapshot, surveyDrSnapshot } from "../../ops/dr-snapshot/index.js";
import { isSkipped } from "../../ops/dr-snapshot/manifest.js";
import { checkSetId, manifestKey, newSetId } from "../../ops/dr-snapshot/names.js";
import type { DrTarget, VaultReach } from "../../ops/dr-snapshot/types.js";
import { dependencyModes, recordedModes } from "../../ops/doctor/dependency-modes.js";
import { vaultAccess } from "../../ops/dr-snapshot/vault-access.js";
import { opsAwsClients, opsTarget, type OpsTarget } from "../../ops/target.js";
import { infraNames } from "../../phases/infra/names.js";
import { fanOut } from "../../runner/events.js";
import { installInterruptHandler } from "../../runner/interrupt.js";
import { createLineRenderer } from "../../runner/render-line.js";
import { createListrRenderer } from "../../runner/render-listr.js";
import { Redactor } from "../../secrets/redact.js";
import { redactEvents } from "../../secrets/redact-events.js";
import { acquireLock, takeoverNotice } from "../../state/lock.js";
import { statePaths } from "../../state/paths.js";
import type { GlobalFlags } from "../main.js";
import { commandEnvironment, pollSettings, type CommandEnvironment } from "./context.js";

export interface DrSnapshotOverrides extends Partial<CommandEnvironment> {
  aws?: AwsClients;
  cluster?: () => Promise<ClusterReach>;
  vault?: () => Promise<VaultReach>;
  now?: () => Date;
}

const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);

function parseKeep(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--keep ${JSON.stringify(value)}: must be a whole number of sets, at least 1`);
  return n;
}

function drRegionOf(flags: GlobalFlags, target: OpsTarget): string {
  const drRegion = text(flags.drRegion) ?? target.config?.aws.drRegion;
  if (drRegion === undefined) throw new UsageError("dr-snapshot needs a disaster-recovery region", [], "pass --dr-region <region>, or run with the config (aws.drRegion)");
  if (drRegion === target.region) throw new UsageError(`--dr-region ${drRegion}: must differ from the platform's region`, [], "choose a region away from the platform's, e.g. eu-central-1 for eu-west-1");
  return drRegion;
}

function again(flags: GlobalFlags, target: OpsTarget, setId: string): string {
  const parts = ["btp-aws dr-snapshot", flags.config ? `--config ${flags.config}` : `--platform ${target.platform} --region ${target.region}`];
  if (flags.stateDir) parts.push(`--state-dir ${flags.stateDir}`);
  const drRegion = text(flags.drRegion);
  if (drRegion) parts.push(`--dr-region ${drRegion}`);
  parts.push(`--id ${setId}`);
  return parts.join(" ");
}

export async function drSnapshotCommand(flags: GlobalFlags, _args: string[], overrides: DrSnapshotOverrides = {}): Promise<number> {
  const context = commandEnvironment(flags, overrides);
  const { ui } = context;
  const wait = pollSettings(context.env);
  const target = await opsTarget(flags, context);
  const drRegion = drRegionOf(flags, target);
  const keep = parseKeep(flags.keep);
  const now = overrides.now ?? (() => new Date());
  const setId = typeof flags.id === "string" ? checkSetId(flags.id) : newSetId(now());
  const aws = overrides.aws ?? opsAwsClients(target, context, createCallCounter());
  const redactor = new Redactor();
  try {
    const identity = await whoAmI(aws);
    const recorded = target.outputs["infra/eks"]?.clusterName;
    const cluster = overrides.cluster ?? clusterAccess({
      aws, platform: target.platform, clusterName: typeof recorded === "string" ? recorded : infraNames({ platform: target.platform }).cluster,
      region: target.region, profile: target.profile, stateDir: target.stateDir, helm: createHelmLocator({ envPath: context.env.PATH ?? "" }),
    });
    const secretArn = target.outputs["infra/secrets"]?.secretArn;
    const vault = overrides.vault ?? vaultAccess({ cluster, aws, secretId: typeof secretArn === "string" ? secretArn : infraNames({ platform: target.platform }).secret, secrets: redactor });
    const drTarget: DrTarget = { platform: target.platform, region: target.region, drRegion, account: identity.account, partition: awsPartition(target.region), tags: target.config?.tags ?? {}, outputs: target.outputs,
      // What the last install made (its infra outputs) decides; the config only before infra ran.
      modes: recordedModes(target.outputs) ?? (target.config ? dependencyModes(target.config) : undefined) };
    const request = { target: drTarget, options: { setId, keep, includeSecrets: flags.includeSecrets === true, now }, services: { aws, wait, cluster, vault } };

    if (flags.dryRun === true) {
      const surveys = await surveyDrSnapshot(request);
      if (flags.output === "json") ui.data(JSON.stringify({ platform: target.platform, set: setId, drRegion, stages: surveys.map(({ stage, items }) => ({ id: stage.id, title: stage.title, items })) }, null, 2));
      else {
        const lines = [`dr-snapshot --dry-run: set ${setId} of platform ${target.platform} (${target.region}) into ${drRegion}. Nothing was changed.`, ""];
        for (const { stage, items } of surveys) lines.push(`${stage.title} (${stage.id})`, ...(items.length === 0 ? ["  nothing"] : items.map((i) => `  - ${i.resource}`)));
        ui.data(lines.join("\n"));
      }
      return ExitCode.ok;
    }

    const lock = await acquireLock({ dir: target.stateDir, platform: target.platform, command: "dr-snapshot" });
    if (lock.takenOver) ui.warn(takeoverNotice(lock.takenOver));
    const log = await RunLog.open({ dir: statePaths(target.stateDir, target.platform).dir, command: "dr-snapshot", redactor });
    const controller = new AbortController();
    const dispose = installInterruptHandler({
      controller,
      onFirst: () => writeSync(2, "\nInterrupted: finishing the part in flight; press Ctrl-C again to stop at once.\n"),
      onSecond: () => {
        writeSync(2, `${ui.live ? "\x1b[?25h" : ""}\nStopped. Resume with: ${again(flags, target, setId)}\n`);
        process.exit(ExitCode.interrupted);
      },
    });
    try {
      log.line(`btp-aws dr-snapshot, platform ${target.platform}, set ${setId}, ${target.region} → ${drRegion}, keep ${keep ?? "all"}, include-secrets ${String(flags.includeSecrets === true)}`);
      const view = ui.live ? createListrRenderer(DR_STAGES, { output: ui.stderr }) : undefined;
      const screen = view?.events ?? createLineRenderer({ output: ui.stderr, color: ui.color });
      const events = redactEvents(fanOut(screen, createLineRenderer({ output: logStream(log), color: false })), redactor);
      const outcome = await drSnapshot({ ...request, signal: controller.signal, events }).finally(() => view?.done());
      const seconds = (outcome.stages.durationMs / 1000).toFixed(1);
      log.line(`result ${outcome.stages.status} in ${seconds}s`);
      ui.note(`Log: ${log.path}`);
      if (outcome.stages.status !== "succeeded") {
        ui.note(`${outcome.stages.status === "interrupted" ? "■ interrupted" : `✘ failed at ${outcome.stages.failed ?? "?"}`} after ${seconds}s; what finished is recorded. Resume with: ${again(flags, target, setId)}`);
        return outcome.stages.status === "interrupted" ? ExitCode.interrupted : ExitCode.failure;
      }
      const manifest = outcome.manifest;
      if (flags.output === "json") ui.data(JSON.stringify(manifest, null, 2));
      const parts = (["rds", "s3", "kubernetes", "vault"] as const).map((part) => `${part} ${manifest[part] === undefined ? "-" : isSkipped(manifest[part]) ? "skipped" : "captured"}`);
      ui.note(`✔ set ${setId} in ${seconds}s (${parts.join(", ")}): s3://${outcome.bucket.name}/${manifestKey(setId)}`);
      return ExitCode.ok;
    } finally {
      dispose();
      await log.close();
      await lock.release();
    }
  } finally {
    if (overrides.aws === undefined) aws.destroy();
  }
}
