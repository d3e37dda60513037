/**
 * What went through the proxy: one entry per request, with what the proxy did to it. The
 * helpers answer the questions the reliability tests and benchmarks ask: how many calls of each
 * operation, how many were reads or mutations, and how many calls the injected faults cost.
 */
import { classifyOperation } from "../../../src/aws/call-counter.js";

/** What the proxy did instead of (or on top of) forwarding to moto. */
export type Injection = "throttle" | "5xx" | "drop" | "latency" | "gap";

export interface LogEntry {
  /** Epoch milliseconds when the request arrived. */
  at: number;
  method: string;
  /** Path and query. */
  url: string;
  service: string;
  region: string;
  operation: string;
  /** The status answered; undefined when the connection was dropped. */
  status: number | undefined;
  injected?: Injection;
  /** Whether moto saw the request (false for faults and gap answers; true for a lost response). */
  forwarded: boolean;
  /** Milliseconds until the answer (or the drop). */
  ms: number;
}

/** The faults that make the client send the same call again. */
const RETRY_CAUSES: ReadonlySet<Injection | undefined> = new Set(["throttle", "5xx", "drop"]);

/** "service.Operation" → requests, e.g. { "eks.DescribeCluster": 12 }. */
export function countByOperation(entries: readonly LogEntry[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of entries) counts[`${e.service}.${e.operation}`] = (counts[`${e.service}.${e.operation}`] ?? 0) + 1;
  return counts;
}

/** Reads and mutations, classified like the installer's own call counter. */
export function countByKind(entries: readonly LogEntry[]): { read: number; mutating: number } {
  let read = 0;
  for (const e of entries) if (classifyOperation(e.operation) === "read") read += 1;
  return { read, mutating: entries.length - read };
}

/**
 * Calls the faults added: every throttled, 5xx or dropped attempt is one the client had to send
 * again. (Extra polls caused by the latency model are not faults; compare runs for those.)
 */
export function extraCalls(entries: readonly LogEntry[]): { total: number; byOperation: Record<string, number> } {
  const faulted = entries.filter((e) => RETRY_CAUSES.has(e.injected));
  return { total: faulted.length, byOperation: countByOperation(faulted) };
}

/** Per operation, how many more calls `measured` made than `baseline` (only differences). */
export function callDelta(baseline: readonly LogEntry[], measured: readonly LogEntry[]): Record<string, number> {
  const before = countByOperation(baseline);
  const after = countByOperation(measured);
  const delta: Record<string, number> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const d = (after[key] ?? 0) - (before[key] ?? 0);
    if (d !== 0) delta[key] = d;
  }
  return delta;
}

export class ProxyLog {
  private list: LogEntry[] = [];

  get entries(): readonly LogEntry[] {
    return this.list;
  }

  add(entry: LogEntry): void {
    this.list.push(entry);
  }

  clear(): void {
    this.list = [];
  }

  /** Entries with this injection (or with none, for undefined). */
  injected(kind: Injection | undefined): LogEntry[] {
    return this.list.filter((e) => e.injected === kind);
  }

  countByOperation(): Record<string, number> {
    return countByOperation(this.list);
  }

  countByKind(): { read: number; mutating: number } {
    return countByKind(this.list);
  }

  extraCalls(): { total: number; byOperation: Record<string, number> } {
    return extraCalls(this.list);
  }
}
