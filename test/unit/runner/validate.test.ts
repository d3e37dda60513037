import { describe, expect, it } from "vitest";
import { BtpAwsError } from "../../../src/errors.js";
import { runSteps } from "../../../src/runner/scheduler.js";
import { memoryStore } from "./fake-store.js";
import { config, step } from "./helpers.js";

/** Runs the plan and returns what it threw, after checking that nothing ran or was recorded. */
async function rejection(...args: Parameters<typeof runSteps>): Promise<BtpAwsError> {
  let ran = false;
  const steps = args[0].map((s) => ({ ...s, run: () => ((ran = true), Promise.resolve()) }));
  const error = await runSteps(steps, args[1]).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(BtpAwsError);
  expect(ran).toBe(false);
  return error as BtpAwsError;
}

describe("runSteps: the plan is checked before any step runs", () => {
  it("refuses duplicate step ids", async () => {
    const error = await rejection([step("infra/vpc"), step("infra/kms"), step("infra/vpc")], { config, services: {}, store: memoryStore() });
    expect(error.message).toBe("duplicate step ids in the plan: infra/vpc");
  });

  it("refuses a need that is not a step of the plan", async () => {
    const plan = [step("infra/vpc"), step("infra/eks", { needs: ["infra/vcp"] })];
    const error = await rejection(plan, { config, services: {}, store: memoryStore(), allSteps: plan });
    expect(error.message).toBe("step infra/eks needs infra/vcp, which is not a step of the plan");
  });

  it("names the cycle when steps need each other", async () => {
    const plan = [step("a", { needs: ["c"] }), step("b", { needs: ["a"] }), step("c", { needs: ["b"] }), step("d")];
    const error = await rejection(plan, { config, services: {}, store: memoryStore() });
    expect(error.message).toBe("steps need each other in a cycle: a → c → b → a");
  });

  it("finds a cycle that runs through steps outside the selection", async () => {
    const plan = [step("a", { needs: ["b"] }), step("b", { needs: ["a"] })];
    const error = await rejection([plan[0]!], { config, services: {}, store: memoryStore(), allSteps: plan });
    expect(error.message).toBe("steps need each other in a cycle: a → b → a");
  });

  it("refuses a step that needs itself", async () => {
    const error = await rejection([step("a", { needs: ["a"] })], { config, services: {}, store: memoryStore() });
    expect(error.message).toBe("steps need each other in a cycle: a → a");
  });

  it("refuses steps that have not shipped, pointing at the phases that have", async () => {
    const plan = [
      step("prepare/credentials", { phase: "prepare" }),
      step("infra/vpc", { availableIn: "0.2.0" }),
      step("infra/kms", { availableIn: "0.2.0" }),
      step("vault/install", { phase: "vault", availableIn: "0.3.0" }),
      step("verify/endpoints", { phase: "verify" }),
    ];
    const error = await rejection(plan, { config, services: {}, store: memoryStore(), allSteps: plan });
    expect(error.message).toBe("not available in this version: infra/vpc, infra/kms, vault/install");
    expect(error.hint).toBe("run the phases that are available: `btp-aws install --only prepare,verify`");
  });

  it("says so when no phase has shipped", async () => {
    const error = await rejection([step("infra/vpc", { availableIn: "0.2.0" })], { config, services: {}, store: memoryStore() });
    expect(error.message).toBe("not available in this version: infra/vpc");
    expect(error.hint).toBe("these steps ship in a later version of btp-aws");
  });

  it("accepts unshipped steps that are not selected", async () => {
    const plan = [step("prepare/credentials", { phase: "prepare" }), step("infra/vpc", { availableIn: "0.2.0" })];
    const result = await runSteps([plan[0]!], { config, services: {}, store: memoryStore(), allSteps: plan });
    expect(result.status).toBe("succeeded");
  });
});
