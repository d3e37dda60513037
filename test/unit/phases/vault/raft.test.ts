import { afterEach, describe, expect, it } from "vitest";
import { waitForRaftPeers } from "../../../../src/phases/vault/initialise.js";
import { VaultClient } from "../../../../src/vault/client.js";
import { startFakeVault, type FakeVault } from "../../../fakes/vault.js";
import { recordingReporter } from "../../../support/reporter.js";
import { instantTime, rejection } from "./helpers.js";

let fake: FakeVault | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** A 3-node fake with vault-0 initialised and unsealed; clients for every pod, with the root token. */
async function cluster(): Promise<{ f: FakeVault; replicas: VaultClient[] }> {
  const f = (fake = await startFakeVault({ nodes: 3, autoUnsealAfter: 1 }));
  const { rootToken } = await new VaultClient({ address: f.url }).initialise({ recoveryShares: 5, recoveryThreshold: 3 });
  const replicas = f.urls.map((address) => new VaultClient({ address, token: rootToken }));
  await replicas[0]!.sealStatus(); // auto-unseal of vault-0
  return { f, replicas };
}

describe("waitForRaftPeers", () => {
  it("waits while peers join, unseal and are promoted to voters", async () => {
    const { f, replicas } = await cluster();
    // The world moves between polls, as retry_join and autopilot would move it.
    const timeline: Record<number, () => void> = { 1: () => f.join(1), 2: () => f.join(2), 3: () => f.promote(1), 4: () => f.promote(2) };
    const report = recordingReporter();

    const peers = await waitForRaftPeers({ replicas, report, waitSettings: instantTime((n) => timeline[n]?.()) });

    expect(peers).toEqual([
      { nodeId: "vault-0", address: "vault-0.vault-internal:8201", leader: true, voter: true },
      { nodeId: "vault-1", address: "vault-1.vault-internal:8201", leader: false, voter: true },
      { nodeId: "vault-2", address: "vault-2.vault-internal:8201", leader: false, voter: true },
    ]);
    expect(report.statuses).toEqual([
      "1/3 raft peers, 1 voting; replica 1, 2 sealed or not joined, 0s",
      // vault-1 has joined; its first answer is still "sealed" (auto-unseal in progress).
      "2/3 raft peers, 1 voting; replica 1, 2 sealed or not joined, 5s",
      "3/3 raft peers, 1 voting; replica 2 sealed or not joined, 10s",
      "3/3 raft peers, 2 voting, 15s",
    ]);
  });

  it("is ready at once on a formed cluster, and reads raft only through an unsealed replica", async () => {
    const { f, replicas } = await cluster();
    for (const i of [1, 2]) {
      f.join(i, 0);
      f.promote(i);
    }
    f.clearLog();
    const report = recordingReporter();
    expect(await waitForRaftPeers({ replicas, report, waitSettings: instantTime() })).toHaveLength(3);
    expect(report.statuses).toEqual([]);
    expect(f.writes()).toEqual([]);
    expect(f.requests.filter((r) => r.path === "/v1/sys/storage/raft/configuration")).toHaveLength(1);
  });

  it("times out naming a replica that stays sealed", async () => {
    const { f, replicas } = await cluster();
    for (const i of [1, 2]) {
      f.join(i);
      f.promote(i);
    }
    f.sealNode(2);
    const error = await rejection(waitForRaftPeers({ replicas, report: recordingReporter(), waitSettings: instantTime() }));
    expect(error.message).toBe("timed out waiting for 3 Vault raft peers, every one a voter and unsealed: still 3/3 raft peers, 3 voting; replica 2 sealed or not joined after 10m00s");
    expect(error.hint).toContain("retry_join");
  });

  it("counts an unreachable replica as not ready rather than failing", async () => {
    const { f, replicas } = await cluster();
    f.join(1, 0);
    f.promote(1);
    const gone = new VaultClient({ address: "http://127.0.0.1:9", token: "hvs.x", timeoutMs: 2_000 });
    const report = recordingReporter();
    const waited = waitForRaftPeers({ replicas: [replicas[0]!, replicas[1]!, gone], report, waitSettings: instantTime((n) => n === 1 && f.join(2)) });
    const error = await rejection(waited);
    expect(error.message).toMatch(/^timed out waiting for 3 Vault raft peers, every one a voter and unsealed: still 3\/3 raft peers, 2 voting; replica 2 sealed or not joined after/);
    expect(report.statuses[0]).toBe("2/3 raft peers, 2 voting; replica 2 sealed or not joined, 0s");
  });
});
