import { it } from "vitest";
import { startMoto } from "/work/main/test/support/moto.js";
it.each(["false", "true"])("bench load=%s", async (load) => {
  const m = await startMoto({ env: { MOTO_IAM_LOAD_MANAGED_POLICIES: load } });
  for (let i = 0; i < 4; i++) { let t = Date.now(); await m.reset(); const r = Date.now() - t; t = Date.now(); await m.seedHostedZone(`ex${i}.com`); const s1 = Date.now() - t; t = Date.now(); await m.seedHostedZone(`ey${i}.com`); console.log(load, "reset", r, "seed", s1, "seed2", Date.now() - t); }
  await m.stop();
}, 120000);
