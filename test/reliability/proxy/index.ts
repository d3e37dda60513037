/** The fault and latency proxy's public surface (see server.ts). */
export { startFaultProxy, type FaultProxy, type FaultProxyOptions } from "./server.js";
export { type Faults, type Fault } from "./faults.js";
export { DEFAULT_LATENCY_TABLE, modelledStepSeconds, type LatencyRule, type LatencySettings } from "./latency.js";
export { ProxyLog, callDelta, countByKind, countByOperation, extraCalls, type Injection, type LogEntry } from "./log.js";
export { detectCall, type Call } from "./detect.js";
