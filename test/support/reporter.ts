/** A Reporter that remembers what a step said, for assertions on exact lines. */
import type { Reporter } from "../../src/plan/types.js";

export interface RecordingReporter extends Reporter {
  readonly statuses: string[];
  readonly infos: string[];
  readonly warnings: string[];
  readonly skipped: string[];
}

export function recordingReporter(): RecordingReporter {
  const statuses: string[] = [];
  const infos: string[] = [];
  const warnings: string[] = [];
  const skipped: string[] = [];
  return {
    statuses, infos, warnings, skipped,
    status: (text) => void statuses.push(text),
    info: (text) => void infos.push(text),
    warn: (text) => void warnings.push(text),
    skip: (reason) => void skipped.push(reason),
  };
}
