import { describe, expect, it } from "vitest";
import { ProxyLog, callDelta, countByKind, countByOperation, extraCalls, type Injection, type LogEntry } from "../../reliability/proxy/log.js";

const entry = (operation: string, injected?: Injection, service = "eks"): LogEntry => ({
  at: 0, method: "GET", url: "/", service, region: "eu-west-1", operation, status: injected === "drop" ? undefined : 200, ...(injected ? { injected } : {}), forwarded: injected === undefined, ms: 1,
});

describe("proxy log helpers", () => {
  const entries = [
    entry("DescribeCluster", "throttle"),
    entry("DescribeCluster"),
    entry("DescribeCluster", "latency"),
    entry("CreateCluster", "5xx"),
    entry("CreateCluster", "drop"),
    entry("CreateCluster"),
    entry("CreateAddon", "gap"),
    entry("DescribeVpcs", undefined, "ec2"),
  ];

  it("counts requests per service.Operation and per kind", () => {
    expect(countByOperation(entries)).toEqual({ "eks.DescribeCluster": 3, "eks.CreateCluster": 3, "eks.CreateAddon": 1, "ec2.DescribeVpcs": 1 });
    expect(countByKind(entries)).toEqual({ read: 4, mutating: 4 });
  });

  it("counts the calls faults added: throttled, 5xx and dropped attempts, not latency or gap answers", () => {
    expect(extraCalls(entries)).toEqual({ total: 3, byOperation: { "eks.DescribeCluster": 1, "eks.CreateCluster": 2 } });
  });

  it("compares two runs per operation, listing only differences", () => {
    expect(callDelta([entry("DescribeCluster"), entry("CreateCluster")], entries)).toEqual({ "eks.DescribeCluster": 2, "eks.CreateCluster": 2, "eks.CreateAddon": 1, "ec2.DescribeVpcs": 1 });
    expect(callDelta(entries, entries)).toEqual({});
  });

  it("ProxyLog keeps entries, filters by injection and clears", () => {
    const log = new ProxyLog();
    entries.forEach((e) => log.add(e));
    expect(log.injected("gap").map((e) => e.operation)).toEqual(["CreateAddon"]);
    expect(log.injected(undefined)).toHaveLength(3);
    expect(log.extraCalls().total).toBe(3);
    expect(log.countByKind()).toEqual({ read: 4, mutating: 4 });
    log.clear();
    expect(log.entries).toEqual([]);
  });
});
