import { describe, expect, it } from "vitest";
import { checkHelmVersion, compareVersions, MINIMUM_HELM_VERSION, parseHelmVersion } from "../../../src/helm/version.js";
import { BtpAwsError } from "../../../src/errors.js";

describe("compareVersions", () => {
  it.each([
    ["3.8.0", "3.8.0", 0],
    ["v3.8.0", "3.8.0", 0],
    ["3.8", "3.8.0", 0],
    ["3.7.2", "3.8.0", -1],
    ["3.17.3", "3.8.0", 1], // numeric, not lexical
    ["4.1.4", "3.8.0", 1],
    ["3.8.0-rc.1", "3.8.0", -1],
    ["3.8.1-rc.1", "3.8.0", 1],
    ["2.17.0", "3.8.0", -1],
  ])("%s vs %s → %i", (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
  });

  it("rejects text that is no version", () => {
    expect(() => compareVersions("latest", "3.8.0")).toThrow("not a version: latest");
  });
});

describe("parseHelmVersion", () => {
  it.each([
    ["v3.17.3", "v3.17.3"],
    ["v3.17.3+ge4da497", "v3.17.3"],
    ['version.BuildInfo{Version:"v4.1.4", GitCommit:"05fa379", GitTreeState:"clean"}', "v4.1.4"],
    ["3.9.0\n", "v3.9.0"],
    ["v3.8.0-rc.1+gabc", "v3.8.0-rc.1"],
  ])("%j → %s", (output, expected) => {
    expect(parseHelmVersion(output)).toBe(expected);
  });

  it("returns undefined without a version", () => {
    expect(parseHelmVersion("Error: unknown flag: --template")).toBeUndefined();
  });
});

describe("checkHelmVersion", () => {
  it("accepts 3.8.0 and newer", () => {
    expect(MINIMUM_HELM_VERSION).toBe("3.8.0");
    for (const version of ["v3.8.0", "v3.17.3", "v4.1.4"]) expect(checkHelmVersion(version)).toBe(version);
  });

  it("rejects older helm with an exact message and hint", () => {
    let caught: unknown;
    try {
      checkHelmVersion("v3.7.2");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BtpAwsError);
    expect((caught as BtpAwsError).message).toBe("helm v3.7.2 is too old: OCI charts need 3.8 or newer");
    expect((caught as BtpAwsError).hint).toBe("upgrade helm (https://helm.sh/docs/intro/install/) or pass --helm <path> to a newer one");
  });

  it("names a custom minimum", () => {
    expect(() => checkHelmVersion("3.9.1", "3.10.0")).toThrow("helm v3.9.1 is too old: OCI charts need 3.10 or newer");
  });
});
