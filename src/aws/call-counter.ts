/**
 * Counts AWS API calls per client, split into reads and mutations, so tests (and `--verbose`
 * runs) can prove that a second install changes nothing: "zero mutating calls".
 *
 * The middleware sits in the `finalizeRequest` step at normal priority. The SDK's retry
 * middleware is also in `finalizeRequest` but at high priority, so it wraps ours: every attempt,
 * retries included, passes through this counter once (test/unit/aws/call-counter.test.ts proves
 * it with a handler that fails with a 500 before succeeding). Counting attempts rather than
 * commands is deliberate: a throttled run shows up in the numbers.
 */
import type { FinalizeRequestMiddleware, FinalizeRequestHandlerOptions, AbsoluteLocation, HandlerExecutionContext } from "@smithy/types";

export type CallKind = "read" | "mutating";

export interface CallCounts {
  read: number;
  mutating: number;
  /** Attempts per operation, keyed "Service.Operation" (e.g. "STS.GetCallerIdentity"). */
  byOperation: Record<string, number>;
}

export interface CallCounter {
  record(service: string, operation: string): void;
  /** A copy: later calls do not change it. */
  snapshot(): CallCounts;
  /** Names of the mutating operations seen, for readable assertion failures. */
  mutatingOperations(): string[];
  reset(): void;
}

// Operation names are PascalCase verbs. These verbs observe without changing anything.
// `(?=[A-Z]|$)` keeps "Get" from matching a hypothetical "Getaway".
const READ_VERBS = [
  "Describe", "Get", "List", "Head", "Lookup", "Search", "Check", "Simulate", "Query", "Scan",
  "Select", "Filter", "BatchGet", "Test", "Validate", "Estimate", "Preview", "Download", "Decrypt", "Verify",
];
const READ_PATTERN = new RegExp(`^(?:${READ_VERBS.join("|")})(?=[A-Z]|$)`);

export function classifyOperation(operation: string): CallKind {
  return READ_PATTERN.test(operation) ? "read" : "mutating";
}

export function createCallCounter(): CallCounter {
  let counts: CallCounts = { read: 0, mutating: 0, byOperation: {} };
  return {
    record(service, operation) {
      counts[classifyOperation(operation)] += 1;
      const key = `${service}.${operation}`;
      counts.byOperation[key] = (counts.byOperation[key] ?? 0) + 1;
    },
    snapshot: () => ({ ...counts, byOperation: { ...counts.byOperation } }),
    mutatingOperations: () =>
      Object.keys(counts.byOperation).filter((key) => classifyOperation(key.slice(key.indexOf(".") + 1)) === "mutating"),
    reset() {
      counts = { read: 0, mutating: 0, byOperation: {} };
    },
  };
}

/** "STSClient" → "STS", "GetCallerIdentityCommand" → "GetCallerIdentity". */
export function operationKey(context: Pick<HandlerExecutionContext, "clientName" | "commandName">): { service: string; operation: string } {
  const service = (context.clientName ?? "Unknown").replace(/Client$/, "");
  const operation = (context.commandName ?? "Unknown").replace(/Command$/, "");
  return { service, operation };
}

export const CALL_COUNTER_MIDDLEWARE_NAME = "btpAwsCallCounter";

export function callCounterMiddleware(counter: CallCounter): FinalizeRequestMiddleware<object, object> {
  return (next, context) => (args) => {
    const { service, operation } = operationKey(context);
    counter.record(service, operation);
    return next(args);
  };
}

/** Just enough of a client's middleware stack to add one finalize-step middleware. */
export interface CountableClient {
  middlewareStack: {
    // A method (not a property) so every SDK client's stack is assignable to it.
    add(middleware: FinalizeRequestMiddleware<object, object>, options: FinalizeRequestHandlerOptions & AbsoluteLocation): void;
  };
}

export function attachCallCounter(client: CountableClient, counter: CallCounter): void {
  client.middlewareStack.add(callCounterMiddleware(counter), { step: "finalizeRequest", name: CALL_COUNTER_MIDDLEWARE_NAME, override: true });
}
