import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { existingConnection, type EksConnection, type KubeconfigConnection } from "../../../src/k8s/connection.js";
import { execCredential } from "../../../src/k8s/eks-token.js";
import { selfExecCommand } from "../../../src/k8s/exec-command.js";
import { createKube } from "../../../src/k8s/kube.js";
import { helmKubeArgs, kubeconfigYaml, mergeKubeconfig, writeKubeconfig } from "../../../src/k8s/kubeconfig.js";
import { REPO_ROOT } from "../../support/paths.js";
import { SERVER_CERT, startFakeApiServer, type FakeApiServer } from "./support/fake-apiserver.js";

const EKS: EksConnection = {
  kind: "eks",
  clusterName: "btp-acme",
  region: "eu-west-1",
  profile: "prod",
  server: "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
  caData: "Q0EgZGF0YQ==",
  token: () => Promise.reject(new Error("a kubeconfig must never ask for a token")),
};
const EXEC = { command: "/usr/bin/node", args: ["/opt/btp-aws/bin/btp-aws.js"] };

describe("kubeconfigYaml", () => {
  it("has one cluster, context and user named after the platform; the user runs `btp-aws eks-token`, holding no token", () => {
    const text = kubeconfigYaml(EKS, { name: "btp-acme", execCommand: EXEC });
    expect(parse(text)).toEqual({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "btp-acme", cluster: { server: "https://ABC.gr7.eu-west-1.eks.amazonaws.com", "certificate-authority-data": "Q0EgZGF0YQ==" } }],
      contexts: [{ name: "btp-acme", context: { cluster: "btp-acme", user: "btp-acme" } }],
      users: [
        {
          name: "btp-acme",
          user: {
            exec: {
              apiVersion: "client.authentication.k8s.io/v1beta1",
              command: "/usr/bin/node",
              args: ["/opt/btp-aws/bin/btp-aws.js", "eks-token", "--cluster", "btp-acme", "--region", "eu-west-1", "--profile", "prod"],
              interactiveMode: "Never",
              provideClusterInfo: false,
            },
          },
        },
      ],
      "current-context": "btp-acme",
      preferences: {},
    });
    expect(text).not.toMatch(/token:/);
  });

  it("omits --profile when the default credential chain is used", () => {
    const user = (parse(kubeconfigYaml({ ...EKS, profile: undefined }, { name: "n", execCommand: EXEC })) as { users: { user: { exec: { args: string[] } } }[] }).users[0]!;
    expect(user.user.exec.args).toEqual(["/opt/btp-aws/bin/btp-aws.js", "eks-token", "--cluster", "btp-acme", "--region", "eu-west-1"]);
  });
});

describe("selfExecCommand", () => {
  it("is this Node binary and the package's bin script, by absolute path", () => {
    expect(selfExecCommand()).toEqual({ command: process.execPath, args: [join(REPO_ROOT, "bin", "btp-aws.js")] });
  });
});

describe("mergeKubeconfig", () => {
  const existing = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "  - name: other",
    "    cluster: { server: https://other.example }",
    "  - name: btp-acme",
    "    cluster: { server: https://stale.example }",
    "contexts:",
    "  - name: other",
    "    context: { cluster: other, user: other }",
    "users:",
    "  - name: other",
    "    user: { token: kept-as-is }",
    "current-context: other",
    "preferences: { colors: true }",
    "",
  ].join("\n");

  it("adds or replaces this platform's entries, keeps every other one, and makes its context current", () => {
    const merged = parse(mergeKubeconfig(existing, EKS, { name: "btp-acme", execCommand: EXEC })) as Record<string, { name: string; cluster?: { server: string } }[]>;
    expect(merged.clusters!.map((c) => [c.name, c.cluster?.server])).toEqual([["other", "https://other.example"], ["btp-acme", "https://ABC.gr7.eu-west-1.eks.amazonaws.com"]]);
    expect(merged.contexts!.map((c) => c.name)).toEqual(["other", "btp-acme"]);
    expect(merged.users!.map((u) => u.name)).toEqual(["other", "btp-acme"]);
    expect(merged["current-context"]).toBe("btp-acme");
    expect(merged.preferences).toEqual({ colors: true });
    expect((merged.users![0] as unknown as { user: unknown }).user).toEqual({ token: "kept-as-is" });
  });

  it("starts a new kubeconfig when there is none, and merging twice changes nothing more", () => {
    const once = mergeKubeconfig(undefined, EKS, { name: "btp-acme", execCommand: EXEC });
    expect(parse(once)).toEqual(parse(kubeconfigYaml(EKS, { name: "btp-acme", execCommand: EXEC })));
    expect(mergeKubeconfig(once, EKS, { name: "btp-acme", execCommand: EXEC })).toBe(once);
  });

  it("refuses to rewrite a file it cannot understand", () => {
    expect(() => mergeKubeconfig("clusters: [ {", EKS, { name: "n", execCommand: EXEC }, "/home/u/.kube/config")).toThrow("cannot merge into kubeconfig /home/u/.kube/config: ");
    expect(() => mergeKubeconfig("clusters: 3\n", EKS, { name: "n", execCommand: EXEC }, "/home/u/.kube/config")).toThrow("kubeconfig /home/u/.kube/config: clusters is not a list");
    expect(() => mergeKubeconfig("- a\n", EKS, { name: "n", execCommand: EXEC }, "/k")).toThrow("cannot merge into kubeconfig /k: it is not a YAML mapping");
  });
});

