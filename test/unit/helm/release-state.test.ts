import { describe, expect, it } from "vitest";
import { BtpAwsError } from "../../../src/errors.js";
import {
  describeValues, exactNameFilter, hashFromDescription, isPending, parseListJson, parseStatusJson, sameChartVersion, splitChartLabel,
} from "../../../src/helm/release-state.js";

const HASH = "a".repeat(64);

// Printed by helm v3.17.3 and v4.1.4 (memory driver); the chart is absent from both.
const STATUS_V3 = `{"name":"vault","info":{"first_deployed":"","last_deployed":"2026-01-02T00:00:00Z","deleted":"","description":"btp-aws values-hash=${HASH}","status":"deployed"},"config":{"server":{"ha":{"enabled":true}}},"version":2,"namespace":"vault"}`;
const STATUS_V4 = `{"name":"cert-manager","info":{"description":"Initial install underway","status":"pending-install"},"version":1,"namespace":"cert-manager"}`;
const LIST = '[{"name":"cert-manager","namespace":"cert-manager","revision":"1","updated":"-","status":"pending-install","chart":"cert-manager-v1.21.2","app_version":""},{"name":"vault","namespace":"vault","revision":"2","updated":"2026-01-02 00:00:00 +0000 UTC","status":"deployed","chart":"vault-0.34.1","app_version":""}]';

describe("parseStatusJson", () => {
  it("reads helm 3's and helm 4's status output", () => {
    expect(parseStatusJson(STATUS_V3)).toEqual({ status: "deployed", revision: 2, description: `btp-aws values-hash=${HASH}` });
    expect(parseStatusJson(STATUS_V4)).toEqual({ status: "pending-install", revision: 1, description: "Initial install underway" });
  });

  it("says what is missing without quoting the output, which holds the release's values", () => {
    const leak = '{"config":{"postgresql":{"password":"hunter2-secret"}},"version":1}';
    let error: unknown;
    try {
      parseStatusJson(leak);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BtpAwsError);
    expect((error as BtpAwsError).message).toBe("helm status printed JSON btp-aws cannot read: no info object");
    expect(() => parseStatusJson("Error: not json hunter2-secret")).toThrow(/^helm status printed JSON btp-aws cannot read: not JSON$/);
  });
});

describe("parseListJson", () => {
  it("reads entries, with the revision as a number", () => {
    expect(parseListJson(LIST)).toEqual([
      { name: "cert-manager", namespace: "cert-manager", status: "pending-install", chart: "cert-manager-v1.21.2", revision: 1 },
      { name: "vault", namespace: "vault", status: "deployed", chart: "vault-0.34.1", revision: 2 },
    ]);
  });

  it("takes empty output and [] as no releases", () => {
    expect(parseListJson("")).toEqual([]);
    expect(parseListJson("[]\n")).toEqual([]);
  });

  it("rejects entries without the fields it needs", () => {
    expect(() => parseListJson('[{"name":"x"}]')).toThrow("helm list printed JSON btp-aws cannot read: an entry lacks name, namespace, status, chart or revision");
    expect(() => parseListJson("{}")).toThrow("helm list printed JSON btp-aws cannot read: not a list");
  });
});

describe("splitChartLabel", () => {
  it.each([
    ["vault-0.34.1", "vault", "0.34.1"],
    ["cert-manager-v1.21.2", "cert-manager", "v1.21.2"],
    ["aws-load-balancer-controller-3.6.0", "aws-load-balancer-controller", "3.6.0"],
    ["settlemint-v7.32.10", "settlemint", "v7.32.10"],
    ["my-chart-1.0.0-rc.1", "my-chart", "1.0.0-rc.1"],
    ["chart-2.0.0+build.5", "chart", "2.0.0+build.5"],
  ])("%s → %s %s", (label, name, version) => {
    expect(splitChartLabel(label)).toEqual({ name, version });
  });

  it("is undefined without a version", () => {
    expect(splitChartLabel("vault")).toBeUndefined();
    expect(splitChartLabel("vault-latest")).toBeUndefined();
  });
});

describe("values hash in the description", () => {
  it("round-trips and ignores descriptions helm wrote", () => {
    expect(hashFromDescription(describeValues(HASH))).toBe(HASH);
    expect(hashFromDescription("Install complete")).toBeUndefined();
    expect(hashFromDescription('Upgrade "vault" failed: timed out')).toBeUndefined();
    expect(hashFromDescription("btp-aws values-hash=abc")).toBeUndefined();
  });
});

describe("small rules", () => {
  it("compares chart versions with or without v", () => {
    expect(sameChartVersion("v1.21.2", "1.21.2")).toBe(true);
    expect(sameChartVersion("0.34.1", "0.34.1")).toBe(true);
    expect(sameChartVersion("0.34.1", "0.34.10")).toBe(false);
  });

  it("knows the stuck states", () => {
    expect(["pending-install", "pending-upgrade", "pending-rollback", "uninstalling"].map(isPending)).toEqual([true, true, true, true]);
    expect(["deployed", "failed", "superseded", "uninstalled"].map(isPending)).toEqual([false, false, false, false]);
  });

  it("builds an exact-name filter", () => {
    expect(exactNameFilter("vault")).toBe("^vault$");
    expect(exactNameFilter("a.b")).toBe("^a\\.b$");
  });
});
