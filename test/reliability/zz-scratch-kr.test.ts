import { readFile } from "node:fs/promises";
import { expect, inject, it } from "vitest";
import { runCli } from "../support/cli.js";
import { motoControl } from "../support/moto.js";
import { startFaultProxy } from "./proxy/index.js";
import { freshPlatform, installArgs, installEnv, PLATFORM, REGION } from "./support/platform.js";
import { census, countKinds, orphans, untagged, unknownUntaggable } from "./support/world.js";
import { parseStateText } from "../../src/state/schema.js";

it("scratch", async () => {
  const moto = motoControl(inject("motoEndpoint"));
  const p = await freshPlatform(moto);
  const proxy = await startFaultProxy({ target: moto.endpoint });
  const t = Date.now();
  const r = await runCli(installArgs(p), { cwd: p.dir, env: installEnv(proxy.endpoint, inject("helm").v4.path), timeoutMs: 200_000 });
  console.log(r.code, (Date.now() - t) / 1000, r.stderr.slice(-300));
  const state = parseStateText(await readFile(p.statePath, "utf8"), p.statePath);
  const outputs = Object.fromEntries(Object.entries(state.steps).map(([k, v]) => [k, v.outputs]));
  const t2 = Date.now();
  const world = await census({ motoEndpoint: moto.endpoint, region: REGION, platform: PLATFORM, zoneId: p.zoneId, outputs, gaps: { eks: proxy.gaps.eksState(REGION), budgets: proxy.gaps.budgets } });
  console.log("census ms", Date.now() - t2);
  console.log(JSON.stringify(countKinds(world)), orphans(world), untagged(world), unknownUntaggable(world));
  await proxy.stop();
  expect(r.code).toBe(0);
});
