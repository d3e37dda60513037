/**
 * upgradeInstall, status and list against a stateful fake helm (a Node script standing in for the
 * binary): there is no Kubernetes API server here, so these paths run only against this fake.
 * The fake answers the way helm v3.17 and v4.1 do (JSON shapes copied from the real binaries in
 * test/integration/helm/release.test.ts), including each major's flag rules: helm 3 rejects
 * `--wait=watcher`, helm 4 rejects `list --all` and hides nothing from `list`.
 */
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BtpAwsError } from "../../../src/errors.js";
import { canonicalJson } from "../../../src/helm/values-file.js";
import { createHelm, valuesHash, type HelmRelease } from "../../../src/helm/release.js";

interface FakeRelease {
  status: string;
  revision: number;
  description: string;
  chart: string;
}

interface World {
  version: string;
  chartName: string;
  chartVersion: string;
  releases: Record<string, FakeRelease>;
  failUpgrade?: string;
  callsFile: string;
}

interface Call {
  argv: string[];
  valuesFile?: { path: string; mode: number; dirMode: number; content: string };
}

const FAKE_HELM = `
import { appendFileSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
const WORLD = process.env.FAKE_HELM_WORLD ?? new URL("./world.json", import.meta.url).pathname;
const world = JSON.parse(readFileSync(WORLD, "utf8"));
const argv = process.argv.slice(2);
const call = { argv };
const v3 = world.version.startsWith("v3.");
const flag = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const save = () => { appendFileSync(world.callsFile, JSON.stringify(call) + "\\n"); writeFileSync(WORLD, JSON.stringify(world)); };
const fail = (message) => { process.stderr.write(message + "\\n"); save(); process.exit(1); };
const [command, sub] = argv;
if (command === "version") {
  process.stdout.write(world.version);
} else if (command === "status") {
  const ns = flag("--namespace");
  const r = world.releases[ns + "/" + argv[1]];
  if (!r) fail("Error: release: not found");
  process.stdout.write(JSON.stringify({ name: argv[1], info: { status: r.status, description: r.description }, config: { secret: "in-status-output" }, version: r.revision, namespace: ns }));
} else if (command === "list") {
  if (!v3 && argv.includes("--all")) fail("Error: unknown flag: --all");
  const ns = argv.includes("--all-namespaces") ? undefined : flag("--namespace");
  const filter = flag("--filter");
  const rows = Object.entries(world.releases)
    .map(([key, r]) => ({ name: key.split("/")[1], namespace: key.split("/")[0], revision: String(r.revision), updated: "-", status: r.status, chart: r.chart, app_version: "" }))
    .filter((r) => ns === undefined || r.namespace === ns)
    .filter((r) => filter === undefined || new RegExp(filter).test(r.name))
    .filter((r) => !v3 || argv.includes("--all") || r.status === "deployed" || r.status === "failed");
  process.stdout.write(JSON.stringify(rows));
} else if (command === "show" && sub === "chart") {
  process.stdout.write("apiVersion: v2\\nname: " + world.chartName + "\\nversion: " + world.chartVersion + "\\n");
} else if (command === "upgrade") {
  if (v3 && argv.some((a) => a.startsWith("--wait="))) fail('Error: invalid argument "watcher" for "--wait" flag: strconv.ParseBool: parsing "watcher": invalid syntax');
  const file = flag("--values");
  call.valuesFile = { path: file, mode: statSync(file).mode & 0o777, dirMode: statSync(dirname(file)).mode & 0o777, content: readFileSync(file, "utf8") };
  if (world.failUpgrade) fail(world.failUpgrade);
  const key = flag("--namespace") + "/" + argv[1];
  const previous = world.releases[key];
  world.releases[key] = { status: "deployed", revision: (previous?.revision ?? 0) + 1, description: flag("--description") ?? "Upgrade complete", chart: world.chartName + "-" + (flag("--version") ?? world.chartVersion) };
  process.stdout.write("Release has been upgraded. Happy Helming!\\nNOTES: password is in-notes\\n");
} else {
  fail("Error: unknown command " + command);
}
save();
`;

