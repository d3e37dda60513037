/**
 * Integration-tier global setup: provisions and starts what the tests run against, once per run.
 * - a moto server (AWS), shared by every file (the files run one at a time; see vitest.config.ts)
 * - helm v3 and v4 binaries from the AWS CDK layer zips
 * Test files receive them through `inject()`; the types are declared below.
 */
import type { TestProject } from "vitest/node";
import { ensureHelmBinaries } from "./helm-binaries.js";
import { startMoto } from "./moto.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** http://127.0.0.1:<port> of the shared moto server. */
    motoEndpoint: string;
    helm: { v3: { path: string; version: string }; v4: { path: string; version: string } };
  }
}

const log = (line: string) => console.log(`[setup] ${line}`);

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const [motoResult, helmResult] = await Promise.allSettled([startMoto({ log }), ensureHelmBinaries()]);
  // If one half failed, do not leave the other half's moto process running.
  if (motoResult.status === "rejected" || helmResult.status === "rejected") {
    if (motoResult.status === "fulfilled") await motoResult.value.stop();
    throw motoResult.status === "rejected" ? motoResult.reason : (helmResult as PromiseRejectedResult).reason;
  }
  const [moto, helm] = [motoResult.value, helmResult.value];
  log(`moto ${moto.version} serving on ${moto.endpoint}`);
  log(`helm ${helm.v4.version} at ${helm.v4.path}`);
  log(`helm ${helm.v3.version} at ${helm.v3.path}`);
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide("motoEndpoint", moto.endpoint);
  project.provide("helm", helm);
  return async () => {
    await moto.stop();
  };
}
