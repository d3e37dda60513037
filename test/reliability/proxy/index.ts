/**
 * The fault and latency proxy (see server.ts). Typical use in a reliability test:
 *
 *   const proxy = await startFaultProxy({ target: inject("motoEndpoint"), seed: 42 });
 *   proxy.setFaults({ throttle: 0.2, serverError: 0.02 });   // shares of all AWS calls
 *   proxy.setLatency({ scale: 1 / 60 });                       // DEFAULT_LATENCY_TABLE, a minute → a second
 *   // run the CLI with AWS_ENDPOINT_URL=proxy.endpoint and BTP_AWS_POLL_SCALE=String(1 / 60)
 *   proxy.log.extraCalls();                                    // what the faults cost
 *   await proxy.stop();
 *
 * Keep one proxy for a whole scenario (kills and re-runs included): the latency clocks and the
 * gap state (EKS add-ons, access entries, Budgets tags) live in it, next to moto's own state.
 */
export { startFaultProxy, type FaultProxy, type FaultProxyOptions } from "./server.js";
export { decideFault, type Faults, type Fault } from "./faults.js";
export { DEFAULT_LATENCY_TABLE, modelledStepSeconds, type LatencyRule, type LatencySettings } from "./latency.js";
export { ProxyLog, callDelta, countByKind, countByOperation, extraCalls, type Injection, type LogEntry } from "./log.js";
export { detectCall, type Call } from "./detect.js";