describe("writeKubeconfig and helmKubeArgs", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "btp-state-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("writes the platform's kubeconfig into its state directory, readable by the owner only", async () => {
    const path = await writeKubeconfig(dir, "acme", EKS, { name: "btp-acme", execCommand: EXEC });
    expect(path).toBe(join(dir, "acme", "kubeconfig"));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, "utf8")).toBe(kubeconfigYaml(EKS, { name: "btp-acme", execCommand: EXEC }));
    expect(helmKubeArgs(EKS, { path, context: "btp-acme" })).toEqual(["--kubeconfig", path, "--kube-context", "btp-acme"]);
  });

  it("gives helm the user's own kubeconfig and the resolved context", () => {
    const own: KubeconfigConnection = { kind: "kubeconfig", files: ["/k/a"], explicitFile: "/k/a", context: "prod", server: "https://x" };
    expect(helmKubeArgs(own)).toEqual(["--kubeconfig", "/k/a", "--kube-context", "prod"]);
    expect(helmKubeArgs({ ...own, explicitFile: undefined })).toEqual(["--kube-context", "prod"]);
  });
});

/**
 * The kubeconfig as a client reads it: client-node runs the exec plugin it names and sends the
 * token the plugin prints. The plugin here is a Node one-liner standing in for `btp-aws
 * eks-token` (which needs the built CLI); it prints our ExecCredential JSON with a token that
 * encodes the arguments it was given, so the test sees both the format and the arguments.
 */
describe("a written kubeconfig, used by client-node", () => {
  let server: FakeApiServer;
  let dir: string;
  beforeAll(async () => {
    server = await startFakeApiServer({ acceptToken: (token) => token.startsWith("k8s-aws-v1.") });
    dir = await mkdtemp(join(tmpdir(), "btp-exec-"));
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("authenticates through the exec plugin with the cluster's CA", async () => {
    const credential = JSON.stringify(execCredential({ token: "TOKEN", expiresAt: new Date(Date.now() + 14 * 60_000) }));
    const script = `const t = "k8s-aws-v1." + Buffer.from(process.argv.slice(1).join(" ")).toString("base64url"); process.stdout.write(${JSON.stringify(credential)}.replace("TOKEN", t));`;
    const connection: EksConnection = { ...EKS, server: server.url, caData: Buffer.from(SERVER_CERT).toString("base64") };
    const path = await writeKubeconfig(dir, "acme", connection, { name: "btp-acme", execCommand: { command: process.execPath, args: ["-e", script] } });

    const kube = await createKube(await existingConnection({ kubeconfig: path }));
    expect(await kube.get("v1", "Namespace", "vault")).toBeUndefined();
    const token = server.requests[0]?.authorization?.replace(/^Bearer k8s-aws-v1\./, "") ?? "";
    expect(Buffer.from(token, "base64url").toString("utf8")).toBe("eks-token --cluster btp-acme --region eu-west-1 --profile prod");
    expect(new Set(server.requests.map((r) => r.authorization)).size).toBe(1);
  });
});
