import type { StepOutputs } from "../plan/types.js";
import type { StateStore, StepRecord } from "../state/types.js";

// One atomic update per transition, so a crash leaves a file that says which steps finished.
// Earlier outputs are kept until the step succeeds again: they tell it where to look.
export function markRunning(store: StateStore, id: string, startedAt: string): Promise<void> {
  return store.update((draft) => {
    draft.steps[id] = { status: "running", startedAt, outputs: draft.steps[id]?.outputs ?? {} };
  });
}

/** A step's checkpoint: outputs merged into its running record, kept until it is done (see StepContext). */
export function markProgress(store: StateStore, id: string, outputs: StepOutputs): Promise<void> {
  return store.update((draft) => {
    const record = draft.steps[id];
    if (record) record.outputs = { ...record.outputs, ...outputs };
  });
}

export function markDone(
  store: StateStore,
  id: string,
  done: { finishedAt: string; outputs: StepOutputs; skipped: string | undefined },
): Promise<void> {
  return finish(store, id, done.finishedAt, (record) => {
    record.status = "done";
    record.outputs = done.outputs;
    if (done.skipped !== undefined) record.skipped = done.skipped;
  });
}

export function markFailed(
  store: StateStore,
  id: string,
  finishedAt: string,
  error: { message: string; hint?: string },
): Promise<void> {
  return finish(store, id, finishedAt, (record) => {
    record.status = "failed";
    record.error = error;
  });
}

export function markInterrupted(store: StateStore, id: string, finishedAt: string): Promise<void> {
  return finish(store, id, finishedAt, (record) => {
    record.status = "interrupted";
  });
}

/** Starts from the running record, dropping what described an earlier attempt (skip, error). */
function finish(store: StateStore, id: string, finishedAt: string, change: (record: StepRecord) => void): Promise<void> {
  return store.update((draft) => {
    const before = draft.steps[id];
    const record: StepRecord = {
      status: "running",
      startedAt: before?.startedAt ?? finishedAt,
      finishedAt,
      outputs: before?.outputs ?? {},
    };
    change(record);
    draft.steps[id] = record;
  });
}
