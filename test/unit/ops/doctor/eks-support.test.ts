/** The EKS standard support calendar: warn within 60 days of the end, fail past it. */
import { describe, expect, it } from "vitest";
import { awsComputeChecks } from "../../../../src/ops/doctor/checks-aws-compute.js";
import { EKS_END_OF_STANDARD_SUPPORT, standardSupport } from "../../../../src/ops/doctor/eks-support.js";
import { runChecks } from "../../../../src/ops/doctor/runner.js";
import type { EksCluster } from "../../../../src/aws/eks.js";
import { stubFacts, testContext } from "./helpers.js";

const at = (iso: string) => new Date(`${iso}T12:00:00Z`);

describe("standardSupport", () => {
  it("says supported more than 60 days before the end, ending within 60, ended after", () => {
    expect(standardSupport("1.34", at("2026-09-01"))).toEqual({ state: "supported", endsOn: "2026-12-02", daysLeft: 91 });
    expect(standardSupport("1.34", at("2026-10-04"))).toEqual({ state: "ending", endsOn: "2026-12-02", daysLeft: 58 });
    expect(standardSupport("1.34", at("2026-12-01"))).toEqual({ state: "ending", endsOn: "2026-12-02", daysLeft: 0 });
    expect(standardSupport("1.34", at("2026-12-02"))).toEqual({ state: "ended", endsOn: "2026-12-02", daysAgo: 0 });
    expect(standardSupport("1.31", at("2026-09-01"))).toEqual({ state: "ended", endsOn: "2025-11-26", daysAgo: 279 });
  });

  it("treats versions newer than the table as supported and older ones as long ended", () => {
    expect(standardSupport("1.36", at("2026-09-01"))).toEqual({ state: "newer", newestKnown: "1.35" });
    expect(standardSupport("1.27", at("2026-09-01"))).toEqual({ state: "older", oldestKnown: "1.29" });
    expect(standardSupport("2.0", at("2026-09-01"))).toEqual({ state: "unknown" });
  });

  it("has one row per minor version from 1.29, each about 14 months after the previous ones", () => {
    const versions = Object.keys(EKS_END_OF_STANDARD_SUPPORT);
    expect(versions).toEqual(["1.29", "1.30", "1.31", "1.32", "1.33", "1.34", "1.35"]);
    const dates = Object.values(EKS_END_OF_STANDARD_SUPPORT).map((d) => Date.parse(d));
    for (let i = 1; i < dates.length; i++) expect(dates[i]! - dates[i - 1]!).toBeGreaterThan(60 * 86_400_000);
  });
});

describe("the aws/eks-version check", () => {
  const cluster = (version: string) => ({ name: "btp-t1", version, status: "ACTIVE" }) as EksCluster;
  const run = async (version: string, today: string) => {
    const { signal: _signal, ...ctx } = testContext({ facts: stubFacts({ cluster: () => Promise.resolve(cluster(version)) }), now: () => at(today) });
    const [result] = await runChecks(awsComputeChecks.filter((c) => c.id === "aws/eks-version"), ctx, { timeoutMs: 1000 });
    return result!;
  };

  it("is ok, then a warning naming the upgrade command, then a failure", async () => {
    expect(await run("1.34", "2026-09-01")).toMatchObject({ status: "ok", detail: "1.34: in EKS standard support until 2026-12-02 (91 days)" });
    const ending = await run("1.34", "2026-11-28");
    expect(ending).toMatchObject({ status: "warn", detail: "1.34: EKS standard support ends 2026-12-02, in 3 days; extended support is billed per cluster hour" });
    expect(ending.fix).toBe('upgrade one minor version at a time: `aws eks update-cluster-version --name btp-t1 --kubernetes-version 1.35`, then set cluster.kubernetesVersion to "1.35" and run `btp-aws install --only prepare,infra`');
    expect(await run("1.33", "2026-11-28")).toMatchObject({ status: "fail", detail: "1.33: EKS standard support ended 2026-07-29 (122 days ago); the cluster runs on paid extended support" });
  });
});
