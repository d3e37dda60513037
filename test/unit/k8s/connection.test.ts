import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeClusterCommand, EKSClient, EKSServiceException, ResourceNotFoundException } from "@aws-sdk/client-eks";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { createAwsClients } from "../../../src/aws/clients.js";
import { eksConnection, existingConnection, kubeconfigFiles } from "../../../src/k8s/connection.js";
import { TOKEN_PREFIX } from "../../../src/k8s/eks-token.js";

const eks = mockClient(EKSClient);
afterEach(() => eks.reset());

const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret-key-example" };
const aws = () => createAwsClients({ region: "eu-west-1", userAgentSuffix: "btp-aws/test", credentials: () => Promise.resolve(CREDENTIALS) });
const AT = new Date("2024-05-01T12:00:00Z");

describe("eksConnection", () => {
  it("builds the connection from DescribeCluster, with a token for that cluster", async () => {
    eks.on(DescribeClusterCommand, { name: "btp-acme" }).resolves({
      cluster: { name: "btp-acme", status: "ACTIVE", endpoint: "https://ABC.gr7.eu-west-1.eks.amazonaws.com", certificateAuthority: { data: "LS0tLS1CRUdJTg==" } },
    });
    const connection = await eksConnection(aws(), "btp-acme", "eu-west-1", { profile: "prod", now: () => AT });
    expect({ ...connection, token: undefined }).toEqual({
      kind: "eks",
      clusterName: "btp-acme",
      region: "eu-west-1",
      profile: "prod",
      server: "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
      caData: "LS0tLS1CRUdJTg==",
      token: undefined,
    });
    const token = await connection.token();
    expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
    const url = new URL(Buffer.from(token.slice(TOKEN_PREFIX.length), "base64url").toString("utf8"));
    expect([url.host, url.searchParams.get("X-Amz-Credential")]).toEqual(["sts.eu-west-1.amazonaws.com", "AKIDEXAMPLE/20240501/eu-west-1/sts/aws4_request"]);
    // Same clock, still fresh: the same token, not a new signature per request.
    expect(await connection.token()).toBe(token);
  });

  it("says how to create the cluster when it does not exist", async () => {
    eks.on(DescribeClusterCommand).rejects(new ResourceNotFoundException({ message: "No cluster found for name: btp-acme.", $metadata: {} }));
    const failure = eksConnection(aws(), "btp-acme", "eu-west-1");
    await expect(failure).rejects.toThrow("EKS cluster btp-acme not found in eu-west-1");
    await expect(failure).rejects.toMatchObject({ hint: "create it with `btp-aws install --only prepare,infra`, or pass --kubeconfig/--context to use a cluster you already have" });
  });

  it("refuses a cluster that is not ACTIVE yet", async () => {
    eks.on(DescribeClusterCommand).resolves({ cluster: { name: "btp-acme", status: "CREATING" } });
    await expect(eksConnection(aws(), "btp-acme", "eu-west-1")).rejects.toThrow("EKS cluster btp-acme in eu-west-1 is CREATING, not ACTIVE: its API cannot be used yet");
  });

  it("names the IAM action when DescribeCluster is denied", async () => {
    eks.on(DescribeClusterCommand).rejects(new EKSServiceException({ name: "AccessDeniedException", $fault: "client", message: "not authorized to perform eks:DescribeCluster", $metadata: {} }));
    await expect(eksConnection(aws(), "btp-acme", "eu-west-1")).rejects.toThrow("not allowed to read EKS cluster btp-acme (eks:DescribeCluster): AccessDeniedException: not authorized to perform eks:DescribeCluster");
  });

  it("reports missing credentials when the token is asked for, without a secret in the message", async () => {
    eks.on(DescribeClusterCommand).resolves({ cluster: { name: "c", status: "ACTIVE", endpoint: "https://x", certificateAuthority: { data: "Y2E=" } } });
    const noCredentials = createAwsClients({
      region: "eu-west-1",
      userAgentSuffix: "t",
      credentials: () => Promise.reject(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" })),
    });
    const connection = await eksConnection(noCredentials, "c", "eu-west-1");
    await expect(connection.token()).rejects.toThrow("no AWS credentials found: Could not load credentials from any providers");
  });
});

describe("kubeconfigFiles", () => {
  it("follows kubectl: --kubeconfig, else every KUBECONFIG entry, else ~/.kube/config", () => {
    expect(kubeconfigFiles({ kubeconfig: "/k/explicit", kubeconfigEnv: "/a:/b", home: "/home/u" })).toEqual([{ path: "/k/explicit", required: true }]);
    expect(kubeconfigFiles({ kubeconfigEnv: "/a::/b", home: "/home/u" })).toEqual([{ path: "/a", required: false }, { path: "/b", required: false }]);
    expect(kubeconfigFiles({ kubeconfigEnv: "C:\\a;C:\\b", delimiter: ";" })).toEqual([{ path: "C:\\a", required: false }, { path: "C:\\b", required: false }]);
    expect(kubeconfigFiles({ kubeconfigEnv: "", home: "/home/u" })).toEqual([{ path: "/home/u/.kube/config", required: true }]);
  });
});

describe("existingConnection", () => {
  let dir: string;
  const kubeconfig = (clusters: [string, string][], contexts: [string, string][], current?: string) =>
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: clusters.map(([name, server]) => ({ name, cluster: { server } })),
      users: [{ name: "u", user: { token: "static-token-value" } }],
      contexts: contexts.map(([name, cluster]) => ({ name, context: { cluster, user: "u" } })),
      ...(current ? { "current-context": current } : {}),
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "btp-kubeconfig-"));
    await writeFile(join(dir, "first"), kubeconfig([["prod", "https://prod.example"], ["shared", "https://first.example"]], [["prod", "prod"], ["shared", "shared"]], "prod"));
    await writeFile(join(dir, "second"), kubeconfig([["shared", "https://second.example"], ["dev", "https://dev.example"]], [["dev", "dev"]], "dev"));
    await writeFile(join(dir, "broken"), "clusters: [ {");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("uses the current context of an explicit kubeconfig", async () => {
    const file = join(dir, "first");
    expect(await existingConnection({ kubeconfig: file })).toEqual({ kind: "kubeconfig", files: [file], explicitFile: file, context: "prod", server: "https://prod.example" });
  });

  it("merges KUBECONFIG like kubectl: the first file wins names and the current context; missing files are skipped", async () => {
    const env = [join(dir, "absent"), join(dir, "first"), join(dir, "second")].join(":");
    expect(await existingConnection({ kubeconfigEnv: env })).toMatchObject({ files: [join(dir, "first"), join(dir, "second")], explicitFile: undefined, context: "prod" });
    expect(await existingConnection({ kubeconfigEnv: env, context: "dev" })).toMatchObject({ context: "dev", server: "https://dev.example" });
    expect(await existingConnection({ kubeconfigEnv: env, context: "shared" })).toMatchObject({ server: "https://first.example" });
  });

  it("lists the contexts when the one asked for does not exist", async () => {
    const failure = existingConnection({ kubeconfig: join(dir, "first"), context: "staging" });
    await expect(failure).rejects.toThrow(`context staging not found in ${join(dir, "first")}`);
    await expect(failure).rejects.toMatchObject({ hint: "choose one of: prod, shared" });
  });

  it("fails clearly on a missing explicit file and on a file that is not a kubeconfig", async () => {
    await expect(existingConnection({ kubeconfig: join(dir, "absent") })).rejects.toThrow(`kubeconfig ${join(dir, "absent")} does not exist`);
    await expect(existingConnection({ kubeconfig: join(dir, "broken") })).rejects.toThrow(`cannot read kubeconfig ${join(dir, "broken")}: `);
  });
});
