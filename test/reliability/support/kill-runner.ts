/**
 * Runs one logical install as a chain of child processes, SIGKILLing each at the next moment of
 * a kill plan and starting the next, until a run exits on its own. Each kill is recorded with
 * where it landed: the steps the state shows running, the calls in flight at the proxy, and
 * whether the install was creating, waiting on a modelled resource, or still catching up.
 */
import { readFile } from "node:fs/promises";
import { classifyOperation } from "../../../src/aws/call-counter.js";
import { parseStateText } from "../../../src/state/schema.js";
import type { State } from "../../../src/state/types.js";
import { DEFAULT_LATENCY_TABLE, type FaultProxy, type LogEntry } from "../proxy/index.js";
import { startCli } from "./background-cli.js";
import { catchUpThisRun, createsResource, type KillPlan } from "./kill-plan.js";
import type { LogicalClock } from "./logical-clock.js";

export type KillKind = "moment" | "after-create" | "catch-up";
/** What the install was doing when it died. */
export type KillPhase = "create" | "wait" | "catch-up" | "observe";

export interface KillRecord {
  n: number;
  run: number;
  pid: number;
  kind: KillKind;
  /** "at 7.42 s", "after s3.CreateBucket", "0.37 into catch-up". */
  planned: string;
  logicalMs: number;
  /** Milliseconds since the run started. */
  runMs: number;
  phase: KillPhase;
  /** Steps the state shows running after the kill. */
  running: string[];
  /** Calls the proxy had received and not yet answered at the kill ("ec2.CreateNatGateway"). */
  inFlight: string[];
  lastCall: string | undefined;
}

export interface RunRecord {
  run: number;
  pid: number;
  killed: boolean;
  code: number | null;
  /** Until every step done before the run was done again (undefined: killed before that). */
  catchUpMs: number | undefined;
  /** The pid in the lock file when the run started (a dead run's lock to take over). */
  lockHolder: number | undefined;
  stderr: string;
}

export interface KillRunOptions {
  seed: number;
  plan: KillPlan;
  proxy: FaultProxy;
  clock: LogicalClock;
  statePath: string;
  lockPath: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** About how many runs the plan takes, to spread the catch-up kills over them. */
  expectedRuns: number;
  /** A run that has not caught up after this long counts as caught up (it may be waiting for a slot). */
  catchUpLimitMs?: number;
  /** Called as each kill is recorded (the test logs it). */
  onKill?: (kill: KillRecord) => void;
}

const POLL_MS = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const STEP_OF = new Map(DEFAULT_LATENCY_TABLE.map((rule) => [rule.what, rule.step]));

async function readStateFile(path: string): Promise<State | undefined> {
  const text = await readFile(path, "utf8").catch(() => undefined);
  // Written by atomic rename: when it exists it is whole; parsing with the real schema proves it.
  return text === undefined ? undefined : parseStateText(text, path);
}

async function lockHolder(path: string): Promise<number | undefined> {
  const text = await readFile(path, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return (JSON.parse(text) as { pid?: number }).pid;
  } catch {
    return undefined;
  }
}

const isMutating = (e: LogEntry) => e.status !== undefined && e.status < 300 && e.service !== "Unknown" && classifyOperation(e.operation) === "mutating";
const callName = (e: LogEntry) => `${e.service}.${e.operation}`;

export interface KillRun {
  kills: KillRecord[];
  runs: RunRecord[];
  /** The run that exited on its own. */
  final: RunRecord;
  /** Every resource-creating operation the install made ("s3.CreateBucket"), killed after or not. */
  creatingOperations: string[];
}

/** Resolves once no entry was added to the log for `quietMs`, or after `limitMs`. */
async function logQuiet(log: { entries: readonly unknown[] }, quietMs: number, limitMs: number): Promise<void> {
  const until = Date.now() + limitMs;
  let count = log.entries.length;
  let since = Date.now();
  while (Date.now() < until && Date.now() - since < quietMs) {
    await sleep(50);
    if (log.entries.length !== count) {
      count = log.entries.length;
      since = Date.now();
    }
  }
}

