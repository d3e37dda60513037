/** `btp-aws kubeconfig` and `btp-aws eks-token`, called as the CLI calls them, with injected EKS and credentials. */
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { eksTokenCommand } from "../../../src/cli/commands/eks-token.js";
import { defaultKubeconfigPath, kubeconfigCommand, type ClusterTarget } from "../../../src/cli/commands/kubeconfig.js";
import { createUi } from "../../../src/cli/output.js";
import type { EksConnection } from "../../../src/k8s/connection.js";
import { TOKEN_PREFIX } from "../../../src/k8s/eks-token.js";
import { kubeconfigYaml } from "../../../src/k8s/kubeconfig.js";
import { openState } from "../../../src/state/file-store.js";

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  return { ui: createUi({ env: {}, stdout, stderr, stdinTty: false }), out: () => out, err: () => err };
}

const EXEC = { command: "/usr/bin/node", args: ["/opt/btp-aws/bin/btp-aws.js"] };

describe("btp-aws kubeconfig", () => {
  let dir: string;
  let asked: ClusterTarget[];
  const connect = (target: ClusterTarget): Promise<EksConnection> => {
    asked.push(target);
    return Promise.resolve({ kind: "eks", clusterName: target.clusterName, region: target.region, profile: target.profile, server: "https://ABC.eks.amazonaws.com", caData: "Q0E=", token: () => Promise.reject(new Error("no token needed")) });
  };
  const expected = (profile?: string) => kubeconfigYaml({ kind: "eks", clusterName: "btp-acme-eks", region: "eu-west-1", profile, server: "https://ABC.eks.amazonaws.com", caData: "Q0E=", token: () => Promise.reject(new Error()) }, { name: "btp-acme", execCommand: EXEC });

  beforeEach(async () => {
    asked = [];
    dir = await mkdtemp(join(tmpdir(), "btp-kubeconfig-cmd-"));
    const store = await openState({ dir: join(dir, "state"), platform: "acme", region: "eu-west-1" });
    await store.update((state) => {
      state.config = { aws: { region: "eu-west-1", profile: "prod" } };
      state.steps["infra/eks"] = { status: "done", startedAt: "2024-05-01T10:00:00.000Z", finishedAt: "2024-05-01T10:15:00.000Z", outputs: { clusterName: "btp-acme-eks" } };
    });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const run = (flags: Record<string, unknown>, env: NodeJS.ProcessEnv = { HOME: join(dir, "home") }) => {
    const io = capture();
    const done = kubeconfigCommand({ stateDir: join(dir, "state"), platform: "acme", ...flags }, [], { ui: io.ui, env, cwd: dir, connect, execCommand: EXEC });
    return { io, done };
  };

  it("prints the kubeconfig for the cluster and region infra recorded, signing with the last run's profile", async () => {
    const { io, done } = run({});
    expect(await done).toBe(0);
    expect(asked).toEqual([{ platform: "acme", clusterName: "btp-acme-eks", region: "eu-west-1", profile: "prod" }]);
    expect(io.out()).toBe(expected("prod"));
    expect(io.err()).toBe("");
  });

  it("writes it to --out with mode 0600", async () => {
    const { io, done } = run({ out: "cluster.yaml", profile: "ops" });
    expect(await done).toBe(0);
    const file = join(dir, "cluster.yaml");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, "utf8")).toBe(expected("ops"));
    expect(io.out()).toBe("");
    expect(io.err()).toBe(`Wrote ${file} (mode 0600). Try: kubectl --kubeconfig ${file} get nodes\n`);
  });

  it("merges into ~/.kube/config, keeping the user's other contexts", async () => {
    const home = join(dir, "home");
    await mkdir(join(home, ".kube"), { recursive: true });
    await writeFile(join(home, ".kube", "config"), "apiVersion: v1\nkind: Config\nclusters:\n  - name: mine\n    cluster: { server: https://mine }\ncurrent-context: mine\n", { mode: 0o644 });
    const { io, done } = run({ merge: true });
    expect(await done).toBe(0);
    const file = join(home, ".kube", "config");
    const merged = parse(await readFile(file, "utf8")) as { clusters: { name: string }[]; "current-context": string };
    expect([merged.clusters.map((c) => c.name), merged["current-context"]]).toEqual([["mine", "btp-acme"], "btp-acme"]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(io.err()).toBe(`Merged context btp-acme into ${file} and made it the current context (mode 0600).\n`);
  });

  it("merges into KUBECONFIG's first file, through a symlink", async () => {
    const real = join(dir, "dotfiles-kubeconfig");
    const link = join(dir, "link");
    await writeFile(real, "");
    await symlink(real, link);
    const { done } = run({ merge: true }, { KUBECONFIG: `${link}:${join(dir, "second")}`, HOME: join(dir, "home") });
    expect(await done).toBe(0);
    expect((parse(await readFile(real, "utf8")) as { "current-context": string })["current-context"]).toBe("btp-acme");
    expect(defaultKubeconfigPath({ KUBECONFIG: `:${link}`, HOME: "/h" })).toBe(link);
    expect(defaultKubeconfigPath({ HOME: "/h" })).toBe("/h/.kube/config");
  });

  it("without state, names the cluster from the platform and needs a region", async () => {
    await expect(run({ platform: "fresh" }).done).rejects.toThrow("no state for platform fresh and no region given");
    const { done } = run({ platform: "fresh", region: "us-east-1" });
    expect(await done).toBe(0);
    expect(asked).toEqual([{ platform: "fresh", clusterName: "btp-fresh", region: "us-east-1", profile: undefined }]);
  });
});

describe("btp-aws eks-token", () => {
  const credentials = () => Promise.resolve({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" });

  it("prints exactly one ExecCredential on stdout, and nothing on stderr", async () => {
    const io = capture();
    expect(await eksTokenCommand({ cluster: "btp-acme", region: "eu-west-1" }, [], { ui: io.ui, credentials, now: () => new Date("2024-05-01T12:00:00Z") })).toBe(0);
    const printed = JSON.parse(io.out()) as { kind: string; apiVersion: string; status: { token: string; expirationTimestamp: string } };
    expect([printed.kind, printed.apiVersion, printed.status.expirationTimestamp]).toEqual(["ExecCredential", "client.authentication.k8s.io/v1beta1", "2024-05-01T12:14:00Z"]);
    expect(printed.status.token.startsWith(TOKEN_PREFIX)).toBe(true);
    expect(io.out().endsWith("}\n")).toBe(true);
    expect(io.err()).toBe("");
  });

  it("is a usage error without --cluster or --region", async () => {
    const failure = eksTokenCommand({ region: "eu-west-1" }, [], { credentials });
    await expect(failure).rejects.toThrow("eks-token needs the cluster and its region");
    await expect(failure).rejects.toMatchObject({ exitCode: 2, problems: ["--cluster: required"] });
  });

  it("explains missing credentials in words, on the error path (stderr), not stdout", async () => {
    const io = capture();
    const failing = () => Promise.reject(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }));
    await expect(eksTokenCommand({ cluster: "c", region: "eu-west-1" }, [], { ui: io.ui, credentials: failing })).rejects.toThrow("no AWS credentials found: Could not load credentials from any providers");
    expect(io.out()).toBe("");
  });
});
