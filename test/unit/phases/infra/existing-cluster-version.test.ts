/** Whether an adopted cluster's Kubernetes version can carry the platform, on a fixed clock and calendar. */
import { describe, expect, it } from "vitest";
import { clusterVersionVerdict } from "../../../../src/phases/infra/existing-cluster-version.js";

const CALENDAR = { "1.31": "2025-11-26", "1.32": "2026-03-23", "1.33": "2026-07-29", "1.34": "2026-12-02", "1.35": "2027-03-27" };
const NOW = new Date("2026-11-28T12:00:00Z");

describe("existing cluster version", () => {
  it("accepts a version in standard support", () => {
    expect(clusterVersionVerdict("1.35", NOW, CALENDAR)).toEqual({ state: "ok", detail: "Kubernetes 1.35, in EKS standard support until 2027-03-27" });
  });

  it("warns when standard support ends within 60 days", () => {
    expect(clusterVersionVerdict("1.34", NOW, CALENDAR)).toEqual({
      state: "warn", detail: "Kubernetes 1.34 leaves EKS standard support on 2026-12-02 (in 3 days); extended support is billed per cluster hour",
    });
  });

  it("warns on extended support, which lasts 12 months after standard support", () => {
    expect(clusterVersionVerdict("1.33", NOW, CALENDAR)).toEqual({
      state: "warn", detail: "Kubernetes 1.33 left EKS standard support on 2026-07-29: the cluster runs on extended support (billed per cluster hour) until 2027-07-29",
    });
  });

  it("refuses a version older than the current one and the two before it", () => {
    expect(clusterVersionVerdict("1.32", NOW, CALENDAR)).toEqual({
      state: "unsupported", detail: "Kubernetes 1.32 is older than the platform supports (1.33 to 1.35: the current version and the two before it)",
    });
  });

  it("refuses a version past EKS extended support even inside the platform's range", () => {
    const later = new Date("2027-08-01T00:00:00Z");
    expect(clusterVersionVerdict("1.33", later, CALENDAR)).toEqual({ state: "unsupported", detail: "Kubernetes 1.33 left EKS extended support on 2027-07-29" });
  });

  it("accepts a version newer than the calendar, and refuses one that is not a version", () => {
    expect(clusterVersionVerdict("1.36", NOW, CALENDAR)).toEqual({ state: "ok", detail: "Kubernetes 1.36, newer than btp-aws's support calendar (1.35)" });
    expect(clusterVersionVerdict("2.0", NOW, CALENDAR).state).toBe("unsupported");
  });
});
