/**
 * A real Kubernetes control plane for the `real` test project: etcd and kube-apiserver (built by
 * test/servers/build.mjs) on free loopback ports, with temporary data.
 *
 * - Serving certificate: kube-apiserver makes its own in --cert-dir, signed by a throwaway CA it
 *   appends to apiserver.crt; the kubeconfig trusts exactly that CA (no skip-verify).
 * - Authentication: a static token (--token-auth-file) for a user in system:masters; RBAC is on,
 *   so that group's cluster-admin binding is what lets it do everything.
 * - Service accounts: an RSA key pair from node:crypto signs and verifies their tokens.
 * - No controller manager, scheduler or kubelet: nothing reconciles, no pod runs. Tests play the
 *   controllers by writing status subresources themselves (see patchStatus).
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startProcess, waitReady, type ServerProcess } from "../servers/process.js";

export interface KubeApiServer {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** A static admin token (system:masters) for a throwaway server. */
  readonly token: string;
  /** A static token for a user in no group but system:authenticated: RBAC forbids it nearly everything. */
  readonly unprivilegedToken: string;
  /** The CA that signed the serving certificate, PEM. */
  readonly caPem: string;
  /** A kubeconfig (context "real") for helm --kubeconfig and existingConnection. */
  readonly kubeconfigPath: string;
  readonly processes: { etcd: ServerProcess; apiserver: ServerProcess };
  /** Stops kube-apiserver, then etcd, and removes their data. */
  stop(): Promise<void>;
}

export interface KubeApiServerBinaries {
  etcd: string;
  kubeApiserver: string;
}

export const KUBECONFIG_CONTEXT = "real";

/** The PEM certificates in a file, in order. */
function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
}

export interface RawResponse {
  status: number;
  body: string;
}

/** One HTTPS request to the API server with the admin token and the server's CA. */
export function apiRequest(api: Pick<KubeApiServer, "server" | "token" | "caPem">, method: string, path: string, body?: { contentType: string; text: string }): Promise<RawResponse> {
  return rawRequest(api.server, api.token, api.caPem, method, path, body);
}

function rawRequest(server: string, token: string, ca: string, method: string, path: string, body?: { contentType: string; text: string }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server}${path}`,
      { method, ca, headers: { Authorization: `Bearer ${token}`, Accept: "application/json", ...(body ? { "Content-Type": body.contentType } : {}) }, timeout: 10_000 },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on("error", reject);
    req.end(body?.text);
  });
}

/**
 * Writes an object's status the way its controller would: a merge patch on the status
 * subresource (which ignores everything but status). `resourcePath` is the object's URL path.
 */
export async function patchStatus(api: Pick<KubeApiServer, "server" | "token" | "caPem">, resourcePath: string, status: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await apiRequest(api, "PATCH", `${resourcePath}/status`, { contentType: "application/merge-patch+json", text: JSON.stringify({ status }) });
  if (response.status !== 200) throw new Error(`PATCH ${resourcePath}/status answered ${response.status}: ${response.body}`);
  return JSON.parse(response.body) as Record<string, unknown>;
}

/** A one-context kubeconfig (context "real") for a server, its CA and a bearer token. */
export async function writeKubeconfig(path: string, access: { server: string; caPem: string; token: string }): Promise<void> {
  const kubeconfig = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: KUBECONFIG_CONTEXT, cluster: { server: access.server, "certificate-authority-data": Buffer.from(access.caPem).toString("base64") } }],
    users: [{ name: KUBECONFIG_CONTEXT, user: { token: access.token } }],
    contexts: [{ name: KUBECONFIG_CONTEXT, context: { cluster: KUBECONFIG_CONTEXT, user: KUBECONFIG_CONTEXT } }],
    "current-context": KUBECONFIG_CONTEXT,
  };
  // JSON is YAML: helm and client-node read it as a kubeconfig.
  await writeFile(path, JSON.stringify(kubeconfig, null, 2), { mode: 0o600 });
}

async function startEtcd(binary: string, dir: string): Promise<{ process: ServerProcess; url: string }> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const etcd = startProcess("etcd", binary, [
    "--name=default",
    `--data-dir=${join(dir, "etcd")}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    "--log-level=warn",
    // A test cluster: durability across power loss buys nothing, and fsync is slow on shared disks.
    "--unsafe-no-fsync",
  ]);
  await waitReady(etcd, "its /health to report true", async () => {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
    return ((await response.json()) as { health?: string }).health === "true";
  });
  return { process: etcd, url };
}

export async function startKubeApiServer(binaries: KubeApiServerBinaries): Promise<KubeApiServer> {
  const dir = await mkdtemp(join(tmpdir(), "btp-aws-kube-"));
  const stopped: ServerProcess[] = [];
  const stop = async () => {
    // The API server first: it would otherwise log etcd connection errors while shutting down.
    for (const child of stopped.reverse()) await child.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const etcd = await startEtcd(binaries.etcd, dir);
    stopped.push(etcd.process);

    const certDir = join(dir, "certs");
    await mkdir(certDir);
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
    await writeFile(join(dir, "sa.pub"), publicKey);
    await writeFile(join(dir, "sa.key"), privateKey, { mode: 0o600 });
    const token = randomBytes(24).toString("hex");
    const unprivilegedToken = randomBytes(24).toString("hex");
    // token,user,uid,"group,…"
    await writeFile(join(dir, "tokens.csv"), `${token},btp-aws-test-admin,btp-aws-test-admin,"system:masters"\n${unprivilegedToken},btp-aws-test-nobody,btp-aws-test-nobody\n`, { mode: 0o600 });

    const port = await freePort();
    const server = `https://127.0.0.1:${port}`;
    const apiserver = startProcess("kube-apiserver", binaries.kubeApiserver, [
      `--etcd-servers=${etcd.url}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${port}`,
      `--cert-dir=${certDir}`,
      `--token-auth-file=${join(dir, "tokens.csv")}`,
      "--authorization-mode=RBAC",
      `--service-account-key-file=${join(dir, "sa.pub")}`,
      `--service-account-signing-key-file=${join(dir, "sa.key")}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      "--service-cluster-ip-range=10.96.0.0/16",
      // No controller manager creates the default service account a pod would need.
      "--disable-admission-plugins=ServiceAccount",
      // No kubelet or node runs; nothing reaches the endpoints of the kubernetes service.
      "--endpoint-reconciler-type=none",
      "--enable-priority-and-fairness=false",
      "--profiling=false",
      "--v=0",
    ]);
    stopped.push(apiserver);

    // The self-signed serving certificate appears once the server has made it.
    let caPem = "";
    await waitReady(apiserver, `${join(certDir, "apiserver.crt")} with its CA`, async () => {
      const blocks = pemBlocks(await readFile(join(certDir, "apiserver.crt"), "utf8"));
      caPem = blocks.at(-1) ?? "";
      return blocks.length >= 2;
    });
    await waitReady(
      apiserver,
      "/readyz to answer ok",
      async () => {
        const response = await rawRequest(server, token, caPem, "GET", "/readyz");
        return response.status === 200;
      },
      120_000,
    );

    const kubeconfigPath = join(dir, "kubeconfig");
    await writeKubeconfig(kubeconfigPath, { server, caPem, token });
    return { server, token, unprivilegedToken, caPem, kubeconfigPath, processes: { etcd: etcd.process, apiserver }, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
