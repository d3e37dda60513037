/**
 * `btp-aws dr-snapshot`, without the CLI: the stages of one snapshot set, in order, through the
 * destroy executor (same renderers, same stop-at-first-failure), or their survey for --dry-run.
 */
import type { BucketRef } from "../../aws/s3.js";
import type { RunEvents } from "../../runner/types.js";
import { runStages, surveyStages, type StageSurvey, type StagesResult } from "../destroy/run-stages.js";
import type { Stage } from "../destroy/types.js";
import { kubernetesStage, manifestStage, rdsStage, s3Stage, vaultStage } from "./capture.js";
import { volumesStage } from "./capture-volumes.js";
import { drBucketStage, drKeyStage } from "./dr-store.js";
import { MANIFEST_FORMAT, type Manifest } from "./manifest.js";
import { drBucketName } from "./names.js";
import { recordedModes } from "../doctor/dependency-modes.js";
import { pruneStage } from "./prune.js";
import type { DrContext, DrOptions, DrServices, DrTarget } from "./types.js";

export const DR_STAGES: readonly Stage<DrContext>[] = [drKeyStage, drBucketStage, rdsStage, s3Stage, volumesStage, kubernetesStage, vaultStage, manifestStage, pruneStage];

export interface DrRequest {
  target: DrTarget;
  options: DrOptions;
  services: DrServices;
  signal?: AbortSignal;
  events?: RunEvents;
}

export interface DrOutcome {
  stages: StagesResult;
  manifest: Manifest;
  bucket: BucketRef;
}

function contextOf(request: DrRequest): DrContext {
  const { target, options } = request;
  const bucket = { name: drBucketName(target.platform, target.account, target.drRegion), owner: target.account };
  const manifest: Manifest = {
    format: MANIFEST_FORMAT, id: options.setId, status: "partial", platform: target.platform, account: target.account,
    sourceRegion: target.region, drRegion: target.drRegion, drBucket: bucket.name, drKeyArn: "", startedAt: options.now().toISOString(),
  };
  // The CLI may not know the modes (no config): the state's outputs of the last install do.
  const known = { ...target, modes: target.modes ?? recordedModes(target.outputs) };
  return { target: known, options, services: request.services, signal: request.signal ?? new AbortController().signal, dr: { keyArn: undefined, bucket }, manifest, completeBefore: undefined };
}

export function surveyDrSnapshot(request: DrRequest): Promise<StageSurvey<DrContext>[]> {
  return surveyStages(DR_STAGES, contextOf(request));
}

export async function drSnapshot(request: DrRequest): Promise<DrOutcome> {
  const context = contextOf(request);
  const stages = await runStages(DR_STAGES, context, request.events ?? {});
  return { stages, manifest: context.manifest, bucket: context.dr.bucket };
}