export async function killAndResume(options: KillRunOptions): Promise<KillRun> {
  const { proxy, clock } = options;
  const moments = [...options.plan.moments];
  const catchUps = [...options.plan.catchUps];
  const kills: KillRecord[] = [];
  const runs: RunRecord[] = [];
  const creating = new Set<string>();
  const killedAfter = new Set<string>();

  // Watch the proxy's answers as they are logged: an after-create kill fires in the same tick,
  // right after the answer was written to the socket.
  let onCreated: ((operation: string) => void) | undefined;
  const log = proxy.log;
  const add = log.add.bind(log);
  log.add = (entry: LogEntry) => {
    add(entry);
    if (isMutating(entry) && createsResource(entry.operation)) {
      creating.add(callName(entry));
      onCreated?.(callName(entry));
    }
  };

  let doneBefore = new Set<string>();
  let lastCatchUpMs = 2000;
  try {
    for (let run = 1; ; run++) {
      const lockBefore = await lockHolder(options.lockPath);
      const startedAt = Date.now();
      const child = startCli(options.args, { cwd: options.cwd, env: options.env, timeoutMs: 240_000 });
      let caughtUpAt: number | undefined;
      let killed: { kind: KillKind; planned: string; at: number } | undefined;
      const kill = (kind: KillKind, planned: string) => {
        if (killed || !child.running) return;
        killed = { kind, planned, at: Date.now() };
        child.kill("SIGKILL");
        clock.stop();
      };

      // Arm this run's kills: the next moment, the first new creating operation, maybe a catch-up kill.
      const catchUp = run > 1 && catchUpThisRun(options.seed, run, catchUps.length, options.expectedRuns, moments.length > 0) ? catchUps.shift() : undefined;
      let timer: NodeJS.Timeout | undefined;
      if (catchUp !== undefined) timer = setTimeout(() => kill("catch-up", `${catchUp.toFixed(2)} into catch-up`), Math.round(catchUp * lastCatchUpMs));
      onCreated = (operation) => {
        // A create answered after this run was killed is counted through the kill's in-flight
        // calls; only a kill that lands right after it marks it done here.
        if (killedAfter.has(operation) || killed || !child.running) return;
        killedAfter.add(operation);
        kill("after-create", `after ${operation}`);
      };
      const momentAt = moments[0];

      const startIso = new Date(startedAt).toISOString();
      if (doneBefore.size === 0) {
        caughtUpAt = startedAt;
        clock.start();
      }
      while (child.running && !killed) {
        if (caughtUpAt === undefined) {
          const state = await readStateFile(options.statePath);
          const redone = [...doneBefore].every((id) => state?.steps[id]?.status === "done" && state.steps[id].startedAt >= startIso);
          if (redone || Date.now() - startedAt > (options.catchUpLimitMs ?? 8000)) {
            caughtUpAt = Date.now();
            clock.start();
          }
        }
        // Only past the catch-up: a moment belongs to the install's new work, not its re-observation.
        if (caughtUpAt !== undefined && momentAt !== undefined && clock.now() >= momentAt) kill("moment", `at ${(momentAt / 1000).toFixed(2)} s`);
        await sleep(POLL_MS);
      }
      clearTimeout(timer);
      onCreated = undefined;
      const result = await child.done;
      clock.stop();
      const record: RunRecord = { run, pid: child.pid, killed: killed !== undefined, code: result.code, catchUpMs: caughtUpAt === undefined ? undefined : caughtUpAt - startedAt, lockHolder: lockBefore, stderr: result.stderr };
      runs.push(record);
      if (!killed) return { kills, runs, final: record, creatingOperations: [...creating].sort() };

      const killedAt = killed.at;
      if (killed.kind === "moment") moments.shift();
      // Another kill came first: the catch-up kill is still owed to a later run.
      if (catchUp !== undefined && killed.kind !== "catch-up") catchUps.unshift(catchUp);
      if (record.catchUpMs !== undefined) lastCatchUpMs = record.catchUpMs;
      // Calls in flight at the kill are still answered by moto and logged by the proxy after it;
      // a slow (loaded) moto takes longer than any fixed pause, so wait until the log is quiet.
      await logQuiet(log, 250, 5000);
      const state = await readStateFile(options.statePath);
      const running = Object.entries(state?.steps ?? {}).filter(([, s]) => s.status === "running").map(([id]) => id);
      // A request the child sent in the tick it died reaches the proxy after killedAt: it is still
      // this run's (the next has not started), and counts as in flight at the kill.
      const ofRun = log.entries.filter((e) => e.at >= startedAt);
      const inFlight = ofRun.filter((e) => e.at + e.ms >= killedAt);
      const last = ofRun.at(-1);
      const waiting = proxy.latency.pending(clock.now()).some((p) => running.includes(STEP_OF.get(p.what) ?? ""));
      const mutatingNow = inFlight.some(isInFlightMutation) || (last !== undefined && isMutating(last) && killedAt - (last.at + last.ms) < 200);
      const phase: KillPhase = mutatingNow ? "create" : caughtUpAt === undefined ? "catch-up" : waiting ? "wait" : "observe";
      const entry: KillRecord = {
        n: kills.length + 1, run, pid: child.pid, kind: killed.kind, planned: killed.planned, logicalMs: clock.now(), runMs: killedAt - startedAt,
        phase, running, inFlight: inFlight.map(callName), lastCall: last && callName(last),
      };
      kills.push(entry);
      options.onKill?.(entry);
      doneBefore = new Set(Object.entries(state?.steps ?? {}).filter(([, s]) => s.status === "done").map(([id]) => id));
    }
  } finally {
    log.add = add;
  }
}

const isInFlightMutation = (e: LogEntry) => e.service !== "Unknown" && classifyOperation(e.operation) === "mutating";