const SECRETS = { rootPassword: "pg-pass-9d8c7b6a5f4e", token: "lic-token-0a1b2c3d4e5f" };
const VALUES = { server: { ha: { enabled: true, replicas: 3 } }, db: { password: SECRETS.rootPassword }, license: { accountToken: SECRETS.token } };
const HASH = valuesHash(VALUES);

let scratch: string;
let binary: string;
let worldFile: string;
let callsFile: string;
let valuesDir: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "btp-aws-upgrade-"));
  binary = join(scratch, "helm");
  worldFile = join(scratch, "world.json");
  callsFile = join(scratch, "calls.jsonl");
  valuesDir = join(scratch, "values-tmp");
  // The shebang names this very Node binary: the machine's default node may be older.
  await writeFile(binary, `#!${process.execPath}\n${FAKE_HELM}`);
  await chmod(binary, 0o755);
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

async function world(patch: Partial<World> = {}): Promise<void> {
  await rm(callsFile, { force: true });
  await rm(valuesDir, { recursive: true, force: true });
  await import("node:fs/promises").then((fs) => fs.mkdir(valuesDir));
  const base: World = { version: "v3.17.3", chartName: "vault", chartVersion: "0.34.1", releases: {}, callsFile };
  await writeFile(worldFile, JSON.stringify({ ...base, ...patch }));
}

async function calls(): Promise<Call[]> {
  const text = await readFile(callsFile, "utf8").catch(() => "");
  return text.split("\n").filter(Boolean).map((line) => JSON.parse(line) as Call);
}

const commands = async () => (await calls()).map((c) => c.argv.slice(0, 2).join(" "));

function release(patch: Partial<HelmRelease> = {}): HelmRelease {
  return { name: "vault", namespace: "vault", chart: "vault", repo: "https://helm.releases.hashicorp.com", version: "0.34.1", values: VALUES, timeoutSeconds: 600, wait: true, createNamespace: true, ...patch };
}

function deployed(patch: Partial<FakeRelease> = {}): Record<string, FakeRelease> {
  return { "vault/vault": { status: "deployed", revision: 4, description: `btp-aws values-hash=${HASH}`, chart: "vault-0.34.1", ...patch } };
}

function helmWith(argvs: string[][] = []) {
  return createHelm({ binary, tmpDir: valuesDir, onArgv: (argv) => argvs.push(argv.slice(1)) });
}

beforeEach(() => world());

describe("upgradeInstall: first install", () => {
  it.each([
    ["v3.17.3", "--wait"],
    ["v4.1.4", "--wait=watcher"],
  ])("on helm %s runs upgrade --install with the values file, the hash and %s", async (version, waitFlag) => {
    await world({ version });
    const argvs: string[][] = [];
    const result = await helmWith(argvs).upgradeInstall(release());
    expect(result).toEqual({ action: "installed", revision: 1 });

    const upgrade = (await calls()).find((c) => c.argv[0] === "upgrade");
    const file = upgrade?.valuesFile;
    expect(upgrade?.argv).toEqual([
      "upgrade", "vault", "vault", "--repo", "https://helm.releases.hashicorp.com", "--version", "0.34.1", "--install",
      "--namespace", "vault", "--values", file?.path, "--reset-values", "--description", `btp-aws values-hash=${HASH}`,
      "--timeout", "600s", "--create-namespace", waitFlag,
    ]);
    // While helm ran: 0600 in a 0700 directory of its own under tmpDir, holding exactly the values.
    expect(file?.mode).toBe(0o600);
    expect(file?.dirMode).toBe(0o700);
    expect(file?.path.startsWith(`${valuesDir}/btp-aws-helm-`)).toBe(true);
    expect(file?.content).toBe(`${canonicalJson(VALUES)}\n`);
    // Afterwards: gone.
    expect(await readdir(valuesDir)).toEqual([]);

    const all = argvs.flat().join("\n");
    for (const secret of Object.values(SECRETS)) expect(all).not.toContain(secret);
    expect(await commands()).toEqual(["status vault", "version --template", "upgrade vault", "status vault", "list --namespace"]);
  });

  it("omits --wait and --create-namespace when not asked for", async () => {
    await helmWith().upgradeInstall(release({ wait: false, createNamespace: false }));
    const upgrade = (await calls()).find((c) => c.argv[0] === "upgrade");
    expect(upgrade?.argv.filter((a) => a.startsWith("--wait") || a === "--create-namespace")).toEqual([]);
  });

  it("adds --kubeconfig and --kube-context to the commands that reach the cluster", async () => {
    const argvs: string[][] = [];
    await createHelm({ binary, tmpDir: valuesDir, kubeconfig: "/state/kubeconfig", kubeContext: "btp", onArgv: (argv) => argvs.push(argv.slice(1)) }).upgradeInstall(release());
    const withCluster = argvs.filter((a) => a.includes("--kubeconfig")).map((a) => a[0]);
    expect(withCluster).toEqual(["status", "upgrade", "status", "list"]);
    for (const argv of argvs.filter((a) => a.includes("--kubeconfig"))) expect(argv.slice(-4)).toEqual(["--kubeconfig", "/state/kubeconfig", "--kube-context", "btp"]);
    expect(argvs.find((a) => a[0] === "version")).toEqual(["version", "--template", "{{.Version}}"]);
  });
});

