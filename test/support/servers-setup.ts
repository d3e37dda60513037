/**
 * Global setup of the `real` test project: builds (or reuses from .cache/servers) etcd,
 * kube-apiserver and OpenBao with test/servers/build.mjs, and unzips the helm binaries. Test
 * files start their own servers from these binaries (test/support/kube-apiserver.ts, openbao.ts)
 * and receive the paths through `inject("servers")` and `inject("helm")`.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { ensureHelmBinaries } from "./helm-binaries.js";
import { REPO_ROOT } from "./paths.js";

interface BuiltServer {
  name: string;
  version: string;
  path: string;
  seconds: number;
  cached: boolean;
}

interface BuiltServers {
  etcd: BuiltServer;
  kubeApiserver: BuiltServer;
  bao: BuiltServer;
}

declare module "vitest" {
  export interface ProvidedContext {
    servers: { etcd: string; kubeApiserver: string; bao: string };
  }
}

const log = (line: string) => console.log(`[setup] ${line}`);

/** Runs the build script as CI would; its progress lines (with build times) go to this stderr. */
function buildServers(): Promise<BuiltServers> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, "test", "servers", "build.mjs"), "--json"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`test/servers/build.mjs failed (exit code ${code}); its output is above`));
      resolve(JSON.parse(out) as BuiltServers);
    });
  });
}

export default async function setup(project: TestProject): Promise<void> {
  const started = Date.now();
  const [servers, helm] = await Promise.all([buildServers(), ensureHelmBinaries()]);
  for (const built of [servers.etcd, servers.kubeApiserver, servers.bao]) log(`${built.name} ${built.version} at ${built.path}${built.cached ? "" : ` (made in ${built.seconds.toFixed(1)} s)`}`);
  log(`helm ${helm.v4.version} and ${helm.v3.version}; ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide("servers", { etcd: servers.etcd.path, kubeApiserver: servers.kubeApiserver.path, bao: servers.bao.path });
  project.provide("helm", helm);
}
