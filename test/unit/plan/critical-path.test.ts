import { describe, expect, it } from "vitest";
import { criticalPath } from "../../../src/plan/critical-path.js";

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
