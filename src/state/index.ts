/** The state module: the state file (versioned, atomic), its lock, and config fingerprints. */
export { STATE_VERSION, type State, type StateStore, type StepRecord, type StepStatus } from "./types.js";
export { StateSchema, migrate, migrations, parseStateText, type Migration } from "./schema.js";
export { FileStateStore, openState, readState, type OpenStateOptions } from "./file-store.js";
export { acquireLock, takeoverNotice, UNREADABLE_LOCK_GRACE_MS, type AcquireLockOptions, type Lock, type LockHolder, type TakenOver } from "./lock.js";
export { canonicalJson, configFingerprint, diffConfig } from "./fingerprint.js";
export { statePaths, type StatePaths } from "./paths.js";
