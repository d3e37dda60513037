import { describe, expect, it } from "vitest";
import { installSteps } from "../../../src/cli/steps.js";
import { criticalPath, TYPICAL_SECONDS, typicalSeconds } from "../../../src/plan/critical-path.js";
import { planSteps, renderPlan } from "../../../src/plan/render.js";
import { selectSteps } from "../../../src/plan/select.js";
import { awsTestConfig } from "../../support/aws-modes.js";
import { testConfig } from "../../support/config.js";

describe("criticalPath", () => {
  it("follows the longest chain of needs", () => {
    const steps = [
      { id: "a", needs: [] },
      { id: "b", needs: ["a"] },
      { id: "c", needs: ["a"] },
      { id: "d", needs: ["b", "c"] },
    ];
    expect(criticalPath(steps, { a: 1, b: 10, c: 3, d: 2 })).toEqual({ steps: ["a", "b", "d"], seconds: 13 });
  });

  it("counts needs outside the selection as already done", () => {
    expect(criticalPath([{ id: "x", needs: ["done-earlier"] }], { x: 4, "done-earlier": 100 })).toEqual({ steps: ["x"], seconds: 4 });
  });
});

describe("the install's critical path", () => {
  const steps = selectSteps(installSteps(), { only: ["prepare", "infra"] });
  const byId = new Map(steps.map((s) => [s.id, s]));
  const before = (id: string): Set<string> => new Set((byId.get(id)?.needs ?? []).flatMap((need) => [need, ...before(need)]));

  it("keeps the NAT gateways (~2 min) off the path to the EKS cluster: only the node group waits for them", () => {
    // Found by test/bench (makespan): infra/vpc made the NAT gateways, and the cluster waited for them.
    expect(before("infra/eks").has("infra/nat-gateways")).toBe(false);
    expect(byId.get("infra/nodegroup")?.needs).toContain("infra/nat-gateways");
    // And the VPC no longer waits for the platform key, which only the flow logs use.
    expect(before("infra/vpc").has("infra/kms")).toBe(false);
    const path = criticalPath(steps);
    expect(path.steps).not.toContain("infra/nat-gateways");
    expect(path.steps.slice(-4)).toEqual(["infra/vpc", "infra/eks", "infra/nodegroup", "infra/eks-addons"]);
    // 1 + 5 (prepare) + 15 + 600 + 240 + 90: about 16 minutes, 2 less than with the gateways on it.
    expect(path.seconds).toBe(951);
  });

  it("holds infra back for the prepare checks, but not for discovery, which only reports", () => {
    // Found by test/bench (makespan): moto's tagging API is slow, and every infra step waited for it.
    for (const id of ["infra/vpc", "infra/kms", "infra/iam-roles"]) {
      expect(before(id)).toEqual(new Set(["prepare/tools", "prepare/credentials", "prepare/regions", "prepare/hosted-zone", "prepare/quotas"]));
    }
    expect(steps.some((s) => s.needs.includes("prepare/discovery"))).toBe(false);
  });

  it("creates the cluster without waiting for the platform's security groups", () => {
    // Found by test/bench (makespan): CreateCluster takes only subnets, yet the cluster waited
    // for the four groups (0.4–0.9 s of the measured critical path at 1/60).
    expect(before("infra/eks").has("infra/security-groups")).toBe(false);
    for (const id of ["infra/nodegroup", "infra/rds", "infra/elasticache"]) expect(byId.get(id)?.needs).toContain("infra/security-groups");
  });
});

describe("typicalSeconds(config)", () => {
  const steps = selectSteps(installSteps(), { only: ["prepare", "infra"] });
  const created = awsTestConfig({ environment: "production" });
  const adopted = awsTestConfig({ environment: "production", cluster: { mode: "existing", name: "team-eks" } });

  it("is TYPICAL_SECONDS for a created cluster with managed dependencies", () => {
    expect(typicalSeconds(created)).toEqual(TYPICAL_SECONDS);
  });

  it("takes an adopted cluster's network, NAT gateways, control plane and node groups as discovery only", () => {
    const seconds = typicalSeconds(adopted);
    expect(["infra/vpc", "infra/nat-gateways", "infra/eks", "infra/nodegroup"].map((id) => seconds[id])).toEqual([1, 1, 1, 1]);
    expect(seconds["infra/rds"]).toBe(900);
    // No longer the cluster and its nodes (~16 min) but the database, the longest wait left.
    const path = criticalPath(steps, seconds);
    expect(path.steps.slice(-2)).toEqual(["infra/rds", "infra/monitoring"]);
    expect(path.steps).not.toContain("infra/eks");
    expect(criticalPath(steps, TYPICAL_SECONDS).steps).toContain("infra/eks");
    expect(path.seconds).toBeLessThan(criticalPath(steps, TYPICAL_SECONDS).seconds);
  });

  it("counts nothing for a dependency step that skips (mode in-cluster or external)", () => {
    const seconds = typicalSeconds(testConfig({ cache: { mode: "external", external: { host: "redis.example.com" } } }));
    expect([seconds["infra/rds"], seconds["infra/elasticache"], seconds["infra/s3"]]).toEqual([0, 0, 0]);
    expect(typicalSeconds(awsTestConfig({ database: { mode: "in-cluster" } }))["infra/rds"]).toBe(0);
  });

  it("is what `plan` shows for the critical path", () => {
    const line = (config: typeof adopted) => renderPlan(planSteps(installSteps(), config, undefined), config).split("\n").find((l) => l.startsWith("Critical path"));
    const all = installSteps();
    const minutes = (config: typeof adopted) => Math.round(criticalPath(all, typicalSeconds(config)).seconds / 60);
    expect(line(adopted)).toContain(`≈ ${minutes(adopted)} min.`);
    expect(line(adopted)).not.toContain("infra/eks →");
    expect(minutes(adopted)).toBeLessThan(minutes(created));
    expect(line(created)).toContain("infra/eks → infra/nodegroup");
  });
});
