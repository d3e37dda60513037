/**
 * Real OpenBao servers for the `real` test project, on loopback ports with temporary data:
 * - startOpenBaoDev(): `bao server -dev`, in memory, unsealed, with a known root token: fast, for
 *   the configuration tests;
 * - startOpenBaoRaft(): a non-dev server on raft storage, uninitialised, for initialisation and
 *   raft snapshots. Its seal is OpenBao's "static" auto-unseal (a key file), standing in for
 *   awskms: like KMS it unseals by itself and initialises with recovery keys, which is the only
 *   kind of Vault btp-aws initialises (a Shamir seal is refused, see initialise.ts).
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startProcess, waitReady, type ServerProcess } from "../servers/process.js";

export interface OpenBaoServer {
  /** http://127.0.0.1:<port> */
  readonly address: string;
  readonly process: ServerProcess;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
}

export interface OpenBaoDevServer extends OpenBaoServer {
  /** A test credential for a throwaway server. */
  readonly rootToken: string;
}

async function answers(url: string, statuses: readonly number[]): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await response.arrayBuffer();
  return statuses.includes(response.status);
}

function stopper(server: ServerProcess, dir: string): () => Promise<void> {
  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

/** The environment bao runs with: no inherited BAO_/VAULT_ settings, and a home of its own. */
function baoEnv(home: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(BAO|VAULT)_/.test(key)));
  return { ...env, HOME: home };
}

export async function startOpenBaoDev(binary: string): Promise<OpenBaoDevServer> {
  const dir = await mkdtemp(join(tmpdir(), "btp-aws-bao-dev-"));
  const port = await freePort();
  // OpenBao refuses custom token ids with its own prefixes ("s.", "hvs.").
  const rootToken = `dev-root-${randomBytes(12).toString("hex")}`;
  const server = startProcess("bao server -dev", binary, ["server", "-dev", `-dev-listen-address=127.0.0.1:${port}`, `-dev-root-token-id=${rootToken}`, "-dev-no-store-token", "-log-level=warn"], {
    env: baoEnv(dir),
    cwd: dir,
  });
  const address = `http://127.0.0.1:${port}`;
  const stop = stopper(server, dir);
  try {
    await waitReady(server, "sys/health to answer 200", () => answers(`${address}/v1/sys/health`, [200]));
  } catch (error) {
    await stop();
    throw error;
  }
  return { address, rootToken, process: server, stop };
}

export async function startOpenBaoRaft(binary: string): Promise<OpenBaoServer> {
  const dir = await mkdtemp(join(tmpdir(), "btp-aws-bao-raft-"));
  const [port, clusterPort] = [await freePort(), await freePort()];
  const keyFile = join(dir, "static-seal.key");
  await writeFile(keyFile, randomBytes(32), { mode: 0o600 });
  const config = `
storage "raft" {
  path    = "${dir}"
  node_id = "bao-0"
}
listener "tcp" {
  address         = "127.0.0.1:${port}"
  cluster_address = "127.0.0.1:${clusterPort}"
  tls_disable     = true
}
seal "static" {
  current_key_id = "btp-aws-test"
  current_key    = "file://${keyFile}"
}
api_addr     = "http://127.0.0.1:${port}"
cluster_addr = "https://127.0.0.1:${clusterPort}"
`;
  const configFile = join(dir, "config.hcl");
  await writeFile(configFile, config);
  const server = startProcess("bao server (raft)", binary, ["server", `-config=${configFile}`, "-log-level=warn"], { env: baoEnv(dir), cwd: dir });
  const address = `http://127.0.0.1:${port}`;
  const stop = stopper(server, dir);
  try {
    // Uninitialised, sys/seal-status answers 200 (sys/health answers 501).
    await waitReady(server, "sys/seal-status to answer", () => answers(`${address}/v1/sys/seal-status`, [200]));
  } catch (error) {
    await stop();
    throw error;
  }
  return { address, process: server, stop };
}