describe("upgradeInstall: the skip rule", () => {
  it("skips a deployed release with the same chart version and values hash, and changes nothing", async () => {
    await world({ releases: deployed() });
    const result = await helmWith().upgradeInstall(release());
    expect(result).toEqual({ action: "skipped", reason: "vault 0.34.1 already deployed with the same values", revision: 4 });
    expect(await commands()).toEqual(["status vault", "version --template", "list --namespace"]);
  });

  it("keeps the version as written in the reason (cert-manager's leading v)", async () => {
    await world({ chartName: "cert-manager", releases: { "cert-manager/cert-manager": { status: "deployed", revision: 2, description: `btp-aws values-hash=${HASH}`, chart: "cert-manager-v1.21.2" } } });
    const result = await helmWith().upgradeInstall(release({ name: "cert-manager", namespace: "cert-manager", chart: "oci://quay.io/jetstack/charts/cert-manager", repo: undefined, version: "v1.21.2" }));
    expect(result.reason).toBe("cert-manager v1.21.2 already deployed with the same values");
  });

  it("reads the chart's version with helm show chart when none is pinned", async () => {
    await world({ releases: deployed() });
    const result = await helmWith().upgradeInstall(release({ chart: "/charts/vault", repo: undefined, version: undefined }));
    expect(result).toEqual({ action: "skipped", reason: "vault 0.34.1 already deployed with the same values", revision: 4 });
    expect((await calls()).map((c) => c.argv.slice(0, 3))).toContainEqual(["show", "chart", "/charts/vault"]);
  });

  it.each([
    ["other values", deployed(), { values: { ...VALUES, server: { ha: { enabled: true, replicas: 5 } } } }],
    ["another chart version", deployed(), { version: "0.34.2" }],
    ["a failed release", deployed({ status: "failed", description: 'Upgrade "vault" failed: timed out waiting for the condition' }), {}],
    ["a release made without btp-aws", deployed({ description: "Upgrade complete" }), {}],
  ])("upgrades over %s", async (_why, releases, patch: Partial<HelmRelease>) => {
    await world({ releases });
    const result = await helmWith().upgradeInstall(release(patch));
    expect(result).toEqual({ action: "upgraded", revision: 5 });
    expect(await commands()).toContain("upgrade vault");
  });

  it("stops before helm when the release is stuck pending", async () => {
    await world({ releases: deployed({ status: "pending-upgrade" }) });
    const error = await helmWith().upgradeInstall(release()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BtpAwsError);
    expect((error as BtpAwsError).message).toBe("helm release vault in namespace vault is pending-upgrade: an earlier helm operation on it is running or was interrupted");
    expect((error as BtpAwsError).hint).toBe(
      "if no other helm or btp-aws is working on it, run `helm rollback vault -n vault` (or `helm uninstall vault -n vault` if it was never deployed), then run `btp-aws install` again to resume",
    );
    expect(await commands()).not.toContain("upgrade vault");
  });

  it("sees pending releases on helm 3, where list hides them without --all", async () => {
    await world({ releases: deployed({ status: "pending-install" }) });
    const status = await helmWith().status("vault", "vault");
    expect(status).toEqual({ status: "pending-install", chartVersion: "0.34.1", revision: 4, valuesHash: HASH });
  });
});

