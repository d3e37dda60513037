import { it, inject } from "vitest";
import { motoControl } from "/work/main/test/support/moto.js";
it("bench", async () => {
  const m = motoControl(inject("motoEndpoint"));
  for (let i = 0; i < 3; i++) { await m.reset(); const t = Date.now(); const id = await m.seedHostedZone(`ex${i}.com`); console.log("seed", id, Date.now() - t, "ms"); }
});
