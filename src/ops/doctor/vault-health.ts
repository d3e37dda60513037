/**
 * Vault's health as doctor sees it: every server pod initialised and unsealed (asked through a
 * port-forward, as the vault phase does), and raft listing every pod as a voter. Reading the raft
 * configuration needs a token: the root token the installer stored in the platform secret, read
 * (GetSecretValue, a read) and registered with the redactor before anything else happens.
 */
import { readPlatformSecret } from "../../aws/secrets-manager.js";
import { errorMessage } from "../../errors.js";
import type { PortForward } from "../../k8s/kube.js";
import { ROOT_TOKEN_KEY } from "../../phases/vault/initialise.js";
import { VAULT_NAMESPACE } from "../../phases/vault/values.js";
import { VaultClient } from "../../vault/client.js";
import { finding, outcome, type Finding } from "./findings.js";
import { fail, warn, type CheckOutcome, type DoctorContext } from "./types.js";

const VAULT_PORT = 8200;
/** The vault chart's labels on server pods (the agent injector's pods have another name). */
const SERVER_PODS = "app.kubernetes.io/name=vault,component=server";
const REQUEST_TIMEOUT_MS = 10_000;
const LOGS = (pod: string) => `\`kubectl -n ${VAULT_NAMESPACE} logs ${pod}\``;

async function rootToken(ctx: DoctorContext): Promise<string | undefined> {
  const secret = await ctx.facts.secret();
  if (!secret) return undefined;
  const values = await readPlatformSecret(await ctx.aws.secretsManager(), secret.arn, (value) => ctx.secrets.add(value));
  return values[ROOT_TOKEN_KEY];
}

export async function vaultHealth(ctx: DoctorContext, expected: boolean): Promise<CheckOutcome> {
  const kube = await ctx.kube();
  const pods = (await kube.list("v1", "Pod", { namespace: VAULT_NAMESPACE, labelSelector: SERVER_PODS })).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  if (pods.length === 0) {
    return expected
      ? fail(`no Vault server pods in namespace ${VAULT_NAMESPACE}`, "run `btp-aws install --from vault` to install it again")
      : warn("Vault is not installed yet", "run `btp-aws install`");
  }
  const forwards: PortForward[] = [];
  const findings: Finding[] = [];
  let reader: VaultClient | undefined;
  try {
    for (const pod of pods) {
      const name = pod.metadata.name;
      const phase = (pod.status as { phase?: string } | undefined)?.phase ?? "Unknown";
      if (phase !== "Running") {
        findings.push(finding("fail", `${name} is ${phase}`, `\`kubectl -n ${VAULT_NAMESPACE} describe pod ${name}\` shows why`));
        continue;
      }
      try {
        const forward = await kube.portForward(VAULT_NAMESPACE, name, VAULT_PORT);
        forwards.push(forward);
        const client = new VaultClient({ address: `http://127.0.0.1:${forward.localPort}`, timeoutMs: REQUEST_TIMEOUT_MS, signal: ctx.signal });
        const status = await client.sealStatus();
        if (!status.initialized) findings.push(finding("fail", `${name} is not initialised`, `run \`btp-aws install --from vault\`; if ${name} should have joined raft, ${LOGS(name)} shows why it has not`));
        else if (status.sealed) findings.push(finding("fail", `${name} is sealed`, `it unseals itself with KMS: ${LOGS(name)} shows the awskms error; the vault IRSA role must allow kms:Encrypt, kms:Decrypt and kms:DescribeKey on the platform key`));
        else reader ??= client;
      } catch (error) {
        findings.push(finding("fail", `${name} does not answer: ${errorMessage(error)}`, `${LOGS(name)} shows why`));
      }
    }
    const subject = `${pods.length} Vault pods`;
    if (!reader) return outcome(subject, findings);

    let token: string | undefined;
    try {
      token = await rootToken(ctx);
      if (token === undefined) findings.push(finding("warn", `raft peers not checked: the platform secret holds no ${ROOT_TOKEN_KEY}`, "run `btp-aws install --from vault`: initialisation stores it"));
    } catch (error) {
      findings.push(finding("warn", `raft peers not checked: the platform secret cannot be read (${errorMessage(error)})`, "run doctor with credentials that may read the platform secret (secretsmanager:GetSecretValue)"));
    }
    if (token === undefined) return outcome(subject, findings);

    const peers = await reader.withToken(token).raftPeers();
    const voters = peers.filter((p) => p.voter);
    const missing = pods.map((p) => p.metadata.name).filter((name) => !peers.some((p) => p.nodeId === name));
    const nonVoters = peers.filter((p) => !p.voter).map((p) => p.nodeId);
    if (missing.length > 0) findings.push(finding("fail", `not in raft: ${missing.join(", ")}`, `${LOGS(missing[0]!)} shows why retry_join fails`));
    if (nonVoters.length > 0) findings.push(finding("warn", `raft non-voters: ${nonVoters.join(", ")}`, "autopilot promotes a healthy node within a minute or two; if it lasts, look at that pod's logs"));
    const leader = peers.find((p) => p.leader)?.nodeId ?? "none";
    return outcome(subject, findings, `${pods.length} pods initialised and unsealed; raft: ${voters.length} voters, leader ${leader}`);
  } finally {
    await Promise.all(forwards.map((f) => f.close().catch(() => undefined)));
  }
}