describe("upgradeInstall: failure", () => {
  it("throws helm's error with a hint, removes the values file, and leaks no value", async () => {
    await world({ failUpgrade: "Error: UPGRADE FAILED: context deadline exceeded" });
    const argvs: string[][] = [];
    const error = await helmWith(argvs).upgradeInstall(release()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BtpAwsError);
    const e = error as BtpAwsError;
    expect(e.message).toBe("helm upgrade --install vault (vault 0.34.1) in namespace vault failed (helm exit code 1): Error: UPGRADE FAILED: context deadline exceeded");
    expect(e.hint).toBe("the release's resources were not ready within 600 s: their events say why; fix the cause, then run `btp-aws install` again to resume");
    expect(await readdir(valuesDir)).toEqual([]);
    for (const secret of [...Object.values(SECRETS), "in-status-output", "in-notes"]) {
      expect(`${e.message} ${e.hint}`).not.toContain(secret);
      expect(argvs.flat().join(" ")).not.toContain(secret);
    }
  });

  it.each([
    ["Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress", "another helm operation holds vault; wait for it, or roll it back with `helm rollback vault -n vault`, then run `btp-aws install` again to resume"],
    ["Error: values don't meet the specifications of the schema(s) in the following chart(s):\nvault:\n- at '': additional properties 'x' not allowed", "the chart rejects these values: compare them (btp-aws values) with the chart's own for vault 0.34.1, then run `btp-aws install` again to resume"],
    ["Error: UPGRADE FAILED: Kubernetes cluster unreachable", "fix the cause above, then run `btp-aws install` again to resume"],
  ])("hints from helm's words: %s", async (stderr, hint) => {
    await world({ failUpgrade: stderr });
    const error = (await helmWith().upgradeInstall(release()).catch((e: unknown) => e)) as BtpAwsError;
    expect(error.hint).toBe(hint);
  });

  it("refuses helm older than 3.8 before touching the release", async () => {
    await world({ version: "v3.7.2" });
    await expect(helmWith().upgradeInstall(release())).rejects.toThrow("helm v3.7.2 is too old: OCI charts need 3.8 or newer");
    expect(await commands()).toEqual(["status vault", "version --template"]);
  });

  it("rejects a timeout helm cannot take", async () => {
    await expect(helmWith().upgradeInstall(release({ timeoutSeconds: 1.5 }))).rejects.toThrow("helm release vault: timeoutSeconds must be a positive integer, got 1.5");
  });
});

describe("version detection and list", () => {
  it("asks helm its version once per adapter", async () => {
    await world({ releases: deployed() });
    const helm = helmWith();
    await helm.upgradeInstall(release());
    await helm.list();
    await helm.status("vault", "vault");
    expect((await commands()).filter((c) => c.startsWith("version"))).toEqual(["version --template"]);
  });

  it.each([
    ["v3.17.3", ["list", "--all-namespaces", "--all", "--output", "json"]],
    ["v4.1.4", ["list", "--all-namespaces", "--output", "json"]],
  ])("lists every release on helm %s", async (version, argv) => {
    await world({ version, releases: { ...deployed(), "cert-manager/cert-manager": { status: "pending-install", revision: 1, description: "Initial install underway", chart: "cert-manager-v1.21.2" } } });
    const listed = await helmWith().list();
    expect(listed).toEqual([
      { name: "vault", namespace: "vault", status: "deployed", chart: "vault-0.34.1" },
      { name: "cert-manager", namespace: "cert-manager", status: "pending-install", chart: "cert-manager-v1.21.2" },
    ]);
    expect((await calls()).find((c) => c.argv[0] === "list")?.argv).toEqual(argv);
  });

  it("lists one namespace", async () => {
    await world({ releases: deployed() });
    expect(await helmWith().list("other")).toEqual([]);
    expect((await calls()).find((c) => c.argv[0] === "list")?.argv).toEqual(["list", "--namespace", "other", "--all", "--output", "json"]);
  });

  it("reports a release that does not exist as undefined", async () => {
    expect(await helmWith().status("vault", "vault")).toBeUndefined();
  });
});
