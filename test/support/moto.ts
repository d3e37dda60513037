/**
 * A real moto server (Python package moto[server]) as the AWS stand-in for integration tests.
 *
 * Provisioned on first use into .cache/moto (git-ignored), started once per test run by the
 * global setup, and driven from the test files through `motoControl(endpoint)`: reset between
 * tests, seed what a user already has (a hosted zone), switch IAM authentication on and off.
 * A missing python3 is an error with instructions, never a silently skipped tier.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { access, readdir } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { execa } from "execa";
import { CACHE_DIR, REPO_ROOT } from "./paths.js";

export const MOTO_VERSION = "5.2.5";
export const MOTO_DIR = join(CACHE_DIR, "moto");
const MOTO_SERVER_SCRIPT = join(REPO_ROOT, "test", "support", "moto-server.py");
/** The account moto puts every resource in unless told otherwise. */
export const MOTO_ACCOUNT = "123456789012";
/** Any credentials work while IAM authentication is off (moto's default). */
export const MOTO_CREDENTIALS = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };

const START_DEADLINE_MS = 60_000;
const STDERR_TAIL_BYTES = 16_384;

export const PYTHON_MISSING =
  "python3 not found: the integration tests run a real moto server (pip package moto[server]); install python3 (Debian: apt-get install python3 python3-venv)";

async function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}

/** Whether the venv has moto at the pinned version (its dist-info directory names the version). */
async function motoInstalled(): Promise<boolean> {
  if (!(await exists(join(MOTO_DIR, "bin", "moto_server")))) return false;
  const lib = join(MOTO_DIR, "lib");
  for (const python of await readdir(lib).catch(() => [])) {
    if (await exists(join(lib, python, "site-packages", `moto-${MOTO_VERSION}.dist-info`))) return true;
  }
  return false;
}

/** Creates .cache/moto with moto[server] pinned, unless it is already there. */
export async function ensureMoto(log: (line: string) => void = () => {}): Promise<string> {
  const server = join(MOTO_DIR, "bin", "moto_server");
  if (await motoInstalled()) return server;

  const python = await execa("python3", ["--version"], { reject: false });
  if (python.failed) throw new Error(PYTHON_MISSING);

  if (!(await exists(join(MOTO_DIR, "bin", "pip")))) {
    log(`creating a Python venv for moto in ${MOTO_DIR}`);
    const venv = await execa("python3", ["-m", "venv", "--clear", MOTO_DIR], { reject: false, all: true });
    if (venv.failed) {
      throw new Error(
        `python3 -m venv ${MOTO_DIR} failed: the integration tests need a venv for moto; install the venv module (Debian: apt-get install python3-venv)\n${venv.all}`,
      );
    }
  }
  log(`installing moto[server]==${MOTO_VERSION} from PyPI (once; cached in ${MOTO_DIR})`);
  const pip = await execa(join(MOTO_DIR, "bin", "pip"), ["install", "--disable-pip-version-check", "--quiet", `moto[server]==${MOTO_VERSION}`], { reject: false, all: true });
  if (pip.failed) throw new Error(`pip install moto[server]==${MOTO_VERSION} failed: PyPI must be reachable the first time\n${pip.all}`);
  return server;
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Drives a running moto server; usable from any test worker that knows the endpoint. */
export interface MotoControl {
  readonly endpoint: string;
  /** Wipes every region and account, and switches IAM authentication back off. */
  reset(): Promise<void>;
  /** Creates the public hosted zone a user would already own; returns its id ("Z…"). */
  seedHostedZone(name: string): Promise<string>;
  /**
   * Makes moto check credentials and signatures like AWS (unknown access key →
   * InvalidClientTokenId). moto's `INITIAL_NO_AUTH_ACTION_COUNT`, set at runtime through
   * `POST /moto-api/reset-auth`, the same call moto's own `set_initial_no_auth_action_count` uses.
   */
  enableIamAuth(): Promise<void>;
  disableIamAuth(): Promise<void>;
}

async function post(url: string, body?: string): Promise<void> {
  const response = await fetch(url, { method: "POST", body });
  if (!response.ok) throw new Error(`POST ${url}: HTTP ${response.status} ${await response.text()}`);
}

export function motoControl(endpoint: string): MotoControl {
  const control: MotoControl = {
    endpoint,
    async reset() {
      await post(`${endpoint}/moto-api/reset`);
      await control.disableIamAuth();
    },
    async seedHostedZone(name) {
      const { Route53Client, CreateHostedZoneCommand } = await import("@aws-sdk/client-route-53");
      const route53 = new Route53Client({ region: "us-east-1", endpoint, credentials: MOTO_CREDENTIALS });
      try {
        const created = await route53.send(new CreateHostedZoneCommand({ Name: name, CallerReference: `seed-${Date.now()}` }));
        return (created.HostedZone?.Id ?? "").replace(/^\/hostedzone\//, "");
      } finally {
        route53.destroy();
      }
    },
    enableIamAuth: () => post(`${endpoint}/moto-api/reset-auth`, "0"),
    disableIamAuth: () => post(`${endpoint}/moto-api/reset-auth`, "inf"),
  };
  return control;
}

export interface MotoServer extends MotoControl {
  readonly version: string;
  stop(): Promise<void>;
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Provisions (if needed) and starts moto on a free port; resolves once it answers. */
export async function startMoto(options: { log?: (line: string) => void; env?: Record<string, string> } = {}): Promise<MotoServer> {
  await ensureMoto(options.log);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  // moto_server through a wrapper that keeps Python's garbage collector from stalling it (see the file).
  const child = spawn(join(MOTO_DIR, "bin", "python"), [MOTO_SERVER_SCRIPT, "-H", "127.0.0.1", "-p", String(port)], {
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: "true", MOTO_ACM_VALIDATION_WAIT: "0", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // moto logs every request; the pipes must be drained or it blocks. Keep a tail for errors.
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-STDERR_TAIL_BYTES);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let exited: string | undefined;
  child.once("exit", (code, signal) => (exited = `exited with ${signal ?? `code ${String(code)}`}`));
  child.once("error", (error) => (exited = `failed to start: ${error.message}`));

  const deadline = Date.now() + START_DEADLINE_MS;
  while (!(await answers(endpoint))) {
    if (exited !== undefined || Date.now() > deadline) {
      await stopProcess(child);
      const why = exited ?? `did not answer GET ${endpoint}/moto-api/ within ${START_DEADLINE_MS / 1000} s`;
      throw new Error(`moto_server ${why}; its output:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { ...motoControl(endpoint), version: MOTO_VERSION, stop: () => stopProcess(child) };
}
