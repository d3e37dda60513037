import { STATE_VERSION, type State, type StateStore, type StepRecord } from "../../../src/state/types.js";

/** An in-memory StateStore: same contract as the file store (copy, change, swap; serialised). */
export interface MemoryStore extends StateStore {
  /** A copy of the state after every update, oldest first. */
  readonly writes: State[];
  /** Makes the next updates whose change matches throw, like a full disk would. */
  failWhen(predicate: (next: State) => boolean, message: string): void;
}

export function memoryStore(steps: Record<string, StepRecord> = {}): MemoryStore {
  let state: State = {
    version: STATE_VERSION,
    platform: "acme-test",
    region: "eu-west-1",
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedAt: "2025-01-01T00:00:00.000Z",
    configFingerprint: undefined,
    config: {},
    steps: structuredClone(steps),
  };
  let queue: Promise<void> = Promise.resolve();
  let failure: { predicate: (next: State) => boolean; message: string } | undefined;
  const writes: State[] = [];

  return {
    path: "memory://state.json",
    writes,
    current: () => state,
    update(change) {
      const next = queue.then(() => {
        const draft = structuredClone(state);
        change(draft);
        if (failure?.predicate(draft)) throw new Error(failure.message);
        state = draft;
        writes.push(structuredClone(draft));
      });
      // A failed update must not block the ones queued after it.
      queue = next.catch(() => {});
      return next;
    },
    failWhen(predicate, message) {
      failure = { predicate, message };
    },
  };
}
