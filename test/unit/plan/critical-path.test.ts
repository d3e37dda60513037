import { describe, expect, it } from "vitest";
import { installSteps } from "../../../src/cli/steps.js";
import { criticalPath } from "../../../src/plan/critical-path.js";
import { selectSteps } from "../../../src/plan/select.js";

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
    expect(path.steps.slice(-5)).toEqual(["infra/vpc", "infra/security-groups", "infra/eks", "infra/nodegroup", "infra/eks-addons"]);
    // 1 + 5 (prepare) + 15 + 5 + 600 + 240 + 90: about 16 minutes, 2 less than with the gateways on it.
    expect(path.seconds).toBe(956);
  });
});
